// After a replayed page was scrolled through: images a reader would see that did not render, and
// audio/video that could not load. Images that are not rendered at all (display: none) are skipped.
() => {
  const images = [];
  for (const img of document.images) {
    const src = img.currentSrc || img.src;
    if (!src || src.startsWith("data:") || img.getClientRects().length === 0) continue;
    if (!img.complete || img.naturalWidth === 0) images.push(src);
  }
  const media = [];
  for (const element of document.querySelectorAll("audio, video")) {
    const src = element.currentSrc || element.src;
    if (src && (element.error || element.networkState === HTMLMediaElement.NETWORK_NO_SOURCE)) media.push(src);
  }
  return { images, media };
}
