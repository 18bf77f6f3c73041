// Every <video> and <audio> of this frame, open shadow roots included, in document order: what each
// plays (its source, or blob: when a player feeds it through Media Source Extensions), and which
// player libraries the frame has loaded.
([limit]) => {
  const found = [];
  const visit = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.tagName === "VIDEO" || el.tagName === "AUDIO") found.push(el);
      if (el.shadowRoot) visit(el.shadowRoot);
    }
  };
  visit(document);
  const absolute = (value) => {
    if (!value) return null;
    try { return new URL(value, document.baseURI).href; } catch (e) { return null; }
  };
  const describe = (el) => {
    const id = el.id ? "#" + el.id : "";
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).slice(0, 2).join(".") : "";
    return el.tagName.toLowerCase() + id + cls;
  };
  const players = [];
  if (window.Hls) players.push("hls.js");
  if (window.dashjs) players.push("dash.js");
  if (window.shaka) players.push("shaka");
  if (window.videojs) players.push("video.js");
  return {
    players,
    total: found.length,
    elements: found.slice(0, limit).map((el) => ({
      tag: el.tagName.toLowerCase(),
      element: describe(el),
      src: absolute(el.getAttribute("src")),
      current_src: el.currentSrc || null,
      sources: Array.from(el.querySelectorAll("source")).map((s) => absolute(s.getAttribute("src"))).filter(Boolean),
      tracks: Array.from(el.querySelectorAll("track")).map((t) => absolute(t.getAttribute("src"))).filter(Boolean),
      poster: absolute(el.getAttribute("poster")),
      duration: Number.isFinite(el.duration) ? el.duration : null,
      live: el.duration === Infinity,
      ready_state: el.readyState,
      mse: (el.currentSrc || "").startsWith("blob:"),
    })),
  };
}
