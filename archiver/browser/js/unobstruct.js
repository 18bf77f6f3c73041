// For the second full-page screenshot of a soft paywall: hide what covers or clips article text
// that is in the page (fixed overlays over the viewport, a body that cannot scroll, blur, height
// clamps), with inline !important styles remembered so that "restore" puts back each one.
// Returns what was changed, for the manifest.
(mode) => {
  if (mode === "restore") {
    for (const [el, name, value, priority] of window.__archiverUnobstructed || []) {
      if (value) el.style.setProperty(name, value, priority);
      else el.style.removeProperty(name);
    }
    window.__archiverUnobstructed = [];
    return [];
  }
  const changed = [];
  const saved = (window.__archiverUnobstructed = []);
  const describe = (el) => (el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).slice(0, 3).join(".") : "")).slice(0, 120);
  const set = (el, name, value, why) => {
    saved.push([el, name, el.style.getPropertyValue(name), el.style.getPropertyPriority(name)]);
    el.style.setProperty(name, value, "important");
    changed.push({ element: describe(el), change: `${name}: ${value}`, why });
  };
  const vw = window.innerWidth, vh = window.innerHeight;
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    if (style.position !== "fixed" && style.position !== "sticky") continue;
    if (style.display === "none" || style.visibility === "hidden") continue;
    const rect = el.getBoundingClientRect();
    const w = Math.max(0, Math.min(rect.right, vw) - Math.max(rect.left, 0));
    const h = Math.max(0, Math.min(rect.bottom, vh) - Math.max(rect.top, 0));
    if ((w * h) / (vw * vh) >= 0.15) set(el, "display", "none", "an overlay covering the viewport");
  }
  for (const el of [document.documentElement, document.body]) {
    if (el && /hidden|clip/.test(getComputedStyle(el).overflowY)) set(el, "overflow", "visible", "the page could not scroll");
  }
  const size = (el) => (el.textContent || "").split(/\s+/).filter(Boolean).length;
  const region = [...document.querySelectorAll("[itemprop=articleBody], article, main, [role=main]")].sort((a, b) => size(b) - size(a))[0] || document.body;
  for (const el of [region, ...region.querySelectorAll("*")]) {
    const style = getComputedStyle(el);
    if (/blur\(/.test(style.filter)) set(el, "filter", "none", "blurred text");
    if (/hidden|clip/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 100 && (el.textContent || "").trim().length > 200) {
      set(el, "max-height", "none", "text clipped by a height clamp");
      set(el, "height", "auto", "text clipped by a height clamp");
      set(el, "overflow", "visible", "text clipped by a height clamp");
    }
  }
  return changed;
}
