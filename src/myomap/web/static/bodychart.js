// Body chart enhancement (plain ES module, no build step, CSP-safe: no eval, no inline handlers).
//
// Enhances every `figure.bodychart[data-interactive]` rendered by myomap.atlas.bodychart, and
// gives the read-only ones marked `[data-zoomable]` (a referral map, a drawing) the zoom alone:
// their regions stay plain shapes, so a tap or a key on them does nothing.
// Contract with the pain-drawing form: for a chart region `<id>` there may be a number input
// `input[data-region-input="<id>"]` (intensity 0-10) in the chart's <form> or anywhere in the
// document, inside a row `[data-region-row="<id>"]` that may be hidden; the row's checkboxes are
// the region's qualities.
//
//  * click / tap / Enter / Space on a region: its row is revealed and a panel opens next to the
//    region with the intensities 0-10 and the qualities as touch-sized buttons; choosing one sets
//    the row's fields (nothing is set by the tap itself); Escape or "Done" closes it;
//  * any change of a `[data-region-input]` repaints that region with the heat colour and updates
//    `aria-pressed`; 0 or empty clears it;
//  * zoom: the zoom bar (in, out, whole body, insets for the head and neck, the hands and the
//    feet), pinch or Ctrl+wheel on a view, drag to pan a zoomed view, "+" / "-" / "0" on a focused
//    region (zooming around it); a focused region is panned into view;
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
    const panel = figure.querySelector(".bodychart-panel");
    if (panel && !panel.hidden && panel.bodychartInput === input) refreshPanel(panel);
  }
}

// ---- zoom: each view through its SVG viewBox -------------------------------------------------

const ZOOM_STEP = 1.5;
const MAX_ZOOM = 16; // enough for the smallest region (the teeth) to reach 44 px on a tablet
const DRAG_SLOP = 8; // CSS px a pointer may travel and still count as a tap

function canvasOf(svg) {
  if (!svg.dataset.canvas) svg.dataset.canvas = svg.getAttribute("viewBox");
  const [x, y, w, h] = svg.dataset.canvas.split(/[\s,]+/).map(Number);
  return { x, y, w, h };
}

function zoomOf(svg) {
  if (!svg.bodychartZoom) {
    const c = canvasOf(svg);
    svg.bodychartZoom = { cx: c.x + c.w / 2, cy: c.y + c.h / 2, s: 1 };
  }
  return svg.bodychartZoom;
}

const fmt = (v) => String(Math.round(v * 100) / 100);

/** Show the view at scale `s` centred on (cx, cy), kept inside the drawing. */
function setZoom(svg, cx, cy, s) {
  const c = canvasOf(svg);
  const scale = Math.min(MAX_ZOOM, Math.max(1, s));
  const w = c.w / scale;
  const h = c.h / scale; // same aspect as the canvas, so the element keeps its size
  const x = Math.min(c.x + c.w - w / 2, Math.max(c.x + w / 2, cx));
  const y = Math.min(c.y + c.h - h / 2, Math.max(c.y + h / 2, cy));
  svg.bodychartZoom = { cx: x, cy: y, s: scale };
  svg.setAttribute("viewBox", `${fmt(x - w / 2)} ${fmt(y - h / 2)} ${fmt(w)} ${fmt(h)}`);
  svg.classList.toggle("is-zoomed", scale > 1.001);
  svg.dataset.zoom = fmt(scale);
  const figure = svg.closest("figure.bodychart");
  if (figure) {
    refreshZoomBar(figure);
    placePanel(figure);
  }
}

/** Zoom by `factor` keeping the drawing point (ax, ay) where it is on screen. */
function zoomAround(svg, factor, ax, ay) {
  const z = zoomOf(svg);
  const s = Math.min(MAX_ZOOM, Math.max(1, z.s * factor));
  const k = z.s / s;
  setZoom(svg, ax + (z.cx - ax) * k, ay + (z.cy - ay) * k, s);
}

function zoomToBox(svg, box) {
  const c = canvasOf(svg);
  if (!box) {
    setZoom(svg, c.x + c.w / 2, c.y + c.h / 2, 1);
    return;
  }
  const [x, y, w, h] = box.split(" ").map(Number);
  setZoom(svg, x + w / 2, y + h / 2, Math.min(c.w / w, c.h / h));
}

/** Pan a zoomed view so that the region is in it (centred when it does not fit). */
function showRegion(svg, el) {
  const z = zoomOf(svg);
  if (z.s <= 1) return;
  const c = canvasOf(svg);
  const w = c.w / z.s;
  const h = c.h / z.s;
  const b = el.getBBox();
  const inside = b.x >= z.cx - w / 2 && b.x + b.width <= z.cx + w / 2 && b.y >= z.cy - h / 2 && b.y + b.height <= z.cy + h / 2;
  if (!inside) setZoom(svg, b.x + b.width / 2, b.y + b.height / 2, z.s);
}

