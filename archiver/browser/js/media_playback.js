// Does each <video>/<audio> of this frame (open shadow roots too) play? Muted, from the start to
// past `playSeconds`, then from a seek to near its end for another second (or to its end): what a
// viewer does. An element passes when it reached readyState 4 (enough data) and its time advanced
// both times; each says how far it got and why not, and is paused again.
async ([limit, playSeconds, timeoutMs]) => {
  const found = [];
  const visit = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.tagName === "VIDEO" || el.tagName === "AUDIO") found.push(el);
      if (el.shadowRoot) visit(el.shadowRoot);
    }
  };
  visit(document);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const describe = (el) => {
    const id = el.id ? "#" + el.id : "";
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).slice(0, 2).join(".") : "";
    return el.tagName.toLowerCase() + id + cls;
  };
  const check = async (el) => {
    const report = { element: describe(el), src: el.currentSrc || el.getAttribute("src") || null, plays: false,
                     ready_state: el.readyState, played_to: 0, seeked_to: null, after_seek: null, why: null };
    let best = el.readyState;
    const watch = async (until) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        best = Math.max(best, el.readyState);
        if (el.error) return false;
        if (el.currentTime > until || el.ended) return true;
        await sleep(100);
      }
      return false;
    };
    const state = () => `readyState ${el.readyState}, networkState ${el.networkState}` + (el.error ? `, error ${el.error.code} ${el.error.message || ""}` : "");
    el.muted = true;
    try {
      await Promise.race([el.play(), sleep(timeoutMs).then(() => { throw new Error("play() did not start"); })]);
    } catch (e) {
      report.why = `it did not start: ${e && e.message || e} (${state()})`;
      return report;
    }
    const played = await watch(playSeconds);
    report.played_to = Math.round(el.currentTime * 100) / 100;
    if (!played) {
      report.why = `it stopped at ${report.played_to} s (${state()})`;
    } else if (Number.isFinite(el.duration) && el.duration > playSeconds + 3) {
      const target = Math.max(playSeconds, el.duration - 2.5);
      el.currentTime = target;
      report.seeked_to = Math.round(target * 100) / 100;
      const resumed = await watch(Math.min(target + 1, el.duration - 0.1));
      report.after_seek = Math.round(el.currentTime * 100) / 100;
      if (!resumed) report.why = `after a seek to ${report.seeked_to} s it stopped at ${report.after_seek} s (${state()})`;
    }
    best = Math.max(best, el.readyState);
    report.ready_state = best;
    if (!report.why && best < 4) report.why = `it never had enough data to play on (readyState ${best})`;
    report.plays = !report.why;
    el.pause();
    return report;
  };
  const playable = found.filter((el) => el.currentSrc || el.getAttribute("src") || el.querySelector("source"));
  return Promise.all(playable.slice(0, limit).map(check));
}
