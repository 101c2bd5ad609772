// "Email this therapist": a visitor's message, sent through the gateway's sendInquiry.
// What the visitor writes is health data: it stays in this form and one POST body, never in the
// address, storage or a cookie, and it is sent exactly as written.

import { graphql, SEND_INQUIRY } from "/static/api.js";
import { announce, h, replaceChildren, STATUS_LABELS, uniqueId } from "/static/dom.js";
import { inputField, textValue } from "/static/forms.js";

export const MAX_MESSAGE = 2000;
const NEAR_LIMIT = 100;
const FIELD_LABELS = { name: "Your name", email: "Email", phone: "Phone", message: "Message", consent: "Consent" };
const numbers = new Intl.NumberFormat("en-US");

/** Characters as people count them (an emoji is one), which is how the limit is counted too. */
function length(text) {
  return [...text].length;
}

/** A fresh key per form: sending it twice (a double click, a retry) stores one inquiry. */
function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** "about 3 minutes" for a wait given in seconds. */
export function waitText(seconds) {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `about ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  return `about ${hours} hours`;
}

/** "Usually replies within a day" from search's figures; null when nothing was measured. */
export function replyText(responsiveness) {
  if (!responsiveness || !responsiveness.sampleSize || responsiveness.medianReplyHours === null) return null;
  const hours = responsiveness.medianReplyHours;
  const within = hours <= 24 ? "a day" : `${Math.ceil(hours / 24)} days`;
  const share = responsiveness.answeredShare === null ? ""
    : ` and answers ${Math.round(responsiveness.answeredShare * 100)}% of messages`;
  return `Usually replies within ${within}${share}.`;
}

function messageField(onInput) {
  const id = uniqueId("message");
  const counter = h("p", { className: "hint counter", id: `${id}-count` }, `0 of ${numbers.format(MAX_MESSAGE)} characters`);
  const hint = h("p", { className: "hint", id: `${id}-hint` },
    "Say what you would like help with and when you could meet. Keep it short: you can tell them more later.");
  const textarea = h("textarea", { id, name: "message", rows: 8, required: true,
    "aria-describedby": `${id}-hint ${id}-count` });
  let wasNear = false;
  textarea.addEventListener("input", () => {
    const used = length(textarea.value);
    const over = used > MAX_MESSAGE;
    counter.textContent = over
      ? `${numbers.format(used - MAX_MESSAGE)} characters too many (up to ${numbers.format(MAX_MESSAGE)})`
      : `${numbers.format(used)} of ${numbers.format(MAX_MESSAGE)} characters`;
    counter.classList.toggle("over", over);
    // The count is read with the field; near the limit it is also announced, once.
    const near = MAX_MESSAGE - used <= NEAR_LIMIT;
    if (near && !wasNear) announce(counter.textContent);
    wasNear = near;
    onInput();
  });
  return h("div", { className: "field" }, h("label", { for: id }, "Message"), hint, textarea, counter);
}

function consentField(therapistName) {
  const id = uniqueId("consent");
  return h("div", { className: "check consent" },
    h("input", { id, name: "consent", type: "checkbox", value: "true", required: true }),
    h("label", { for: id },
      `I agree that the directory stores my message and contact details and passes them to ${therapistName}, `
      + "only so that they can reply to me. They are kept encrypted, shared with no one else and deleted "
      + "automatically after a set time."));
}

/** A field only bots fill in: out of sight, out of the tab order, hidden from screen readers. */
function honeypot() {
  const id = uniqueId("homepage");
  return h("div", { className: "honeypot", "aria-hidden": "true" },
    h("label", { for: id }, "Leave this field empty"),
    h("input", { id, name: "homepage", type: "text", tabindex: "-1", autocomplete: "off" }));
}

function whatHappensNext(therapist) {
  const reply = replyText(therapist.responsiveness);
  return h("div", { className: "next-steps" },
    h("h3", {}, "What happens next"),
    h("ol", {},
      h("li", {}, `${therapist.displayName} gets an email saying that a message is waiting. `
        + "The email does not contain your message or your details."),
      h("li", {}, "They read your message in the directory and reply to you directly, by email or phone."),
      h("li", {}, reply || "Therapists usually reply within a few days. If you hear nothing in a week, "
        + "try another therapist: it is fine to write to several.")));
}

/** The InquiryInput of the form; problems (shown in the form) when it is not ready to send. */
function readForm(form, therapistId, key) {
  const problems = [];
  const name = textValue(form, "name");
  const email = textValue(form, "email");
  const phone = textValue(form, "phone");
  const message = form.elements.message.value;
  if (!name) problems.push(["name", "Give your name (or the name you would like to be called)."]);
  if (!email && !phone) problems.push(["email", "Give an email address or a phone number, so they can reply."]);
  if (email && !form.elements.email.checkValidity()) problems.push(["email", "Check the email address."]);
  if (!message.trim()) problems.push(["message", "Write a message."]);
  if (length(message) > MAX_MESSAGE) {
    problems.push(["message", `Shorten the message to ${numbers.format(MAX_MESSAGE)} characters.`]);
  }
  if (!form.elements.consent.checked) problems.push(["consent", "Tick the consent box to send your message."]);
  const input = { therapistId, name, email, phone, message, consent: form.elements.consent.checked,
    idempotencyKey: key, homepage: form.elements.homepage.value || null };
  return { input, problems };
}

/** Each problem also beside its field, and read with it (aria-describedby), not only in the list. */
function markFields(form, problems) {
  for (const note of form.querySelectorAll(".field-error")) {
    const control = document.getElementById(note.dataset.for);
    const rest = (control?.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== note.id);
    if (rest.length) control.setAttribute("aria-describedby", rest.join(" "));
    else control?.removeAttribute("aria-describedby");
    note.remove();
  }
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  for (const [field, text] of problems) {
    const control = form.elements[field];
    if (!(control instanceof HTMLElement) || !control.id) continue;
    const earlier = form.querySelector(`.field-error[data-for="${control.id}"]`);
    if (earlier) {
      earlier.append(` ${text}`);
      continue;
    }
    control.setAttribute("aria-invalid", "true");
    const note = h("p", { className: "field-error", id: `${control.id}-error`, "data-for": control.id }, text);
    const holder = control.closest(".field, .check");
    if (holder?.classList.contains("field")) holder.append(note);
    else (holder || control).after(note);
    const described = control.getAttribute("aria-describedby");
    control.setAttribute("aria-describedby", described ? `${described} ${note.id}` : note.id);
  }
}

function showProblems(form, problems) {
  markFields(form, problems);
  const box = form.querySelector(".form-problems");
  replaceChildren(box, problems.length ? h("ul", {}, problems.map(([field, text]) =>
    h("li", {}, FIELD_LABELS[field] ? `${FIELD_LABELS[field]}: ${text}` : text))) : null);
  if (problems.length) box.focus();
}

function sentPanel(therapist, restart) {
  return h("div", { className: "sent" },
    h("h3", { tabindex: "-1" }, "Message sent"),
    h("p", {}, `Your message is on its way to ${therapist.displayName}.`),
    whatHappensNext(therapist),
    h("button", { type: "button", className: "button secondary", onclick: restart }, "Write another message"));
}

/** The "Email this therapist" section of a therapist's page. */
export function inquirySection(therapist) {
  const headingId = uniqueId("inquiry");
  const section = h("section", { className: "profile-section inquiry", "aria-labelledby": headingId },
    h("h2", { id: headingId }, "Email this therapist"));
  const body = h("div");
  section.append(body);

  const buildForm = () => {
    const key = idempotencyKey();
    const status = h("p", { className: "form-status", role: "status" });
    const accepting = !therapist.newClientStatus || therapist.newClientStatus === "ACCEPTING";
    const form = h("form", { className: "inquiry-form", novalidate: true },
      accepting ? null : h("p", { className: "note" },
        `${STATUS_LABELS[therapist.newClientStatus] || "Not accepting new clients"}: `
        + `${therapist.displayName} may not take new clients right now. You can still write; they will get your message.`),
      h("p", { className: "crisis" }, "In crisis or in danger? Do not wait for a reply: call or text 988 "
        + "(Suicide & Crisis Lifeline), or call 911."),
      inputField("Your name", "name", { autocomplete: "name", maxlength: 200, required: true }),
      h("div", { className: "field-row" },
        inputField("Email", "email", { type: "email", autocomplete: "email", maxlength: 254 }),
        inputField("Phone", "phone", { type: "tel", autocomplete: "tel", maxlength: 40 })),
      h("p", { className: "hint" }, "Give an email address, a phone number or both: only the therapist sees them."),
      messageField(() => { status.textContent = ""; }),
      honeypot(),
      consentField(therapist.displayName),
      h("div", { className: "form-problems", tabindex: "-1" }),
      h("div", { className: "actions" }, h("button", { type: "submit", className: "button" }, "Send message")),
      status,
      whatHappensNext(therapist));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(form, status, key);
    });
    replaceChildren(body, form);
    return form;
  };

  const send = async (form, status, key) => {
    const submit = form.querySelector('button[type="submit"]');
    if (submit.disabled) return;
    const { input, problems } = readForm(form, therapist.id, key);
    showProblems(form, problems);
    if (problems.length) return;
    submit.disabled = true;
    status.textContent = "Sending…";
    let waiting = false;
    try {
      const { sendInquiry: result } = await graphql(SEND_INQUIRY, { input });
      status.textContent = "";
      if (result.__typename === "InquirySent") {
        replaceChildren(body, sentPanel(therapist, () => buildForm().elements.name.focus()));
        body.querySelector("h3").focus();
      } else if (result.__typename === "RateLimited") {
        const until = new Date(Date.now() + result.retryAfterSeconds * 1000)
          .toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" });
        status.textContent = `Too many messages were sent from here in a short time. Please wait ${
          waitText(result.retryAfterSeconds)} (until ${until}), then send again. Your message is still here.`;
        waiting = true;
        setTimeout(() => { submit.disabled = false; }, result.retryAfterSeconds * 1000);
      } else if (result.__typename === "ValidationFailed") {
        showProblems(form, result.fieldErrors.map((e) => [e.field, e.message]));
      } else {
        status.textContent = "This therapist is no longer listed, so your message was not sent.";
      }
    } catch (error) {
      status.textContent = `Your message could not be sent: ${error.message} It is still here; please try again.`;
    } finally {
      if (!waiting) submit.disabled = false;
    }
  };

  buildForm();
  return section;
}
