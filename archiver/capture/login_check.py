"""Was the page seen logged in? With --profile, the profile's check is looked for on the page
once the behaviours have run (the verdicts make a page without it `partial`, `login-wall`)."""

from __future__ import annotations

from archiver.capture.session import CaptureSession


def has_a_check(session: CaptureSession) -> bool:
    return session.profile is not None and session.profile.check is not None and session.responsive()


async def check_login(session: CaptureSession) -> None:
    assert session.profile is not None and session.profile.check is not None and session.page is not None
    session.logged_in = await session.profile.check.holds_in(session.page)
