"""A subscriber news site for the profile tests (issue 23), on the fixture server.

- /sub/login: a form with a CSRF token (each token good once); POST with the right user and
  password sets an HttpOnly session cookie and sends the reader to /sub/account, whose script
  keeps an API token in local storage (as many sites' front ends do).
- /sub/article: the full story for a subscriber (who also sees `.account-menu`, and whose session
  cookie each visit renews with Set-Cookie), a teaser and a login form for anyone else. The page's
  script asks /sub/api/extra for one more paragraph with `Authorization: Bearer <API token>`; a
  reader who is not logged in gets a meter token in a script-readable cookie, which the page's
  script sends to /sub/api/meter as `Authorization: Bearer` (a secret with no profile at all).
- /sub/login-steps: the same login in two steps (the e-mail address, then the password).
- `expire()` ends every session, as a site logging the account out would.

The secrets a capture must never store: PASSWORD, the session cookie's value and the API token
(`secrets()` lists those issued so far).
"""

from __future__ import annotations

import html
import json
import secrets
from typing import Any
from urllib.parse import parse_qs

from tests.support.fixture_site import FixtureApp, Reply

USERNAME = "reader@example.org"
PASSWORD = "correct horse battery staple 7f3e"
SESSION_COOKIE = "sub_session"
CHECK = ".account-menu"
FULL_TEXT_MARK = "Only subscribers read this sentence about the harbour inquiry."
API_TEXT_MARK = "The inquiry's final figures, loaded for subscribers by the page's script."
TEASER_MARK = "The harbour inquiry opened on Monday."
LOGIN_PROMPT = "Log in to read the full story"

HTML = [("Content-Type", "text/html; charset=utf-8")]
STORY = [
    TEASER_MARK + " Its first witness was the port's former director.",
    *[
        f"Paragraph {n} of the subscriber story: the inquiry heard evidence on the harbour's "
        f"accounts, its contracts, its dredging and its debts, and on who knew what and when."
        for n in range(2, 14)
    ],
    FULL_TEXT_MARK,
]

LOGIN_FORM = """<form class="login" method="post" action="/sub/login">
<input type="hidden" name="csrf" value="{csrf}">
<label>E-mail <input type="email" name="email" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Log in</button>
</form>"""

LOGIN_PAGE = (
    """<!doctype html><html><head><meta charset="utf-8"><title>Log in - The Harbour Post</title></head>
<body><h1>Log in</h1>{error}"""
    + LOGIN_FORM
    + "</body></html>"
)

# A login in two steps, as many sites have it: the e-mail address first, then the password.
EMAIL_STEP_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Log in</title></head>
<body><h1>Log in</h1><form method="post" action="/sub/login-steps">
<label>E-mail address <input type="email" name="email"></label> <button>Continue</button></form></body></html>"""
PASSWORD_STEP_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Log in</title></head>
<body><h1>Enter your password</h1><p>{email}</p><form method="post" action="/sub/login">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="email" value="{email}">
<label>Password <input type="password" name="password"></label> <button>Log in</button></form></body></html>"""

ACCOUNT_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Your account</title></head>
<body><nav><a class="account-menu" href="/sub/account">My account</a></nav><h1>Welcome back</h1>
<script>localStorage.setItem("api_token", {token});</script></body></html>"""

ARTICLE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour inquiry hears from the port's director - The Harbour Post</title>
<meta property="og:title" content="Harbour inquiry hears from the port's director">
<meta property="og:type" content="article">
<meta name="author" content="Ana Lima">
<meta property="article:published_time" content="2026-11-30T08:00:00Z">
</head><body>
<header><a href="/">The Harbour Post</a> {account}</header>
<article><h1>Harbour inquiry hears from the port's director</h1>
<p class="byline">By Ana Lima</p>
{body}
<div id="extra"></div>
</article>
<script>
// A subscriber's page asks the API with the token its front end keeps (at replay there is none,
// and the archive answers the request all the same).
const token = localStorage.getItem("api_token");
// Anyone's page counts free articles with a token the server set in a script-readable cookie.
const meter = document.cookie.match(/(?:^|; )meter=(\\w+)/);
if (meter) fetch("/sub/api/meter", {{headers: {{"Authorization": "Bearer " + meter[1]}}}});
if (document.querySelector(".account-menu")) {{
  fetch("/sub/api/extra", {{headers: {{"Authorization": "Bearer " + token}}}})
    .then((r) => r.ok ? r.json() : null)
    .then((data) => {{ if (data) {{ const p = document.createElement("p"); p.textContent = data.text;
      document.getElementById("extra").appendChild(p); }} }});
}}
</script>
</body></html>"""