function views(figure) {
  return figure.querySelectorAll("svg.bodychart-view");
}

function refreshZoomBar(figure) {
  const bar = figure.querySelector("[data-zoom-bar]");
  if (!bar) return;
  const scales = Array.from(views(figure), (svg) => zoomOf(svg).s);
  const whole = scales.every((s) => s <= 1.001);
  bar.querySelector('[data-zoom="reset"]')?.setAttribute("aria-pressed", whole ? "true" : "false");
  const zoomIn = bar.querySelector('[data-zoom="in"]');
  const zoomOut = bar.querySelector('[data-zoom="out"]');
  if (zoomIn) zoomIn.disabled = scales.every((s) => s >= MAX_ZOOM - 0.001);
  if (zoomOut) zoomOut.disabled = whole;
  if (whole) bar.querySelectorAll("[data-inset]").forEach((b) => b.setAttribute("aria-pressed", "false"));
}

function onZoomBar(figure, button) {
  if (button.dataset.inset) {
    for (const svg of views(figure)) zoomToBox(svg, button.getAttribute(`data-box-${svg.dataset.view}`));
    figure.querySelectorAll("[data-inset]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    return;
  }
  figure.querySelectorAll("[data-inset]").forEach((b) => b.setAttribute("aria-pressed", "false"));
  for (const svg of views(figure)) {
    const z = zoomOf(svg);
    if (button.dataset.zoom === "in") zoomAround(svg, ZOOM_STEP, z.cx, z.cy);
    else if (button.dataset.zoom === "out") zoomAround(svg, 1 / ZOOM_STEP, z.cx, z.cy);
    else zoomToBox(svg, null);
  }
}

function svgPoint(svg, clientX, clientY) {
  const m = svg.getScreenCTM();
  return m ? new DOMPoint(clientX, clientY).matrixTransform(m.inverse()) : null;
}

/** Pinch (two pointers) zooms around the fingers; one pointer drags a zoomed view. */
function bindGestures(svg) {
  const pointers = new Map();
  let gesture = null; // {moved, dist, mid} while pointers are down
  const midpoint = () => {
    const [a, b] = Array.from(pointers.values());
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, dist: Math.hypot(a.x - b.x, a.y - b.y) };
  };
  svg.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    svg.bodychartSuppressClick = false;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY, x0: event.clientX, y0: event.clientY });
    if (pointers.size === 2) gesture = { moved: true, ...midpoint() };
    else if (pointers.size === 1) gesture = { moved: false };
  });
  svg.addEventListener("pointermove", (event) => {
    const p = pointers.get(event.pointerId);
    if (!p || !gesture) return;
    const dx = event.clientX - p.x;
    const dy = event.clientY - p.y;
    p.x = event.clientX;
    p.y = event.clientY;
    if (pointers.size >= 2) {
      const now = midpoint();
      const anchor = svgPoint(svg, now.x, now.y);
      if (anchor && gesture.dist > 0) {
        const z = zoomOf(svg);
        const scale = svg.getScreenCTM().a; // CSS px per drawing unit
        // pan by the fingers' common movement, then zoom by their spread around their midpoint
        setZoom(svg, z.cx - (now.x - gesture.x) / scale, z.cy - (now.y - gesture.y) / scale, z.s);
        const moved = svgPoint(svg, now.x, now.y);
        zoomAround(svg, now.dist / gesture.dist, moved.x, moved.y);
      }
      gesture = { moved: true, ...now };
      event.preventDefault();
      return;
    }
    if (!gesture.moved && Math.hypot(event.clientX - p.x0, event.clientY - p.y0) < DRAG_SLOP) return;
    if (zoomOf(svg).s <= 1) return; // nothing to pan: leave the page to scroll
    if (!gesture.moved) {
      gesture.moved = true;
      svg.setPointerCapture?.(event.pointerId);
    }
    const z = zoomOf(svg);
    const scale = svg.getScreenCTM().a;
    setZoom(svg, z.cx - dx / scale, z.cy - dy / scale, z.s);
    event.preventDefault();
  });
  const end = (event) => {
    if (!pointers.delete(event.pointerId)) return;
    if (gesture && gesture.moved) svg.bodychartSuppressClick = true; // a drag or pinch is not a tap
    if (pointers.size === 0) gesture = null;
    else if (pointers.size === 1) gesture = { moved: true };
  };
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);
  svg.addEventListener(
    "wheel",
    (event) => {
      if (!event.ctrlKey) return; // Ctrl+wheel, and a trackpad's pinch, zoom; a plain wheel scrolls
      const at = svgPoint(svg, event.clientX, event.clientY);
      if (!at) return;
      event.preventDefault();
      zoomAround(svg, Math.exp(-event.deltaY / 200), at.x, at.y);
    },
    { passive: false },
  );
}

