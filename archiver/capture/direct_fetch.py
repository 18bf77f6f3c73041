"""Fetch a file outside the browser, for what Chromium will not hand over (a download).

Playwright's own HTTP client shares the browser context's cookies; the request headers it sends
are set here, explicitly, so the request record says exactly what was sent. `identity` encoding is
asked for, so the body arrives as the server stored it and nothing is decoded on the way.
"""

from __future__ import annotations

from datetime import datetime, timezone

from playwright.async_api import BrowserContext

from archiver.capture.exchange import Exchange, RecordedRequest, RecordedResponse

DIRECT_FETCH_RESOURCE_TYPE = "direct-fetch"


async def fetch_outside_browser(context: BrowserContext, url: str, user_agent: str, timeout: float) -> Exchange:
    cookies = await context.cookies(url)
    headers = {"User-Agent": user_agent, "Accept": "*/*", "Accept-Encoding": "identity"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    started = datetime.now(timezone.utc)
    response = await context.request.get(url, headers=headers, max_redirects=0, timeout=timeout * 1000)
    try:
        server = await response.server_addr()
        security = await response.security_details()
        recorded = RecordedResponse(
            status=response.status,
            reason=response.status_text,
            headers=[(h["name"], h["value"]) for h in response.headers_array],
            body=await response.body(),
            http_version="HTTP/1.1",  # Playwright's client speaks HTTP/1.1 only
            server_ip=server["ipAddress"] if server else None,
            server_port=server["port"] if server else None,
            tls_protocol=security.get("protocol") if security else None,
        )
    finally:
        await response.dispose()
    request = RecordedRequest("GET", url, list(headers.items()))
    return Exchange(request=request, response=recorded, started_at=started, resource_type=DIRECT_FETCH_RESOURCE_TYPE)
