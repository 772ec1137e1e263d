// Myomap posture pages: the landmark editor and the photo upload forms (with the client's box).
// A small hand-written ES module (no inline code: the CSP forbids it). Without it the pages still
// work: uploads are plain forms, and the editor shows the saved points.
//
// Editor: the server draws the photo and its points as SVG (<g class="lm-point" data-name ...>).
// Points move with the mouse or a finger (pointer events) or with the arrow keys (Shift: bigger
// steps); clinical points are added from the palette by choosing one and tapping the photo. After
// each change the landmarks go to POST /api/posture/recompute (JSON, nothing saved) and the metrics
// table is updated in place; "Save landmarks" posts the form with the version read with the page.

const SVG_NS = "http://www.w3.org/2000/svg";
const LINES = [
  ["left_eye", "right_eye"], ["left_ear", "right_ear"], ["left_shoulder", "right_shoulder"], ["left_hip", "right_hip"],
  ["left_shoulder", "left_hip"], ["right_shoulder", "right_hip"], ["left_shoulder", "left_elbow"], ["left_elbow", "left_wrist"],
  ["right_shoulder", "right_elbow"], ["right_elbow", "right_wrist"], ["left_hip", "left_knee"], ["left_knee", "left_ankle"],
  ["right_hip", "right_knee"], ["right_knee", "right_ankle"], ["left_ankle", "left_heel"], ["left_heel", "left_foot_index"],
  ["right_ankle", "right_heel"], ["right_heel", "right_foot_index"], ["tragus", "c7"], ["acromion_left", "acromion_right"],
  ["asis_left", "asis_right"], ["psis_left", "psis_right"], ["asis_left", "patella_left"], ["patella_left", "tibial_tuberosity_left"],
  ["asis_right", "patella_right"], ["patella_right", "tibial_tuberosity_right"],
  ["calcaneus_top_left", "calcaneus_bottom_left"], ["calcaneus_top_right", "calcaneus_bottom_right"],
];
const DOT_PX = 7; // on-screen radius of a point
const HIT_PX = 22; // on-screen radius that catches a finger
const LABEL_PX = 13; // on-screen size of a point's label

function csrfToken() {
  const raw = document.body.getAttribute("hx-headers");
  if (raw) {
    try {
      return JSON.parse(raw)["X-CSRF-Token"] || null;
    } catch {
      /* fall through */
    }
  }
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : null;
}

function sideOf(name) {
  if (name.startsWith("left_") || name.endsWith("_left")) return "left";
  if (name.startsWith("right_") || name.endsWith("_right")) return "right";
  return "mid";
}

// The value as the server words it (value_text: "4.2° ± 0.5° varus"): one wording, made in one place.
export function formatValue(m) {
  return m.value_text || "—";
}

// ---- upload forms: refuse oversized files before sending them, show progress ---------------------

function initUpload(form) {
  const input = form.querySelector('input[type="file"]');
  const error = form.querySelector("[data-upload-error]");
  const max = Number(form.dataset.maxBytes || 0);
  if (!input) return;
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    let message = "";
    if (file && max && file.size > max) {
      message = `This photo is ${(file.size / 1048576).toFixed(1)} MB; the largest accepted is ${(max / 1048576).toFixed(0)} MB. ` +
        "Use the camera's normal quality, or a smaller copy.";
    }
    input.setCustomValidity(message);
    if (error) {
      error.textContent = message;
      error.hidden = !message;
    }
  });
  form.addEventListener("submit", () => {
    const button = form.querySelector('button[type="submit"]');
    if (button) {
      button.disabled = true;
      button.textContent = "Analysing the photo…";
    }
  });
}

// ---- upload forms: the client's box when the photo shows several people ---------------------------
// After a file is chosen its preview is shown (an object URL; the CSP allows img-src blob:). A
// rectangle dragged on it (pointer events: mouse, pen and touch alike) is converted to pixels of
// the photo as displayed (browsers show photos upright, applying the EXIF orientation, and so does
// the server before cropping) and written into the four number fields x, y, width, height, which
// are what the form sends; typing in them redraws the rectangle (the keyboard and no-JS path).

const BOX_FIELDS = ["box_x", "box_y", "box_w", "box_h"];

