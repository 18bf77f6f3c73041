"""A form login in a real browser, whose state (cookies, local storage) becomes a profile.

The login page is loaded through the network guard like any capture; its username and password
fields are found generically when no selectors are given (the visible password field, the
username field before it in its form, the form's submit button, else Enter), filled and sent.
The login held when the profile's check is on the page it lands on (without a check: when no
password field is left). The password is read from its file for this one login and kept in no
file, log or message; nothing of the login is archived.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page
from playwright.async_api import Error as PlaywrightError

from archiver.browser.guard_proxy import GuardProxy
from archiver.browser.netguard import NetworkAccess, NetworkGuard
from archiver.errors import explain_net_error
from archiver.profiles.check import LoginCheck
from archiver.profiles.store import LoginRecipe, ProfileError

MARK = "data-archiver-login"  # set on the fields found, so that Playwright can fill them
POLL = 0.25

# Which fields are the login form's: marks them, says which were found.
FIND_FIELDS_JS = """(mark) => {
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none"; };
  const password = [...document.querySelectorAll("input[type=password]")].find(visible);
  if (!password) return {password: false, username: false, submit: false};
  password.setAttribute(mark, "password");
  const scope = password.form || document;
  const inputs = [...scope.querySelectorAll("input")].filter(visible);
  const before = inputs.slice(0, inputs.indexOf(password)).filter(
    (el) => ["text", "email", "tel", ""].includes((el.getAttribute("type") || "").toLowerCase()));
  const named = /user|e-?mail|login|account|name/i;
  const username = before.find((el) => /username|email/i.test(el.autocomplete || "")) ||
    before.reverse().find((el) => named.test(el.name + " " + el.id + " " + (el.placeholder || ""))) ||
    before[0];
  if (username) username.setAttribute(mark, "username");
  const submit = [...scope.querySelectorAll("button, input[type=submit], input[type=image]")].find(
    (el) => visible(el) && (el.type === "submit" || el.type === "image" || !el.getAttribute("type")));
  if (submit) submit.setAttribute(mark, "submit");
  return {password: true, username: !!username, submit: !!submit};
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
        await _fill_and_send(page, recipe, password)
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


async def _fill_and_send(page: Page, recipe: LoginRecipe, password: str) -> None:
    found = await page.evaluate(FIND_FIELDS_JS, MARK)
    fields = {
        "username": recipe.username_selector or (f"[{MARK}=username]" if found["username"] else None),
        "password": recipe.password_selector or (f"[{MARK}=password]" if found["password"] else None),
        "submit": recipe.submit_selector or (f"[{MARK}=submit]" if found["submit"] else None),
    }
    for role in ("username", "password"):
        if fields[role] is None:
            raise ProfileError(f"no {role} field found on {page.url}: name it with --{role}-selector CSS")
    try:
        await page.locator(str(fields["username"])).first.fill(recipe.username, timeout=10_000)
        await page.locator(str(fields["password"])).first.fill(password, timeout=10_000)
        if fields["submit"]:
            await page.locator(str(fields["submit"])).first.click(timeout=10_000)
        else:
            await page.locator(str(fields["password"])).first.press("Enter", timeout=10_000)
    except PlaywrightError as exc:
        raise ProfileError(f"the login form on {page.url} could not be filled in: {_first_line(exc)}") from None


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


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
