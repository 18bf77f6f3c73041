// Load each URL as an image, the way the page itself would (image Accept header, cookies),
// a few at a time; report how each ended.
async ([urls, timeoutMs, concurrency]) => {
  const results = {};
  const loadOne = (url) => new Promise((resolve) => {
    const img = new Image();
    const timer = setTimeout(() => resolve("timeout"), timeoutMs);
    img.onload = () => { clearTimeout(timer); resolve("loaded"); };
    img.onerror = () => { clearTimeout(timer); resolve("error"); };
    img.src = url;
  });
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++];
      results[url] = await loadOne(url);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
  return results;
}