function initBoxStep(form) {
  const input = form.querySelector('input[type="file"]');
  const preview = form.querySelector("[data-box-preview]");
  const image = form.querySelector("[data-box-image]");
  const stage = form.querySelector("[data-box-stage]");
  const overlay = form.querySelector("[data-box-overlay]");
  const rect = form.querySelector("[data-box-rect]");
  const status = form.querySelector("[data-box-status]");
  const clear = form.querySelector("[data-box-clear]");
  const step = form.querySelector("[data-box-step]");
  const fields = BOX_FIELDS.map((name) => form.querySelector(`input[name="${name}"]`));
  if (!input || !preview || !image || !overlay || !rect || fields.some((f) => !f)) return;
  const [minW, minH] = (form.dataset.boxMin || "32,64").split(",").map(Number);
  let url = null;
  let natW = 0;
  let natH = 0;
  let drag = null;

  function say(text) {
    if (status) status.textContent = text;
  }

  function values() {
    const v = fields.map((f) => (f.value.trim() === "" ? null : Number(f.value)));
    return v.every((n) => n !== null && Number.isFinite(n)) ? v : null;
  }

  function draw(x, y, w, h) {
    const empty = !(w > 0 && h > 0);
    rect.classList.toggle("is-empty", empty);
    rect.setAttribute("x", String(empty ? 0 : x));
    rect.setAttribute("y", String(empty ? 0 : y));
    rect.setAttribute("width", String(empty ? 0 : w));
    rect.setAttribute("height", String(empty ? 0 : h));
    if (clear) clear.hidden = empty;
  }

  function drawFromFields() {
    const v = values();
    if (v && natW) draw(...v);
    else draw(0, 0, 0, 0);
  }

  function describe([x, y, w, h]) {
    let text = `Client's box: x ${x}, y ${y}, ${w} × ${h} pixels.`;
    if (w < minW || h < minH) text += ` That is too small (at least ${minW} × ${minH}): drag around the whole client, head to feet.`;
    else text += " Only the person inside it is analysed when you upload.";
    return text;
  }

  function setFields(box) {
    fields.forEach((f, i) => {
      f.value = box ? String(box[i]) : "";
      f.removeAttribute("aria-invalid");
    });
  }

  function toImage(event) {
    const ctm = overlay.getScreenCTM();
    if (!ctm) return null;
    const pt = new DOMPoint(event.clientX, event.clientY).matrixTransform(ctm.inverse());
    return { x: Math.min(Math.max(pt.x, 0), natW), y: Math.min(Math.max(pt.y, 0), natH) };
  }

  function boxOf(a, b) {
    const x0 = Math.floor(Math.min(a.x, b.x));
    const y0 = Math.floor(Math.min(a.y, b.y));
    const x1 = Math.ceil(Math.max(a.x, b.x));
    const y1 = Math.ceil(Math.max(a.y, b.y));
    return [x0, y0, Math.min(x1, natW) - x0, Math.min(y1, natH) - y0];
  }

  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    if (url) URL.revokeObjectURL(url);
    url = null;
    natW = natH = 0;
    draw(0, 0, 0, 0);
    say("");
    if (!file) {
      preview.hidden = true;
      image.removeAttribute("src");
      return;
    }
    url = URL.createObjectURL(file);
    stage.hidden = false;
    preview.hidden = false;
    image.src = url;
  });

  image.addEventListener("load", () => {
    natW = image.naturalWidth;
    natH = image.naturalHeight;
    overlay.setAttribute("viewBox", `0 0 ${natW} ${natH}`);
    fields[0].max = String(Math.max(0, natW - minW));
    fields[1].max = String(Math.max(0, natH - minH));
    fields[2].max = String(natW);
    fields[3].max = String(natH);
    drawFromFields();
    const v = values();
    if (v) say(describe(v));
  });

  image.addEventListener("error", () => {
    if (!image.getAttribute("src")) return;
    stage.hidden = true;
    say(`This browser cannot show a preview of this photo (HEIC?). If other people are in it, give the client's box under “${step ? step.querySelector("summary").textContent : "the box fields"}”, in pixels of the upright photo.`);
  });

  overlay.addEventListener("pointerdown", (event) => {
    if (!natW || (event.button !== undefined && event.button > 0)) return;
    const start = toImage(event);
    if (!start) return;
    event.preventDefault();
    drag = { id: event.pointerId, start };
    overlay.setPointerCapture(event.pointerId);
    draw(start.x, start.y, 0, 0);
  });

  overlay.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    const pos = toImage(event);
    if (!pos) return;
    event.preventDefault();
    draw(...boxOf(drag.start, pos));
  });

  function endDrag(event) {
    if (!drag || event.pointerId !== drag.id) return;
    const pos = toImage(event) || drag.start;
    const box = boxOf(drag.start, pos);
    drag = null;
    if (overlay.hasPointerCapture(event.pointerId)) overlay.releasePointerCapture(event.pointerId);
    if (box[2] < 3 && box[3] < 3) {
      // A tap, not a drag: keep the box typed or drawn before.
      drawFromFields();
      return;
    }
    setFields(box);
    draw(...box);
    say(describe(box));
  }
  overlay.addEventListener("pointerup", endDrag);
  overlay.addEventListener("pointercancel", endDrag);

  for (const f of fields) {
    f.addEventListener("input", () => {
      f.removeAttribute("aria-invalid");
      drawFromFields();
    });
  }

  if (clear) {
    clear.addEventListener("click", () => {
      setFields(null);
      draw(0, 0, 0, 0);
      say("Box cleared: the whole photo is analysed.");
      input.focus();
    });
  }
}

