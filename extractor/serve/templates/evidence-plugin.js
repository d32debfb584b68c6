// The reviewer-first evidence pages: fold what pushes the rows below the first screen.
(() => {
  // Column descriptions: a folded list, and each header's tooltip.
  document.querySelectorAll("dl.column-descriptions").forEach((list) => {
    const details = document.createElement("details");
    details.className = "evidence-column-descriptions";
    const summary = document.createElement("summary");
    summary.textContent = `What the columns mean (${list.querySelectorAll("dt").length})`;
    list.parentNode.insertBefore(details, list);
    details.append(summary, list);
  });
  document.querySelectorAll("th[data-column-description]").forEach((th) => {
    th.title = th.dataset.columnDescription;
  });
  // Facets of the evidence table: folded under one line naming them.
  if (document.body.classList.contains("table-evidence")) {
    const results = document.querySelector(".facet-results");
    const suggested = document.querySelector(".suggested-facets");
    if (results || suggested) {
      const details = document.createElement("details");
      details.className = "evidence-facets";
      const summary = document.createElement("summary");
      const names = results
        ? [...results.querySelectorAll(".facet-info")].map((f) => f.dataset.column)
        : [];
      summary.textContent = names.length
        ? `Facets: ${names.join(", ")} (click to open)`
        : "Suggested facets";
      const first = results || suggested;
      first.parentNode.insertBefore(details, first);
      details.append(summary);
      if (suggested) details.append(suggested);
      if (results) details.append(results);
    }
  }
  // Every column of the table, one click away.
  document.querySelectorAll(".evidence-toggle-columns").forEach((button) => {
    const table = document.querySelector(".evidence-review-table");
    const label = button.textContent;
    button.addEventListener("click", () => {
      const on = table.classList.toggle("evidence-show-all");
      button.setAttribute("aria-pressed", String(on));
      button.textContent = on ? "Show the reviewer columns only" : label;
    });
  });
})();
