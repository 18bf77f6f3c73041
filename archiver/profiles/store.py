"""The profiles folder: one JSON file per profile, readable by its owner only.

A profile holds what a browser context needs to be logged in (Playwright's storage state: cookies
and each origin's local storage), how it was made (the login recipe, without the password: only
the path of the file it is read from; or the file it was imported from), what proves a page was
seen logged in (its check), and its own redaction key, with which every capture made with it
replaces secret header values by keyed hashes (archiver.warc.redact). The folder is
`$XDG_DATA_HOME/archiver/profiles` (else ~/.local/share/archiver/profiles), or `--profiles DIR`.
Captures only read profiles: nothing a capture sees is ever written back into one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archiver.errors import ArchiverError
from archiver.jsonfile import write_json_atomic
from archiver.profiles.check import LoginCheck
from archiver.times import utc_iso

FORMAT = "archiver-profile/1"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
OWNER_ONLY_FILE = 0o600
OWNER_ONLY_FOLDER = 0o700
KEY_BYTES = 32
USER_KEY_FILE = "redaction-key"  # the key of captures made without a profile, beside the profiles


class ProfileError(ArchiverError):
    pass


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "archiver"


def default_profiles_dir() -> Path:
    return data_dir() / "profiles"


@dataclass(frozen=True)
class LoginRecipe:
    """How `profile create` logged in, so that `profile refresh` can again. No password: its file."""

    url: str
    username: str
    password_file: str
    username_selector: str | None = None
    password_selector: str | None = None
    submit_selector: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoginRecipe:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})  # type: ignore[arg-type]


@dataclass
class Profile:
    name: str
    storage_state: dict[str, Any]  # Playwright's: {"cookies": [...], "origins": [...]}
    key: bytes  # the redaction key: hashes of this profile's secrets, comparable across its captures
    source: str  # "login", "cookies" or "storage-state"
    created_at: str
    saved_at: str  # when the state was last saved (create, import, refresh)
    check: LoginCheck | None = None
    login: LoginRecipe | None = None
    imported_from: str | None = None
    path: Path | None = field(default=None, compare=False)  # the file it was read from

    @property
    def fingerprint(self) -> str:
        """Which saved state a capture used, without saying anything about it: a keyed hash."""
        state = json.dumps(self.storage_state, sort_keys=True, separators=(",", ":")).encode()
        return hmac.new(self.key, state, hashlib.sha256).hexdigest()[:16]

    def cookie_domains(self) -> list[str]:
        return sorted({str(c.get("domain", "")).lstrip(".") for c in self.storage_state.get("cookies", [])})

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "name": self.name,
            "source": self.source,
            "created_at": self.created_at,
            "saved_at": self.saved_at,
            "check": self.check.to_dict() if self.check else None,
            "login": asdict(self.login) if self.login else None,
            "imported_from": self.imported_from,
            "key": self.key.hex(),
            "storage_state": self.storage_state,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: Path | None = None) -> Profile:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a profile of this version ({data.get('format')!r})")
        state = data["storage_state"]
        if not isinstance(state, dict) or not isinstance(state.get("cookies", []), list):
            raise ValueError("its storage state is not Playwright's")
        return cls(
            name=str(data["name"]),
            storage_state=state,
            key=bytes.fromhex(data["key"]),
            source=str(data["source"]),
            created_at=str(data["created_at"]),
            saved_at=str(data["saved_at"]),
            check=LoginCheck.from_dict(data["check"]) if data.get("check") else None,
            login=LoginRecipe.from_dict(data["login"]) if data.get("login") else None,
            imported_from=data.get("imported_from"),
            path=path,
        )

    def describe(self) -> dict[str, Any]:
        """What `profile show` and a manifest may say: never a value, never the key."""
        return {
            "name": self.name,
            "fingerprint": self.fingerprint,
            "source": self.source,
            "created_at": self.created_at,
            "saved_at": self.saved_at,
            "domains": self.cookie_domains(),
            "check": self.check.to_dict() if self.check else None,
        }


def new_profile(
    name: str,
    storage_state: dict[str, Any],
    source: str,
    check: LoginCheck | None = None,
    login: LoginRecipe | None = None,
    imported_from: str | None = None,
) -> Profile:
    now = utc_iso(datetime.now(UTC))
    return Profile(name, storage_state, secrets.token_bytes(KEY_BYTES), source, now, now, check, login, imported_from)


class ProfileStore:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_profiles_dir()

    def path_of(self, name: str) -> Path:
        if not NAME.match(name):
            raise ProfileError(f"{name!r} cannot be a profile name: letters, digits, '.', '_' and '-' only, at most 64")
        return self.folder / f"{name}.json"

    def exists(self, name: str) -> bool:
        return self.path_of(name).exists()

    def load(self, name: str) -> Profile:
        path = self.path_of(name)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ProfileError(
                f"no profile named {name!r} in {self.folder} (archiver profile list shows those there)"
            ) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ProfileError(f"profile {name!r} cannot be read ({path}): {exc}") from None
        try:
            return Profile.from_dict(data, path)
        except (KeyError, TypeError, ValueError) as exc:
            raise ProfileError(f"profile {name!r} is damaged ({path}): {exc}") from None

    def save(self, profile: Profile) -> Path:
        path = self.path_of(profile.name)
        self.folder.mkdir(parents=True, exist_ok=True, mode=OWNER_ONLY_FOLDER)
        os.chmod(self.folder, OWNER_ONLY_FOLDER)
        write_json_atomic(path, profile.to_dict(), mode=OWNER_ONLY_FILE)
        profile.path = path
        return path

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if NAME.match(p.stem))

    def delete(self, name: str) -> Path:
        path = self.path_of(name)
        if not path.exists():
            raise ProfileError(f"no profile named {name!r} in {self.folder}")
        path.unlink()
        return path


def user_redaction_key(folder: Path | None = None) -> bytes:
    """The key of captures made without a profile: made once per user, kept beside the profiles
    (owner-only), so that hashes of the same value agree across this user's captures."""
    path = (folder or data_dir()) / USER_KEY_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=OWNER_ONLY_FOLDER)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
        with os.fdopen(fd, "w") as fh:
            fh.write(key.hex() + "\n")
    except FileExistsError:
        return bytes.fromhex(path.read_text().strip())  # another capture made it first
    except OSError:
        pass  # a read-only home: this capture's own key, its hashes comparable within it only
    return key
