// Narrow a long list of checkboxes as the person types: <input data-sk-filter="ID"> filters the
// .govuk-checkboxes__item elements inside the element with that id. Ticked boxes always stay in view.
// Without JavaScript the search box stays hidden and every choice is shown. Lists that htmx draws
// later (a child added on the recording page) get their search box too.
function bind(root) {
  for (const input of root.querySelectorAll("[data-sk-filter]")) {
    const list = document.getElementById(input.dataset.skFilter);
    if (!list || input.dataset.skBound) continue;
    input.dataset.skBound = "yes";
    input.closest(".sk-filter").hidden = false;
    // Enter narrows nothing further: it must not send the form it sits in.
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
    input.addEventListener("input", () => {
      const words = input.value.trim().toLowerCase();
      for (const group of list.querySelectorAll(".govuk-checkboxes")) {
        let shown = 0;
        for (const item of group.querySelectorAll(".govuk-checkboxes__item")) {
          const box = item.querySelector("input");
          const match = !words || box.checked || item.textContent.toLowerCase().includes(words);
          item.hidden = !match;
          if (match) shown += 1;
        }
        group.hidden = shown === 0;
        const heading = group.previousElementSibling;
        if (heading && heading.classList.contains("sk-filter-heading")) heading.hidden = shown === 0;
      }
    });
  }
}

bind(document);
document.addEventListener("htmx:load", (event) => bind(event.detail.elt));
