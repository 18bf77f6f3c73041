// Buttons that only expand the article body ("Continue reading", "Read more", an
// aria-expanded="false" control of the article's own region), found or clicked one at a time.
// [mode, index]: "find" lists the candidates (kept in a page-side list, never marked in the DOM,
// which is stored as rendered); "click" clicks candidate `index` of the last list; "words" counts
// the words the article's region shows (what opening a fold adds to).
// Never a candidate: anything that navigates away (a link to another address), submits a form,
// or whose words say subscribe, buy, pay, log in, sign up or register.
([mode, index]) => {
  const EXPAND = /^(\W*)(continue reading|keep reading|read more|read the (full|whole|rest of the) (story|article)|show (the )?(full|whole|more|entire) (story|article|text)|show more|expand( article| story)?|read full (story|article)|weiterlesen|mehr lesen|artikel weiterlesen|lire la suite|leer m[aá]s|seguir leyendo|continua a leggere|leggi tutto|ler mais|continuar lendo|lees verder|czytaj dalej|läs mer|devamını oku|читать далее|続きを読む|阅读全文|展开全文)(\W*)$/i;
  const NEVER = /subscri|abonn|buy|purchase|checkout|pay|price|trial|donat|log ?in|sign ?(in|up)|register|anmeld|registr|newsletter|kaufen|\$|€|£/i;
  const size = (el) => (el.textContent || "").split(/\s+/).filter(Boolean).length;
  const region = [...document.querySelectorAll("[itemprop=articleBody], article, main, [role=main]")].sort((a, b) => size(b) - size(a))[0] || document.body;
  const here = location.href.split("#")[0];
  const visible = (el) => {
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    return style.display !== "none" && style.visibility !== "hidden" && rect.width > 0 && rect.height > 0;
  };
  const navigatesAway = (el) => {
    const link = el.closest("a[href]");
    if (!link) return false;
    const href = link.getAttribute("href").trim();
    if (href === "" || href.startsWith("#") || /^javascript:/i.test(href)) return false;
    return link.href.split("#")[0] !== here;
  };
  const controlsArticle = (el) => {
    if (el.getAttribute("aria-expanded") !== "false") return false;
    const id = el.getAttribute("aria-controls");
    const target = id ? document.getElementById(id) : null;
    return target ? region.contains(target) || target.contains(region) : region.contains(el);
  };
  if (mode === "words") return size({ textContent: region.innerText });
  if (mode === "click") {
    const el = (window.__archiverExpandable || [])[index];
    if (!el || !el.isConnected) return false;
    el.click();
    return true;
  }
  const found = [];
  for (const el of document.querySelectorAll("button, [role=button], a, summary, span[tabindex], div[tabindex]")) {
    if (found.length >= 20) break;
    const text = (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim();
    const label = [text, el.getAttribute("aria-label") || "", el.getAttribute("title") || ""].join(" ");
    const byLabel = EXPAND.test(text) || EXPAND.test(el.getAttribute("aria-label") || "");
    const byAria = !byLabel && controlsArticle(el) && text.length <= 60;
    if (!byLabel && !byAria) continue;
    if (!region.contains(el) && !controlsArticle(el)) continue;
    if (!visible(el) || NEVER.test(label) || NEVER.test(el.className || "") || navigatesAway(el)) continue;
    if (el.closest("form") || el.matches("[type=submit]")) continue;
    if (el.tagName === "SUMMARY" && el.parentElement && el.parentElement.open) continue;
    found.push(el);
  }
  window.__archiverExpandable = found;
  return found.map((el, i) => ({
    index: i,
    text: ((el.innerText || el.textContent || "").replace(/\s+/g, " ").trim() || el.getAttribute("aria-label") || "").slice(0, 120),
    element: (el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).slice(0, 2).join(".") : "")).slice(0, 120),
    why: EXPAND.test((el.innerText || el.textContent || "").replace(/\s+/g, " ").trim()) ? "its label" : "aria-expanded=false on the article's region",
  }));
}
