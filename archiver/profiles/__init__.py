"""Browser profiles: a subscriber's logged-in state, kept on this machine only, never in an archive.

`store` (the profiles folder, one owner-only JSON file per profile, the redaction key), `cookies_txt`
(a Netscape cookies.txt as Playwright cookies), `check` (what proves a page was seen logged in),
`login` (a form login in a real browser, whose state becomes the profile).
"""
