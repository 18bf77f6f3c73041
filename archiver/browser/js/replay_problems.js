// After a replayed page was scrolled through: images a reader would see that did not render
// (<img>, CSS background images, video posters), and audio/video that could not load. Elements
// that are not rendered at all (display: none) are skipped.
async () => {
  const shown = (element) => element.getClientRects().length > 0;
  const images = [];
  for (const img of document.images) {
    const src = img.currentSrc || img.src;
    if (!src || src.startsWith("data:") || !shown(img)) continue;
    if (!img.complete || img.naturalWidth === 0) images.push(src);
  }
  const media = [];
  for (const element of document.querySelectorAll("audio, video")) {
    const src = element.currentSrc || element.src;
    if (src && (element.error || element.networkState === HTMLMediaElement.NETWORK_NO_SOURCE)) media.push(src);
  }
  // Backgrounds and posters have no load state to read: load each URL again as an image.
  const pictures = new Set();
  for (const element of document.querySelectorAll("*")) {
    if (!shown(element)) continue;
    for (const match of getComputedStyle(element).backgroundImage.matchAll(/url\(["']?([^"')]+)["']?\)/g)) {
      if (!match[1].startsWith("data:")) pictures.add(new URL(match[1], document.baseURI).href);
    }
    if (element.tagName === "VIDEO" && element.poster) pictures.add(element.poster);
  }
  const loads = (url) => new Promise((resolve) => {
    const probe = new Image();
    const timer = setTimeout(() => resolve(false), 8000);  // within the caller's 10 s for one script
    probe.onload = () => { clearTimeout(timer); resolve(probe.naturalWidth > 0); };
    probe.onerror = () => { clearTimeout(timer); resolve(false); };
    probe.src = url;
  });
  const loaded = await Promise.all([...pictures].map(loads));
  const backgrounds = [...pictures].filter((url, index) => !loaded[index]);
  return { images, media, backgrounds, checked: document.images.length + pictures.size };
}
