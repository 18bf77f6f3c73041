// Every image URL the page could show on another screen or after its lazy loader ran:
// srcset candidates, <picture><source>, data-src / data-srcset / data-lazy-src / data-original,
// data-bg (plain URL or CSS url(...)), video posters and <noscript> images.
() => {
  const urls = new Set();
  const add = (value) => {
    if (!value) return;
    const cssUrl = /url\(\s*['"]?([^'")]+)['"]?\s*\)/.exec(value);
    const raw = (cssUrl ? cssUrl[1] : value).trim();
    if (!raw || raw.startsWith("data:") || raw.startsWith("blob:")) return;
    try {
      const abs = new URL(raw, document.baseURI);
      if (abs.protocol === "http:" || abs.protocol === "https:") urls.add(abs.href.split("#")[0]);
    } catch (e) { /* not a URL */ }
  };
  // The HTML srcset grammar: a URL, then descriptors up to a comma outside parentheses.
  const parseSrcset = (text) => {
    const found = [];
    let i = 0;
    const n = text.length;
    while (i < n) {
      while (i < n && /[\s,]/.test(text[i])) i++;
      if (i >= n) break;
      const start = i;
      while (i < n && !/\s/.test(text[i])) i++;
      let url = text.slice(start, i);
      if (/,+$/.test(url)) {
        url = url.replace(/,+$/, "");
      } else {
        let depth = 0;
        while (i < n) {
          const c = text[i++];
          if (c === "(") depth++;
          else if (c === ")") depth--;
          else if (c === "," && depth <= 0) break;
        }
      }
      if (url) found.push(url);
    }
    return found;
  };
  const addSrcset = (value) => { if (value) parseSrcset(value).forEach(add); };
  const scan = (root) => {
    root.querySelectorAll("img, source").forEach((el) => {
      add(el.getAttribute("src"));
      addSrcset(el.getAttribute("srcset"));
    });
    root.querySelectorAll("[data-src], [data-lazy-src], [data-original], [data-bg], [data-background-image]").forEach((el) => {
      ["data-src", "data-lazy-src", "data-original", "data-bg", "data-background-image"].forEach((a) => add(el.getAttribute(a)));
    });
    root.querySelectorAll("[data-srcset], [data-lazy-srcset]").forEach((el) => {
      addSrcset(el.getAttribute("data-srcset"));
      addSrcset(el.getAttribute("data-lazy-srcset"));
    });
    root.querySelectorAll("video[poster]").forEach((el) => add(el.getAttribute("poster")));
  };
  scan(document);
  // With scripting on, <noscript> content is text: parse it inertly and scan it too.
  document.querySelectorAll("noscript").forEach((ns) => {
    const tpl = document.createElement("template");
    tpl.innerHTML = ns.textContent || "";
    scan(tpl.content);
  });
  return Array.from(urls);
}
