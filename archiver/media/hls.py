"""HLS playlists (RFC 8216): a master playlist's variants and alternative renditions, and a media
playlist's segments, init sections and keys, as absolute URLs."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

HLS_CONTENT_TYPES = ("application/vnd.apple.mpegurl", "application/x-mpegurl", "audio/mpegurl", "audio/x-mpegurl")

_ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')
_RESOLUTION = re.compile(r"^(\d+)x(\d+)$")


def is_playlist(text: str) -> bool:
    return text.lstrip("\ufeff").startswith("#EXTM3U")


def attributes(line: str) -> dict[str, str]:
    """The attribute list after a tag's colon, quotes removed."""
    _, _, rest = line.partition(":")
    return {name: value.strip('"') for name, value in _ATTRIBUTE.findall(rest)}


@dataclass(frozen=True)
class Variant:
    """One #EXT-X-STREAM-INF: a rendition of the whole stream, at one bandwidth and resolution."""

    uri: str
    bandwidth: int
    width: int = 0
    height: int = 0
    codecs: str = ""
    audio_group: str | None = None
    subtitles_group: str | None = None

    @property
    def area(self) -> int:
        return self.width * self.height

    def label(self) -> str:
        size = f"{self.width}x{self.height} " if self.area else ""
        return f"{size}{self.bandwidth // 1000} kbit/s"


@dataclass(frozen=True)
class Alternative:
    """One #EXT-X-MEDIA: an audio track, subtitles or captions of a group the variants name."""

    kind: str  # AUDIO, SUBTITLES, CLOSED-CAPTIONS, VIDEO
    group: str
    name: str
    uri: str | None  # None: carried inside the variant's own segments
    language: str | None = None
    default: bool = False


@dataclass
class MasterPlaylist:
    url: str
    variants: list[Variant] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)

    def alternatives_for(self, variant: Variant) -> list[Alternative]:
        """The audio and subtitle tracks a player of `variant` may load: every one of its groups."""
        groups = {("AUDIO", variant.audio_group), ("SUBTITLES", variant.subtitles_group)}
        return [alt for alt in self.alternatives if (alt.kind, alt.group) in groups and alt.uri]


@dataclass
class MediaPlaylist:
    url: str
    segments: list[str] = field(default_factory=list)  # in order, each URL once
    init_sections: list[str] = field(default_factory=list)  # #EXT-X-MAP
    keys: list[str] = field(default_factory=list)  # #EXT-X-KEY URIs a browser can fetch
    duration: float = 0.0  # the sum of #EXTINF
    target_duration: float = 0.0
    media_sequence: int = 0
    ended: bool = False  # #EXT-X-ENDLIST: nothing more will be added (VOD, or a live stream that ended)
    encrypted_by_drm: bool = False  # a key no plain fetch can get (SAMPLE-AES with skd://, ...)

    @property
    def live(self) -> bool:
        return not self.ended

    def files(self) -> list[str]:
        """Everything a viewer needs to play it to the end: init sections, keys, then the segments."""
        return _unique([*self.init_sections, *self.keys, *self.segments])


def is_master(text: str) -> bool:
    return "#EXT-X-STREAM-INF" in text


def parse_master(text: str, url: str) -> MasterPlaylist:
    master = MasterPlaylist(url)
    lines = [line.strip() for line in text.splitlines()]
    for number, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            uri = _next_uri(lines, number + 1)
            if uri is not None:
                master.variants.append(_variant(attributes(line), urljoin(url, uri)))
        elif line.startswith("#EXT-X-MEDIA:"):
            attrs = attributes(line)
            master.alternatives.append(
                Alternative(
                    kind=attrs.get("TYPE", ""),
                    group=attrs.get("GROUP-ID", ""),
                    name=attrs.get("NAME", ""),
                    uri=urljoin(url, attrs["URI"]) if attrs.get("URI") else None,
                    language=attrs.get("LANGUAGE"),
                    default=attrs.get("DEFAULT", "").upper() == "YES",
                )
            )
    return master


def parse_media(text: str, url: str) -> MediaPlaylist:
    playlist = MediaPlaylist(url)
    segments: list[str] = []
    expect_segment = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#EXTINF:"):
            playlist.duration += _number(line.partition(":")[2].split(",")[0])
            expect_segment = True
        elif line.startswith("#EXT-X-MAP:"):
            uri = attributes(line).get("URI")
            if uri:
                playlist.init_sections.append(urljoin(url, uri))
        elif line.startswith("#EXT-X-KEY:"):
            _note_key(playlist, attributes(line), url)
        elif line.startswith("#EXT-X-TARGETDURATION:"):
            playlist.target_duration = _number(line.partition(":")[2])
        elif line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            playlist.media_sequence = int(_number(line.partition(":")[2]))
        elif line.startswith("#EXT-X-ENDLIST"):
            playlist.ended = True
        elif not line.startswith("#") and expect_segment:
            segments.append(urljoin(url, line))
            expect_segment = False
    playlist.segments = _unique(segments)
    playlist.init_sections = _unique(playlist.init_sections)
    playlist.keys = _unique(playlist.keys)
    playlist.duration = round(playlist.duration, 3)
    return playlist


def _note_key(playlist: MediaPlaylist, attrs: dict[str, str], url: str) -> None:
    method, uri = attrs.get("METHOD", "NONE").upper(), attrs.get("URI")
    if method == "NONE" or not uri:
        return
    absolute = urljoin(url, uri)
    if absolute.startswith(("http://", "https://")):
        playlist.keys.append(absolute)  # a clear key (AES-128): replay needs it like a segment
    else:
        playlist.encrypted_by_drm = True  # skd://, data: ... a licence no capture can hold


def _variant(attrs: dict[str, str], uri: str) -> Variant:
    width = height = 0
    size = _RESOLUTION.match(attrs.get("RESOLUTION", ""))
    if size:
        width, height = int(size.group(1)), int(size.group(2))
    return Variant(
        uri=uri,
        bandwidth=int(_number(attrs.get("BANDWIDTH", "0"))),
        width=width,
        height=height,
        codecs=attrs.get("CODECS", ""),
        audio_group=attrs.get("AUDIO"),
        subtitles_group=attrs.get("SUBTITLES"),
    )


def _next_uri(lines: list[str], start: int) -> str | None:
    for line in lines[start:]:
        if line and not line.startswith("#"):
            return line
    return None


def _number(text: str) -> float:
    """A playlist's number; 0 for one that is not a finite number (a hostile playlist's "1e999")."""
    try:
        value = float(text.strip())
    except ValueError:
        return 0.0
    return value if math.isfinite(value) else 0.0


def _unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(urls))
