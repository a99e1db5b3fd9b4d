// The recording page with JavaScript: htmx sends the form (see concerns/record.html). When a send
// fails (no connection, or Safekeep answers with an error), nothing on the page changes: the words
// stay where they are, a message says plainly that nothing was sent, and "Try sending again" sends
// the same form with the same one-time key, so a send that did arrive is never recorded twice.
// Without JavaScript none of this runs and the form posts as usual.

function sentBy(event) {
  const elt = event.detail && event.detail.elt;
  return elt && elt.matches ? elt : null;
}

// Only a send, or finding, adding or removing a child, says so when it fails (the wording check,
// which only suggests, stays quiet).
const sendOrChildStep = (event) => sentBy(event) && sentBy(event).matches("[data-sk-send], [data-sk-child-step]");

function showFailure(event, why) {
  const elt = sentBy(event);
  const banner = document.getElementById("send-failed");
  if (!banner || !sendOrChildStep(event)) return;
  const sending = elt.matches("[data-sk-send]");
  banner.querySelector("[data-sk-failed-title]").textContent =
    sending ? "Your concern has not been sent" : "Nothing has changed";
  banner.querySelector("[data-sk-failed-why]").textContent =
    (sending ? "Nothing was sent: " : "The list of children was not changed: ") + why;
  banner.querySelector("[data-sk-retry]").hidden = !sending;
  banner.hidden = false;
  banner.focus();
}

document.addEventListener("htmx:beforeRequest", (event) => {
  const banner = document.getElementById("send-failed");
  if (banner && sendOrChildStep(event)) banner.hidden = true;
});
document.addEventListener("htmx:sendError", (event) =>
  showFailure(event, "Safekeep could not be reached. Check your connection, then try again."));
document.addEventListener("htmx:timeout", (event) =>
  showFailure(event, "Safekeep did not answer in time. Try again in a moment."));
document.addEventListener("htmx:responseError", (event) =>
  showFailure(event, "Safekeep could not take it just now. Try again in a moment."));
document.addEventListener("click", (event) => {
  if (!event.target.closest("[data-sk-retry]")) return;
  const send = document.querySelector("[data-sk-send]");
  if (send) send.click();
});

// Finding, adding or removing a child redraws the children's part of the page from what was sent.
// A choice made while that answer was on its way (a role ticked, a kind of concern chosen) is put
// back on the redrawn part, so nothing chosen is lost however slow the connection.
const changedInFlight = new Map();
let childStepsInFlight = 0;
const childStep = (event) => sentBy(event) && sentBy(event).matches("[data-sk-child-step]");
document.addEventListener("htmx:beforeRequest", (event) => {
  if (childStep(event)) childStepsInFlight += 1;
});
const failedChildStep = (event) => {
  if (childStep(event)) childStepsInFlight = Math.max(0, childStepsInFlight - 1);
};
document.addEventListener("htmx:sendError", failedChildStep);
document.addEventListener("htmx:responseError", failedChildStep);
document.addEventListener("change", (event) => {
  const input = event.target;
  if (childStepsInFlight && input.id && input.closest("#children-part")) changedInFlight.set(input.id, input);
});
// htmx settles a redrawn element that keeps its id by copying attributes over, which can leave a
// radio's or checkbox's ticked state behind the "checked" the server sent: take the server's.
document.addEventListener("htmx:afterSettle", (event) => {
  if (!event.target || !["children-part", "record-page"].includes(event.target.id)) return;
  for (const box of event.target.querySelectorAll("input[type=radio], input[type=checkbox]")) {
    box.checked = box.hasAttribute("checked");
  }
});
document.addEventListener("htmx:afterSettle", (event) => {
  if (!event.target || event.target.id !== "children-part") return;
  childStepsInFlight = Math.max(0, childStepsInFlight - 1);
  for (const [id, old] of changedInFlight) {
    const now = document.getElementById(id);
    if (!now || now === old) continue;
    if (old.type === "checkbox" || old.type === "radio") now.checked = old.checked;
    else now.value = old.value;
  }
  if (!childStepsInFlight) changedInFlight.clear();
});

// Enter in a field other than the child search does nothing at all: it sends no request that a later
// click (Remove, Add) would have to wait behind. In the search box it finds, as without JavaScript.
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || !field.matches || !field.matches("input") || !field.form) return;
  if (!field.form.querySelector("[data-sk-child-step]") || field.name === "find_q") return;
  event.preventDefault();
});
