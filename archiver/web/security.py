"""What keeps the review app safe to point at hostile captures, as ASGI middleware.

- Every response carries a strict Content-Security-Policy: no script at all, styles and images
  from the app itself (images also as data: URIs, for the diff's screenshots), frames only from
  the replay origin (another port), nothing from any other host. A captured headline that holds
  markup is escaped by the templates; if something were ever missed, no script could run.
- A request made by another site's page (a replayed capture's scripts run on the replay origin,
  which is "same-site" as the app) is refused unless it is a top-level navigation: such a page
  can link to the app, never read from it.
- With a token (required for any address other than loopback), a request without it gets 401.
  The token is taken from `Authorization: Bearer`, from the cookie the app sets, or once from
  `?token=` (then the cookie is set and the token dropped from the address).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "archiver_token"


def content_security_policy(replay_origin: str | None) -> str:
    frames = replay_origin or "'none'"
    return (
        "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
        f"frame-src {frames}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


class Guarded:
    """The app wrapped in the headers, the same-site rule and the token check."""

    def __init__(self, app: ASGIApp, token: str | None, replay_origin: str | None) -> None:
        self.app = app
        self.token = token
        self.headers = [
            (b"content-security-policy", content_security_policy(replay_origin).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-resource-policy", b"same-origin"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        if _from_another_site(headers):
            await self._plain(send, 403, "refused: a request made by another site's page")
            return
        if self.token is not None:
            given = _token_given(scope, headers)
            if given is None or not hmac.compare_digest(given.encode(), self.token.encode()):
                await self._plain(send, 401, "a token is needed: open the address archiver serve printed")
                return
            if _query_token(scope) is not None:  # set the cookie, and drop the token from the address
                await self._set_cookie_and_redirect(scope, send)
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _plain(self, send: Send, status: int, text: str) -> None:
        body = (text + "\n").encode()
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": [*headers, *self.headers]})
        await send({"type": "http.response.body", "body": body})

    async def _set_cookie_and_redirect(self, scope: Scope, send: Send) -> None:
        query = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode()) if k != "token"]
        location = scope["path"] + ("?" + urlencode(query) if query else "")
        cookie = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
        headers = [(b"location", location.encode()), (b"set-cookie", cookie.encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 303, "headers": [*headers, *self.headers]})
        await send({"type": "http.response.body", "body": b""})


def _from_another_site(headers: dict[str, str]) -> bool:
    site = headers.get("sec-fetch-site")
    if site not in ("same-site", "cross-site"):
        return False  # same-origin, typed or bookmarked (none), or a client that sends no such header
    return not (headers.get("sec-fetch-mode") == "navigate" and headers.get("sec-fetch-dest") == "document")


def _query_token(scope: Scope) -> str | None:
    return dict(parse_qsl(scope.get("query_string", b"").decode())).get("token")


def _token_given(scope: Scope, headers: dict[str, str]) -> str | None:
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except ValueError:
        pass
    if COOKIE in cookie:
        return cookie[COOKIE].value
    return _query_token(scope)