// ---- the landmark editor -----------------------------------------------------------------------

function initEditor(svg) {
  const W = Number(svg.dataset.width);
  const H = Number(svg.dataset.height);
  const view = svg.dataset.view;
  const heightCm = svg.dataset.heightCm ? Number(svg.dataset.heightCm) : null;
  const recomputeUrl = svg.dataset.recomputeUrl;
  const pointsLayer = svg.querySelector("[data-points]");
  const linesLayer = svg.querySelector("[data-lines]");
  const status = document.getElementById("lm-status");
  const form = document.getElementById("lm-form");
  const input = form ? form.querySelector("[data-landmarks-input]") : null;
  const dirtyNote = form ? form.querySelector("[data-dirty-note]") : null;
  const table = document.getElementById("metrics-editor");
  const warnings = table ? table.closest("section").querySelector("[data-warnings]") : null;
  const removeButton = document.querySelector("[data-remove-point]");
  const placeHint = document.querySelector("[data-place-hint]");
  const palette = new Map([...document.querySelectorAll("[data-add]")].map((b) => [b.dataset.add, b]));
  const summary = document.querySelector("[data-summary] ul");

  const points = new Map();
  let selected = null;
  let dragging = null;
  let placing = null;
  let dirty = false;
  let submitting = false;
  let timer = null;
  let sequence = 0;
  let unitsPerPx = 1;

  function say(text) {
    if (status) status.textContent = text;
  }

  function describe(p) {
    const who = p.source === "therapist" ? "placed by a therapist" : "model point";
    const unsure = p.source !== "therapist" && p.visibility < 0.5 ? " (uncertain)" : "";
    return `${p.label}, ${who}${unsure}, at ${Math.round(p.x)}, ${Math.round(p.y)}`;
  }

  function render(p) {
    p.el.setAttribute("transform", `translate(${p.x.toFixed(2)} ${p.y.toFixed(2)})`);
    p.el.dataset.x = p.x.toFixed(2);
    p.el.dataset.y = p.y.toFixed(2);
    p.el.dataset.source = p.source;
    p.el.classList.toggle("lm-therapist", p.source === "therapist");
    p.el.classList.toggle("lm-model", p.source === "model");
    p.el.classList.toggle("lm-uncertain", p.source !== "therapist" && p.visibility < 0.5);
    p.el.setAttribute("aria-label", describe(p));
    const title = p.el.querySelector("title");
    if (title) title.textContent = `${p.label} (${p.source})`;
  }

  function register(el) {
    const p = {
      el,
      name: el.dataset.name,
      label: el.dataset.label || el.dataset.name,
      x: Number(el.dataset.x),
      y: Number(el.dataset.y),
      source: el.dataset.source || "model",
      visibility: Number(el.dataset.visibility || 1),
      // Where each model pass put the point: the server derives the metrics' uncertainty from them.
      passes: el.dataset.passes ? JSON.parse(el.dataset.passes) : null,
    };
    points.set(p.name, p);
    const button = palette.get(p.name);
    if (button) button.classList.add("is-placed");
    return p;
  }

  function createPoint(name, x, y) {
    const button = palette.get(name);
    const g = document.createElementNS(SVG_NS, "g");
    g.setAttribute("class", `lm-point lm-therapist lm-side-${sideOf(name)}`);
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.dataset.name = name;
    g.dataset.label = button ? button.dataset.label : name;
    g.dataset.x = String(x);
    g.dataset.y = String(y);
    g.dataset.source = "therapist";
    g.dataset.visibility = "1";
    g.appendChild(document.createElementNS(SVG_NS, "title"));
    for (const cls of ["lm-hit", "lm-dot"]) {
      const c = document.createElementNS(SVG_NS, "circle");
      c.setAttribute("class", cls);
      g.appendChild(c);
    }
    const text = document.createElementNS(SVG_NS, "text");
    text.setAttribute("class", "lm-label");
    text.setAttribute("aria-hidden", "true");
    text.textContent = g.dataset.label;
    g.appendChild(text);
    pointsLayer.appendChild(g);
    const p = register(g);
    scaleMarkers();
    return p;
  }

  function scaleMarkers() {
    const width = svg.getBoundingClientRect().width;
    if (!width) return;
    unitsPerPx = W / width;
    for (const c of svg.querySelectorAll(".lm-dot")) c.setAttribute("r", (DOT_PX * unitsPerPx).toFixed(2));
    for (const c of svg.querySelectorAll(".lm-hit")) c.setAttribute("r", (HIT_PX * unitsPerPx).toFixed(2));
    for (const t of svg.querySelectorAll(".lm-label")) t.setAttribute("font-size", (LABEL_PX * unitsPerPx).toFixed(2));
    layoutLabels();
  }

  // Each point's name beside it, away from the body's midline; labels on one side that would
  // overlap are pushed down one line at a time (the face's points are close together).
  function layoutLabels() {
    const gap = DOT_PX * 1.6 * unitsPerPx;
    const lineHeight = LABEL_PX * 1.3 * unitsPerPx;
    const xs = [...points.values()].map((p) => p.x).sort((a, b) => a - b);
    const mid = xs.length ? xs[Math.floor(xs.length / 2)] : W / 2;
    for (const leftSide of [true, false]) {
      const list = [...points.values()].filter((p) => (p.x < mid) === leftSide).sort((a, b) => a.y - b.y);
      let last = -Infinity;
      for (const p of list) {
        const y = Math.max(p.y, last + lineHeight);
        last = y;
        const text = p.el.querySelector(".lm-label");
        if (!text) continue;
        text.setAttribute("x", (leftSide ? -gap : gap).toFixed(2));
        text.setAttribute("y", (y - p.y).toFixed(2));
        text.setAttribute("text-anchor", leftSide ? "end" : "start");
      }
    }
  }

  function drawLines() {
    linesLayer.replaceChildren();
    for (const [a, b] of LINES) {
      const pa = points.get(a);
      const pb = points.get(b);
      if (!pa || !pb) continue;
      const line = document.createElementNS(SVG_NS, "line");
      line.setAttribute("x1", pa.x.toFixed(2));
      line.setAttribute("y1", pa.y.toFixed(2));
      line.setAttribute("x2", pb.x.toFixed(2));
      line.setAttribute("y2", pb.y.toFixed(2));
      linesLayer.appendChild(line);
    }
  }

  function landmarks() {
    const out = {};
    for (const p of points.values()) {
      out[p.name] = {
        x: Math.round(p.x * 100) / 100,
        y: Math.round(p.y * 100) / 100,
        visibility: p.visibility,
        source: p.source,
      };
      if (p.source === "model" && p.passes) out[p.name].passes = p.passes;
    }
    return out;
  }

  function markDirty() {
    dirty = true;
    if (input) input.value = JSON.stringify(landmarks());
    if (dirtyNote) {
      dirtyNote.textContent = "Unsaved changes: press Save landmarks to keep them.";
      dirtyNote.classList.add("is-dirty");
    }
  }

  function select(p) {
    if (selected && selected !== p) selected.el.classList.remove("is-selected");
    selected = p;
    if (p) {
      p.el.classList.add("is-selected");
      say(describe(p));
    }
    if (removeButton) removeButton.disabled = !(p && palette.has(p.name));
  }

  function move(p, x, y) {
    p.x = Math.min(Math.max(x, 0), W);
    p.y = Math.min(Math.max(y, 0), H);
    p.source = "therapist";
    p.visibility = 1;
    p.passes = null;
    render(p);
    drawLines();
    layoutLabels();
  }

  function changed(p, delay = 0) {
    markDirty();
    if (p) say(describe(p));
    clearTimeout(timer);
    timer = setTimeout(recompute, delay);
  }

  function toImage(event) {
    const ctm = svg.getScreenCTM();
    if (!ctm) return null;
    const pt = new DOMPoint(event.clientX, event.clientY).matrixTransform(ctm.inverse());
    return { x: pt.x, y: pt.y };
  }

  // ---- recompute (JSON API, nothing saved) ----

  async function recompute() {
    if (!recomputeUrl) return;
    const mine = ++sequence;
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    const token = csrfToken();
    if (token) headers["X-CSRF-Token"] = token;
    if (table) table.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(recomputeUrl, {
        method: "POST",
        headers,
        credentials: "same-origin",
        body: JSON.stringify({ view, image_size: [W, H], height_cm: heightCm, landmarks: landmarks() }),
      });
      const body = await response.json().catch(() => null);
      if (mine !== sequence) return; // a newer request is on its way
      if (!response.ok) {
        say(`The metrics could not be recomputed: ${(body && body.detail) || response.status}`);
        return;
      }
      updateMetrics(body);
    } catch {
      if (mine === sequence) say("The metrics could not be recomputed (no connection). Your points are kept; try again.");
    } finally {
      if (mine === sequence && table) table.removeAttribute("aria-busy");
    }
  }

  function setCell(row, name, text) {
    const cell = row.querySelector(`[data-cell="${name}"]`);
    if (cell && cell.textContent !== text) {
      cell.textContent = text;
      return true;
    }
    return false;
  }

  function updateMetrics(result) {
    if (!table || !result) return;
    let deviations = 0;
    for (const m of result.metrics) {
      if (m.status === "deviation") deviations += 1;
      const row = table.querySelector(`tr[data-metric="${CSS.escape(m.id)}"]`);
      if (!row) continue;
      const statusClass = `status-${m.status.replace(" ", "-")}`;
      let touched = setCell(row, "value", formatValue(m));
      touched = setCell(row, "side", m.side && m.id === m.metric ? m.side : "") || touched;
      touched = setCell(row, "status", m.status) || touched;
      touched = setCell(row, "threshold", m.threshold || "—") || touched;
      touched = setCell(row, "source", m.source) || touched;
      touched = setCell(row, "reason", m.reason) || touched;
      const statusCell = row.querySelector('[data-cell="status"]');
      if (statusCell) statusCell.className = `status ${statusClass}`;
      const sourceCell = row.querySelector('[data-cell="source"]');
      if (sourceCell) sourceCell.className = `tier tier-${m.source.replace(" ", "-")}`;
      row.className = `metric-row metric-${m.status.replace(" ", "-")}`;
      if (touched) {
        void row.offsetWidth; // restart the highlight animation
        row.classList.add("is-updated");
      }
    }
    if (summary) {
      summary.replaceChildren(...result.metrics.filter((m) => m.status !== "not measured").map((m) => {
        const li = document.createElement("li");
        li.className = `lm-summary-item status-${m.status.replace(" ", "-")}`;
        li.dataset.summaryMetric = m.id;
        li.textContent = m.label;
        return li;
      }));
    }
    if (warnings) {
      warnings.replaceChildren(...result.warnings.map((w) => {
        const li = document.createElement("li");
        li.textContent = w;
        return li;
      }));
      warnings.hidden = result.warnings.length === 0;
    }
    const where = selected ? `${describe(selected)}. ` : "";
    say(`${where}Metrics updated: ${deviations} ${deviations === 1 ? "deviation" : "deviations"}.`);
  }

  // ---- placing clinical points from the palette ----

  function stopPlacing() {
    if (!placing) return;
    const button = palette.get(placing);
    if (button) button.setAttribute("aria-pressed", "false");
    placing = null;
    svg.classList.remove("is-placing");
    if (placeHint) placeHint.textContent = "";
  }

  function place(name, x, y) {
    const existing = points.get(name);
    const p = existing || createPoint(name, x, y);
    move(p, x, y);
    select(p);
    return p;
  }

  for (const [name, button] of palette) {
    button.addEventListener("click", (event) => {
      if (placing === name) {
        stopPlacing();
        return;
      }
      stopPlacing();
      if (event.detail === 0) {
        // Keyboard: put the point in the middle (or where it is) and let the arrow keys move it.
        const existing = points.get(name);
        const p = place(name, existing ? existing.x : W / 2, existing ? existing.y : H / 2);
        p.el.focus();
        changed(p);
        say(`${p.label} placed at the centre of the photo: move it with the arrow keys (Shift for bigger steps).`);
        return;
      }
      placing = name;
      button.setAttribute("aria-pressed", "true");
      svg.classList.add("is-placing");
      const label = button.dataset.label || name;
      if (placeHint) placeHint.textContent = `Tap or click the photo where the ${label} is (Esc to cancel).`;
      say(`Tap or click the photo where the ${label} is.`);
    });
  }

  if (removeButton) {
    removeButton.addEventListener("click", () => {
      if (selected && palette.has(selected.name)) remove(selected);
    });
  }

  function remove(p) {
    const hadFocus = p.el.contains(document.activeElement) || document.activeElement === removeButton;
    p.el.remove();
    points.delete(p.name);
    const button = palette.get(p.name);
    if (button) button.classList.remove("is-placed");
    select(null);
    // Keep keyboard users in place: focus goes to the point's button in the palette (to add it again).
    if (hadFocus && button) {
      const more = button.closest("details");
      if (more) more.open = true;
      button.focus();
    }
    drawLines();
    layoutLabels();
    say(`${p.label} removed.`);
    changed(null);
  }

  // ---- pointer: drag points, place new ones (mouse, pen and touch alike) ----

  svg.addEventListener("pointerdown", (event) => {
    if (event.button !== undefined && event.button > 0) return;
    const pos = toImage(event);
    if (!pos) return;
    let p;
    if (placing) {
      p = place(placing, pos.x, pos.y);
      stopPlacing();
      dragging = { p, id: event.pointerId, dx: 0, dy: 0, moved: true };
    } else {
      const el = event.target.closest && event.target.closest(".lm-point");
      if (!el) return;
      p = points.get(el.dataset.name);
      if (!p) return;
      dragging = { p, id: event.pointerId, dx: p.x - pos.x, dy: p.y - pos.y, moved: false };
      select(p);
    }
    event.preventDefault();
    p.el.classList.add("is-dragging");
    p.el.focus({ preventScroll: true });
    svg.setPointerCapture(event.pointerId);
  });

  svg.addEventListener("pointermove", (event) => {
    if (!dragging || event.pointerId !== dragging.id) return;
    const pos = toImage(event);
    if (!pos) return;
    event.preventDefault();
    move(dragging.p, pos.x + dragging.dx, pos.y + dragging.dy);
    dragging.moved = true;
    say(describe(dragging.p));
  });

  function endDrag(event) {
    if (!dragging || event.pointerId !== dragging.id) return;
    const { p, moved } = dragging;
    dragging = null;
    p.el.classList.remove("is-dragging");
    if (svg.hasPointerCapture(event.pointerId)) svg.releasePointerCapture(event.pointerId);
    if (moved) changed(p);
  }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);

  // ---- keyboard: arrows move the focused point; Delete removes a clinical point; Esc cancels ----

  svg.addEventListener("focusin", (event) => {
    const el = event.target.closest && event.target.closest(".lm-point");
    if (el && points.has(el.dataset.name)) select(points.get(el.dataset.name));
  });

  svg.addEventListener("keydown", (event) => {
    const el = event.target.closest && event.target.closest(".lm-point");
    const p = el ? points.get(el.dataset.name) : null;
    if (!p) return;
    const step = Math.max(1, Math.round(unitsPerPx)) * (event.shiftKey ? 10 : 1);
    const deltas = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (deltas[event.key]) {
      event.preventDefault();
      const [dx, dy] = deltas[event.key];
      move(p, p.x + dx, p.y + dy);
      changed(p, 300);
    } else if ((event.key === "Delete" || event.key === "Backspace") && palette.has(p.name)) {
      event.preventDefault();
      remove(p);
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && placing) {
      stopPlacing();
      say("Placing cancelled.");
    }
  });

  // ---- saving ----

  if (form) {
    form.addEventListener("submit", () => {
      if (input) input.value = JSON.stringify(landmarks());
      submitting = true;
      const button = form.querySelector("[data-save]");
      if (button) button.textContent = "Saving…";
    });
  }
  window.addEventListener("beforeunload", (event) => {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  for (const el of pointsLayer.querySelectorAll(".lm-point")) register(el);
  scaleMarkers();
  drawLines();
  if (typeof ResizeObserver === "function") new ResizeObserver(scaleMarkers).observe(svg);
  svg.dataset.ready = "true"; // for tests: the editor is live
}

const editor = document.getElementById("lm-editor");
if (editor) initEditor(editor);
for (const form of document.querySelectorAll("[data-upload-form]")) {
  initUpload(form);
  initBoxStep(form);
}
