// Start each <video>/<audio> of this frame (open shadow roots included) muted, as a viewer pressing
// play would, so that it and its player fetch what it plays; then pause it where it got to. Returns,
// per element in document order, what was done.
async ([limit, waitMs]) => {
  const found = [];
  const visit = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.tagName === "VIDEO" || el.tagName === "AUDIO") found.push(el);
      if (el.shadowRoot) visit(el.shadowRoot);
    }
  };
  visit(document);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const started = async (el) => {
    const until = Date.now() + waitMs;
    while (Date.now() < until && !(el.readyState >= 3 && el.currentTime > 0)) await sleep(100);
    return el.readyState >= 3;
  };
  return Promise.all(found.slice(0, limit).map(async (el, index) => {
    if (!el.paused) return { index, action: "already playing", ready_state: el.readyState };
    if (!el.currentSrc && !el.getAttribute("src") && !el.querySelector("source")) {
      return { index, action: "left alone", why: "nothing to play yet", ready_state: el.readyState };
    }
    el.muted = true;
    try {
      await Promise.race([el.play(), sleep(waitMs).then(() => { throw new Error("play() did not start in time"); })]);
    } catch (e) {
      return { index, action: "could not play", why: String(e && e.message || e), ready_state: el.readyState };
    }
    const ready = await started(el);
    el.pause();
    return { index, action: "played muted, then paused", at_seconds: Math.round(el.currentTime * 10) / 10, ready_state: el.readyState, buffered: ready };
  }));
}
