// What stands between the reader and the article, as the page shows it now: overlays that cover
// the viewport (consent, paywall, login or other), a body that cannot scroll, blurred or clamped
// article text, login forms, captchas, bot-challenge pages, and how much article text there is.
// Read only: nothing on the page is changed. Returns plain data for archiver.browser.obstacles.
() => {
  const MAX_OVERLAYS = 10;
  const TEXT = 300;
  const vw = window.innerWidth, vh = window.innerHeight;
  const words = (text) => (text || "").split(/\s+/).filter(Boolean).length;
  const short = (text) => (text || "").replace(/\s+/g, " ").trim().slice(0, TEXT);
  const CONSENT = /cookie|consent|gdpr|privacy|datenschutz|zustimm|einwillig|tcf|your choices|partners|vendors|personal data/i;
  const PAYWALL = /subscri|paywall|abonn|premium|members only|to continue reading|keep reading|already a (member|subscriber)|unlock|register to read|free articles?/i;
  const LOGIN = /log ?in|sign ?in|anmelden|connexion|password|passwort/i;
  const describe = (el) => {
    const id = el.id ? "#" + el.id : "";
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).slice(0, 3).join(".") : "";
    return (el.tagName.toLowerCase() + id + cls).slice(0, 120);
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || Number(style.opacity) === 0) return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0;
  };
  // Shadow roots are walked too (Usercentrics draws its dialog inside one).
  const allElements = (root, out = []) => {
    for (const el of root.querySelectorAll("*")) {
      out.push(el);
      if (el.shadowRoot) allElements(el.shadowRoot, out);
      if (out.length > 20000) break;
    }
    return out;
  };
  const elements = allElements(document);
  const textOf = (el) => (el.shadowRoot ? el.shadowRoot.textContent : "") + " " + (el.innerText || el.textContent || "");

  const overlays = [];
  for (const el of elements) {
    if (overlays.length >= MAX_OVERLAYS) break;
    const style = getComputedStyle(el);
    if (style.position !== "fixed" && style.position !== "sticky") continue;
    if (!visible(el)) continue;
    const rect = el.getBoundingClientRect();
    const w = Math.max(0, Math.min(rect.right, vw) - Math.max(rect.left, 0));
    const h = Math.max(0, Math.min(rect.bottom, vh) - Math.max(rect.top, 0));
    const coverage = (w * h) / (vw * vh);
    if (coverage < 0.15) continue;  // a header bar or a small banner does not hide the article
    // one overlay per covering box: skip an element inside one already listed
    if (overlays.some((o) => o.element.contains(el))) continue;
    const text = textOf(el);
    const frame = el.tagName === "IFRAME" ? el : el.querySelector("iframe");
    const hint = text + " " + describe(el) + " " + (frame ? frame.src : "");
    const kind = CONSENT.test(hint) ? "consent" : PAYWALL.test(hint) ? "paywall" : LOGIN.test(hint) ? "login" : "other";
    overlays.push({ element: el, selector: describe(el), kind, coverage: Math.round(coverage * 100) / 100, text: short(text), frame: frame ? frame.src.slice(0, 300) : null });
  }

  // The article's region: of the elements that may hold it, the one with the most text (a page
  // may append "next story" <article>s, or wrap only its teaser in one).
  const regions = [...document.querySelectorAll("[itemprop=articleBody], article, main, [role=main]")];
  const article = regions.sort((a, b) => words(b.textContent) - words(a.textContent))[0] || document.body;
  const articleText = article ? article.textContent : "";
  const blurred = [], clamped = [];
  if (article) {
    for (const el of [article, ...article.querySelectorAll("*")]) {
      if (blurred.length + clamped.length >= 10) break;
      const style = getComputedStyle(el);
      if (/blur\(/.test(style.filter) && words(el.textContent) >= 20) blurred.push(describe(el));
      else if (/hidden|clip/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 100 && words(el.textContent) >= 40) clamped.push(describe(el));
    }
  }
  const overflowHidden = [document.documentElement, document.body].filter(
    (el) => el && /hidden|clip/.test(getComputedStyle(el).overflowY) && document.documentElement.scrollHeight > vh + 50,
  ).map(describe);

  const meta = (name) => { const el = document.querySelector(`meta[property="${name}"],meta[name="${name}"]`); return el ? el.content : ""; };
  const ldTypes = [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => s.textContent).join(" ");
  const isArticle = /article/i.test(meta("og:type")) || /"@type"\s*:\s*"(News|Report|Blog|Opinion|Analysis)?(Article|Posting)"/.test(ldTypes);  // said by the page itself: markup alone (an <article>) also wraps teasers

  const has = (selector) => { try { return !!document.querySelector(selector); } catch (e) { return false; } };
  const frames = [...document.querySelectorAll("iframe")].map((f) => f.src || "").slice(0, 200);
  const anyFrame = (pattern) => frames.some((src) => pattern.test(src));
  const scripts = [...document.scripts].map((s) => s.src || "").slice(0, 500);
  const bodyText = document.body ? document.body.innerText || "" : "";
  const title = document.title || "";

  const challenge = [];
  if (/^just a moment/i.test(title) || has("#challenge-running, #challenge-form, #cf-challenge-running, .cf-browser-verification") || scripts.some((s) => s.includes("/cdn-cgi/challenge-platform/")))
    challenge.push("Cloudflare challenge page");
  if (/access denied/i.test(title) && /reference\s*#\s*[\d.a-f]+/i.test(bodyText)) challenge.push("Akamai 'Access Denied' page");
  if (anyFrame(/captcha-delivery\.com/) || (scripts.some((s) => /ct\.captcha-delivery\.com|js\.datadome\.co/.test(s)) && words(bodyText) < 80))
    challenge.push("DataDome challenge");
  if (has("#px-captcha") || /press\s*&\s*hold/i.test(bodyText)) challenge.push("PerimeterX challenge");

  const captcha = [];
  if (has(".g-recaptcha, [data-sitekey].g-recaptcha") || anyFrame(/recaptcha/)) captcha.push("reCAPTCHA");
  if (has(".h-captcha") || anyFrame(/hcaptcha/)) captcha.push("hCaptcha");
  if (has(".cf-turnstile") || anyFrame(/challenges\.cloudflare\.com\/.*turnstile/)) captcha.push("Cloudflare Turnstile");
  if (/verify (that )?you are (a )?human|are you a robot|not a robot/i.test(bodyText)) captcha.push("asks the reader to prove they are human");

  const passwordFields = [...document.querySelectorAll("input[type=password]")].filter(visible).length;
  const paywallMarks = [...document.querySelectorAll('[class*="paywall" i], [id*="paywall" i], [class*="regwall" i], [class*="subscriber-only" i], [class*="tp-modal" i], [data-paywall]')]
    .filter(visible).slice(0, 5).map((el) => describe(el) + ": " + short(el.innerText).slice(0, 120));
  const paywallText = /(this (article|story|content) is (only )?(for|available to) (subscribers|members))|subscribe (now )?to (continue|keep) reading|subscribers only|nur für abonnenten|réservé aux abonnés/i.exec(bodyText);

  return {
    overlays: overlays.map(({ element, ...rest }) => rest),
    overflow_hidden: overflowHidden,
    blurred,
    clamped,
    is_article: isArticle,
    article_words: words(articleText),
    visible_words: words(bodyText),
    title: short(title),
    challenge,
    captcha,
    password_fields: passwordFields,
    paywall_marks: paywallMarks,
    paywall_text: paywallText ? paywallText[0] : null,
    login_text: (/log ?in to (read|continue)|sign ?in to (read|continue)|please (log|sign) ?in/i.exec(bodyText) || [null])[0],
  };
}
