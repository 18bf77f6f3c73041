"""Pages that stand between a reader and the story: consent dialogs, a fold, paywalls, a bot
challenge, a rate limit, a login wall, a captcha; and a plain article with none of them.

Each consent page reproduces one platform's markup and the behaviour of its script, reduced to what
DuckDuckGo's autoconsent (npm `@duckduckgo/autoconsent` 16.23.0) looks at: the elements its rule for
that platform detects and clicks, and the globals its snippets call (`window.Cookiebot`, `UC_UI`,
`OnetrustActiveGroups`, `Didomi`, `truste`, `__tcfapi`). A reject or an accept hides the dialog
(removed or display none) and records the choice as the platform does: a cookie (scoped to the
page's own path, so the pages of one browser context do not answer each other) and the global the
rule's self-test reads. Like the real scripts, a page whose choice is on record shows no dialog
when loaded again in the same context. Every dialog appears at most 300 ms after the load event.

`CONSENT_PLATFORMS` names the autoconsent rule each consent page is detected as.

Colours are reserved so that a screenshot tells what covers the page: every consent dialog's box
is DIALOG_COLOUR (magenta), every paywall overlay PAYWALL_COLOUR (cyan); nothing else uses either.
Nothing is loaded from anywhere but this server.
"""

from __future__ import annotations

import base64
from typing import Any

from tests.support.fixture_site import FixtureApp, Reply

DIALOG_COLOUR = (255, 0, 255)  # magenta: consent dialogs only
PAYWALL_COLOUR = (0, 255, 255)  # cyan: paywall overlays only
MAGENTA = "rgb(255, 0, 255)"
CYAN = "rgb(0, 255, 255)"

FOLDED_SENTENCE = "The folded paragraph says the council voted seven to two."
SOFT_PAYWALL_SENTENCE = "Behind the overlay the report names the contractor."
BYLINE = "By Jane Reporter"

CONSENT = "/obstacles/consent/"
FORBIDDEN = "/obstacles/forbidden/"
PAGES = {
    "onetrust": CONSENT + "onetrust",
    "didomi": CONSENT + "didomi",
    "quantcast": CONSENT + "quantcast",
    "sourcepoint": CONSENT + "sourcepoint",
    "trustarc": CONSENT + "trustarc",
    "cookiebot": CONSENT + "cookiebot",
    "usercentrics": CONSENT + "usercentrics",
    "funding-choices": CONSENT + "funding-choices",
    "tcf": CONSENT + "tcf",
    "fold": "/obstacles/fold",
    "paywall-soft": "/obstacles/paywall-soft",
    "paywall-hard": "/obstacles/paywall-hard",
    "challenge": "/obstacles/challenge",
    "rate-limited": "/obstacles/rate-limited",
    "login-wall": "/obstacles/login-wall",
    "captcha": "/obstacles/captcha",
    "plain": "/obstacles/plain",
}
# The name autoconsent reports (cmpDetected, popupFound) for each consent page; for the unknown
# platform of `tcf` its heuristic names the dialog by what its buttons offer.
CONSENT_PLATFORMS = {
    "onetrust": "Onetrust",
    "didomi": "didomi",
    "quantcast": "quantcast",
    "sourcepoint": "Sourcepoint-frame",  # reported by the cross-origin message frame
    "trustarc": "TrustArc-top",
    "cookiebot": "Cybotcookiebot",
    "usercentrics": "usercentrics-api",
    "funding-choices": "funding-choices",
    "tcf": "HEURISTIC-REJECT",
}
FORBIDDEN_LINKS = {
    "subscribe": FORBIDDEN + "subscribe",
    "login": FORBIDDEN + "login",
    "buy": FORBIDDEN + "buy",
    "next-story": FORBIDDEN + "next-story",
}
SOURCEPOINT_MESSAGE_PATH = "/index.html"  # the path Sourcepoint's message frames have (the rule needs it)
SOURCEPOINT_MANAGER_PATH = "/privacy-manager/index.html"
RECAPTCHA_PATH = "/recaptcha/api2/anchor"
CHALLENGE_SCRIPT_PREFIX = "/cdn-cgi/challenge-platform/"
RATE_LIMIT_RETRY_AFTER = 2


# --- the story --------------------------------------------------------------------------------

STANDFIRST = "Two arches of the 1846 crossing have moved since the winter flood, engineers warn."
PARAGRAPHS = [
    "The city council on Tuesday approved a long-delayed plan to repair the Old Mill Bridge, the "
    "narrow stone crossing that has carried traffic over the River Lune since 1846 and that many "
    "residents still call the only proper way into town.",
    "Engineers told the meeting that two of the bridge's five arches have shifted by several "
    "centimetres since the flood in January, and that loose masonry now drops into the water "
    "whenever the river runs high after heavy rain.",
    "Under the plan, the bridge will close to cars for fourteen months from September, while "
    "pedestrians and cyclists will use a temporary steel walkway bolted alongside the eastern "
    "parapet for the length of the works.",
    "The repairs are expected to cost 4.2 million pounds, most of it from a national heritage "
    "fund, with the remainder drawn from the council's own transport budget spread over the next "
    "three financial years.",
    "Shopkeepers on Bridge Street said they feared a sharp drop in trade during the closure and "
    "asked for free parking in the market square, a request the transport committee agreed to "
    "consider at its next meeting in June.",
    "Residents of the villages north of the river will face a detour of roughly eight kilometres, "
    "and the bus operator said it would add two extra services each weekday morning to keep "
    "journey times close to what they are now.",
    "A public exhibition of the designs opens at the town library on Saturday, where the lead "
    "engineer will answer questions about the temporary walkway, the lighting and the noise from "
    "the piling rig.",
    "The council said it would publish a weekly update on the project once the scaffolding goes "
    "up, and that a hotline for complaints about the works would be staffed from eight in the "
    "morning until six in the evening.",
]

ARTICLE_CSS = """
html { background: #fff; }
body { margin: 0; background: #fff; color: #000; font: 18px/1.55 Georgia, "Times New Roman", serif; }
.masthead { border-bottom: 2px solid #000; padding: 10px 24px; font: bold 22px/1.2 Arial, sans-serif; }
.masthead nav { float: right; font-size: 15px; font-weight: normal; }
.masthead nav a { margin-left: 14px; color: #1a0dab; }
main { max-width: 720px; margin: 0 auto; padding: 8px 24px 48px; }
h1 { font-size: 34px; line-height: 1.2; margin: 18px 0 8px; }
.standfirst { font-size: 21px; color: #333; margin: 0 0 8px; }
.byline { font: 15px/1.4 Arial, sans-serif; color: #444; margin: 0 0 18px; }
"""


def _paragraphs(texts: list[str]) -> str:
    return "\n".join(f"<p>{text}</p>" for text in texts)


def _article_page(headline: str, body: str, head: str = "", after: str = "", nav: str = "") -> str:
    """A news article page: `body` goes inside <article> after the headline, standfirst and byline;
    `after` (a dialog, its script) after </main>; `head` into <head>."""
    return f"""<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{headline} | The Lune Valley Courier</title>
<meta name="description" content="{STANDFIRST}">
<meta property="og:title" content="{headline}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="The Lune Valley Courier">
<meta name="author" content="Jane Reporter">
<style>{ARTICLE_CSS}</style>
{head}
</head><body>
<header class="masthead">The Lune Valley Courier{nav}</header>
<main>
<article>
<h1>{headline}</h1>
<p class="standfirst">{STANDFIRST}</p>
<p class="byline">{BYLINE} &middot; <time datetime="2024-05-14T09:00:00Z">14 May 2024</time></p>
{body}
</article>
</main>
{after}
</body></html>
"""


def _story(headline: str, after: str = "", head: str = "") -> str:
    return _article_page(headline, _paragraphs(PARAGRAPHS), head=head, after=after)


# --- shared page-script pieces ----------------------------------------------------------------

# Helpers every platform script below starts with (each script is one IIFE, so nothing leaks).
# Cookies are scoped to the page's own path: the fixtures share one origin, the platforms do not.
JS_HELPERS = """
  var PATH = location.pathname;
  function readCookie(name) {
    var hit = document.cookie.split("; ").filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return hit === undefined ? null : hit.slice(name.length + 1);
  }
  function writeCookie(name, value) {
    document.cookie = name + "=" + value + "; path=" + PATH + "; max-age=31536000; SameSite=Lax";
  }
  function whenReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn); else fn();
  }
  function afterLoad(ms, fn) {
    if (document.readyState === "complete") setTimeout(fn, ms);
    else window.addEventListener("load", function () { setTimeout(fn, ms); });
  }
  function element(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    return holder.firstChild;
  }
"""