// ---- the intensity and qualities panel -------------------------------------------------------

function contrastText(hex) {
  // WCAG relative luminance: black text on light colours, white on dark ones, whichever contrasts
  // more (the worse of the two is never under 4.58:1)
  const lum = hexToRgb(hex)
    .map((v) => v / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  const l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
}

function button(text, cls) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = cls;
  b.textContent = text;
  return b;
}

function panelOf(figure) {
  let panel = figure.querySelector(".bodychart-panel");
  if (panel) return panel;
  panel = document.createElement("div");
  panel.className = "bodychart-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  const title = document.createElement("p");
  title.className = "panel-title";
  title.id = `${figure.id || "bodychart"}-panel-title`;
  panel.setAttribute("aria-labelledby", title.id);
  const scale = document.createElement("div");
  scale.className = "panel-intensity";
  scale.setAttribute("role", "group");
  scale.setAttribute("aria-label", "Intensity: 0 no pain, 10 worst pain imaginable");
  for (let i = 0; i <= 10; i += 1) {
    const b = button(String(i), "intensity-choice");
    b.dataset.value = String(i);
    b.setAttribute("aria-pressed", "false");
    if (i > 0) {
      b.style.backgroundColor = heatColour(i); // CSSOM, allowed by the CSP (no style attribute)
      b.style.color = contrastText(heatColour(i));
    }
    scale.append(b);
  }
  const qualities = document.createElement("div");
  qualities.className = "panel-qualities";
  qualities.setAttribute("role", "group");
  qualities.setAttribute("aria-label", "Qualities");
  const done = button("Done", "panel-done");
  panel.append(title, scale, qualities, done);
  panel.addEventListener("click", (event) => {
    const target = event.target.closest && event.target.closest("button");
    if (!target) return;
    const input = panel.bodychartInput;
    if (target.classList.contains("intensity-choice") && input) {
      input.value = target.dataset.value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      refreshPanel(panel);
    } else if (target.classList.contains("quality-choice")) {
      const box = target.bodychartBox;
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
      refreshPanel(panel);
    } else if (target === done) {
      closePanel(figure, true);
    }
  });
  figure.append(panel);
  return panel;
}

function refreshPanel(panel) {
  const input = panel.bodychartInput;
  const value = input && String(input.value).trim() !== "" ? String(intensityOf(input)) : null;
  for (const b of panel.querySelectorAll(".intensity-choice")) b.setAttribute("aria-pressed", String(b.dataset.value === value));
  for (const b of panel.querySelectorAll(".quality-choice")) b.setAttribute("aria-pressed", String(b.bodychartBox.checked));
}

function openPanel(figure, el, input, row) {
  const panel = panelOf(figure);
  panel.bodychartInput = input;
  panel.bodychartRegion = el;
  panel.querySelector(".panel-title").textContent = baseName(el);
  const qualities = panel.querySelector(".panel-qualities");
  qualities.replaceChildren();
  for (const box of row ? row.querySelectorAll('input[type="checkbox"]') : []) {
    const label = box.closest("label");
    const b = button((label ? label.textContent : box.value).trim(), "quality-choice");
    b.bodychartBox = box;
    qualities.append(b);
  }
  qualities.hidden = !qualities.children.length;
  refreshPanel(panel);
  panel.hidden = false;
  placePanel(figure);
  if (typeof panel.scrollIntoView === "function") panel.scrollIntoView({ block: "nearest" });
  const chosen = panel.querySelector('.intensity-choice[aria-pressed="true"]') || panel.querySelector(".intensity-choice");
  chosen.focus({ preventScroll: true });
}

/** Put the open panel beside its region (right, else left, else below), inside the figure. */
function placePanel(figure) {
  const panel = figure.querySelector(".bodychart-panel");
  if (!panel || panel.hidden || !panel.bodychartRegion) return;
  const f = figure.getBoundingClientRect();
  // kept over the views, clear of the zoom bar above them and the key and caption below
  const area = (figure.querySelector(".bodychart-views") || figure).getBoundingClientRect();
  const minTop = area.top - f.top;
  const maxTop = Math.max(minTop, area.bottom - f.top - panel.offsetHeight);
  const svgBox = panel.bodychartRegion.ownerSVGElement.getBoundingClientRect();
  const raw = panel.bodychartRegion.getBoundingClientRect();
  // the part of the region that is visible in its (possibly zoomed) view
  const r = {
    left: Math.max(raw.left, svgBox.left),
    right: Math.min(raw.right, svgBox.right),
    top: Math.max(raw.top, svgBox.top),
    bottom: Math.min(raw.bottom, svgBox.bottom),
  };
  const gap = 8;
  const pw = panel.offsetWidth;
  const ph = panel.offsetHeight;
  let left;
  let top = Math.min(Math.max(minTop, r.top - f.top - 8), maxTop);
  if (r.right - f.left + gap + pw <= f.width) left = r.right - f.left + gap;
  else if (r.left - f.left - gap - pw >= 0) left = r.left - f.left - gap - pw;
  else {
    left = Math.min(Math.max(0, r.left - f.left), Math.max(0, f.width - pw));
    top = Math.min(Math.max(minTop, r.bottom - f.top + gap), maxTop);
  }
  panel.style.left = `${Math.round(left)}px`;
  panel.style.top = `${Math.round(top)}px`;
}

