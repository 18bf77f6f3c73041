"""`archiver profile create|import|list|show|delete|refresh`: logged-in browser states, kept on this
machine (owner-only files), used by `capture|watch|worker --profile NAME`, never archived."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from archiver.cli.common import browser_option, profiles_option, resolve_option, safe_json, say


def _store(profiles_dir: str | None) -> Any:
    from archiver.profiles.store import ProfileStore

    return ProfileStore(Path(profiles_dir) if profiles_dir else None)


def _check(written: str | None) -> Any:
    from archiver.profiles.check import LoginCheck

    if written is None:
        return None
    try:
        return LoginCheck.parse(written)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--check") from None


def _login_settings(resolve: tuple[tuple[str, str], ...], allow_private: bool, timeout: float) -> Any:
    from archiver.browser.netguard import network_access
    from archiver.profiles.login import LoginSettings

    return LoginSettings(
        user_agent="", timeout=timeout, allow_private=allow_private, access=network_access(dict(resolve))
    )


check_option = click.option(
    "--check",
    metavar="CSS|TEXT",
    help="What proves a page was seen logged in: an element (css:SELECTOR, or a value starting with "
    "'.', '#' or '[') or a text (text:WORDS, or any other value) only a logged-in page shows. Each "
    "capture with the profile looks for it; a page without it is partial, verdict login-wall.",
)
login_options = [
    resolve_option,
    click.option(
        "--allow-private", is_flag=True, help="Let a public login page reach private addresses (as capture's)."
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(1, None),
        default=30.0,
        show_default=True,
        help="Seconds for the login page to load, and again for the login to go through.",
    ),
    browser_option,
]


def _with(options: list[Any]) -> Any:
    def decorate(function: Any) -> Any:
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


@click.group()
def profile() -> None:
    """Browser profiles: log in once (or import your browser's cookies), capture as a subscriber.

    A profile is kept in --profiles (owner-only files) and never goes into an archive: what a
    capture with it stores has its Cookie, Authorization and Set-Cookie values replaced by keyed
    hashes (unless capture --keep-secrets), and the manifest names the profile by name and
    fingerprint only. Captures never write to a profile: a page seen logged out leaves it as it was.
    """


@profile.command()
@click.argument("name")
@click.option("--login-url", required=True, metavar="URL", help="The page with the login form.")
@click.option("--username", required=True, help="The account's user name or e-mail address.")
@click.option(
    "--password-file",
    required=True,
    metavar="FILE",
    help="A file holding the password (one line): read for this login and for `refresh`, never copied.",
)
@click.option("--username-selector", metavar="CSS", help="The user name field (default: found on the page).")
@click.option("--password-selector", metavar="CSS", help="The password field (default: the visible one).")
@click.option(
    "--submit-selector", metavar="CSS", help="The button that sends the form (default: its submit button, else Enter)."
)
@check_option
@profiles_option
@_with(login_options)
def create(
    name: str,
    login_url: str,
    username: str,
    password_file: str,
    username_selector: str | None,
    password_selector: str | None,
    submit_selector: str | None,
    check: str | None,
    profiles_dir: str | None,
    resolve: tuple[tuple[str, str], ...],
    allow_private: bool,
    timeout: float,
    browser_path: str | None,
) -> None:
    """Log in at --login-url in a real browser and save its state as profile NAME.

    The login held when --check is on the page it leads to (without --check: when no password
    field is left there); otherwise nothing is saved. Exit status 2 when the login did not go through.
    """
    from archiver.identity import validate_seed
    from archiver.profiles.making import create_profile
    from archiver.profiles.store import LoginRecipe

    login_url = validate_seed(login_url)
    recipe = LoginRecipe(
        login_url, username, str(Path(password_file).resolve()), username_selector, password_selector, submit_selector
    )
    store = _store(profiles_dir)
    made = asyncio.run(
        create_profile(
            store, name, recipe, _check(check), _login_settings(resolve, allow_private, timeout), browser_path
        )
    )
    _saved(made, "logged in and saved")
    if made.check is None:
        say("archiver profile: no --check: a capture cannot tell a page seen logged out", err=True)


@profile.command("import")
@click.argument("name")
@click.option("--cookies", "cookies_file", type=click.Path(path_type=Path), help="A Netscape cookies.txt file.")
@click.option(
    "--storage-state", "state_file", type=click.Path(path_type=Path), help="A Playwright storage state (JSON)."
)
@click.option("--replace", is_flag=True, help="Replace the state of an existing profile NAME (its key is kept).")
@check_option
@profiles_option
def import_command(
    name: str,
    cookies_file: Path | None,
    state_file: Path | None,
    replace: bool,
    check: str | None,
    profiles_dir: str | None,
) -> None:
    """Make profile NAME from cookies your browser exported (cookies.txt) or a Playwright storage state."""
    from archiver.profiles.making import import_profile

    if (cookies_file is None) == (state_file is None):
        raise click.UsageError("give one of --cookies FILE or --storage-state FILE")
    made = import_profile(_store(profiles_dir), name, _check(check), cookies_file, state_file, replacing=replace)
    _saved(made, "imported")


@profile.command("list")
@profiles_option
def list_command(profiles_dir: str | None) -> None:
    """The profiles in --profiles: name, where it came from, when it was saved, its cookies' domains."""
    from archiver.profiles.store import ProfileError

    store = _store(profiles_dir)
    names = store.names()
    if not names:
        say(f"no profiles in {store.folder}")
    for name in names:
        try:
            made = store.load(name)
        except ProfileError as exc:
            say(f"{name}: {exc}")
            continue
        say(f"{made.name}  {made.source}, saved {made.saved_at}  {', '.join(made.cookie_domains()) or '(no cookies)'}")


@profile.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@profiles_option
def show(name: str, as_json: bool, profiles_dir: str | None) -> None:
    """What profile NAME holds, without any value: its cookies by name, domain and expiry."""
    made = _store(profiles_dir).load(name)
    cookies = [
        {
            "name": c.get("name"),
            "domain": c.get("domain"),
            "path": c.get("path"),
            "expires": c.get("expires"),
            "http_only": c.get("httpOnly"),
            "secure": c.get("secure"),
        }
        for c in made.storage_state.get("cookies", [])
    ]
    described = {
        **made.describe(),
        "file": str(made.path),
        "login_url": made.login.url if made.login else None,
        "username": made.login.username if made.login else None,
        "imported_from": made.imported_from,
        "cookies": cookies,
        "local_storage_origins": [o.get("origin") for o in made.storage_state.get("origins", [])],
    }
    if as_json:
        say(safe_json(described))
        return
    for key in (
        "name",
        "fingerprint",
        "source",
        "created_at",
        "saved_at",
        "file",
        "login_url",
        "username",
        "imported_from",
    ):
        if described[key]:
            say(f"{key + ':':<15}{described[key]}")
    say(f"{'check:':<15}{made.check.describe() if made.check else 'none (a page seen logged out cannot be told)'}")
    for cookie in cookies:
        flags = " HttpOnly" if cookie["http_only"] else ""
        where = f"{cookie['domain']}{cookie['path']}{flags}"
        say(f"{'cookie:':<15}{cookie['name']} for {where}, expires {_expiry(cookie['expires'])}")
    for origin in described["local_storage_origins"]:
        say(f"{'local storage:':<15}{origin}")


@profile.command()
@click.argument("name")
@profiles_option
def delete(name: str, profiles_dir: str | None) -> None:
    """Remove profile NAME (its file, and with it the session it holds)."""
    path = _store(profiles_dir).delete(name)
    say(f"archiver profile: {name} deleted ({path})", err=True)


@profile.command()
@click.argument("name")
@profiles_option
@_with(login_options)
def refresh(
    name: str,
    profiles_dir: str | None,
    resolve: tuple[tuple[str, str], ...],
    allow_private: bool,
    timeout: float,
    browser_path: str | None,
) -> None:
    """Log in again as profile NAME was made (the same page, user and password file) and save the
    new state; an imported profile says how to import it again. A failed login changes nothing."""
    from archiver.profiles.making import refresh_profile

    made = asyncio.run(
        refresh_profile(_store(profiles_dir), name, _login_settings(resolve, allow_private, timeout), browser_path)
    )
    _saved(made, "logged in again and saved")


def _saved(made: Any, what: str) -> None:
    cookies = len(made.storage_state.get("cookies", []))
    say(
        f"archiver profile: {made.name} {what} ({cookies} cookie(s), fingerprint {made.fingerprint}) in {made.path}",
        err=True,
    )


def _expiry(expires: Any) -> str:
    from datetime import UTC, datetime

    if not isinstance(expires, (int, float)) or expires <= 0:
        return "at the end of the session"
    return datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