def _tc_string(cmp_id: int, consent: bool) -> str:
    """A well-formed IAB TCF v2.2 core string: purposes 1-10 consented (or none), no vendors."""
    bits: list[str] = []

    def put(value: int, width: int) -> None:
        bits.append(format(value, f"0{width}b"))

    def letters(pair: str) -> None:
        for letter in pair:
            put(ord(letter) - ord("A"), 6)

    stamp = 17156448000  # 2024-05-14T00:00:00Z in deciseconds
    put(2, 6)  # version
    put(stamp, 36)  # created
    put(stamp, 36)  # last updated
    put(cmp_id, 12)
    put(1, 12)  # CMP version
    put(1, 6)  # consent screen
    letters("EN")
    put(68, 12)  # vendor list version
    put(4, 6)  # TCF policy version
    put(1, 1)  # service specific
    put(0, 1)  # non-standard texts
    put(0, 12)  # special feature opt-ins
    put(((1 << 10) - 1) << 14 if consent else 0, 24)  # purposes 1-10
    put(0, 24)  # purposes' legitimate interest
    put(0, 1)  # purpose one treatment
    letters("GB")
    put(0, 16)  # vendor consents: max vendor id 0
    put(0, 1)
    put(0, 16)  # vendor legitimate interests: max vendor id 0
    put(0, 1)
    put(0, 12)  # publisher restrictions
    raw = "".join(bits)
    raw += "0" * (-len(raw) % 8)
    data = int(raw, 2).to_bytes(len(raw) // 8, "big")
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _tcf_api_js(cmp_id: int) -> str:
    """The IAB TCF v2.2 API (`__tcfapi`: ping, getTCData, addEventListener, removeEventListener)
    and its `__tcfapiLocator` frame, as a CMP installs them; the TC string is kept in the
    `euconsent-v2` cookie. Defines `installTcfApi()`, which the platform script calls."""
    return _fill(
        """
  function installTcfApi() {
    var ACCEPT = "%(accept)", REJECT = "%(reject)";
    var listeners = {}, nextId = 0;
    var saved = readCookie("euconsent-v2");
    var state = {eventStatus: "tcloaded", displayStatus: "hidden", tcString: "", consents: null};
    if (saved === ACCEPT || saved === REJECT) { state.tcString = saved; state.consents = saved === ACCEPT; }
    function tcData(listenerId) {
      var consents = {}, i;
      if (state.consents !== null) for (i = 1; i <= 11; i++) consents[i] = state.consents && i <= 10;
      return {
        tcString: state.tcString, tcfPolicyVersion: 4, cmpId: %(cmp_id), cmpVersion: 1, gdprApplies: true,
        eventStatus: state.eventStatus, cmpStatus: "loaded", listenerId: listenerId, isServiceSpecific: true,
        useNonStandardTexts: false, publisherCC: "GB", purposeOneTreatment: false,
        outOfBand: {allowedVendors: {}, disclosedVendors: {}},
        purpose: {consents: consents, legitimateInterests: {}},
        vendor: {consents: {}, legitimateInterests: {}},
        specialFeatureOptins: {},
        publisher: {consents: {}, legitimateInterests: {}, customPurpose: {consents: {}, legitimateInterests: {}}, restrictions: {}}
      };
    }
    function notify() {
      Object.keys(listeners).forEach(function (id) { listeners[id](tcData(Number(id)), true); });
    }
    window.__tcfapi = function (command, version, callback, parameter) {
      if (typeof callback !== "function") return;
      if (command === "ping") {
        callback({gdprApplies: true, cmpLoaded: true, cmpStatus: "loaded", displayStatus: state.displayStatus,
                  apiVersion: "2.2", cmpVersion: 1, cmpId: %(cmp_id), gvlVersion: 68, tcfPolicyVersion: 4}, true);
      } else if (command === "getTCData") {
        callback(tcData(undefined), true);
      } else if (command === "addEventListener") {
        nextId += 1; listeners[nextId] = callback; callback(tcData(nextId), true);
      } else if (command === "removeEventListener") {
        var had = Object.prototype.hasOwnProperty.call(listeners, parameter);
        delete listeners[parameter]; callback(had);
      } else {
        callback(null, false);
      }
    };
    window.addEventListener("message", function (event) {  // the locator's postMessage bridge
      var call = event.data && event.data.__tcfapiCall;
      if (!call || !event.source) return;
      window.__tcfapi(call.command, call.version, function (value, success) {
        event.source.postMessage({__tcfapiReturn: {returnValue: value, success: success, callId: call.callId}}, "*");
      }, call.parameter);
    });
    whenReady(function () {
      if (window.frames.__tcfapiLocator) return;
      var locator = document.createElement("iframe");
      locator.name = "__tcfapiLocator"; locator.style.display = "none"; locator.title = "";
      document.body.appendChild(locator);
    });
    return {
      decided: function () { return state.consents !== null; },
      shown: function () { state.eventStatus = "cmpuishown"; state.displayStatus = "visible"; notify(); },
      choose: function (accepted) {
        state.consents = accepted; state.tcString = accepted ? ACCEPT : REJECT;
        state.eventStatus = "useractioncomplete"; state.displayStatus = "hidden";
        writeCookie("euconsent-v2", state.tcString); notify();
      }
    };
  }
""",
        {"accept": _tc_string(cmp_id, True), "reject": _tc_string(cmp_id, False), "cmp_id": str(cmp_id)},
    )


def _fill(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace("%(" + name + ")", value)
    return text


def _script(*parts: str) -> str:
    """One IIFE; %(box), %(button), %(row) and %(magenta) in it become the dialog styles below."""
    styles = {"box": DIALOG_BOX, "button": BUTTON_STYLE, "row": BUTTONS_ROW, "magenta": MAGENTA}
    return "<script>\n(function () {\n" + _fill("".join(parts), styles) + "\n})();\n</script>"


# A dialog's box: fixed to the bottom 40% of the viewport, above everything, in the dialog colour.
DIALOG_BOX = (
    f"position: fixed; left: 0; right: 0; bottom: 0; height: 40vh; z-index: 2147483646; box-sizing: border-box;"
    f" margin: 0; padding: 20px 32px; overflow: auto; background: {MAGENTA}; color: #000;"
    f" font: 16px/1.45 Arial, Helvetica, sans-serif; border: 0; border-radius: 0; box-shadow: none;"
)
BUTTON_STYLE = (
    "display: inline-block; margin: 6px 10px 0 0; padding: 10px 18px; background: #fff; color: #000;"
    " border: 2px solid #000; border-radius: 4px; font: bold 15px Arial, sans-serif; cursor: pointer;"
)
BUTTONS_ROW = f"background: {MAGENTA}; margin-top: 12px;"


# --- OneTrust ---------------------------------------------------------------------------------
# otBannerSdk.js: #onetrust-consent-sdk holds the banner (#onetrust-banner-sdk, with the
# #onetrust-reject-all-handler shortcut the "Onetrust" rule clicks) and the preference centre
# (#onetrust-pc-sdk); the choice goes to OptanonConsent / OptanonAlertBoxClosed and to
# window.OnetrustActiveGroups, which the rule's test reads (at most one group: C0001). This site's
# geolocation rule is "implied consent": the groups are active until the reader says otherwise.

ONETRUST_SCRIPT = _script(
    JS_HELPERS,
    """
  var GROUPS = ["C0001", "C0002", "C0003", "C0004"];
  var NAMES = {C0001: "Strictly Necessary Cookies", C0002: "Performance Cookies", C0003: "Functional Cookies", C0004: "Targeting Cookies"};
  var closed = readCookie("OptanonAlertBoxClosed") !== null;
  var saved = readCookie("OptanonConsent");
  var active = GROUPS.slice();
  if (saved) {
    var m = /(?:^|&)groups=([^&]*)/.exec(saved);
    if (m) active = decodeURIComponent(m[1]).split(",").filter(function (g) { return /:1$/.test(g); }).map(function (g) { return g.split(":")[0]; });
  }
  var listeners = [];
  function publish() { window.OnetrustActiveGroups = window.OptanonActiveGroups = "," + active.join(",") + ","; }
  publish();
  var sdk = null;
  function hideAll() {
    if (!sdk) return;
    ["#onetrust-banner-sdk", "#onetrust-pc-sdk", ".onetrust-pc-dark-filter"].forEach(function (s) {
      var el = sdk.querySelector(s); if (el) { el.style.display = "none"; el.setAttribute("aria-hidden", "true"); }
    });
  }
  function choose(groups) {
    active = groups.slice(); publish();
    var now = new Date().toISOString();
    writeCookie("OptanonAlertBoxClosed", now);
    writeCookie("OptanonConsent", "isGpcEnabled=0&datestamp=" + encodeURIComponent(now) + "&version=202405.1.0"
      + "&isIABGlobal=false&hosts=&consentId=7f3c2a9e-0d4b-4a51-9d0e-5b8a1f6c2e11&interactionCount=1"
      + "&landingPath=NotLandingPage&groups=" + encodeURIComponent(GROUPS.map(function (g) { return g + ":" + (active.indexOf(g) >= 0 ? 1 : 0); }).join(",")));
    closed = true; hideAll();
    if (typeof window.OptanonWrapper === "function") window.OptanonWrapper();
    listeners.forEach(function (cb) { cb({detail: active.slice()}); });
    window.dispatchEvent(new CustomEvent("consent.onetrust", {detail: active.slice()}));
  }
  function showPreferences() {
    if (!sdk) return;
    sdk.querySelector("#onetrust-banner-sdk").style.display = "none";
    sdk.querySelector(".onetrust-pc-dark-filter").style.display = "block";
    sdk.querySelector("#onetrust-pc-sdk").style.display = "block";
  }
  window.OneTrust = window.Optanon = {
    AllowAll: function () { choose(GROUPS); },
    RejectAll: function () { choose(["C0001"]); },
    IsAlertBoxClosed: function () { return closed; },
    ToggleInfoDisplay: showPreferences,
    Close: hideAll,
    OnConsentChanged: function (cb) { listeners.push(cb); },
    GetDomainData: function () { return {Groups: GROUPS.map(function (g) { return {CustomGroupId: g, GroupName: NAMES[g]}; })}; }
  };
  var BOX = "%(box)", BTN = "%(button)", ROW = "%(row)";
  function build() {
    var toggles = GROUPS.slice(1).map(function (g) {
      return '<div class="ot-cat-item"><label><input type="checkbox" class="category-switch-handler" data-optanongroupid="' + g + '"'
        + (active.indexOf(g) >= 0 ? " checked" : "") + "> " + NAMES[g] + "</label></div>";
    }).join("");
    sdk = element('<div id="onetrust-consent-sdk" data-nosnippet="true">'
      + '<div class="onetrust-pc-dark-filter ot-fade-in" style="display: none; position: fixed; inset: 0; z-index: 2147483645; background: rgba(0, 0, 0, 0.5)"></div>'
      + '<div id="onetrust-banner-sdk" class="otFlat ot-iab-2 vertical-align-content" tabindex="0" role="region" aria-label="Cookie banner" style="' + BOX + '">'
      + '<div role="dialog" aria-modal="true" aria-label="Privacy"><div class="ot-sdk-container"><div class="ot-sdk-row">'
      + '<div id="onetrust-group-container" class="ot-sdk-eight ot-sdk-columns"><div id="onetrust-policy">'
      + '<h2 id="onetrust-policy-title">We value your privacy</h2>'
      + '<div id="onetrust-policy-text">We and our partners store and/or access information on a device, such as cookies, '
      + "and process personal data, such as unique identifiers and standard information sent by a device, for personalised "
      + "advertising and content, advertising and content measurement, audience research and services development. "
      + 'You can change your choice at any time from the Cookie Settings link at the foot of every page.</div></div></div>'
      + '<div id="onetrust-button-group-parent" class="ot-sdk-three ot-sdk-columns" style="' + ROW + '"><div id="onetrust-button-group">'
      + '<button id="onetrust-pc-btn-handler" style="' + BTN + '">Cookies Settings</button>'
      + '<button id="onetrust-reject-all-handler" style="' + BTN + '">Reject All</button>'
      + '<button id="onetrust-accept-btn-handler" style="' + BTN + '">Accept All Cookies</button>'
      + "</div></div></div></div></div></div>"
      + '<div id="onetrust-pc-sdk" class="otPcCenter ot-fade-in" role="dialog" aria-modal="true" aria-labelledby="ot-pc-title" lang="en" style="display: none; ' + BOX + '">'
      + '<h2 id="ot-pc-title">Privacy Preference Center</h2>'
      + '<div class="ot-cat-item"><label>Strictly Necessary Cookies <span class="ot-always-active">Always Active</span></label></div>'
      + toggles
      + '<div class="ot-pc-footer" style="' + ROW + '">'
      + '<button class="ot-pc-refuse-all-handler" style="' + BTN + '">Reject All</button>'
      + '<button class="save-preference-btn-handler" style="' + BTN + '">Confirm My Choices</button>'
      + '<button id="accept-recommended-btn-handler" style="' + BTN + '">Allow All</button>'
      + "</div></div></div>");
    document.body.appendChild(sdk);
    sdk.querySelector("#onetrust-accept-btn-handler").addEventListener("click", function () { choose(GROUPS); });
    sdk.querySelector("#onetrust-reject-all-handler").addEventListener("click", function () { choose(["C0001"]); });
    sdk.querySelector("#onetrust-pc-btn-handler").addEventListener("click", showPreferences);
    sdk.querySelector(".ot-pc-refuse-all-handler").addEventListener("click", function () { choose(["C0001"]); });
    sdk.querySelector("#accept-recommended-btn-handler").addEventListener("click", function () { choose(GROUPS); });
    sdk.querySelector(".save-preference-btn-handler").addEventListener("click", function () {
      var picked = ["C0001"];
      sdk.querySelectorAll("input.category-switch-handler:checked").forEach(function (box) { picked.push(box.dataset.optanongroupid); });
      choose(picked);
    });
  }
  afterLoad(100, function () { if (!closed) build(); });
""",
)
ONETRUST_PAGE = _story("Council approves repairs to the Old Mill Bridge", after=ONETRUST_SCRIPT)


# --- Didomi -----------------------------------------------------------------------------------
# The Didomi SDK fills #didomi-host with its notice (#didomi-notice, buttons
# #didomi-notice-disagree-button / #didomi-notice-agree-button), keeps the choice in the
# didomi_token cookie (and the TCF string in euconsent-v2), and answers
# Didomi.getCurrentUserStatus(), whose purposes the "didomi" rule's test reads.

DIDOMI_SCRIPT = _script(
    JS_HELPERS,
    _tcf_api_js(7),
    """
  var tcf = installTcfApi();
  var PURPOSES = ["cookies", "select_basic_ads", "create_ads_profile", "select_personalized_ads",
                  "measure_ad_performance", "market_research", "improve_products"];
  var VENDORS = ["google", "c:didomi", "c:lune-analytics"];
  var token = readCookie("didomi_token");
  var status = null;  // {purposes: bool, vendors: bool} once the reader chose
  if (token) { try { status = JSON.parse(atob(token)).status; } catch (e) { status = null; } }
  var host = null, visible = false, handlers = {};
  function emit(name, data) { (handlers[name] || []).forEach(function (cb) { cb(data); }); }
  function userStatus() {
    var purposes = {}, vendors = {};
    if (status) {
      PURPOSES.forEach(function (p) { purposes[p] = {id: p, enabled: status.purposes}; });
      VENDORS.forEach(function (v) { vendors[v] = {id: v, enabled: status.vendors}; });
    }
    return {purposes: purposes, vendors: vendors, user_id: "0e5c1f2a-7b9d-4c3e-8a6f-1d2b3c4e5f60",
            created: "2024-05-14T09:00:00.000Z", updated: new Date().toISOString(),
            consent_string: tcf.decided() ? readCookie("euconsent-v2") : "", addtl_consent: "", regulation: "gdpr"};
  }
  function hide() {
    visible = false;
    if (host) { host.innerHTML = ""; host.setAttribute("aria-hidden", "true"); }
    document.body.classList.remove("didomi-popup-open");
  }
  function decide(accepted) {
    status = {purposes: accepted, vendors: accepted};
    writeCookie("didomi_token", btoa(JSON.stringify({user_id: userStatus().user_id, created: "2024-05-14T09:00:00.000Z",
      updated: new Date().toISOString(), status: status, version: 2})));
    tcf.choose(accepted);
    hide();
    emit("consent.changed", {consentToken: userStatus()});
  }
  window.Didomi = {
    version: "1.141.0",
    isReady: function () { return true; },
    isConsentRequired: function () { return true; },
    shouldConsentBeCollected: function () { return status === null; },
    setUserAgreeToAll: function () { decide(true); return true; },
    setUserDisagreeToAll: function () { decide(false); return true; },
    getCurrentUserStatus: userStatus,
    getUserConsentStatusForAll: function () {
      var on = status ? (status.purposes ? PURPOSES : []) : [], off = status ? (status.purposes ? [] : PURPOSES) : [];
      return {purposes: {enabled: on.slice(), disabled: off.slice()},
              vendors: {enabled: status && status.vendors ? VENDORS.slice() : [], disabled: status && !status.vendors ? VENDORS.slice() : []}};
    },
    notice: {isVisible: function () { return visible; }, show: function () { show(); }, hide: hide},
    preferences: {show: function () { showPreferences(); }, hide: function () { hide(); }},
    on: function (name, cb) { (handlers[name] = handlers[name] || []).push(cb); }
  };
  var BOX = "%(box)", BTN = "%(button)", ROW = "%(row)";
  function wire(root) {
    root.querySelectorAll("[data-didomi-choice]").forEach(function (button) {
      button.addEventListener("click", function () { decide(button.dataset.didomiChoice === "agree"); });
    });
    var more = root.querySelector("#didomi-notice-learn-more-button");
    if (more) more.addEventListener("click", showPreferences);
  }
  function show() {
    host.removeAttribute("aria-hidden");
    host.innerHTML = '<div tabindex="-1" dir="ltr" class="didomi-host didomi-host-gdpr">'
      + '<div id="didomi-notice" class="didomi-notice-banner didomi-regular-notice didomi-notice-bottom shape-rounded" role="dialog" aria-labelledby="didomi-notice-title" style="' + BOX + '">'
      + '<div class="didomi-notice__interior-border"><div class="didomi-notice-text" id="didomi-notice-text">'
      + '<h1 id="didomi-notice-title" style="font-size: 20px; margin: 0 0 8px">We care about your privacy</h1>'
      + "<p>We and our partners store and/or access information on a device, such as unique identifiers in cookies, to process "
      + "personal data. You may accept or manage your choices, including your right to object where legitimate interest is used, "
      + "by clicking below or at any time in the privacy policy page.</p></div>"
      + '<div id="buttons" class="didomi-buttons didomi-notice-buttons" style="' + ROW + '">'
      + '<button id="didomi-notice-learn-more-button" class="didomi-components-button didomi-button didomi-button-standard standard-button" style="' + BTN + '">Learn More</button>'
      + '<button id="didomi-notice-disagree-button" data-didomi-choice="disagree" class="didomi-components-button didomi-button didomi-dismiss-button didomi-button-highlight highlight-button" style="' + BTN + '"><span>Disagree</span></button>'
      + '<button id="didomi-notice-agree-button" data-didomi-choice="agree" aria-label="Agree and close: Agree to our data processing and close" class="didomi-components-button didomi-button didomi-dismiss-button didomi-button-highlight highlight-button" style="' + BTN + '"><span>Agree and close</span></button>'
      + "</div></div></div></div>";
    visible = true;
    wire(host);
    tcf.shown();
    emit("notice.shown", {});
  }
  function showPreferences() {
    host.innerHTML = '<div tabindex="-1" dir="ltr" class="didomi-host didomi-host-gdpr">'
      + '<div id="didomi-popup" class="didomi-popup-container didomi-consent-popup-preferences" role="dialog" aria-modal="true" style="' + BOX + '">'
      + "<p>Choose how your data is used. " + PURPOSES.length + " purposes are used by this site and its partners.</p>"
      + '<div class="didomi-consent-popup-footer didomi-popup-footer" style="' + ROW + '">'
      + '<button class="didomi-components-button" data-didomi-choice="disagree" style="' + BTN + '">Disagree to all</button>'
      + '<button class="didomi-components-button" data-didomi-choice="agree" style="' + BTN + '">Agree to all</button>'
      + "</div></div></div>";
    wire(host);
  }
  whenReady(function () {
    host = element('<div id="didomi-host" data-nosnippet="true" aria-hidden="true"></div>');
    document.body.appendChild(host);
    if (status === null) show();
    (window.didomiOnReady || []).forEach(function (cb) { try { cb(window.Didomi); } catch (e) {} });
    window.didomiOnReady = {push: function (cb) { cb(window.Didomi); }};
  });
""",
)
DIDOMI_PAGE = _story("Bridge closure will add eight kilometres to village commutes", after=DIDOMI_SCRIPT)


# --- Quantcast Choice (CMP2) ------------------------------------------------------------------
# choice.js appends #qc-cmp2-container > .qc-cmp2-main > #qc-cmp2-ui; its summary buttons are
# MORE OPTIONS, DISAGREE, AGREE (mode secondary, secondary, primary): the "quantcast" rule clicks
# the second secondary one. MORE OPTIONS opens the purposes screen (toggles, REJECT ALL,
# SAVE & EXIT), the rule's other route. The choice is the TC string in euconsent-v2.

QUANTCAST_SCRIPT = _script(
    JS_HELPERS,
    _tcf_api_js(10),
    """
  var tcf = installTcfApi();
  var BOX = "%(box)", BTN = "%(button)", ROW = "%(row)";
  var PURPOSES = ["Store and/or access information on a device", "Use limited data to select advertising",
                  "Create profiles for personalised advertising", "Measure advertising performance"];
  var container = null;
  function close(accepted) {
    tcf.choose(accepted);
    var main = container.querySelector("#qc-cmp2-main");
    if (main) main.remove();
    document.body.style.overflow = "";
  }
  function summary() {
    return '<div class="qc-cmp2-summary-section">'
      + '<h2 style="font-size: 20px; margin: 0 0 8px">We value your privacy</h2>'
      + '<div class="qc-cmp2-summary-info"><p>We and our partners store and/or access information on a device, such as cookies, '
      + "and process personal data, such as unique identifiers and standard information sent by a device for personalised ads "
      + "and content, ad and content measurement, and audience insights, as well as to develop and improve products.</p></div>"
      + '<div class="qc-cmp2-footer qc-cmp2-footer-overlay"><div class="qc-cmp2-summary-buttons" style="' + ROW + '">'
      + '<button mode="secondary" size="large" class=" css-47sehv" style="' + BTN + '"><span>MORE OPTIONS</span></button>'
      + '<button mode="secondary" size="large" class=" css-47sehv" style="' + BTN + '"><span>DISAGREE</span></button>'
      + '<button mode="primary" size="large" class=" css-47sehv" style="' + BTN + '"><span>AGREE</span></button>'
      + "</div></div></div>";
  }
  function options() {
    return '<div class="qc-cmp2-consent-info"><p>Manage your choices for each purpose.</p>'
      + '<div style="' + ROW + '"><button mode="link" size="small" style="' + BTN + '">REJECT ALL</button>'
      + '<button mode="link" size="small" style="' + BTN + '">ACCEPT ALL</button></div>'
      + PURPOSES.map(function (p, i) {
          return '<div class="qc-cmp2-list-item"><span>' + p + '</span> <span class="qc-cmp2-toggle-switch">'
            + '<button role="switch" aria-checked="true" aria-label="' + p + '" data-purpose="' + (i + 1) + '" style="' + BTN + '">ON</button></span></div>';
        }).join("")
      + '<div class="qc-cmp2-footer"><div class="qc-cmp2-buttons-desktop" style="' + ROW + '">'
      + '<button mode="primary" size="large" style="' + BTN + '">SAVE &amp; EXIT</button></div></div></div>';
  }
  function render(screen) {
    var ui = container.querySelector("#qc-cmp2-ui");
    ui.innerHTML = screen === "options" ? options() : summary();
    var buttons = ui.querySelectorAll("button");
    if (screen !== "options") {
      buttons[0].addEventListener("click", function () { render("options"); });
      buttons[1].addEventListener("click", function () { close(false); });
      buttons[2].addEventListener("click", function () { close(true); });
      return;
    }
    function setAll(on) {
      ui.querySelectorAll(".qc-cmp2-toggle-switch > button").forEach(function (t) { t.setAttribute("aria-checked", on ? "true" : "false"); t.textContent = on ? "ON" : "OFF"; });
    }
    buttons[0].addEventListener("click", function () { setAll(false); });
    buttons[1].addEventListener("click", function () { setAll(true); });
    ui.querySelectorAll(".qc-cmp2-toggle-switch > button").forEach(function (t) {
      t.addEventListener("click", function () { var on = t.getAttribute("aria-checked") !== "true"; t.setAttribute("aria-checked", String(on)); t.textContent = on ? "ON" : "OFF"; });
    });
    ui.querySelector(".qc-cmp2-buttons-desktop > button").addEventListener("click", function () {
      close(ui.querySelectorAll('.qc-cmp2-toggle-switch > button[aria-checked="true"]').length === PURPOSES.length);
    });
  }
  afterLoad(200, function () {
    container = element('<div id="qc-cmp2-container" data-nosnippet=""></div>');
    document.body.appendChild(container);
    if (tcf.decided()) return;
    container.innerHTML = '<div class="qc-cmp2-main" id="qc-cmp2-main" data-nosnippet=""><div class="qc-cmp-cleanslate css-mj0nv3">'
      + '<div id="qc-cmp2-ui" role="dialog" aria-label="qc-cmp2-ui" aria-modal="true" tabindex="0" class=" css-1ttt8bp" style="' + BOX + '"></div></div></div>';
    render("summary");
    tcf.shown();
  });
""",
)
QUANTCAST_PAGE = _story("Shopkeepers fear a quiet year on Bridge Street", after=QUANTCAST_SCRIPT)


# --- Sourcepoint ------------------------------------------------------------------------------
# The wrapper script puts the message in a cross-origin iframe (here localhost instead of
# 127.0.0.1, the message at /index.html?message_id=..., which the "Sourcepoint-frame" rule runs in)
# inside a fixed div#sp_message_container_<id>. The message's buttons carry sp_choice_type_11
# (accept), _12 (options: the privacy manager) and _13 (reject); the frame tells the page
# {name: "sp.hideMessage", choice} and the page removes the container and stores the consentUUID.

SOURCEPOINT_SCRIPT = _script(
    JS_HELPERS,
    """
  var ORIGIN = "{frame_origin}";
  window._sp_queue = window._sp_queue || [];
  window._sp_ = {config: {accountId: 1234, baseEndpoint: ORIGIN, propertyHref: location.origin, gdpr: {}}, version: "4.21.0",
                 choice: readCookie("_sp_v1_choice")};
  whenReady(function () {
    if (readCookie("consentUUID")) return;
    var box = element('<div id="sp_message_container_1234" class="sp-message-container" style="position: fixed; left: 0; right: 0; bottom: 0;'
      + ' height: 40vh; z-index: 2147483647; background: %(magenta)"><iframe id="sp_message_iframe_1234" title="SP Consent Message"'
      + ' src="' + ORIGIN + '/index.html?message_id=1234&consentUUID=&preload_message=true&version=v1"'
      + ' style="width: 100%; height: 100%; border: 0; display: block; background: %(magenta)"></iframe></div>');
    document.body.appendChild(box);
    document.documentElement.classList.add("sp-message-open");
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== ORIGIN || !event.data || event.data.name !== "sp.hideMessage") return;
    var choice = event.data.choice === "accept" ? "accept" : "reject";
    writeCookie("consentUUID", "4c3b2a19-8e7d-4f6a-b5c4-d3e2f1a0b9c8");
    writeCookie("_sp_v1_choice", choice);
    window._sp_.choice = choice;
    var box = document.getElementById("sp_message_container_1234");
    if (box) box.remove();
    document.documentElement.classList.remove("sp-message-open");
  });
""",
)
SOURCEPOINT_PAGE = _story(
    "Heritage fund to pay for most of the bridge works",
    after=SOURCEPOINT_SCRIPT,
    head="<style>html.sp-message-open { overflow: hidden; }</style>",
)

_SP_FRAME_CSS = f"""
html, body {{ margin: 0; height: 100%; background: {MAGENTA}; color: #000; font: 16px/1.45 Arial, Helvetica, sans-serif; }}
.message-container {{ background: {MAGENTA}; padding: 20px 32px; }}
.message-row {{ background: {MAGENTA}; }}
button {{ {BUTTON_STYLE} }}
"""
_SP_FRAME_JS = """<script>
document.querySelectorAll("[data-choice]").forEach(function (button) {
  button.addEventListener("click", function () {
    var choice = button.dataset.choice;
    if (choice === "options") { location.href = "/privacy-manager/index.html?message_id=5678&consentUUID=&site_id=4321"; return; }
    window.parent.postMessage({name: "sp.hideMessage", choice: choice, messageId: 1234, fromPM: /privacy-manager/.test(location.pathname)}, "*");
  });
});
</script>"""
SOURCEPOINT_MESSAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Notice Message App</title><style>{_SP_FRAME_CSS}</style></head><body>
<div id="notice" class="message-container" role="dialog" aria-label="Privacy notice"><div class="message type-modal">
<div class="message-row"><p class="message-component message-text"><strong>We value your privacy.</strong>
We and our partners store and/or access information on a device, such as cookies, and process personal data,
such as unique identifiers and standard information sent by a device for personalised advertising and content,
advertising and content measurement, audience research and services development.</p></div>
<div class="message-row message-buttons">
<button class="message-component message-button no-children focusable sp_choice_type_12" title="Manage settings" data-choice="options">Manage settings</button>
<button class="message-component message-button no-children focusable sp_choice_type_13" title="Reject" data-choice="reject">Reject</button>
<button class="message-component message-button no-children focusable sp_choice_type_11" title="Accept" data-choice="accept">Accept</button>
</div></div></div>
{_SP_FRAME_JS}
</body></html>
"""
SOURCEPOINT_MANAGER = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Privacy Manager</title><style>{_SP_FRAME_CSS}</style></head><body>
<div class="message-container" role="dialog" aria-label="Privacy manager"><div class="message type-modal">
<div class="message-row"><p>Purposes: store and/or access information on a device; personalised advertising;
advertising measurement.</p></div>
<div class="message-row message-buttons">
<button class="message-component message-button sp_choice_type_REJECT_ALL" title="Reject All" data-choice="reject">Reject All</button>
<button class="message-component message-button sp_choice_type_ACCEPT_ALL" title="Accept All" data-choice="accept">Accept All</button>
<button class="message-component message-button sp_choice_type_SAVE_AND_EXIT" title="Save &amp; Exit" data-choice="reject">Save &amp; Exit</button>
</div></div></div>
{_SP_FRAME_JS}
</body></html>
"""


# --- TrustArc ---------------------------------------------------------------------------------
# The TrustArc notice script fills the site's #consent_blackbar with #truste-consent-track
# (buttons #truste-consent-button, #truste-consent-required, #truste-show-consent): the
# "TrustArc-top" rule clicks "Required Only" and tests window.truste.eu.bindMap.prefCookie === "0".
# The choice goes to notice_preferences / notice_gdpr_prefs / cmapi_cookie_privacy.

TRUSTARC_SCRIPT = _script(
    JS_HELPERS,
    """
  var BOX = "%(box)", BTN = "%(button)", ROW = "%(row)";
  var saved = readCookie("notice_preferences");  // "0:" required only, "2:" all
  var LEVELS = {"0:": "0", "1:": "0,1", "2:": "0,1,2"};
  window.truste = window.truste || {};
  window.truste.eu = {
    bindMap: {prefCookie: saved ? LEVELS[saved] : undefined, domain: location.hostname, behavior: "expressed",
              behaviorManager: "eu", country: "gb", language: "en", categoryCount: 3},
    clickListener: function () { showPreferences(); }
  };
  window.truste.util = {readCookie: readCookie};
  window.PrivacyManagerAPI = {
    callApi: function (action, domain) {
      var level = window.truste.eu.bindMap.prefCookie;
      return {consent: level === undefined ? "denied" : (level === "0" ? "denied" : "approved"), source: level === undefined ? "implied" : "asserted"};
    }
  };
  function choose(level) {  // 0: required, 2: everything
    var groups = level === 0 ? "0" : "0,1,2";
    writeCookie("notice_preferences", level + ":");
    writeCookie("notice_gdpr_prefs", groups + "::implied,eu");
    writeCookie("notice_behavior", "expressed,eu");
    writeCookie("cmapi_cookie_privacy", level === 0 ? "permit 1 required" : "permit 1,2,3");
    window.truste.eu.bindMap.prefCookie = groups;
    var bar = document.getElementById("consent_blackbar");
    if (bar) bar.innerHTML = "";
    window.postMessage(JSON.stringify({source: "preference_manager", message: "submit_preferences", data: {value: groups}}), location.origin);
  }
  function showPreferences() {
    var bar = document.getElementById("consent_blackbar");
    bar.innerHTML = '<div class="truste_overlay" style="position: fixed; inset: 0; z-index: 2147483645; background: rgba(0, 0, 0, 0.5)"></div>'
      + '<div class="truste_box_overlay" role="dialog" aria-modal="true" aria-label="Cookie Preferences" style="' + BOX + '">'
      + "<p>Required cookies are always on. Functional and advertising cookies are off until you allow them.</p>"
      + '<div style="' + ROW + '"><button class="truste-submit-required" style="' + BTN + '">Submit Preferences</button>'
      + '<button class="truste-submit-all" style="' + BTN + '">Accept All</button></div></div>';
    bar.querySelector(".truste-submit-required").addEventListener("click", function () { choose(0); });
    bar.querySelector(".truste-submit-all").addEventListener("click", function () { choose(2); });
  }
  afterLoad(50, function () {
    if (saved) return;
    var bar = document.getElementById("consent_blackbar");
    bar.innerHTML = '<div id="truste-consent-track" class="truste-consent-track" role="region" aria-label="Cookie Consent Banner" style="' + BOX + '">'
      + '<div id="truste-consent-content" class="truste-consent-content">'
      + '<div id="truste-consent-text" class="truste-consent-text"><h2 id="truste-consent-title" style="font-size: 20px; margin: 0 0 8px">How we use cookies</h2>'
      + "<span>This site uses cookies and related technologies, as described in our privacy statement, for purposes that may "
      + "include site operation, analytics, enhanced user experience, or advertising. You may choose to consent to our use of "
      + "these technologies, or manage your own preferences.</span></div>"
      + '<div id="truste-consent-buttons" class="truste-consent-buttons" style="' + ROW + '">'
      + '<button id="truste-consent-button" type="button" class="truste-button1" style="' + BTN + '">Accept All Cookies</button>'
      + '<button id="truste-consent-required" type="button" class="truste-button2" style="' + BTN + '">Required Only</button>'
      + '<button id="truste-show-consent" type="button" class="truste-button3" style="' + BTN + '">Cookie Preferences</button>'
      + "</div></div></div>";
    bar.querySelector("#truste-consent-button").addEventListener("click", function () { choose(2); });
    bar.querySelector("#truste-consent-required").addEventListener("click", function () { choose(0); });
    bar.querySelector("#truste-show-consent").addEventListener("click", function () { window.truste.eu.clickListener(); });
  });
""",
)
TRUSTARC_PAGE = _story(
    "Temporary walkway will keep cyclists moving during bridge works",
    after='<div id="consent_blackbar"></div>\n<div id="teconsent"></div>\n' + TRUSTARC_SCRIPT,
)


# --- Cookiebot --------------------------------------------------------------------------------
# uc.js defines window.Cookiebot at once (the "Cybotcookiebot" rule detects it), shows
# #CybotCookiebotDialog (Cookiebot.dialog.visible, hasResponse false: the rule's popup check) with
# the level checkboxes and #CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll, which the
# rule clicks; withdraw() and hide() are the rule's other route. The choice goes to the
# CookieConsent cookie and Cookiebot.declined, which the rule's test reads.

COOKIEBOT_SCRIPT = _script(
    JS_HELPERS,
    """
  var BOX = "%(box)", BTN = "%(button)", ROW = "%(row)";
  var LEVELS = ["preferences", "statistics", "marketing"];
  var cb = {
    consented: false, declined: false, hasResponse: false, doNotTrack: false, version: 1,
    consentID: "0", consentUTC: null,
    consent: {necessary: true, preferences: false, statistics: false, marketing: false, method: null, stamp: "0"},
    dialog: {visible: false, template: "slideup"},
    show: function () { showDialog(); }, renew: function () { showDialog(); },
    hide: function () { hideDialog(); },
    withdraw: function () { submit({preferences: false, statistics: false, marketing: false}, "explicit"); },
    submitCustomConsent: function (preferences, statistics, marketing) {
      submit({preferences: !!preferences, statistics: !!statistics, marketing: !!marketing}, "explicit");
    },
    runScripts: function () {}, getScript: function () {}
  };
  window.Cookiebot = window.CookieConsent = cb;
  var saved = readCookie("CookieConsent");
  if (saved) {
    try {
      var s = JSON.parse(decodeURIComponent(saved));
      LEVELS.forEach(function (k) { cb.consent[k] = !!s[k]; });
      cb.hasResponse = true; cb.consentID = s.stamp; cb.consent.stamp = s.stamp; cb.consent.method = s.method;
      cb.consented = LEVELS.some(function (k) { return s[k]; }); cb.declined = !cb.consented;
    } catch (e) {}
  }
  var dialog = null;
  function fire(name) {
    window.dispatchEvent(new Event("Cookiebot" + name));
    if (typeof window["CookiebotCallback_" + name] === "function") window["CookiebotCallback_" + name]();
  }
  function submit(levels, method) {
    LEVELS.forEach(function (k) { cb.consent[k] = !!levels[k]; });
    cb.hasResponse = true;
    cb.consented = LEVELS.some(function (k) { return levels[k]; });
    cb.declined = !cb.consented;
    cb.consentID = cb.consent.stamp = "Vx3kQ9mT2bLp8Rz4Nw6Yc1Hd5Fg7Js0A==";
    cb.consent.method = method; cb.consentUTC = new Date();
    writeCookie("CookieConsent", encodeURIComponent(JSON.stringify({stamp: cb.consent.stamp, necessary: true,
      preferences: cb.consent.preferences, statistics: cb.consent.statistics, marketing: cb.consent.marketing,
      method: method, ver: 1, utc: Date.now(), region: "gb"})));
    fire(cb.consented ? "OnAccept" : "OnDecline");
    fire("OnConsentReady");
  }
  function hideDialog() {
    cb.dialog.visible = false;
    if (dialog) { dialog.style.display = "none"; dialog.classList.remove("CybotCookiebotDialogActive"); }
  }
  function showDialog() {
    if (!dialog) build();
    dialog.style.display = "block"; dialog.classList.add("CybotCookiebotDialogActive");
    cb.dialog.visible = true;
    fire("OnDialogDisplay");
  }
  function build() {
    var checks = '<input type="checkbox" id="CybotCookiebotDialogBodyLevelButtonNecessary" class="CybotCookiebotDialogBodyLevelButton CybotCookiebotDialogBodyLevelButtonDisabled" disabled checked>'
      + '<label for="CybotCookiebotDialogBodyLevelButtonNecessary"> Necessary </label>'
      + LEVELS.map(function (k) {
          var id = "CybotCookiebotDialogBodyLevelButton" + k.charAt(0).toUpperCase() + k.slice(1);
          return '<input type="checkbox" id="' + id + '" class="CybotCookiebotDialogBodyLevelButton" data-level="' + k + '"' + (cb.consent[k] ? " checked" : "") + '>'
            + '<label for="' + id + '"> ' + k.charAt(0).toUpperCase() + k.slice(1) + " </label>";
        }).join("");
    dialog = element('<div id="CybotCookiebotDialog" name="CybotCookiebotDialog" role="dialog" aria-modal="true" aria-labelledby="CybotCookiebotDialogBodyContentTitle"'
      + ' lang="en" dir="ltr" class="CybotEdge" data-template="slideup" style="display: none; ' + BOX + '">'
      + '<div id="CybotCookiebotDialogBody"><div id="CybotCookiebotDialogBodyContent">'
      + '<h2 id="CybotCookiebotDialogBodyContentTitle" style="font-size: 20px; margin: 0 0 8px">This website uses cookies</h2>'
      + '<div id="CybotCookiebotDialogBodyContentText">We use cookies to personalise content and ads, to provide social media features and to analyse '
      + "our traffic. We also share information about your use of our site with our social media, advertising and analytics partners "
      + "who may combine it with other information that you have provided to them.</div></div>"
      + '<div id="CybotCookiebotDialogBodyLevelWrapper"><div id="CybotCookiebotDialogBodyLevelButtons">' + checks + "</div>"
      + '<div id="CybotCookiebotDialogBodyLevelButtonsRow" style="' + ROW + '">'
      + '<button id="CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll" class="CybotCookiebotDialogBodyButton" style="' + BTN + '">Use necessary cookies only</button>'
      + '<button id="CybotCookiebotDialogBodyLevelButtonAccept" class="CybotCookiebotDialogBodyButton" style="' + BTN + '">Allow selection</button>'
      + '<button id="CybotCookiebotDialogBodyButtonAccept" class="CybotCookiebotDialogBodyButton" style="' + BTN + '">Allow all cookies</button>'
      + "</div></div></div></div>");
    document.body.appendChild(dialog);
    dialog.querySelector("#CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll").addEventListener("click", function () {
      submit({preferences: false, statistics: false, marketing: false}, "explicit"); hideDialog();
    });
    dialog.querySelector("#CybotCookiebotDialogBodyLevelButtonAccept").addEventListener("click", function () {
      var levels = {};
      dialog.querySelectorAll("input[data-level]").forEach(function (box) { levels[box.dataset.level] = box.checked; });
      submit(levels, "explicit"); hideDialog();
    });
    dialog.querySelector("#CybotCookiebotDialogBodyButtonAccept").addEventListener("click", function () {
      submit({preferences: true, statistics: true, marketing: true}, "explicit"); hideDialog();
    });
  }
  whenReady(function () {
    fire("OnLoad");
    if (cb.hasResponse) { fire("OnConsentReady"); return; }
    showDialog();
  });
""",
)
COOKIEBOT_PAGE = _story("Library exhibition shows the bridge designs", after=COOKIEBOT_SCRIPT)


# --- Usercentrics (v2 / "Browser UI") ---------------------------------------------------------
# loader.js appends #usercentrics-root and renders the banner in its open shadow root
# ([data-testid=uc-container], buttons uc-deny-all-button / uc-accept-all-button /
# uc-more-button); window.UC_UI is its API ("usercentrics-api" calls closeCMP, denyAllConsents,
# acceptAllConsents, areAllConsentsAccepted). The choice is kept in localStorage (uc_settings).

USERCENTRICS_SCRIPT = _script(
    JS_HELPERS,
    """
  var BOX = "%(box)", BTN = "%(button)", ROW = "%(row)";
  var SERVICES = [
    {id: "H1Vl5NidjWX", name: "Usercentrics Consent Management Platform", isEssential: true},
    {id: "HkocEodjb7", name: "Google Analytics", isEssential: false},
    {id: "S1_9Vsuj-Q", name: "Google Ads", isEssential: false},
    {id: "BJz7qNsdj-7", name: "YouTube Video", isEssential: false}
  ];
  var stored = null;
  try { stored = JSON.parse(localStorage.getItem("uc_settings")); } catch (e) { stored = null; }
  var consents = {};
  SERVICES.forEach(function (s) { consents[s.id] = s.isEssential || !!(stored && stored.services && stored.services[s.id]); });
  var root = null, shadow = null;
  function save(interaction) {
    var services = {};
    SERVICES.forEach(function (s) { services[s.id] = consents[s.id]; });
    localStorage.setItem("uc_settings", JSON.stringify({controllerId: "a1b2c3d4e5f6", services: services, version: "3.42.0"}));
    localStorage.setItem("uc_user_interaction", "true");
    window.dispatchEvent(new CustomEvent("UC_UI_CMP_EVENT", {detail: {source: "FIRST_LAYER", type: interaction}}));
    window.dispatchEvent(new CustomEvent("ucEvent", {detail: {event: "consent_status", type: "EXPLICIT", action: interaction}}));
  }
  function closeBanner() {
    if (shadow) shadow.innerHTML = "";
    document.body.classList.remove("overflowHidden");
  }
  function setAll(on, interaction) {
    SERVICES.forEach(function (s) { consents[s.id] = s.isEssential || on; });
    save(interaction); closeBanner();
  }
  window.UC_UI = {
    isInitialized: function () { return true; },
    isConsentRequired: function () { return localStorage.getItem("uc_user_interaction") !== "true"; },
    acceptAllConsents: function () { setAll(true, "ACCEPT_ALL"); return Promise.resolve(); },
    denyAllConsents: function () { setAll(false, "DENY_ALL"); return Promise.resolve(); },
    closeCMP: function () { closeBanner(); return Promise.resolve(); },
    showFirstLayer: function () { render("first"); return Promise.resolve(); },
    showSecondLayer: function () { render("second"); return Promise.resolve(); },
    acceptService: function (id) { consents[id] = true; save("SAVE"); return Promise.resolve(); },
    rejectService: function (id) { consents[id] = SERVICES.some(function (s) { return s.id === id && s.isEssential; }); save("SAVE"); return Promise.resolve(); },
    areAllConsentsAccepted: function () { return SERVICES.every(function (s) { return consents[s.id]; }); },
    getServicesBaseInfo: function () {
      return SERVICES.map(function (s) { return {id: s.id, name: s.name, isEssential: s.isEssential, consent: {status: consents[s.id]}}; });
    }
  };
  function render(layer) {
    var body = layer === "second"
      ? SERVICES.map(function (s) {
          return '<label style="display: block"><input type="checkbox" data-service="' + s.id + '"' + (consents[s.id] ? " checked" : "")
            + (s.isEssential ? " disabled" : "") + "> " + s.name + "</label>";
        }).join("")
      : '<p id="uc-privacy-description">We use cookies and other technologies on our website. Some of them are essential, while others help us to '
        + "improve this website and your experience. Personal data may be processed (e.g. IP addresses), for example for personalized ads "
        + "and content or ad and content measurement. You can revoke or adjust your selection at any time under Settings.</p>";
    shadow.innerHTML = '<div data-testid="uc-app-container" class="sc-dcJsrY">'
      + '<div id="uc-center-container" data-testid="uc-container" role="dialog" aria-modal="true" aria-labelledby="uc-privacy-title" style="' + BOX + '">'
      + '<h2 id="uc-privacy-title" style="font-size: 20px; margin: 0 0 8px">Privacy Settings</h2>' + body
      + '<div data-testid="uc-buttons-container" style="' + ROW + '">'
      + (layer === "second"
          ? '<button data-testid="uc-save-button" role="button" style="' + BTN + '">Save Settings</button>'
          : '<button data-testid="uc-more-button" role="button" style="' + BTN + '">Settings</button>')
      + '<button data-testid="uc-deny-all-button" role="button" style="' + BTN + '">Deny</button>'
      + '<button data-testid="uc-accept-all-button" role="button" style="' + BTN + '">Accept All</button>'
      + "</div></div></div>";
    shadow.querySelector('[data-testid="uc-deny-all-button"]').addEventListener("click", function () { setAll(false, "DENY_ALL"); });
    shadow.querySelector('[data-testid="uc-accept-all-button"]').addEventListener("click", function () { setAll(true, "ACCEPT_ALL"); });
    var more = shadow.querySelector('[data-testid="uc-more-button"]');
    if (more) more.addEventListener("click", function () { render("second"); });
    var saveButton = shadow.querySelector('[data-testid="uc-save-button"]');
    if (saveButton) saveButton.addEventListener("click", function () {
      shadow.querySelectorAll("input[data-service]").forEach(function (box) { consents[box.dataset.service] = box.checked; });
      save("SAVE"); closeBanner();
    });
    document.body.classList.add("overflowHidden");
  }
  afterLoad(150, function () {
    root = element('<div id="usercentrics-root" data-nosnippet=""></div>');
    document.body.appendChild(root);
    shadow = root.attachShadow({mode: "open"});
    window.dispatchEvent(new Event("UC_UI_INITIALIZED"));
    if (window.UC_UI.isConsentRequired()) render("first");
  });
""",
)
USERCENTRICS_PAGE = _story(
    "Bus operator adds two morning services for the detour",
    after=USERCENTRICS_SCRIPT,
    head="<style>body.overflowHidden { overflow: hidden; }</style>",
)


# --- Google Funding Choices -------------------------------------------------------------------
# fundingchoicesmessages.google.com's script appends .fc-consent-root with .fc-dialog-container:
# buttons .fc-cta-do-not-consent, .fc-cta-consent and .fc-cta-manage-options (which opens the
# purposes with .fc-preference-consent checkboxes and .fc-confirm-choices). The choice is the TC
# string (FC is a TCF CMP, id 300) and the FCCDCF cookie.

FUNDING_CHOICES_SCRIPT = _script(
    JS_HELPERS,
    _tcf_api_js(300),
    """
  var tcf = installTcfApi();
  var BOX = "%(box)", BTN = "%(button)", ROW = "%(row)";
  var PURPOSES = ["Store and/or access information on a device", "Use limited data to select advertising",
                  "Create profiles for personalised advertising", "Measure advertising performance"];
  window.googlefc = window.googlefc || {};
  window.googlefc.callbackQueue = window.googlefc.callbackQueue || [];
  window.googlefc.ConsentStatusEnum = {UNKNOWN: 0, CONSENT_NOT_REQUIRED: 1, CONSENTED: 2, NOT_CONSENTED: 3};
  var root = null;
  function choose(accepted) {
    tcf.choose(accepted);
    writeCookie("FCCDCF", encodeURIComponent(JSON.stringify([null, null, null, [readCookie("euconsent-v2"), "1~"], null, null, [[32, "[\\"" + (accepted ? "c" : "n") + "\\"]"]]])));
    if (root) root.remove();
    document.body.classList.remove("fc-dialog-open");
  }
  function button(cls, label) {
    return '<button class="fc-button ' + cls + '" role="button" aria-label="' + label + '" tabindex="0" style="' + BTN + '">'
      + '<div class="fc-button-background"></div><p class="fc-button-label" style="margin: 0">' + label + "</p></button>";
  }
  function manage() {
    var dialog = root.querySelector(".fc-dialog");
    dialog.innerHTML = '<div class="fc-dialog-content"><h1 class="fc-dialog-headline" style="font-size: 18px; margin: 0 0 8px">Manage your data</h1>'
      + PURPOSES.map(function (p, i) {
          return '<label style="display: block"><input type="checkbox" class="fc-preference-consent" data-purpose="' + (i + 1) + '" checked> ' + p + "</label>";
        }).join("")
      + '</div><div class="fc-footer-buttons-container" style="' + ROW + '">' + button("fc-confirm-choices fc-primary-button", "Confirm choices") + "</div>";
    dialog.querySelector(".fc-confirm-choices").addEventListener("click", function () {
      choose(dialog.querySelectorAll(".fc-preference-consent:checked").length === PURPOSES.length);
    });
  }
  afterLoad(250, function () {
    if (tcf.decided()) return;
    root = element('<div class="fc-consent-root" dir="ltr"><div class="fc-dialog-overlay" style="position: fixed; inset: 0; z-index: 2147483645; background: rgba(0, 0, 0, 0.4)"></div>'
      + '<div class="fc-dialog-container" tabindex="0" style="' + BOX + '">'
      + '<div class="fc-dialog fc-choice-dialog" role="dialog" aria-modal="true" aria-labelledby="fc-dialog-headline">'
      + '<div class="fc-dialog-content"><div class="fc-header fc-dialog-header">'
      + '<h1 class="fc-dialog-headline" id="fc-dialog-headline" style="font-size: 18px; margin: 0 0 8px">' + location.hostname + " asks for your consent to use your personal data to:</h1></div>"
      + '<div class="fc-stacks"><p class="fc-stack-name">Personalised advertising and content, advertising and content measurement, audience research and services development</p>'
      + '<p class="fc-stack-name">Store and/or access information on a device</p></div>'
      + '<div class="fc-dialog-body">Your personal data will be processed and information from your device (cookies, unique identifiers, and other device data) '
      + "may be stored by, accessed by and shared with 142 TCF vendor(s) and 65 ad partner(s), or used specifically by this site or app.</div></div>"
      + '<div class="fc-footer-buttons-container" style="' + ROW + '"><div class="fc-footer-buttons">'
      + button("fc-cta-do-not-consent fc-secondary-button", "Do not consent")
      + button("fc-cta-consent fc-primary-button", "Consent")
      + '</div><div class="fc-footer-buttons-divider"></div>'
      + button("fc-cta-manage-options fc-secondary-button", "Manage options")
      + "</div></div></div></div>");
    document.body.appendChild(root);
    document.body.classList.add("fc-dialog-open");
    root.querySelector(".fc-cta-do-not-consent").addEventListener("click", function () { choose(false); });
    root.querySelector(".fc-cta-consent").addEventListener("click", function () { choose(true); });
    root.querySelector(".fc-cta-manage-options").addEventListener("click", manage);
    tcf.shown();
    window.googlefc.callbackQueue.forEach(function (cb) { if (typeof cb === "function") cb(); });
  });
""",
)
FUNDING_CHOICES_PAGE = _story(
    "Complaints hotline to open when scaffolding goes up",
    after=FUNDING_CHOICES_SCRIPT,
    head="<style>body.fc-dialog-open { overflow: hidden; }</style>",
)


# --- an unknown CMP that only speaks IAB TCF --------------------------------------------------
# No autoconsent rule names it: a fixed role=dialog with the TCF wording and "Reject all" /
# "Accept all", found by autoconsent's heuristic (enableHeuristicDetection, heuristicMode reject).

TCF_SCRIPT = _script(
    JS_HELPERS,
    _tcf_api_js(1423),
    """
  var tcf = installTcfApi();
  var BOX = "%(box)", BTN = "%(button)", ROW = "%(row)";
  var prompt = null;
  function choose(accepted) {
    tcf.choose(accepted);
    if (prompt) prompt.remove();
  }
  afterLoad(300, function () {
    if (tcf.decided()) return;
    prompt = element('<div id="lvc-privacy-prompt" class="lvc-prompt" role="dialog" aria-modal="true" aria-labelledby="lvc-prompt-title" style="' + BOX + '">'
      + '<h2 id="lvc-prompt-title" style="font-size: 20px; margin: 0 0 8px">Your privacy choices</h2>'
      + "<p>We and our partners store and/or access information on a device, such as cookies, and process personal data, such as "
      + "unique identifiers and standard information sent by a device for personalised advertising and content, advertising and "
      + "content measurement, audience research and services development.</p>"
      + '<div class="lvc-prompt-actions" style="' + ROW + '">'
      + '<button type="button" class="lvc-reject" style="' + BTN + '">Reject all</button>'
      + '<button type="button" class="lvc-accept" style="' + BTN + '">Accept all</button>'
      + "</div></div>");
    document.body.appendChild(prompt);
    prompt.querySelector(".lvc-reject").addEventListener("click", function () { choose(false); });
    prompt.querySelector(".lvc-accept").addEventListener("click", function () { choose(true); });
    tcf.shown();
  });
""",
)
TCF_PAGE = _story("Engineers find two arches have shifted since the flood", after=TCF_SCRIPT)


# --- the fold ---------------------------------------------------------------------------------
# Three paragraphs, then the rest hidden until "Continue reading"; around it, links and buttons
# that must never be followed (subscribe, log in, pay, leave for the next story).

FOLD_PAGE = _article_page(
    "Council votes to keep the bridge open to buses",
    _paragraphs(PARAGRAPHS[:3])
    + """
<div id="article-rest" class="article-rest" hidden>
"""
    + _paragraphs(PARAGRAPHS[3:5] + [FOLDED_SENTENCE + " " + PARAGRAPHS[5]] + PARAGRAPHS[6:])
    + """
</div>
<button type="button" class="continue-reading" aria-expanded="false" aria-controls="article-rest">Continue reading</button>
<aside class="offer">
<p>Enjoying this story? Unlock the archive for a day.</p>
<form action="/obstacles/forbidden/buy" method="post"><button type="submit">Read more for $1</button></form>
</aside>
<p class="next-story"><a href="/obstacles/forbidden/next-story">Read more: the next story</a></p>
<script>
document.querySelector(".continue-reading").addEventListener("click", function () {
  var rest = document.getElementById(this.getAttribute("aria-controls"));
  rest.hidden = false;
  this.setAttribute("aria-expanded", "true");
  this.hidden = true;
});
</script>""",
    nav='<nav><a href="/obstacles/forbidden/subscribe">Subscribe</a><a href="/obstacles/forbidden/login">Log in</a></nav>',
)


# --- paywalls ---------------------------------------------------------------------------------
# Soft: the whole text is in the page, but a cyan overlay covers the lower part of the viewport,
# the body cannot scroll, the article body is clamped and the paragraphs after the second blurred.

SOFT_PAYWALL_PAGE = _article_page(
    "Contractor named for the Old Mill Bridge repairs",
    '<div class="article-body paywall-clamp">\n'
    + _paragraphs(PARAGRAPHS[:2])
    + "\n"
    + "\n".join(
        f'<p class="paywall-blur">{text}</p>'
        for text in PARAGRAPHS[2:5] + [SOFT_PAYWALL_SENTENCE + " " + PARAGRAPHS[5]] + PARAGRAPHS[6:]
    )
    + "\n</div>",
    head="""<style>
.paywall-clamp { max-height: 400px; overflow: hidden; }
.paywall-blur { filter: blur(4px); user-select: none; }
</style>""",
    after=f"""<div id="paywall-overlay" class="paywall-overlay" role="dialog" aria-labelledby="paywall-title"
 style="position: fixed; left: 0; right: 0; bottom: 0; height: 45vh; z-index: 2147483000; box-sizing: border-box;
 padding: 28px 32px; background: {CYAN}; color: #000; font: 17px/1.45 Arial, Helvetica, sans-serif; display: none">
<h2 id="paywall-title" style="margin: 0 0 8px">Subscribe to keep reading</h2>
<p>You have read all of your free articles this month. Subscribers get unlimited access to local news.</p>
<p><a href="/obstacles/forbidden/subscribe" class="paywall-subscribe">Subscribe now</a></p>
</div>
<script>
(function () {{
  function wall() {{
    document.getElementById("paywall-overlay").style.display = "block";
    document.body.style.overflow = "hidden";
  }}
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wall); else wall();
}})();
</script>""",
    nav='<nav><a href="/obstacles/forbidden/subscribe">Subscribe</a><a href="/obstacles/forbidden/login">Log in</a></nav>',
)

# Hard: headline, standfirst and the first paragraph; the rest is not in the page at all.
HARD_PAYWALL_LEAD = (
    "The firm chosen to repair the Old Mill Bridge has restored three listed viaducts in the north "
    "of England, the council confirmed on Wednesday."
)
HARD_PAYWALL_PAGE = _article_page(
    "Firm with viaduct record wins bridge contract",
    f"""<p>{HARD_PAYWALL_LEAD}</p>
<div class="paywall-box" style="background: {CYAN}; color: #000; padding: 24px 28px; margin: 24px 0;
 font: 17px/1.45 Arial, Helvetica, sans-serif">
<p style="margin: 0 0 10px"><strong>This article is for subscribers only. Subscribe to continue reading.</strong></p>
<p style="margin: 0"><a href="/obstacles/forbidden/subscribe">Subscribe</a> &middot;
<a href="/obstacles/forbidden/login">Already a subscriber? Log in</a></p>
</div>""",
    nav='<nav><a href="/obstacles/forbidden/subscribe">Subscribe</a><a href="/obstacles/forbidden/login">Log in</a></nav>',
)


# --- a bot challenge, a rate limit, a login wall, a captcha -----------------------------------

CHALLENGE_RAY = "8a1f3c5e7b9d2f40"
CHALLENGE_PAGE = (
    """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta http-equiv="X-UA-Compatible" content="IE=Edge">
<meta name="robots" content="noindex,nofollow">
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>*{box-sizing:border-box;margin:0;padding:0}html{line-height:1.15;-webkit-text-size-adjust:100%;color:#313131}
button,html{font-family:system-ui,-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
body{display:flex;flex-direction:column;height:100vh;min-height:100vh}.main-content{margin:8rem auto;max-width:60rem;
padding-left:1.5rem;padding-right:1.5rem;width:100%}.h1{font-size:2.5rem;font-weight:500;line-height:3.75rem}
.h2{font-size:1.5rem;font-weight:500;line-height:2.25rem}.core-msg{font-size:1rem;font-weight:400;line-height:1.5rem}
.spacer{margin:2rem 0}.footer{font-size:.75rem;line-height:1.125rem;margin:0 auto;max-width:60rem;padding-left:1.5rem;
padding-right:1.5rem;width:100%}.footer-inner{border-top:1px solid #d9d9d9;padding-bottom:1rem;padding-top:1rem}
.text-center{text-align:center}.ray-id{text-align:center}.ray-id code{font-family:monaco,courier,monospace}
#challenge-success{display:none}</style>
<meta http-equiv="refresh" content="390">
</head><body class="no-js">
<div class="main-wrapper" role="main"><div class="main-content">
<h1 class="zone-name-title h1">{host}</h1>
<h2 id="challenge-running" class="h2">Checking if the site connection is secure</h2>
<noscript><div id="challenge-error-title"><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></div></noscript>
<div id="challenge-body-text" class="core-msg spacer">{host} needs to review the security of your connection before proceeding.</div>
<div id="challenge-stage" class="cf-challenge"><div id="turnstile-wrapper" class="cf-turnstile-wrapper"></div></div>
<div id="challenge-success" class="h2">Verification successful. Waiting for {host} to respond...</div>
<form id="challenge-form" action="/obstacles/challenge?__cf_chl_f_tk=Jm2fQx7Zt9LpW4sKd8Vn3Rb6Yc1Hg5Ae0Uo-1715677200-0-gaNycGzNC5E" method="POST" enctype="application/x-www-form-urlencoded">
<input type="hidden" name="md" value="tH3q8Zp1VwK6nR9bYx2Lc5Fj0Gd7Ms4Ae-1715677200-1.0.1.1-Qw8Er5Ty2Ui9Op3As6Df1Gh4Jk7Lz0Xc">
</form>
</div></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "{host}",cType: 'managed',cNounce: '41907',cRay: '"""
    + CHALLENGE_RAY
    + """',cHash: 'b8e2f0c4a6d9e1f3',cUPMDTk: "\\/obstacles\\/challenge?__cf_chl_tk=Jm2fQx7Zt9LpW4sKd8Vn3Rb6Yc1Hg5Ae0Uo-1715677200-0-gaNycGzNC5E",
cFPWv: 'b',cTTimeMs: '1000',cMTimeMs: '390000',cTplV: 5,cTplB: 'cf',cK: "",fa: "\\/obstacles\\/challenge?__cf_chl_f_tk=Jm2fQx7Zt9LpW4sKd8Vn3Rb6Yc1Hg5Ae0Uo-1715677200-0-gaNycGzNC5E",
md: "tH3q8Zp1VwK6nR9bYx2Lc5Fj0Gd7Ms4Ae-1715677200-1.0.1.1-Qw8Er5Ty2Ui9Op3As6Df1Gh4Jk7Lz0Xc",cRq: {ru: 'aHR0cDovLzEyNy4wLjAuMS9vYnN0YWNsZXMvY2hhbGxlbmdl',ra: 'TW96aWxsYS81LjA=',rm: 'R0VU',d: '',t: 'MTcxNTY3NzIwMC4wMDAwMDA=',cT: Math.floor(Date.now() / 1000),m: '',i1: '',i2: '',zh: '',uh: '',hh: ''}};
var cpo = document.createElement('script');
cpo.src = '/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray="""
    + CHALLENGE_RAY
    + """';
window._cf_chl_opt.cOgUHash = location.hash === '' && location.href.indexOf('#') !== -1 ? '#' : location.hash;
window._cf_chl_opt.cOgUQuery = location.search === '' && location.href.slice(0, location.href.length - window._cf_chl_opt.cOgUHash.length).indexOf('?') !== -1 ? '?' : location.search;
document.getElementsByTagName('head')[0].appendChild(cpo);
}());</script>
<div class="footer" role="contentinfo"><div class="footer-inner">
<div class="clearfix diagnostic-wrapper"><div class="ray-id">Ray ID: <code>"""
    + CHALLENGE_RAY
    + """</code></div></div>
<div class="text-center" id="footer-text">Performance &amp; security by Cloudflare</div>
</div></div>
</body></html>
"""
)
CHALLENGE_HEADERS = [
    ("Content-Type", "text/html; charset=UTF-8"),
    ("Server", "cloudflare"),
    ("cf-mitigated", "challenge"),
    ("CF-RAY", CHALLENGE_RAY + "-LHR"),
    ("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate, post-check=0, pre-check=0"),
    ("Expires", "Thu, 01 Jan 1970 00:00:01 GMT"),
    ("Cross-Origin-Embedder-Policy", "require-corp"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("X-Content-Type-Options", "nosniff"),
]

RATE_LIMITED_BODY = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>429 Too Many Requests</title></head>
<body><h1>Too Many Requests</h1><p>You have sent too many requests in a given amount of time. Please try again in a few seconds.</p></body></html>
"""
RATE_LIMITED_PAGE = _story("Bridge works will start in September, council confirms")

LOGIN_WALL_PAGE = _article_page(
    "Inside the plan to save the Old Mill Bridge",
    """<section class="login-wall" aria-labelledby="login-title">
<h2 id="login-title">Log in to read this article</h2>
<p>This story is available to registered readers.</p>
<form class="login-form" action="/obstacles/forbidden/login" method="post">
<p><label for="login-email">Email</label><br><input id="login-email" type="email" name="email" autocomplete="username"></p>
<p><label for="login-password">Password</label><br><input id="login-password" type="password" name="password" autocomplete="current-password"></p>
<p><button type="submit">Log in</button></p>
</form>
<p><a href="/obstacles/forbidden/subscribe">Not registered? Create a free account</a></p>
</section>""",
)

RECAPTCHA_SITEKEY = "6LfQx3kpAAAAAKp9Zb1mN4cR7tW2yV5uE8oI0sDf"
CAPTCHA_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Verification required | The Lune Valley Courier</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<style>{ARTICLE_CSS}</style>
</head><body>
<header class="masthead">The Lune Valley Courier</header>
<main>
<h1>Please verify you are a human</h1>
<p>We have seen unusual traffic from your network. Complete the check below to continue to the story.</p>
<form id="captcha-form" action="/obstacles/forbidden/verify" method="post">
<div class="g-recaptcha" data-sitekey="{RECAPTCHA_SITEKEY}" data-callback="onVerified">
<div style="width: 304px; height: 78px;"><div>
<iframe title="reCAPTCHA" width="304" height="78" role="presentation" name="a-8zq3xk9q2v1m" frameborder="0" scrolling="no"
 sandbox="allow-forms allow-popups allow-same-origin allow-scripts allow-top-navigation allow-modals allow-popups-to-escape-sandbox"
 src="{RECAPTCHA_PATH}?ar=1&amp;k={RECAPTCHA_SITEKEY}&amp;co=aHR0cDovLzEyNy4wLjAuMTo4MA..&amp;hl=en&amp;v=pCoGBhjs9s8EhFOHJFe8cqis&amp;size=normal&amp;cb=x7f2k9m4p1q8"></iframe>
</div><textarea id="g-recaptcha-response" name="g-recaptcha-response" class="g-recaptcha-response"
 style="width: 250px; height: 40px; border: 1px solid rgb(193, 193, 193); margin: 10px 25px; padding: 0px; resize: none; display: none;"></textarea></div>
</div>
<p><button type="submit">Continue</button></p>
</form>
</main>
</body></html>
"""
RECAPTCHA_ANCHOR = """<!doctype html>
<html dir="ltr" lang="en"><head><meta charset="utf-8"><title>reCAPTCHA</title>
<style>body{margin:0;font:14px Roboto,Arial,sans-serif}.rc-anchor{width:300px;height:74px;border:1px solid #d3d3d3;
background:#f9f9f9;border-radius:3px;display:flex;align-items:center;padding:0 12px;box-sizing:border-box}
.recaptcha-checkbox{width:24px;height:24px;border:2px solid #c1c1c1;border-radius:2px;background:#fff;margin-right:12px}</style>
</head><body>
<div id="rc-anchor-container" class="rc-anchor rc-anchor-normal rc-anchor-light">
<div id="recaptcha-anchor" class="recaptcha-checkbox" role="checkbox" aria-checked="false" tabindex="0" aria-labelledby="recaptcha-anchor-label"></div>
<label id="recaptcha-anchor-label">I'm not a robot</label>
</div>
</body></html>
"""

PLAIN_PAGE = _story("The Old Mill Bridge at 178: a short history of the crossing")

FORBIDDEN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Checkout</title></head>
<body><h1>Checkout</h1><p>This page must never be reached by the archiver.</p></body></html>
"""

_CONSENT_PAGES = {
    "onetrust": ONETRUST_PAGE,
    "didomi": DIDOMI_PAGE,
    "quantcast": QUANTCAST_PAGE,
    "sourcepoint": SOURCEPOINT_PAGE,
    "trustarc": TRUSTARC_PAGE,
    "cookiebot": COOKIEBOT_PAGE,
    "usercentrics": USERCENTRICS_PAGE,
    "funding-choices": FUNDING_CHOICES_PAGE,
    "tcf": TCF_PAGE,
}
_STATIC_PAGES = {
    PAGES["fold"]: FOLD_PAGE,
    PAGES["paywall-soft"]: SOFT_PAYWALL_PAGE,
    PAGES["paywall-hard"]: HARD_PAYWALL_PAGE,
    PAGES["login-wall"]: LOGIN_WALL_PAGE,
    PAGES["captcha"]: CAPTCHA_PAGE,
    PAGES["plain"]: PLAIN_PAGE,
    RECAPTCHA_PATH: RECAPTCHA_ANCHOR,
    SOURCEPOINT_MESSAGE_PATH: SOURCEPOINT_MESSAGE,
    SOURCEPOINT_MANAGER_PATH: SOURCEPOINT_MANAGER,
}


class ObstacleSite(FixtureApp):
    """The fixture site with the obstacle pages (PAGES) added; everything else as FixtureApp."""

    def __init__(self, embed_origin: str = "") -> None:
        super().__init__(embed_origin)
        self.forbidden_hits: list[str] = []  # paths under /obstacles/forbidden/ that were asked for
        self.rate_limited_hits = 0  # requests for /obstacles/rate-limited

    async def route(self, scope: dict[str, Any], headers: dict[str, str], body: bytes) -> Reply:
        path = scope["path"]
        html = [("Content-Type", "text/html; charset=utf-8")]
        if path.startswith(FORBIDDEN):
            self.forbidden_hits.append(path)
            return Reply(200, FORBIDDEN_PAGE.encode(), html)
        if path.startswith(CONSENT) and path[len(CONSENT) :] in _CONSENT_PAGES:
            page = _CONSENT_PAGES[path[len(CONSENT) :]]
            page = page.replace("{frame_origin}", f"http://localhost:{scope['server'][1]}")
            return Reply(200, page.encode(), html)
        if path in _STATIC_PAGES:
            return Reply(200, _STATIC_PAGES[path].encode(), html)
        if path == PAGES["challenge"]:
            host = headers.get("host", "127.0.0.1").split(":")[0]
            return Reply(403, CHALLENGE_PAGE.replace("{host}", host).encode(), list(CHALLENGE_HEADERS))
        if path.startswith(CHALLENGE_SCRIPT_PREFIX):
            return Reply(200, b"", [("Content-Type", "application/javascript"), ("Server", "cloudflare")])
        if path == PAGES["rate-limited"]:
            self.rate_limited_hits += 1
            if self.rate_limited_hits == 1:
                return Reply(429, RATE_LIMITED_BODY.encode(), html + [("Retry-After", str(RATE_LIMIT_RETRY_AFTER))])
            return Reply(200, RATE_LIMITED_PAGE.encode(), html)
        return await super().route(scope, headers, body)
