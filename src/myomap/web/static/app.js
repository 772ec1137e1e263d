// Myomap page behaviour: small, progressive, no inline code (the CSP forbids it).
// htmx 2.0.11 is vendored next to this file (htmx.min.js, chosen on purpose: 2.x, not 4.x).
// Everything here is an enhancement: every page works without JavaScript.

const root = document.documentElement;
root.classList.remove("no-js");
root.classList.add("js");

// ---- pain drawing form: chart mode ------------------------------------------------------
// Without JS the form is a checklist of every region grouped by area. When the body chart is on
// the page and its script has loaded, only marked regions are listed (the chart is how you add
// one) and a button switches back to the full list.

const form = document.getElementById("pain-form");

function rowHasValue(row) {
  const input = row.querySelector("[data-region-input]");
  if (input && input.value.trim() !== "") return true;
  if (row.querySelector('input[type="checkbox"]:checked')) return true;
  const note = row.querySelector(".region-note");
  return Boolean(note && note.value.trim() !== "");
}

function refreshCounts() {
  if (!form) return;
  let total = 0;
  for (const area of form.querySelectorAll("details.area")) {
    let n = 0;
    for (const row of area.querySelectorAll("[data-region-row]")) {
      const marked = rowHasValue(row);
      row.classList.toggle("is-marked", marked);
      if (marked) n += 1;
    }
    total += n;
    const badge = area.querySelector("[data-area-count]");
    if (badge) badge.textContent = n ? `${n} marked` : "";
  }
  const summary = form.querySelector("[data-marked-summary]");
  if (summary) {
    summary.textContent = total
      ? `${total} ${total === 1 ? "region" : "regions"} marked.`
      : (root.classList.contains("chart-mode") ? "No regions marked yet: tap the chart." : "No regions marked yet.");
  }
}

// ---- find a region by name: every word typed must appear in its name, area or synonyms ------
function filterWords() {
  const filter = form.querySelector("[data-region-filter]");
  return filter ? filter.value.toLowerCase().split(/[^a-z0-9'-]+/).filter(Boolean) : [];
}

function applyFilter() {
  const words = filterWords();
  const status = form.querySelector("[data-region-filter-status]");
  for (const area of form.querySelectorAll("details.area")) area.hidden = false;
  if (!words.length) {
    if (status) status.textContent = "";
    if (root.classList.contains("chart-mode")) enterChartMode(); else leaveChartMode();
    return;
  }
  let total = 0;
  for (const area of form.querySelectorAll("details.area")) {
    let n = 0;
    for (const row of area.querySelectorAll("[data-region-row]")) {
      const terms = row.dataset.terms || "";
      const match = words.every((w) => terms.includes(w));
      row.hidden = !match;
      if (match) n += 1;
    }
    area.hidden = n === 0;
    if (n) area.open = true;
    total += n;
  }
  if (status) status.textContent = total ? `${total} ${total === 1 ? "region matches" : "regions match"}.` : "No region matches.";
}

function enterChartMode() {
  root.classList.add("chart-mode");
  for (const area of form.querySelectorAll("details.area")) area.open = true;
  for (const row of form.querySelectorAll("[data-region-row]")) row.hidden = !rowHasValue(row);
  const toggle = form.querySelector("[data-list-toggle]");
  if (toggle) {
    toggle.hidden = false;
    toggle.setAttribute("aria-pressed", "false");
    toggle.textContent = "Show the full region list";
  }
  refreshCounts();
  if (filterWords().length) applyFilter();
}

function leaveChartMode() {
  root.classList.remove("chart-mode");
  for (const row of form.querySelectorAll("[data-region-row]")) row.hidden = false;
  for (const area of form.querySelectorAll("details.area")) {
    area.open = Boolean(area.querySelector(".is-marked"));
  }
  const toggle = form.querySelector("[data-list-toggle]");
  if (toggle) {
    toggle.setAttribute("aria-pressed", "true");
    toggle.textContent = "Show only marked regions";
  }
  refreshCounts();
  if (filterWords().length) applyFilter();
}

if (form) {
  form.addEventListener("input", refreshCounts);
  form.addEventListener("change", refreshCounts);
  // A region chosen on the chart reveals its row: make sure its area is open too. Focus on the
  // group's own heading is left alone, so one click or one key toggles it once.
  form.addEventListener("focusin", (event) => {
    if (event.target.closest && event.target.closest("summary")) return;
    const area = event.target.closest && event.target.closest("details.area");
    if (area && !area.open) area.open = true;
  });
  const filter = form.querySelector("[data-region-filter]");
  if (filter) {
    form.querySelector("[data-region-filter-box]").hidden = false;
    filter.addEventListener("input", applyFilter);
    // Enter in the filter must not submit the drawing
    filter.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
  }
  const toggle = form.querySelector("[data-list-toggle]");
  if (toggle) {
    toggle.addEventListener("click", () => {
      if (root.classList.contains("chart-mode")) leaveChartMode();
      else enterChartMode();
    });
  }
  const chart = form.querySelector("figure.bodychart");
  if (chart) {
    import("/static/bodychart.js")
      .then(() => enterChartMode())
      .catch(() => refreshCounts()); // chart script missing: stay with the checklist
  } else {
    refreshCounts();
  }
}

// ---- read-only charts (drawing and compare pages) ---------------------------------------
if (!form && document.querySelector("figure.bodychart")) {
  import("/static/bodychart.js").catch(() => {});
}

// ---- htmx: announce busy regions, keep focus sensible ----------------------------------
document.addEventListener("htmx:beforeRequest", (event) => {
  const target = event.detail.target;
  if (target) target.setAttribute("aria-busy", "true");
});
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail.target;
  if (target) target.removeAttribute("aria-busy");
});
document.addEventListener("htmx:responseError", (event) => {
  const target = event.detail.target;
  if (target) {
    target.removeAttribute("aria-busy");
    const note = document.createElement("p");
    note.className = "alert";
    note.setAttribute("role", "alert");
    note.textContent = "Something went wrong loading this. Reload the page to try again.";
    target.prepend(note);
  }
});

// Move focus to an error summary after a failed submit, so screen readers hear it.
const summary = document.querySelector(".error-summary");
if (summary) summary.focus();
