// The catalog's filter panel: open beside the results on wide screens, folded on phones.
// On a phone the results sit below the panel, so a filter change brings them into view;
// #catalog-news (filled by htmx) tells screen readers how many were found. Focus stays
// in the filter just changed, so the next change is one Tab away.
(() => {
  const wide = window.matchMedia("(min-width: 56rem)");
  const panel = document.getElementById("filter-panel");
  if (panel && wide.matches) {
    panel.open = true;
  }
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target.id === "results" && !wide.matches) {
      event.target.scrollIntoView({ block: "start" });
    }
  });
})();