function closePanel(figure, refocus) {
  const panel = figure.querySelector(".bodychart-panel");
  if (!panel || panel.hidden) return;
  panel.hidden = true;
  if (refocus && panel.bodychartRegion) panel.bodychartRegion.focus({ preventScroll: true });
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
  openPanel(figure, el, input, row);
}

const ZOOMABLE = "figure.bodychart[data-interactive], figure.bodychart[data-zoomable]";

function isInteractive(figure) {
  return figure.hasAttribute("data-interactive");
}

function onClick(event) {
  const figure = event.currentTarget;
  const bar = event.target.closest && event.target.closest("[data-zoom-bar] button");
  if (bar) {
    onZoomBar(figure, bar);
    return;
  }
  if (!isInteractive(figure)) return; // a read-only chart: regions only show
  const el = event.target.closest && event.target.closest(".region[data-region]");
  if (!el || !figure.contains(el)) return;
  const svg = el.ownerSVGElement;
  if (svg && svg.bodychartSuppressClick) {
    svg.bodychartSuppressClick = false; // the end of a drag or pinch, not a tap
    return;
  }
  activate(figure, el);
}

function onKeydown(event) {
  const figure = event.currentTarget;
  if (event.key === "Escape") {
    const panel = figure.querySelector(".bodychart-panel");
    if (panel && !panel.hidden) {
      event.preventDefault();
      closePanel(figure, true);
    }
    return;
  }
  if (!isInteractive(figure)) return;
  const el = event.target.closest && event.target.closest(".region[data-region]");
  if (!el || !figure.contains(el)) return;
  const svg = el.ownerSVGElement;
  if (event.key === "+" || event.key === "=" || event.key === "-" || event.key === "_" || event.key === "0") {
    event.preventDefault();
    if (event.key === "0") zoomToBox(svg, null);
    else {
      const b = el.getBBox();
      zoomAround(svg, event.key === "+" || event.key === "=" ? ZOOM_STEP : 1 / ZOOM_STEP, b.x + b.width / 2, b.y + b.height / 2);
      showRegion(svg, el);
    }
    return;
  }
  if (event.key !== "Enter" && event.key !== " " && event.key !== "Spacebar") return;
  event.preventDefault(); // Space must not scroll the page
  activate(figure, el);
}

function onFocusin(event) {
  const el = event.target.closest && event.target.closest(".region[data-region]");
  if (el && el.ownerSVGElement) showRegion(el.ownerSVGElement, el);
}

function onOutside(event) {
  for (const figure of document.querySelectorAll("figure.bodychart[data-interactive]")) {
    const panel = figure.querySelector(".bodychart-panel");
    if (!panel || panel.hidden || panel.contains(event.target)) continue;
    if (event.target.closest && event.target.closest(".region[data-region], [data-zoom-bar]")) continue;
    closePanel(figure, false);
  }
}

function syncFigure(figure) {
  for (const el of figure.querySelectorAll(".region[data-region]")) {
    const input = inputFor(figure, el.dataset.region);
    if (input) paintRegion(el, intensityOf(input));
  }
}

/** Enhance the interactive and zoomable charts in `root` (a document, an element, or a chart itself). */
export function enhance(root = document) {
  const figures = [];
  if (root.matches && root.matches(ZOOMABLE)) figures.push(root);
  if (root.querySelectorAll) figures.push(...root.querySelectorAll(ZOOMABLE));
  for (const figure of figures) {
    if (figure.dataset[BOUND]) continue;
    figure.dataset[BOUND] = "1";
    figure.addEventListener("click", onClick);
    figure.addEventListener("keydown", onKeydown);
    for (const svg of views(figure)) bindGestures(svg);
    const bar = figure.querySelector("[data-zoom-bar]");
    if (bar) bar.hidden = false;
    refreshZoomBar(figure);
    if (!isInteractive(figure)) continue;
    figure.addEventListener("focusin", onFocusin);
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
document.addEventListener("pointerdown", onOutside);
document.addEventListener("change", onInput);
document.addEventListener("htmx:load", (event) => enhance((event.detail && event.detail.elt) || document));
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => enhance(document));
} else {
  enhance(document);
}
