"""A stored run and its pages, read back: the one way any module reads a manifest.

A manifest is data a run wrote, but by the time it is read it may have been edited, damaged or
planted (a shared output folder, a bundle from someone else). So it is checked as it is read: every
field that is used has the type the schema gives it, every id has its pattern, and every path it
names stays inside its run folder. What does not hold is `UnreadableManifest`, one line saying
where; nothing downstream indexes the JSON by hand.

`StoredRun.read(path)` reads a manifest.json; `StoredRun.from_dict` reads one already parsed (a
manifest inside a bundle). Each `StoredPage` keeps its entry as written (`entry`), for the writers
that copy it verbatim (a queue worker's staged page, a run amended after its writer died).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from archiver.errors import ArchiverError
from archiver.options import CaptureOptions
from archiver.output.safe_paths import link_on_the_way
from archiver.terms import FileRole, PageState

MANIFEST_NAME = "manifest.json"  # a run folder's manifest
CAPTURE_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{16}$")  # identity.capture_id
PAGE_ID = re.compile(r"^[0-9a-f]{16}$")  # identity.page_id
RUN_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,99}$")  # one plain folder name (batch.new_run_id)
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
MAX_MANIFEST_BYTES = 256 << 20  # no honest run writes more

T = TypeVar("T")


class UnreadableManifest(ArchiverError):
    """A manifest that is not what archiver writes: damaged, edited or planted."""


# -- checked reading of JSON values ------------------------------------------------------------


class _Reader:
    """Reads fields of one JSON object, raising UnreadableManifest that says where."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise UnreadableManifest(f"{where} is not a JSON object")
        self.data: dict[str, Any] = data
        self.where = where

    def _bad(self, key: str, wanted: str) -> UnreadableManifest:
        return UnreadableManifest(f"{self.where}: {key!r} is not {wanted}")

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str):
            raise self._bad(key, "a string")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            raise self._bad(key, "a string or null")
        return value

    def optional_int(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise self._bad(key, "an integer or null")
        return value

    def number(self, key: str, default: int = 0) -> int:
        value = self.data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._bad(key, "an integer")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self._bad(key, "true or false")
        return value

    def matching(self, key: str, pattern: re.Pattern[str], what: str) -> str:
        value = self.text(key)
        if not pattern.match(value):
            raise self._bad(key, what)
        return value

    def obj(self, key: str) -> _Reader | None:
        value = self.data.get(key)
        return None if value is None else _Reader(value, f"{self.where}.{key}")

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._bad(key, "a list")
        return value

    def each(self, key: str, parse: Callable[[_Reader], T]) -> tuple[T, ...]:
        return tuple(parse(_Reader(item, f"{self.where}.{key}[{n}]")) for n, item in enumerate(self.items(key)))

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.items(key)
        if not all(isinstance(value, str) for value in values):
            raise self._bad(key, "a list of strings")
        return tuple(values)

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self._bad(key, "an object")
        return value


def inside_path(value: str, where: str) -> str:
    """`value` as a relative path that stays where it is (no absolute path, no `..`, no backslash)."""
    parts = PurePosixPath(value).parts
    if (
        not value
        or value.startswith("/")
        or "\\" in value
        or ".." in parts
        or "\x00" in value
        or (len(value) > 1 and value[1] == ":")
    ):
        raise UnreadableManifest(f"{where}: the path {value!r} is outside its run folder")
    return value


# -- the parts of a page -------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    path: str  # inside the run folder, as the manifest lists it
    role: str  # a FileRole, or a role a later version writes
    sha256: str
    size: int

    @classmethod
    def parse(cls, reader: _Reader) -> StoredFile:
        return cls(
            inside_path(reader.text("path"), reader.where),
            reader.text("role"),
            reader.matching("sha256", SHA256_HEX, "a SHA-256"),
            reader.number("size"),
        )


@dataclass(frozen=True)
class Requirement:
    """An earlier capture's WARC file that holds the originals a page's revisits point at."""

    run_id: str
    path: str
    sha256: str

    @classmethod
    def parse(cls, reader: _Reader) -> Requirement:
        return cls(
            reader.matching("run_id", RUN_ID, "a run id"),
            inside_path(reader.text("path"), reader.where),
            reader.matching("sha256", SHA256_HEX, "a SHA-256"),
        )

    def locate(self, output: Path) -> Path:
        return output / self.run_id / self.path

    def to_dict(self) -> dict[str, str]:
        return {"run_id": self.run_id, "path": self.path, "sha256": self.sha256}


@dataclass(frozen=True)
class Dedup:
    revisits: int
    bytes_saved: int
    requires: tuple[Requirement, ...]

    @classmethod
    def parse(cls, reader: _Reader) -> Dedup:
        return cls(reader.number("revisits"), reader.number("bytes_saved"), reader.each("requires", Requirement.parse))


@dataclass(frozen=True)
class Sourced:
    """An article field's value, where in the page it was found, and in which HTML."""

    value: Any  # a string, or a list of strings (keywords)
    source: str
    found_in: str  # "original" (as served) or "rendered" (the DOM after the behaviours)

    @classmethod
    def parse(cls, reader: _Reader) -> Sourced:
        value = reader.data.get("value")
        if not isinstance(value, (str, int, float)) and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise UnreadableManifest(f"{reader.where}: 'value' is not text")
        return cls(value, reader.text("source"), reader.optional_text("in") or "")

    @property
    def text(self) -> str:
        return ", ".join(self.value) if isinstance(self.value, list) else str(self.value)


SINGLE_FIELDS = (
    "headline",
    "description",
    "published",
    "modified",
    "canonical_url",
    "site_name",
    "language",
    "section",
    "keywords",
)


@dataclass(frozen=True)
class ArticleFields:
    """What the article says about itself: one sourced value per field, and its authors."""

    single: Mapping[str, Sourced] = field(default_factory=dict)
    authors: tuple[Sourced, ...] = ()

    @classmethod
    def parse(cls, reader: _Reader | None) -> ArticleFields:
        if reader is None:
            return cls()
        fields = reader.obj("fields")
        if fields is None:
            return cls()
        single = {name: Sourced.parse(found) for name in SINGLE_FIELDS if (found := fields.obj(name)) is not None}
        return cls(single, fields.each("authors", Sourced.parse))

    def get(self, name: str) -> Sourced | None:
        return self.single.get(name)

    def text(self, name: str) -> str | None:
        """The field as one line of text ("authors": the names joined), None when the page states none."""
        if name == "authors":
            return ", ".join(author.text for author in self.authors) or None
        found = self.single.get(name)
        return found.text if found else None

    def plain(self, name: str) -> Any:
        """The field's bare value: a list of names for "authors", else the value or None."""
        if name == "authors":
            return [author.value for author in self.authors]
        found = self.single.get(name)
        return found.value if found else None


@dataclass(frozen=True)
class StoredCredit:
    value: str
    source: str

    @classmethod
    def parse(cls, reader: _Reader) -> StoredCredit:
        return cls(reader.text("value"), reader.text("source"))


@dataclass(frozen=True)
class StoredImage:
    url: str
    caption: str | None
    is_lead: bool
    archive_photo: bool
    credits: tuple[StoredCredit, ...]

    @classmethod
    def parse(cls, reader: _Reader) -> StoredImage:
        return cls(
            reader.text("url"),
            reader.optional_text("caption"),
            reader.flag("is_lead"),
            reader.flag("archive_photo"),
            reader.each("credits", StoredCredit.parse),
        )


@dataclass(frozen=True)
class Server:
    ip: str | None
    port: int | None
    protocols: tuple[str, ...]

    @classmethod
    def parse(cls, reader: _Reader | None) -> Server | None:
        if reader is None:
            return None
        return cls(reader.optional_text("ip"), reader.optional_int("port"), reader.texts("protocols"))


@dataclass(frozen=True)
class Certificate:
    subject: str
    sha256_fingerprint: str

    @classmethod
    def parse(cls, reader: _Reader) -> Certificate:
        return cls(reader.text("subject"), reader.text("sha256_fingerprint"))


@dataclass(frozen=True)
class TlsFacts:
    protocol: str | None
    cipher: str | None
    key_exchange: str | None
    subject: str | None
    issuer: str | None
    valid_from: str | None
    valid_to: str | None
    chain: tuple[Certificate, ...]

    @classmethod
    def parse(cls, reader: _Reader | None) -> TlsFacts | None:
        if reader is None:
            return None
        text = reader.optional_text
        return cls(
            text("protocol"),
            text("cipher"),
            text("key_exchange"),
            text("subject"),
            text("issuer"),
            text("valid_from"),
            text("valid_to"),
            reader.each("chain", Certificate.parse),
        )


@dataclass(frozen=True)
class Refusal:
    """A request the network guard refused (a private address asked for by a public page...)."""

    url: str
    reason: str

    @classmethod
    def parse(cls, reader: _Reader) -> Refusal:
        return cls(reader.text("url"), reader.text("reason"))


@dataclass(frozen=True)
class Step:
    """One step of the capture, as the manifest records it."""

    name: str
    seconds: float
    outcome: str
    detail: str | None

    @classmethod
    def parse(cls, reader: _Reader) -> Step:
        seconds = reader.data.get("seconds")
        if not isinstance(seconds, (int, float)):
            raise UnreadableManifest(f"{reader.where}: 'seconds' is not a number")
        return cls(reader.text("name"), float(seconds), reader.text("outcome"), reader.optional_text("detail"))


@dataclass(frozen=True)
class Verdict:
    """Is this a capture of the article? One verdict (capture.verdicts) and its evidence."""

    verdict: str
    evidence: tuple[str, ...]
    as_asked: bool = False  # a dialog left there by --consent leave

    @classmethod
    def parse(cls, reader: _Reader) -> Verdict:
        return cls(reader.text("verdict"), reader.texts("evidence"), reader.flag("as_asked"))

    def line(self) -> str:
        return f"{self.verdict}: {self.evidence[0]}" if self.evidence else self.verdict


@dataclass(frozen=True)
class MediaItem:
    """One video, audio, stream or text track of the page (capture.media): what replay needs of it
    and whether all of it is stored."""

    kind: str  # progressive, hls, dash, track
    url: str
    element: str | None
    complete: bool
    why_not: str | None
    live: bool
    segments_expected: int | None
    segments_stored: int | None
    bytes: int

    @classmethod
    def parse(cls, reader: _Reader) -> MediaItem:
        return cls(
            kind=reader.text("kind"),
            url=reader.text("url"),
            element=reader.optional_text("element"),
            complete=reader.flag("complete"),
            why_not=reader.optional_text("why_not"),
            live=reader.flag("live"),
            segments_expected=reader.optional_int("segments_expected"),
            segments_stored=reader.optional_int("segments_stored"),
            bytes=reader.optional_int("bytes") or 0,
        )

    def line(self) -> str:
        if self.segments_expected is not None:
            segments = f", {self.segments_stored} of {self.segments_expected} segments"
        elif self.segments_stored is not None:
            segments = f", {self.segments_stored} segments of a number not known"
        else:
            segments = ""
        state = "complete" if self.complete else f"not complete: {self.why_not}"
        return f"{self.kind} {self.url} ({self.element or 'element not known'}{segments}, {self.bytes} bytes): {state}"


def _media_action(reader: _Reader) -> str:
    what = reader.optional_text("element")
    return f"{reader.text('action')}: {what}" if what else reader.text("action")


@dataclass(frozen=True)
class Attempt:
    """An earlier attempt at a page, and why it was tried again."""

    started_at: str
    reason: str

    @classmethod
    def parse(cls, reader: _Reader) -> Attempt:
        return cls(reader.text("started_at"), reader.text("reason"))


@dataclass(frozen=True)
class Obstacle:
    """What stood in the reader's way and what the archiver did about it (a dialog answered, a
    fold clicked, an overlay hidden for one screenshot)."""

    kind: str
    action: str
    succeeded: bool | None
    what: str  # the platform of a dialog, the button of a fold, the changes of a hidden overlay

    @classmethod
    def parse(cls, reader: _Reader) -> Obstacle:
        succeeded = reader.data.get("succeeded")
        what = reader.optional_text("platform") or reader.optional_text("button") or ""
        if not what and isinstance(reader.data.get("changes"), list):
            what = f"{len(reader.data['changes'])} change(s)"
        return cls(reader.text("kind"), reader.text("action"), succeeded if isinstance(succeeded, bool) else None, what)

    def line(self) -> str:
        subject = f"{self.kind} {self.what}" if self.what else self.kind
        return f"{subject}: {self.action}{' (it did not work)' if self.succeeded is False else ''}"


@dataclass(frozen=True)
class Secrets:
    """What of the session's secrets the capture stored: redacted to keyed hashes (and with which
    key), or kept as sent (--keep-secrets), header by header."""

    redacted: bool
    headers: Mapping[str, int]  # header name -> how many were redacted (or kept)
    key_id: str | None = None
    warning: str | None = None

    @classmethod
    def parse(cls, reader: _Reader) -> Secrets:
        redacted = reader.flag("redacted", default=True)
        counts = reader.mapping("headers" if redacted else "kept")
        headers = {name: value for name, value in counts.items() if isinstance(value, int)}
        return cls(redacted, headers, reader.optional_text("key_id"), reader.optional_text("warning"))

    def line(self) -> str:
        counted = ", ".join(f"{count} {name}" for name, count in self.headers.items()) or "none sent"
        if self.redacted:
            return f"redacted to keyed hashes ({counted}; key {self.key_id})"
        return f"KEPT as sent, --keep-secrets ({counted}): the archive can give the session away"


@dataclass(frozen=True)
class ProfileUse:
    """The browser profile a page was captured with: its name and fingerprint, never a value."""

    name: str
    fingerprint: str
    check: str | None  # what proves the login, described
    check_held: bool | None  # None: no check, or it could not be looked for

    @classmethod
    def parse(cls, reader: _Reader) -> ProfileUse:
        check = reader.obj("check")
        described = f"{check.text('kind')} {check.text('value')!r}" if check else None
        held = reader.data.get("check_held")
        return cls(reader.text("name"), reader.text("fingerprint"), described, held if isinstance(held, bool) else None)

    def line(self) -> str:
        if self.check is None:
            outcome = "no check (a logged-out page cannot be told)"
        elif self.check_held is None:
            outcome = f"check {self.check} not looked for"
        else:
            outcome = f"check {self.check} {'held' if self.check_held else 'did NOT hold: seen logged out'}"
        return f"{self.name} (fingerprint {self.fingerprint}), {outcome}"


# -- a page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPage:
    """One page's manifest entry, checked, with its run folder."""

    run_dir: Path
    run_id: str
    entry: Mapping[str, Any]  # as written
    page_id: str
    capture_id: str
    requested_url: str
    final_url: str | None
    state: PageState
    reason: str | None
    status: int | None
    title: str | None
    started_at: str
    ended_at: str | None
    files: tuple[StoredFile, ...]
    dedup: Dedup | None
    article: ArticleFields
    images: tuple[StoredImage, ...]
    server: Server | None
    tls: TlsFacts | None
    counts: Mapping[str, int]
    warnings: tuple[str, ...]
    refused: tuple[Refusal, ...] = ()  # by the network guard
    steps: tuple[Step, ...] = ()
    obstacles: tuple[Obstacle, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    attempts: tuple[Attempt, ...] = ()  # earlier attempts, retried (a network error, a rate limit)
    secrets: Secrets | None = None  # None: a manifest from before secrets were redacted
    profile: ProfileUse | None = None  # --profile
    media: tuple[MediaItem, ...] = ()
    media_actions: tuple[str, ...] = ()  # what was done to the page's players, one line each

    @classmethod
    def from_entry(cls, run_dir: Path, run_id: str, entry: Any, where: str = "page") -> StoredPage:
        reader = _Reader(entry, where)
        state = reader.text("state")
        if state not in PageState.__members__.values():
            raise UnreadableManifest(f"{where}: 'state' is {state!r}, not complete, partial or failed")
        dedup = reader.obj("dedup")
        counts = reader.mapping("counts")
        guard = reader.obj("network_guard")
        return cls(
            run_dir=run_dir,
            run_id=run_id,
            entry=reader.data,
            page_id=reader.matching("page_id", PAGE_ID, "a page id"),
            capture_id=reader.matching("capture_id", CAPTURE_ID, "a capture id"),
            requested_url=reader.text("requested_url"),
            final_url=reader.optional_text("final_url"),
            state=PageState(state),
            reason=reader.optional_text("reason"),
            status=reader.optional_int("status"),
            title=reader.optional_text("title"),
            started_at=reader.text("started_at"),
            ended_at=reader.optional_text("ended_at"),
            files=reader.each("files", StoredFile.parse),
            dedup=Dedup.parse(dedup) if dedup else None,
            article=ArticleFields.parse(reader.obj("article")),
            images=reader.each("images", StoredImage.parse),
            server=Server.parse(reader.obj("server")),
            tls=TlsFacts.parse(reader.obj("tls")),
            counts={key: value for key, value in counts.items() if isinstance(value, int)},
            warnings=reader.texts("warnings"),
            refused=guard.each("blocked", Refusal.parse) if guard else (),
            steps=reader.each("steps", Step.parse),
            obstacles=reader.each("obstacles", Obstacle.parse),
            verdicts=reader.each("verdicts", Verdict.parse),
            attempts=reader.each("attempts", Attempt.parse),
            secrets=Secrets.parse(secrets) if (secrets := reader.obj("secrets")) else None,
            profile=ProfileUse.parse(profile) if (profile := reader.obj("profile")) else None,
            media=media.each("items", MediaItem.parse) if (media := reader.obj("media")) else (),
            media_actions=media.each("actions", _media_action) if media else (),
        )

    @property
    def url(self) -> str:
        """The address the capture ended at (else the one asked for)."""
        return self.final_url or self.requested_url

    @property
    def folder(self) -> Path:
        return self.run_dir / self.capture_id

    @property
    def output(self) -> Path:
        return self.run_dir.parent

    @property
    def timestamp(self) -> str:
        """14-digit timestamp (pywb's) of the capture's start: every record of it is at or after."""
        return "".join(ch for ch in self.started_at if ch.isdigit())[:14]

    @property
    def headline(self) -> str | None:
        return self.article.text("headline")

    def files_with_role(self, role: FileRole) -> list[Path]:
        """The files of `role` the entry lists that are the capture's own: a path reached through a
        symbolic link (planted to make a reader pack or show someone else's file) is left out."""
        return [path for f in self.files if f.role == role and self._own(path := self.run_dir / f.path)]

    def _own(self, path: Path) -> bool:
        return not self.run_dir.is_symlink() and link_on_the_way(path, self.run_dir) is None

    def file(self, role: FileRole) -> Path | None:
        """The first file of `role` when it is still there."""
        paths = self.files_with_role(role)
        return paths[0] if paths and paths[0].is_file() else None

    @property
    def warcs(self) -> list[Path]:
        return self.files_with_role(FileRole.WARC)

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        return self.dedup.requires if self.dedup else ()

    def required_warcs(self) -> list[Path]:
        """The earlier captures' WARC files its revisits point at (none reached through a link)."""
        paths = [requirement.locate(self.output) for requirement in self.requirements]
        return [path for path in paths if link_on_the_way(path, self.output) is None]

    def replay_warcs(self) -> list[Path]:
        """The capture's WARC files and the earlier captures' files its revisits point at: what a
        replay tool needs to show this capture whole (one deleted since: its revisits show up as misses)."""
        return self.warcs + [path for path in self.required_warcs() if path.is_file()]

    @property
    def replayable(self) -> bool:
        return bool(self.final_url) and bool(self.warcs)

    def locator(self) -> dict[str, str]:
        """How other records point at this capture (skips, recoveries)."""
        return {"run_id": self.run_id, "capture_id": self.capture_id, "url": self.requested_url}


# -- a run -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QaRecord:
    """The replay QA report a manifest lists (`archiver qa`)."""

    path: str
    sha256: str
    passed: bool

    @classmethod
    def parse(cls, reader: _Reader | None) -> QaRecord | None:
        if reader is None:
            return None
        return cls(
            inside_path(reader.text("path"), reader.where),
            reader.matching("sha256", SHA256_HEX, "a SHA-256"),
            reader.flag("passed"),
        )


@dataclass(frozen=True)
class StoredRun:
    run_dir: Path
    path: Path  # its manifest.json (for a manifest read from elsewhere, where it came from)
    data: Mapping[str, Any]  # as written
    run_id: str
    started_at: str
    ended_at: str | None
    tool: Mapping[str, str]
    browser_version: str | None
    user_agent: str | None
    hostname: str | None
    options: Mapping[str, Any]
    qa: QaRecord | None
    pages: tuple[StoredPage, ...]

    @classmethod
    def read(cls, manifest_path: Path) -> StoredRun:
        """The run whose manifest is at `manifest_path`; UnreadableManifest when it cannot be trusted."""
        try:
            with manifest_path.open("rb") as fh:
                raw = fh.read(MAX_MANIFEST_BYTES + 1)
        except OSError as exc:
            raise UnreadableManifest(f"{manifest_path} cannot be read: {exc.strerror or exc}") from None
        if len(raw) > MAX_MANIFEST_BYTES:
            raise UnreadableManifest(f"{manifest_path} is larger than {MAX_MANIFEST_BYTES} bytes")
        return cls.from_bytes(raw, manifest_path.parent, manifest_path)

    @classmethod
    def from_bytes(cls, raw: bytes, run_dir: Path, source: Path) -> StoredRun:
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise UnreadableManifest(f"{source} is not valid JSON: {exc}") from None
        return cls.from_dict(data, run_dir, source)

    @classmethod
    def from_dict(cls, data: Any, run_dir: Path, source: Path) -> StoredRun:
        reader = _Reader(data, str(source))
        run_id = reader.matching("run_id", RUN_ID, "a run id")
        tool = reader.mapping("tool")
        browser = reader.obj("browser")
        host = reader.obj("host")
        pages = tuple(
            StoredPage.from_entry(run_dir, run_id, entry, f"{source}: page {n + 1}")
            for n, entry in enumerate(reader.items("pages"))
        )
        return cls(
            run_dir=run_dir,
            path=source,
            data=reader.data,
            run_id=run_id,
            started_at=reader.text("started_at"),
            ended_at=reader.optional_text("ended_at"),
            tool={str(k): str(v) for k, v in tool.items()},
            browser_version=browser.optional_text("version") if browser else None,
            user_agent=browser.optional_text("user_agent") if browser else None,
            hostname=host.optional_text("hostname") if host else None,
            options=reader.mapping("options"),
            qa=QaRecord.parse(reader.obj("qa")),
            pages=pages,
        )

    def capture_options(self) -> CaptureOptions:
        return CaptureOptions.from_dict(dict(self.options))

    def page(self, capture_id: str) -> StoredPage | None:
        return next((page for page in self.pages if page.capture_id == capture_id), None)

    @property
    def capture_ids(self) -> set[str]:
        return {page.capture_id for page in self.pages}

    @property
    def qa_path(self) -> Path | None:
        return self.run_dir / self.qa.path if self.qa else None

    def pages_in(self, states: Iterable[PageState]) -> list[StoredPage]:
        wanted = set(states)
        return [page for page in self.pages if page.state in wanted]


# -- the replay QA report beside a manifest --------------------------------------------------------


@dataclass(frozen=True)
class QaProfile:
    profile: str
    passed: bool
    misses: int
    broken: int
    screenshot_similarity: float | None
    text_similarity: float | None

    @classmethod
    def parse(cls, reader: _Reader) -> QaProfile:
        similarities = [reader.data.get(key) for key in ("screenshot_similarity", "text_similarity")]
        if not all(value is None or isinstance(value, (int, float)) for value in similarities):
            raise UnreadableManifest(f"{reader.where}: a similarity is not a number")
        return cls(
            reader.text("profile"),
            reader.flag("passed"),
            len(reader.items("misses")),
            len(reader.items("broken_images")) + len(reader.items("broken_media")),
            *similarities,
        )


@dataclass(frozen=True)
class QaReport:
    """qa.json, as far as others read it: per capture, per screen size, whether replay passed."""

    by_capture: Mapping[str, tuple[QaProfile, ...]]

    @classmethod
    def read(cls, path: Path) -> QaReport:
        try:
            data = json.loads(path.read_bytes()[:MAX_MANIFEST_BYTES])
        except (OSError, ValueError, RecursionError) as exc:
            raise UnreadableManifest(f"{path} is not a readable QA report: {exc}") from None
        reader = _Reader(data, str(path))
        pages = reader.each("pages", lambda page: (page.text("capture_id"), page.each("profiles", QaProfile.parse)))
        return cls(dict(pages))
