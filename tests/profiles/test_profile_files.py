"""Profiles on disk (archiver.profiles): owner-only files, cookies.txt and storage states read,
what proves a login parsed, and nothing of a value in what a manifest may say."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from archiver.profiles.check import CSS, TEXT, LoginCheck
from archiver.profiles.cookies_txt import CookiesTxtError, parse_cookies_txt
from archiver.profiles.making import import_profile
from archiver.profiles.store import ProfileError, ProfileStore, new_profile, user_redaction_key

COOKIES_TXT = (
    "# Netscape HTTP Cookie File\n"
    "#HttpOnly_.news.test\tTRUE\t/\tTRUE\t1893456000\tsid\tS3CRET-VALUE\n"
    "news.test\tFALSE\t/account\tFALSE\t0\ttheme\tdark\n"
    "\n"
)


def test_cookies_txt_becomes_playwright_cookies() -> None:
    sid, theme = parse_cookies_txt(COOKIES_TXT)
    assert sid == {
        "name": "sid",
        "value": "S3CRET-VALUE",
        "domain": ".news.test",
        "path": "/",
        "expires": 1893456000.0,
        "httpOnly": True,
        "secure": True,
        "sameSite": "Lax",
    }
    assert (theme["domain"], theme["path"], theme["expires"], theme["httpOnly"]) == ("news.test", "/account", -1, False)


@pytest.mark.parametrize(
    ("text", "said"),
    [("# only a comment\n", "no cookies"), ("news.test\tTRUE\t/\n", "line 1"), ("a\tb\tc\td\tsoon\tn\tv\n", "expiry")],
)
def test_what_is_not_a_cookies_txt_says_why(text: str, said: str) -> None:
    with pytest.raises(CookiesTxtError, match=said):
        parse_cookies_txt(text)


@pytest.mark.parametrize(
    ("written", "kind", "value"),
    [
        (".account-menu", CSS, ".account-menu"),
        ("#user", CSS, "#user"),
        ("a[href='/logout']", CSS, "a[href='/logout']"),
        ("Log out", TEXT, "Log out"),
        ("css:nav account", CSS, "nav account"),
        ("text:.99 a month", TEXT, ".99 a month"),
    ],
)
def test_a_check_is_css_or_text(written: str, kind: str, value: str) -> None:
    assert LoginCheck.parse(written) == LoginCheck(kind, value)


def test_an_empty_check_is_refused() -> None:
    with pytest.raises(ValueError, match="says nothing"):
        LoginCheck.parse("text:  ")


def test_a_profile_is_owner_only_and_describes_itself_without_values(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles")
    state = {
        "cookies": parse_cookies_txt(COOKIES_TXT),
        "origins": [{"origin": "https://news.test", "localStorage": []}],
    }
    path = store.save(new_profile("reader", state, "cookies", check=LoginCheck.parse(".account")))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    loaded = store.load("reader")
    assert loaded.storage_state == state and store.names() == ["reader"]
    described = json.dumps(loaded.describe())
    assert "S3CRET-VALUE" not in described and loaded.key.hex() not in described
    assert loaded.describe()["domains"] == ["news.test"] and len(loaded.fingerprint) == 16
    changed = new_profile("reader", {"cookies": [], "origins": []}, "cookies")
    assert changed.fingerprint != loaded.fingerprint


def test_names_damage_and_absence_are_one_clear_error(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    with pytest.raises(ProfileError, match="cannot be a profile name"):
        store.path_of("../etc/passwd")
    with pytest.raises(ProfileError, match="no profile named 'ghost'"):
        store.load("ghost")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ProfileError, match="cannot be read"):
        store.load("broken")
    (tmp_path / "old.json").write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(ProfileError, match="damaged"):
        store.load("old")


def test_import_refuses_a_name_in_use_and_replacing_keeps_the_key(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "p")
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(COOKIES_TXT)
    first = import_profile(store, "reader", None, cookies_file=cookies)
    with pytest.raises(ProfileError, match="exists"):
        import_profile(store, "reader", None, cookies_file=cookies)
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"cookies": [{"name": "sid", "value": "NEW", "domain": "news.test", "path": "/"}]}))
    second = import_profile(store, "reader", None, storage_state_file=state, replacing=True)
    assert second.key == first.key and second.created_at == first.created_at and second.source == "storage-state"
    state.write_text(json.dumps({"no": "cookies"}))
    with pytest.raises(ProfileError, match="not a Playwright storage state"):
        import_profile(store, "other", None, storage_state_file=state)


def test_the_users_own_key_is_made_once_and_kept_owner_only(tmp_path: Path) -> None:
    key = user_redaction_key(tmp_path)
    assert user_redaction_key(tmp_path) == key and len(key) == 32
    assert stat.S_IMODE((tmp_path / "redaction-key").stat().st_mode) == 0o600


def test_the_profile_commands_import_list_show_and_delete_without_showing_a_value(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from archiver.cli import main

    cookies = tmp_path / "cookies.txt"
    cookies.write_text(COOKIES_TXT)
    folder = ["--profiles", str(tmp_path / "p")]
    runner = CliRunner()
    made = runner.invoke(
        main, ["profile", "import", "reader", "--cookies", str(cookies), "--check", "Log out", *folder]
    )
    assert made.exit_code == 0, made.output
    listed = runner.invoke(main, ["profile", "list", *folder]).output
    assert listed.startswith("reader  cookies, saved ") and "news.test" in listed
    shown = runner.invoke(main, ["profile", "show", "reader", *folder]).output
    assert "check:         text 'Log out'" in shown and "sid for .news.test/ HttpOnly" in shown
    assert (
        "S3CRET-VALUE" not in shown
        and "S3CRET-VALUE" not in runner.invoke(main, ["profile", "show", "reader", "--json", *folder]).output
    )
    neither = runner.invoke(main, ["profile", "import", "other", *folder])
    assert neither.exit_code == 2 and "one of --cookies FILE or --storage-state FILE" in neither.output
    assert runner.invoke(main, ["profile", "delete", "reader", *folder]).exit_code == 0
    assert not (tmp_path / "p" / "reader.json").exists()
    gone = runner.invoke(main, ["profile", "delete", "reader", *folder])
    assert gone.exit_code == 2 and "no profile named 'reader'" in gone.output
