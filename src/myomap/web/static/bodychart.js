// Body chart enhancement (plain ES module, no build step, CSP-safe: no eval, no inline handlers).
//
// Enhances every `figure.bodychart[data-interactive]` rendered by myomap.atlas.bodychart.
// Contract with the pain-drawing form: for a chart region `<id>` there may be a number input
// `input[data-region-input="<id>"]` (intensity 0-10, optional `data-default`) in the chart's
// <form> or anywhere in the document, inside a row `[data-region-row="<id>"]` that may be hidden.
//
//  * click / Enter / Space on a region: an empty (or 0) input gets its default (else 5), its row
//    is revealed, an `input` event is fired and focus moves to the input; a region that already has
//    an intensity keeps it (the row is revealed and focused, nothing is discarded);
//  * any change of a `[data-region-input]` repaints that region with the heat colour and updates
//    `aria-pressed`; 0 or empty clears it;
//  * works with content swapped in by htmx (`htmx:load`) and never binds a figure twice.
// Regions without an input only emit a bubbling `bodychart:region` event ({region, figure}).
// Without JavaScript the form's plain region list does the same job.

// Heat scale: intensity -> colour (ColorBrewer YlOrRd). Same stops as HEAT_STOPS in
// myomap/atlas/bodychart.py; a test keeps the two identical.
export const HEAT_STOPS = [
  [0, "#ffffcc"],
  [1.25, "#ffeda0"],
  [2.5, "#fed976"],
  [3.75, "#feb24c"],
  [5, "#fd8d3c"],
  [6.25, "#fc4e2a"],
  [7.5, "#e31a1c"],
  [8.75, "#bd0026"],
  [10, "#800026"],
];

const DEFAULT_INTENSITY = 5;
const BOUND = "bodychartBound";

