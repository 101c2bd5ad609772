// The "Inquiries" section: what visitors wrote, newest first, with their contact details (shown
// here and nowhere else), marked answered in one click; and the responsiveness the public sees.
// Inquiries are health data: they stay in this page's memory, never in the address, storage or
// the console.

import { graphql } from "/static/api.js";
import { announce, errorBox, h, replaceChildren } from "/static/dom.js";
import { replyText } from "/static/inquiry.js";
import { MARK_ANSWERED, MY_INQUIRIES } from "/static/pages/me/operations.js";

const PAGE_SIZE = 20;

function when(iso) {
  return new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });
}

function publicResponsiveness(responsiveness) {
  const sentence = replyText(responsiveness);
  const sample = responsiveness?.sampleSize || 0;
  return h("section", { className: "card responsiveness", "aria-labelledby": "responsiveness-title" },
    h("h2", { id: "responsiveness-title" }, "What visitors see about your replies"),
    h("p", { className: "public-responsiveness" }, sentence
      || (sample ? "Nothing yet: visitors see how quickly you reply once you have answered a message."
        : "Nothing yet: no messages in the last 90 days.")),
    h("p", { className: "hint" }, `Counted over the last 90 days (${sample} message${sample === 1 ? "" : "s"}). `
      + "Mark a message answered when you have replied: unanswered messages move your listing down in search."));
}

function inquiryItem(inquiry, area, changed) {
  const status = h("p", { className: "inquiry-status" });
  const button = h("button", { type: "button", className: "button secondary" }, "Mark as answered");
  const actions = h("div", { className: "actions" }, button);
  const showStatus = () => {
    const answered = inquiry.status === "ANSWERED";
    item.classList.toggle("is-new", !answered);
    status.textContent = answered
      ? `Answered${inquiry.answeredAt ? ` ${when(inquiry.answeredAt)}` : ""}` : "New: not answered yet";
    if (answered) actions.remove();
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const { markInquiryAnswered: result } = await graphql(MARK_ANSWERED, { id: inquiry.id }, { signedIn: true });
      if (result.__typename === "Inquiry") {
        Object.assign(inquiry, result);
        showStatus();
        changed();
        status.setAttribute("tabindex", "-1");
        status.focus();
        announce(`Marked answered: the message from ${inquiry.name}.`);
      } else {
        status.textContent = "This message no longer exists: old messages are deleted automatically.";
      }
    } catch (error) {
      if (!area.failed(error)) status.textContent = `Not marked: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  const contact = [
    inquiry.email ? [h("dt", {}, "Email"), h("dd", {}, inquiry.email)] : null,
    inquiry.phone ? [h("dt", {}, "Phone"), h("dd", {}, inquiry.phone)] : null,
  ];
  const item = h("li", { className: "card inquiry-item" },
    h("h3", {}, `From ${inquiry.name}`),
    h("p", { className: "muted" }, `Received ${when(inquiry.receivedAt)}`),
    status,
    h("dl", { className: "facts" }, contact),
    h("blockquote", { className: "statement inquiry-message" }, h("p", {}, inquiry.message)),
    actions);
  showStatus();
  return item;
}

export async function inboxSection(container, profile, area, signal) {
  const data = await graphql(MY_INQUIRIES, { therapistId: profile.id, first: PAGE_SIZE }, { signal, signedIn: true });
  let connection = data.myInquiries;
  const list = h("ol", { className: "card-list inquiries" });
  const count = h("p", { className: "result-count" });
  const more = h("button", { type: "button", className: "button secondary" }, "Show older messages");
  const moreArea = h("div", { className: "more" });
  const nodes = [];
  const recount = () => {
    const total = connection.totalCount;
    const fresh = nodes.filter((node) => node.status === "NEW").length;
    const among = nodes.length < total ? ` (of the ${nodes.length} shown)` : "";
    count.textContent = total === 0 ? "No messages yet."
      : `${total} message${total === 1 ? "" : "s"}: ${fresh} new, ${nodes.length - fresh} answered${among}.`;
  };
  const show = (edges) => {
    const items = edges.map((edge) => {
      nodes.push(edge.node);
      return inquiryItem(edge.node, area, recount);
    });
    list.append(...items);
    recount();
    replaceChildren(moreArea, connection.pageInfo.hasNextPage ? more : null);
    return items;
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const next = await graphql(MY_INQUIRIES,
        { therapistId: profile.id, first: PAGE_SIZE, after: connection.pageInfo.endCursor }, { signal, signedIn: true });
      connection = next.myInquiries;
      const heading = show(connection.edges)[0]?.querySelector("h3");
      heading?.setAttribute("tabindex", "-1");
      heading?.focus();
    } catch (error) {
      if (error.name !== "AbortError" && !area.failed(error)) moreArea.append(errorBox(error));
    } finally {
      more.disabled = false;
    }
  });
  replaceChildren(container,
    publicResponsiveness(data.therapist?.responsiveness),
    h("section", { "aria-labelledby": "messages-title" },
      h("h2", { id: "messages-title" }, "Messages from visitors"),
      h("p", { className: "hint" }, "Reply to each visitor directly, by email or phone. Their details are shown "
        + "only here, to you. Messages are deleted automatically after a while (normally 90 days)."),
      count, list, moreArea));
  show(connection.edges);
}
