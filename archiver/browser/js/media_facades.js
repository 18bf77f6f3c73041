// Click-to-load players: a poster with a play button that puts the real player (often an iframe
// from a video platform) in its place only when clicked. Found by their common shapes: lite-*
// custom elements (lite-youtube, lite-vimeo), elements whose class or data attributes say video
// facade or embed, and a "play" button over a poster image with no player beside it. Each is
// clicked once (a link is never followed: its click could leave the page), up to `limit`.
([limit]) => {
  const playWords = /^(play|play video|watch|watch video|abspielen|video abspielen|lire la vidéo|reproducir|reproduzir|riproduci)$/i;
  const facadeClass = /(^|[\s_-])(video-?facade|facade|lazy-?video|video-?placeholder|click-?to-?play|video-?embed-?placeholder|yt-?lite|lite-?embed)([\s_-]|$)/i;
  const hasPlayer = (el) => el.querySelector("video, audio, iframe");
  const label = (el) => (el.getAttribute("aria-label") || el.getAttribute("title") || el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 80);
  const describe = (el) => {
    const id = el.id ? "#" + el.id : "";
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).slice(0, 2).join(".") : "";
    return el.tagName.toLowerCase() + id + cls;
  };
  const candidates = new Set();
  for (const el of document.querySelectorAll("*")) {
    if (candidates.size >= limit) break;
    const tag = el.tagName.toLowerCase();
    const data = Array.from(el.attributes).some((a) => /^data-(embed|video-?id|youtube-?id|vimeo-?id|video-?src|iframe-?src)$/i.test(a.name));
    if (tag.startsWith("lite-") || facadeClass.test(typeof el.className === "string" ? el.className : "") || data) {
      if (!hasPlayer(el)) candidates.add(el);
      continue;
    }
    if ((tag === "button" || el.getAttribute("role") === "button") && playWords.test(label(el))) {
      const box = el.closest("figure, div, section, article");
      if (box && box.querySelector("img, [style*='background']") && !hasPlayer(box)) candidates.add(box);
    }
  }
  const clicked = [];
  for (const facade of candidates) {
    const nested = Array.from(facade.querySelectorAll("button, [role=button]")).find((b) => playWords.test(label(b)));
    const target = nested || facade;
    if (target.closest("a[href]")) {
      clicked.push({ element: describe(facade), label: label(target), clicked: false, why: "a link: following it would leave the page" });
      continue;
    }
    try {
      target.click();
      clicked.push({ element: describe(facade), label: label(target), clicked: true });
    } catch (e) {
      clicked.push({ element: describe(facade), label: label(target), clicked: false, why: String(e && e.message || e) });
    }
  }
  return clicked;
}
