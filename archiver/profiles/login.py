"""A form login in a real browser, whose state (cookies, local storage) becomes a profile.

The login page is loaded through the network guard like any capture; its username and password
fields are found generically when no selectors are given (the visible password field, the
username field before it in its form, the form's submit button, else Enter), filled and sent; a
login in two steps (the user name first, the password on the page that follows) is followed.
The login held when the profile's check is on the page it lands on (without a check: when no
password field is left). The password is read from its file for this one login and kept in no
file, log or message; nothing of the login is archived.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page
from playwright.async_api import Error as PlaywrightError

from archiver.browser.guard_proxy import GuardProxy
from archiver.browser.netguard import NetworkAccess, NetworkGuard
from archiver.errors import explain_net_error, first_line
from archiver.profiles.check import LoginCheck
from archiver.profiles.store import LoginRecipe, ProfileError

MARK = "data-archiver-login"  # set on the fields found, so that Playwright can fill them
POLL = 0.25

# Which fields are the login form's: marks them, says which were found. Without a password field
# on the page (a login in two steps: the user name first), the user name field and its button.
FIND_FIELDS_JS = """(mark) => {
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none"; };
  document.querySelectorAll(`[${mark}]`).forEach((el) => el.removeAttribute(mark));
  const textual = (el) => ["text", "email", "tel", ""].includes((el.getAttribute("type") || "").toLowerCase());
  const named = /user|e-?mail|login|account|name/i;
  const password = [...document.querySelectorAll("input[type=password]")].find(visible);
  if (password) password.setAttribute(mark, "password");
  const scope = (password && password.form) || document;
  const inputs = [...scope.querySelectorAll("input")].filter(visible);
  const before = (password ? inputs.slice(0, inputs.indexOf(password)) : inputs).filter(textual);
  const username = before.find((el) => /username|email/i.test(el.autocomplete || "")) ||
    [...before].reverse().find((el) => named.test(el.name + " " + el.id + " " + (el.placeholder || ""))) ||
    (password ? before[before.length - 1] : null);
  if (username) username.setAttribute(mark, "username");
  const form = (password && password.form) || (username && username.form) || document;
  const submit = [...form.querySelectorAll("button, input[type=submit], input[type=image]")].find(
    (el) => visible(el) && (el.type === "submit" || el.type === "image" || !el.getAttribute("type")));
  if (submit) submit.setAttribute(mark, "submit");
  return {password: !!password, username: !!username, submit: !!submit};
}"""
PASSWORD_LEFT_JS = """() => [...document.querySelectorAll("input[type=password]")].some((el) => {
  const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; })"""


@dataclass(frozen=True)
class LoginSettings:
    user_agent: str
    timeout: float = 30.0  # for the login page to load, and for the login to take
    allow_private: bool = False
    access: NetworkAccess = field(default_factory=NetworkAccess)


def read_password(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(
            f"the password file {path} cannot be read: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    password = text[:-1] if text.endswith("\n") else text
    password = password[:-1] if password.endswith("\r") else password
    if not password:
        raise ProfileError(f"the password file {path} is empty")
    return password


async def log_in(
    browser: Browser, recipe: LoginRecipe, check: LoginCheck | None, settings: LoginSettings
) -> dict[str, Any]:
    """Log in as `recipe` says; the browser state (Playwright's storage state) once it held."""
    password = read_password(recipe.password_file)
    guard = NetworkGuard(recipe.url, settings.allow_private, settings.access)
    await guard.start()
    proxy = await GuardProxy(guard).start()
    context = await browser.new_context(
        user_agent=settings.user_agent, service_workers="block", proxy={"server": proxy.address}
    )
    try:
        page = await context.new_page()
        await _load(page, recipe.url, settings.timeout)
        await _fill_and_send(page, recipe, password, settings.timeout)
        await _wait_until_logged_in(page, check, settings.timeout)
        return dict(await context.storage_state())
    finally:
        await context.close()
        await proxy.close()


async def _load(page: Page, url: str, timeout: float) -> None:
    try:
        response = await page.goto(url, wait_until="load", timeout=timeout * 1000)
    except PlaywrightError as exc:
        raise ProfileError(f"the login page {url} did not load: {explain_net_error(str(exc))}") from None
    if response is not None and response.status >= 400:
        raise ProfileError(f"the login page {url} answered HTTP {response.status}")


async def _fill_and_send(page: Page, recipe: LoginRecipe, password: str, timeout: float) -> None:
    found = await _fields(page, recipe)
    if found["password"] is None and found["username"] is None:
        raise ProfileError(f"no login form found on {page.url}: name its fields with --username-selector CSS")
    try:
        if found["username"] is not None:
            await page.locator(found["username"]).first.fill(recipe.username, timeout=10_000)
        if found["password"] is None:  # two steps: the user name is sent first, the password asked next
            await _send(page, found, found["username"])
            found = await _password_asked(page, recipe, timeout)
        await page.locator(str(found["password"])).first.fill(password, timeout=10_000)
        await _send(page, found, str(found["password"]))
    except PlaywrightError as exc:
        raise ProfileError(f"the login form on {page.url} could not be filled in: {first_line(str(exc))}") from None


async def _fields(page: Page, recipe: LoginRecipe) -> dict[str, str | None]:
    """The selector of each field of the form on the page (the recipe's, else the one found)."""
    found = await page.evaluate(FIND_FIELDS_JS, MARK)
    given = {
        "username": recipe.username_selector,
        "password": recipe.password_selector,
        "submit": recipe.submit_selector,
    }
    fields: dict[str, str | None] = {}
    for role, selector in given.items():
        if selector and await page.locator(selector).count():
            fields[role] = selector
        else:
            fields[role] = f"[{MARK}={role}]" if found[role] else None
    return fields


async def _send(page: Page, fields: dict[str, str | None], field: str | None) -> None:
    if fields["submit"]:
        await page.locator(fields["submit"]).first.click(timeout=10_000)
    elif field:
        await page.locator(field).first.press("Enter", timeout=10_000)


async def _password_asked(page: Page, recipe: LoginRecipe, timeout: float) -> dict[str, str | None]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(POLL)
        with contextlib.suppress(PlaywrightError):  # the page navigated while it was asked: ask again
            fields = await _fields(page, recipe)
            if fields["password"] is not None:
                return fields
    raise ProfileError(
        f"no password field came after the user name was sent ({page.url}): name it with --password-selector CSS"
    )


async def _wait_until_logged_in(page: Page, check: LoginCheck | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        await asyncio.sleep(POLL)
        try:
            await page.wait_for_load_state("load", timeout=max(1.0, deadline - time.monotonic()) * 1000)
            if check is not None:
                if await check.holds_in(page):
                    return
            elif not await page.evaluate(PASSWORD_LEFT_JS):
                return
        except PlaywrightError:
            pass  # the page navigated while it was asked: ask again
        if time.monotonic() > deadline:
            break
    proof = f"the check {check.describe()} is not" if check else "a password field is still"
    raise ProfileError(f"the login did not go through: {proof} on the page it led to ({page.url}); nothing was saved")
