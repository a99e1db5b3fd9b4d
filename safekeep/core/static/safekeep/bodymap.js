// The body map on the recording page: tap or click a place on the front or back figure to say where
// a mark is. It fills in the same "Front or back" radios and "Where on the body" list that work
// without JavaScript (and stay as the accessible alternative). By keyboard each figure is one Tab
// stop: the arrow keys move between places, Enter or Space chooses one, and the choice is read out.
function bind(root) {
  for (const picker of root.querySelectorAll("[data-sk-body-map]")) {
    if (picker.dataset.skBound) continue;
    picker.dataset.skBound = "yes";
    const form = picker.closest("form");
    const select = form.querySelector("#new_mark_region");
    const said = picker.querySelector("[data-sk-body-map-chosen]");
    const places = [...picker.querySelectorAll(".sk-region")];
    if (!select) continue;
    picker.hidden = false;

    const show = () => {
      const side = (form.querySelector("input[name=new_mark_side]:checked") || {}).value;
      let chosen = null;
      for (const place of places) {
        const on = place.dataset.side === side && place.dataset.region === select.value;
        place.setAttribute("aria-pressed", on ? "true" : "false");
        if (on) chosen = place;
      }
      said.textContent = chosen ? `Chosen: ${chosen.dataset.words}.` : "";
    };
    const choose = (place) => {
      const radio = form.querySelector(`input[name=new_mark_side][value=${place.dataset.side}]`);
      if (radio) radio.checked = true;
      select.value = place.dataset.region;
      show();
    };
    const moveFocus = (place, step) => {
      const figure = places.filter((p) => p.dataset.side === place.dataset.side);
      const next = figure[(figure.indexOf(place) + step + figure.length) % figure.length];
      for (const p of figure) p.setAttribute("tabindex", p === next ? "0" : "-1");
      next.focus();
    };

    for (const place of places) {
      place.addEventListener("click", () => choose(place));
      place.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();  // Enter never sends the form from here
          choose(place);
        } else if (event.key === "ArrowDown" || event.key === "ArrowRight") {
          event.preventDefault();
          moveFocus(place, 1);
        } else if (event.key === "ArrowUp" || event.key === "ArrowLeft") {
          event.preventDefault();
          moveFocus(place, -1);
        }
      });
    }
    select.addEventListener("change", show);
    for (const radio of form.querySelectorAll("input[name=new_mark_side]")) radio.addEventListener("change", show);
    show();
  }
}

bind(document);
document.addEventListener("htmx:load", (event) => bind(event.detail.elt));