class SubscriberSite(FixtureApp):
    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, str] = {}  # session cookie value -> API token
        self.csrf_tokens: set[str] = set()
        self.logins = 0
        self.issued: list[str] = []  # every session value and API token handed out

    def secrets(self) -> list[str]:
        return [PASSWORD, *self.issued]

    def expire(self) -> None:
        self.sessions.clear()

    async def route(self, scope: dict[str, Any], headers: dict[str, str], body: bytes) -> Reply:
        path = scope["path"]
        if not path.startswith("/sub/"):
            return await super().route(scope, headers, body)
        session = self._session(headers)
        if path == "/sub/login" and scope["method"] == "POST":
            return self._log_in(body)
        if path == "/sub/login":
            return self._login_page("")
        if path == "/sub/login-steps" and scope["method"] == "POST":
            email = html.escape(parse_qs(body.decode())["email"][0])
            csrf = secrets.token_hex(8)
            self.csrf_tokens.add(csrf)
            return Reply(200, PASSWORD_STEP_PAGE.format(email=email, csrf=csrf).encode(), HTML)
        if path == "/sub/login-steps":
            return Reply(200, EMAIL_STEP_PAGE.encode(), HTML)
        if path == "/sub/account":
            if session is None:
                return Reply(303, b"", [("Location", "/sub/login")])
            return Reply(200, ACCOUNT_PAGE.format(token=json.dumps(self.sessions[session])).encode(), HTML)
        if path == "/sub/article":
            return self._article(session)
        if path == "/sub/api/extra":
            return self._api(headers)
        if path == "/sub/api/meter":
            return Reply(200, b'{"free_left": 2}', [("Content-Type", "application/json")])
        return Reply(404, b"not here", [("Content-Type", "text/plain")])

    def _session(self, headers: dict[str, str]) -> str | None:
        for pair in headers.get("cookie", "").split(";"):
            name, _, value = pair.strip().partition("=")
            if name == SESSION_COOKIE and value in self.sessions:
                return value
        return None

    def _login_page(self, error: str, status: int = 200) -> Reply:
        csrf = secrets.token_hex(8)
        self.csrf_tokens.add(csrf)
        page = LOGIN_PAGE.replace("{error}", error).replace("{csrf}", csrf)
        return Reply(status, page.encode(), HTML)

    def _log_in(self, body: bytes) -> Reply:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        csrf = form.get("csrf", "")
        if csrf not in self.csrf_tokens:
            return self._login_page("<p class=error>Your form expired: try again.</p>", 403)
        self.csrf_tokens.discard(csrf)
        if form.get("email") != USERNAME or form.get("password") != PASSWORD:
            return self._login_page("<p class=error>Wrong e-mail or password.</p>", 401)
        session, token = secrets.token_hex(16), secrets.token_hex(20)
        self.sessions[session] = token
        self.issued += [session, token]
        self.logins += 1
        cookie = f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400"
        return Reply(303, b"", [("Location", "/sub/account"), ("Set-Cookie", cookie)])

    def _article(self, session: str | None) -> Reply:
        if session is None:
            teaser = f"<p>{STORY[0]}</p><p><strong>{LOGIN_PROMPT}.</strong></p>" + LOGIN_FORM.replace(
                "{csrf}", "teaser"
            )
            page = ARTICLE_PAGE.format(account='<a href="/sub/login">Log in</a>', body=teaser)
            meter = secrets.token_hex(12)
            self.issued.append(meter)
            return Reply(200, page.encode(), HTML + [("Set-Cookie", f"meter={meter}; Path=/; SameSite=Lax")])
        body = "".join(f"<p>{text}</p>" for text in STORY)
        page = ARTICLE_PAGE.format(account=f'<a class="{CHECK[1:]}" href="/sub/account">My account</a>', body=body)
        renewed = f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400"
        return Reply(200, page.encode(), HTML + [("Set-Cookie", renewed), ("Cache-Control", "private")])

    def _api(self, headers: dict[str, str]) -> Reply:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.sessions.values():
            return Reply(401, b'{"error": "no token"}', [("Content-Type", "application/json")])
        return Reply(200, json.dumps({"text": API_TEXT_MARK}).encode(), [("Content-Type", "application/json")])
