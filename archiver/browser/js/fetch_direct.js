// Fetch each URL whole from inside the page, bypassing the cache and without a Range header, so
// the recorder sees one complete response (media first seen as 206 pieces; files Chromium showed
// in a viewer instead of handing over). Cross-origin answers are opaque here, but the browser
// still receives and records them.
async ([urls, timeoutMs]) => {
  const results = {};
  await Promise.all(urls.map(async (url) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await fetch(url, { mode: "no-cors", credentials: "include", cache: "no-store", signal: controller.signal });
      await response.arrayBuffer();
      results[url] = response.type === "opaque" ? "opaque" : String(response.status);
    } catch (e) {
      results[url] = "error: " + e.message;
    } finally {
      clearTimeout(timer);
    }
  }));
  return results;
}
