// The frame's <video> and <audio>, for the capture and for the replay checks. One set of helpers
// (every element of the frame in document order, open shadow roots included; a short name for
// one), and the tasks that use them, chosen by the first argument:
// - "list" [limit]: what each element plays (its source, or blob: when a player feeds it through
//   Media Source Extensions), and which player libraries the frame has loaded;
// - "play" [limit, waitMs]: start each one muted, as a viewer pressing play would, so that it and
//   its player fetch what it plays, then pause it where it got to;
// - "check" [limit, playSeconds, timeoutMs]: does each one play? Muted, past `playSeconds`, then
//   from a seek to near its end for another second; it passes when it reached readyState 4 and its
//   time advanced both times (else it says how far it got and why);
// - "ready" [timeoutMs]: wait until every video with something to load shows a picture
//   (readyState 2), as it does for a reader a moment after load; how many did not;
// - "boxes": where each element (and each canvas) is shown, in document coordinates, with the
//   page's width and scroll position: what a screenshot comparison leaves out.
async ([task, ...args]) => {
  const elements = () => {
    const found = [];
    const visit = (root) => {
      for (const el of root.querySelectorAll("*")) {
        if (el.tagName === "VIDEO" || el.tagName === "AUDIO") found.push(el);
        if (el.shadowRoot) visit(el.shadowRoot);
      }
    };
    visit(document);
    return found;
  };
  const describe = (el) => {
    const id = el.id ? "#" + el.id : "";
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).slice(0, 2).join(".") : "";
    return el.tagName.toLowerCase() + id + cls;
  };
  const absolute = (value) => {
    if (!value) return null;
    try { return new URL(value, document.baseURI).href; } catch (e) { return null; }
  };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const hasSource = (el) => el.currentSrc || el.getAttribute("src") || el.querySelector("source");
  const startMuted = async (el, waitMs) => {
    el.muted = true;
    await Promise.race([el.play(), sleep(waitMs).then(() => { throw new Error("play() did not start in time"); })]);
  };
  const round = (seconds) => Math.round(seconds * 100) / 100;

  const list = (limit) => {
    const players = [];
    if (window.Hls) players.push("hls.js");
    if (window.dashjs) players.push("dash.js");
    if (window.shaka) players.push("shaka");
    if (window.videojs) players.push("video.js");
    const found = elements();
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
  };

  const play = (limit, waitMs) => Promise.all(elements().slice(0, limit).map(async (el, index) => {
    if (!el.paused) return { index, action: "already playing", ready_state: el.readyState };
    if (!hasSource(el)) return { index, action: "left alone", why: "nothing to play yet", ready_state: el.readyState };
    try {
      await startMuted(el, waitMs);
    } catch (e) {
      return { index, action: "could not play", why: String(e && e.message || e), ready_state: el.readyState };
    }
    const until = Date.now() + waitMs;
    while (Date.now() < until && !(el.readyState >= 3 && el.currentTime > 0)) await sleep(100);
    el.pause();
    return { index, action: "played muted, then paused", at_seconds: round(el.currentTime), ready_state: el.readyState };
  }));

  const check = (limit, playSeconds, timeoutMs) => Promise.all(elements().filter(hasSource).slice(0, limit).map(async (el) => {
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
    try {
      await startMuted(el, timeoutMs);
    } catch (e) {
      report.why = `it did not start: ${e && e.message || e} (${state()})`;
      return report;
    }
    const played = await watch(playSeconds);
    report.played_to = round(el.currentTime);
    if (!played) {
      report.why = `it stopped at ${report.played_to} s (${state()})`;
    } else if (Number.isFinite(el.duration) && el.duration > playSeconds + 3) {
      const target = Math.max(playSeconds, el.duration - 2.5);
      el.currentTime = target;
      report.seeked_to = round(target);
      const resumed = await watch(Math.min(target + 1, el.duration - 0.1));
      report.after_seek = round(el.currentTime);
      if (!resumed) report.why = `after a seek to ${report.seeked_to} s it stopped at ${report.after_seek} s (${state()})`;
    }
    best = Math.max(best, el.readyState);
    report.ready_state = best;
    if (!report.why && best < 4) report.why = `it never had enough data to play on (readyState ${best})`;
    report.plays = !report.why;
    el.pause();
    return report;
  }));

  const ready = async (timeoutMs) => {
    const waiting = () => elements().filter((el) => el.tagName === "VIDEO" && hasSource(el) && el.preload !== "none" && el.readyState < 2 && !el.error);
    const until = Date.now() + timeoutMs;
    while (waiting().length && Date.now() < until) await sleep(100);
    return waiting().length;
  };

  const boxes = () => {
    const shown = [...elements(), ...document.querySelectorAll("canvas")].map((el) => el.getBoundingClientRect());
    return {
      width: document.documentElement.clientWidth || window.innerWidth || 1,
      scrollX, scrollY,
      boxes: shown.filter((r) => r.width > 0 && r.height > 0).map((r) => [r.left + scrollX, r.top + scrollY, r.width, r.height]),
    };
  };

  const tasks = { list, play, check, ready, boxes };
  return tasks[task](...args);
}
