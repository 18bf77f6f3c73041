"""Profiles made, imported and refreshed: what `archiver profile create | import | refresh` do.

An existing profile is never replaced by accident: `create` and `import` refuse a name in use
(unless told to replace it), and a refresh writes the new state only once its login held, keeping
the profile's redaction key (its captures' hashes stay comparable).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

from archiver.browser.launch import find_browser, launch
from archiver.profiles.check import LoginCheck
from archiver.profiles.cookies_txt import CookiesTxtError, parse_cookies_txt
from archiver.profiles.login import LoginSettings, log_in
from archiver.profiles.store import LoginRecipe, Profile, ProfileError, ProfileStore, new_profile
from archiver.times import utc_iso


async def logged_in_state(
    recipe: LoginRecipe, check: LoginCheck | None, settings: LoginSettings, browser_path: str | None = None
) -> dict[str, Any]:
    async with async_playwright() as playwright:
        browser, info = await launch(playwright, find_browser(playwright, browser_path))
        try:
            return await log_in(browser, recipe, check, replace(settings, user_agent=info.user_agent))
        finally:
            await browser.close()


def refuse_taken(store: ProfileStore, name: str, replacing: bool) -> None:
    if store.exists(name) and not replacing:
        raise ProfileError(
            f"a profile named {name!r} exists: archiver profile refresh {name} logs in again, "
            f"archiver profile delete {name} removes it"
        )


async def create_profile(
    store: ProfileStore,
    name: str,
    recipe: LoginRecipe,
    check: LoginCheck | None,
    settings: LoginSettings,
    browser_path: str | None = None,
) -> Profile:
    refuse_taken(store, name, replacing=False)
    state = await logged_in_state(recipe, check, settings, browser_path)
    profile = new_profile(name, state, "login", check=check, login=recipe)
    store.save(profile)
    return profile


def import_profile(
    store: ProfileStore,
    name: str,
    check: LoginCheck | None,
    cookies_file: Path | None = None,
    storage_state_file: Path | None = None,
    replacing: bool = False,
) -> Profile:
    refuse_taken(store, name, replacing)
    source_file = cookies_file or storage_state_file
    assert source_file is not None
    try:
        text = source_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{source_file} cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    if cookies_file is not None:
        try:
            state: dict[str, Any] = {"cookies": parse_cookies_txt(text), "origins": []}
        except CookiesTxtError as exc:
            raise ProfileError(f"{cookies_file} is not a cookies.txt: {exc}") from None
        source = "cookies"
    else:
        state = _storage_state(text, source_file)
        source = "storage-state"
    profile = new_profile(name, state, source, check=check, imported_from=str(source_file.resolve()))
    if replacing and store.exists(name):
        old = store.load(name)
        profile = replace(profile, key=old.key, created_at=old.created_at, check=check or old.check)
    store.save(profile)
    return profile


def _storage_state(text: str, path: Path) -> dict[str, Any]:
    try:
        state = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{path} is not JSON: {exc}") from None
    cookies = state.get("cookies") if isinstance(state, dict) else None
    if not isinstance(cookies, list) or not all(isinstance(c, dict) and "name" in c for c in cookies):
        raise ProfileError(f"{path} is not a Playwright storage state (no list of cookies)")
    return {"cookies": cookies, "origins": state.get("origins") or []}


async def refresh_profile(
    store: ProfileStore, name: str, settings: LoginSettings, browser_path: str | None = None
) -> Profile:
    profile = store.load(name)
    if profile.login is None:
        raise ProfileError(
            f"profile {name!r} was imported ({profile.imported_from}), so archiver cannot log in again: "
            f"log in in your browser, export its cookies again and run "
            f"archiver profile import {name} --cookies FILE --replace"
        )
    state = await logged_in_state(profile.login, profile.check, settings, browser_path)
    refreshed = replace(profile, storage_state=state, saved_at=utc_iso(datetime.now(UTC)))
    store.save(refreshed)
    return refreshed