function hexToRgb(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

/** The heat colour (#rrggbb) of a 0-10 intensity; identical to bodychart.heat_colour in Python. */
export function heatColour(intensity) {
  const x = Math.min(10, Math.max(0, Number(intensity)));
  for (let i = 1; i < HEAT_STOPS.length; i += 1) {
    const [x0, c0] = HEAT_STOPS[i - 1];
    const [x1, c1] = HEAT_STOPS[i];
    if (x <= x1) {
      const f = (x - x0) / (x1 - x0);
      const a = hexToRgb(c0);
      const b = hexToRgb(c1);
      return "#" + a.map((v, k) => Math.round(v + (b[k] - v) * f).toString(16).padStart(2, "0")).join("");
    }
  }
  return HEAT_STOPS[HEAT_STOPS.length - 1][1];
}

function attrSelector(name, value) {
  const escaped = window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/["\\]/g, "\\$&");
  return `[${name}="${escaped}"]`;
}

/** The intensity input of a region: first in the chart's form, then anywhere in the document. */
function inputFor(figure, regionId) {
  const selector = "input" + attrSelector("data-region-input", regionId);
  const form = figure.closest("form");
  return (form && form.querySelector(selector)) || document.querySelector(selector);
}

function rowFor(input, regionId) {
  return input.closest("[data-region-row]") || document.querySelector(attrSelector("data-region-row", regionId));
}

function intensityOf(input) {
  const raw = String(input.value || "").trim();
  if (raw === "") return 0;
  const value = Number(raw);
  return Number.isFinite(value) ? Math.min(10, Math.max(0, value)) : 0;
}

function baseName(el) {
  if (!el.dataset.name) {
    const title = el.querySelector("title");
    const text = (title ? title.textContent : el.getAttribute("aria-label")) || el.dataset.region;
    // server-rendered titles may carry ": 7/10" or ": essential pain"; keep the region name only
    el.dataset.name = text.replace(/: .*$/, "");
  }
  return el.dataset.name;
}

function setLabel(el, text) {
  let title = el.querySelector("title");
  if (!title) {
    title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    el.prepend(title);
  }
  title.textContent = text;
  el.setAttribute("aria-label", text);
}

/** Paint one region element with an intensity (0 clears the heat fill). */
export function paintRegion(el, intensity) {
  const name = baseName(el);
  if (intensity > 0) {
    const shown = Math.round(intensity * 10) / 10;
    el.setAttribute("fill", heatColour(intensity));
    el.classList.add("heat");
    el.dataset.intensity = String(shown);
    el.setAttribute("aria-pressed", "true");
    setLabel(el, `${name}: ${shown}/10`);
  } else {
    if (el.classList.contains("heat")) el.removeAttribute("fill");
    el.classList.remove("heat");
    delete el.dataset.intensity;
    el.setAttribute("aria-pressed", "false");
    setLabel(el, name);
  }
}

/** Repaint the region of `input` on every interactive chart whose input for it is this one. */
function repaintFromInput(input) {
  const regionId = input.dataset.regionInput;
  const intensity = intensityOf(input);
  for (const figure of document.querySelectorAll("figure.bodychart[data-interactive]")) {
    const el = figure.querySelector(attrSelector("data-region", regionId));
    if (el && inputFor(figure, regionId) === input) paintRegion(el, intensity);
  }
}

function activate(figure, el) {
  const regionId = el.dataset.region;
  const input = inputFor(figure, regionId);
  if (!input) {
    el.dispatchEvent(new CustomEvent("bodychart:region", { bubbles: true, detail: { region: regionId, figure } }));
    return;
  }
  const row = rowFor(input, regionId);
  if (row) row.hidden = false;
  if (input.disabled) return;
  if (intensityOf(input) <= 0) {
    const fallback = Number(input.dataset.default);
    input.value = String(Number.isFinite(fallback) && fallback > 0 ? fallback : DEFAULT_INTENSITY);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }
  input.focus({ preventScroll: false });
  if (typeof input.select === "function") input.select();
  if (typeof input.scrollIntoView === "function") input.scrollIntoView({ block: "nearest" });
}

function onClick(event) {
  const el = event.target.closest && event.target.closest(".region[data-region]");
  if (el && event.currentTarget.contains(el)) activate(event.currentTarget, el);
}

function onKeydown(event) {
  if (event.key !== "Enter" && event.key !== " " && event.key !== "Spacebar") return;
  const el = event.target.closest && event.target.closest(".region[data-region]");
  if (!el || !event.currentTarget.contains(el)) return;
  event.preventDefault(); // Space must not scroll the page
  activate(event.currentTarget, el);
}

function syncFigure(figure) {
  for (const el of figure.querySelectorAll(".region[data-region]")) {
    const input = inputFor(figure, el.dataset.region);
    if (input) paintRegion(el, intensityOf(input));
  }
}

/** Enhance the interactive charts in `root` (a document, an element, or a chart itself). */
export function enhance(root = document) {
  const figures = [];
  if (root.matches && root.matches("figure.bodychart[data-interactive]")) figures.push(root);
  if (root.querySelectorAll) figures.push(...root.querySelectorAll("figure.bodychart[data-interactive]"));
  for (const figure of figures) {
    if (figure.dataset[BOUND]) continue;
    figure.dataset[BOUND] = "1";
    figure.addEventListener("click", onClick);
    figure.addEventListener("keydown", onKeydown);
    for (const el of figure.querySelectorAll(".region[data-region]")) {
      // The server leaves button semantics to this script (without it the regions do nothing).
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "button");
      el.setAttribute("aria-pressed", el.dataset.pressed === "true" ? "true" : "false");
      setLabel(el, el.querySelector("title")?.textContent || baseName(el));
    }
    syncFigure(figure);
  }
  // inputs swapped in later (e.g. a new form fragment) repaint the charts already on the page
  if (root !== document && root.querySelectorAll) {
    const inputs = root.matches && root.matches("[data-region-input]") ? [root] : [];
    inputs.push(...root.querySelectorAll("[data-region-input]"));
    inputs.forEach(repaintFromInput);
  }
}

function onInput(event) {
  const input = event.target;
  if (input && input.matches && input.matches("[data-region-input]")) repaintFromInput(input);
}

// Module scripts run once per page, so these document-level listeners are never doubled.
document.addEventListener("input", onInput);
document.addEventListener("change", onInput);
document.addEventListener("htmx:load", (event) => enhance((event.detail && event.detail.elt) || document));
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => enhance(document));
} else {
  enhance(document);
}
