// "Tell me while this page is open when someone who fits starts accepting": a control on the
// search page that follows the current search over a WebSocket (the newMatches subscription)
// and lists each therapist the directory announces in a polite live region, linked to their page.

import { NEW_MATCHES } from "/static/api.js";
import { h, placeText, replaceChildren, uniqueId } from "/static/dom.js";
import { subscribe } from "/static/live.js";

const LABEL = "Tell me while this page is open when someone who fits starts accepting";
const OFF = "Off.";
const ON = "On: whoever comes to fit this search and accepts new clients is listed here while this page is open.";

function announcement(therapist) {
  return h("li", {},
    h("a", { href: `#/therapists/${encodeURIComponent(therapist.id)}` }, therapist.displayName),
    `, ${therapist.title}, ${placeText(therapist.location)}, now fits this search and accepts new clients.`);
}

/**
 * The control with its announcements: `follow(variables)` watches a search (the Search
 * operation's `filter` and `text`) while the control is on; `stop()` closes the socket.
 */
export function newMatchesControl() {
  const id = uniqueId("new-matches");
  const toggle = h("input", { id, type: "checkbox", "aria-describedby": `${id}-state` });
  const state = h("p", { className: "hint", id: `${id}-state` }, OFF);
  const list = h("ul", { className: "new-matches-list" });
  const region = h("div", { role: "log", "aria-live": "polite", "aria-label": "New matches" }, list);
  let search = null;
  let close = null;

  function stop() {
    close?.();
    close = null;
  }

  function start() {
    stop();
    if (!toggle.checked || search === null) return;
    const statuses = search.filter.newClientStatus;
    if (statuses && !statuses.includes("ACCEPTING")) {
      state.textContent = "This search is for therapists not taking new clients, so there is no one to tell you about.";
      return;
    }
    state.textContent = ON;
    close = subscribe(NEW_MATCHES, search, {
      onNext: (data) => list.append(announcement(data.newMatches)),
      onEnd: (error) => {
        close = null;
        toggle.checked = false;
        state.textContent = error ? `Stopped: ${error.message}` : "Stopped by the directory. Turn it on to go on.";
      },
    });
  }

  toggle.addEventListener("change", () => {
    if (toggle.checked) start();
    else {
      stop();
      state.textContent = OFF;
    }
  });

  return {
    element: h("div", { className: "new-matches" },
      h("div", { className: "check" }, toggle, h("label", { for: id }, LABEL)), state, region),
    follow({ filter, text }) {
      const next = { filter, text };
      if (JSON.stringify(next) === JSON.stringify(search)) return;
      search = next;
      replaceChildren(list); // whoever was announced fitted the previous search
      if (toggle.checked) start();
    },
    stop,
  };
}
