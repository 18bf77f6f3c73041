"""DASH manifests (ISO/IEC 23009-1): each adaptation set's representations and the URLs of every
segment a player of one of them fetches, from SegmentTemplate (with or without a SegmentTimeline),
SegmentList or a single file (SegmentBase)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeXml

DASH_CONTENT_TYPES = ("application/dash+xml",)
MAX_SEGMENTS = 100_000  # a template that would expand past this is not a manifest we follow

_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_TEMPLATE_VARIABLE = re.compile(r"\$(RepresentationID|Number|Time|Bandwidth)(%0(\d+)d)?\$")


class DashError(ValueError):
    """Not a DASH manifest this parser can follow."""


@dataclass
class Representation:
    id: str
    kind: str  # video, audio, text, or "" when the manifest does not say
    bandwidth: int
    width: int = 0
    height: int = 0
    codecs: str = ""
    init: list[str] = field(default_factory=list)  # the initialization section, when there is one
    segments: list[str] = field(default_factory=list)  # in order

    @property
    def files(self) -> list[str]:
        """What a player of it fetches to the end: the init section, then every segment."""
        return list(dict.fromkeys([*self.init, *self.segments]))

    @property
    def area(self) -> int:
        return self.width * self.height

    def label(self) -> str:
        size = f"{self.width}x{self.height} " if self.area else ""
        return f"{self.kind or 'media'} {self.id}: {size}{self.bandwidth // 1000} kbit/s"


@dataclass
class AdaptationSet:
    kind: str
    representations: list[Representation] = field(default_factory=list)


@dataclass
class Manifest:
    url: str
    periods: list[list[AdaptationSet]] = field(default_factory=list)
    duration: float = 0.0
    live: bool = False  # type="dynamic": the manifest changes while the stream goes on

    @property
    def adaptation_sets(self) -> list[AdaptationSet]:
        return [adaptation for period in self.periods for adaptation in period]

    @property
    def representations(self) -> list[Representation]:
        return [rep for adaptation in self.adaptation_sets for rep in adaptation.representations]


def is_manifest(text: str) -> bool:
    head = text.lstrip("\ufeff")[:2000]
    return "<MPD" in head


def parse(text: str, url: str) -> Manifest:
    try:
        root = SafeXml.fromstring(text.encode("utf-8"))
    except (SafeXml.ParseError, DefusedXmlException) as exc:  # not XML, or entities (a bomb)
        raise DashError(f"the DASH manifest is not XML that can be read safely: {exc}") from exc
    try:
        return _manifest(root, url)
    except DashError:
        raise
    except (ValueError, ZeroDivisionError, OverflowError) as exc:  # a number that is not one
        raise DashError(f"the DASH manifest has a value that is not a number: {exc}") from exc


def _manifest(root: Element, url: str) -> Manifest:
    if _local(root.tag) != "MPD":
        raise DashError("the DASH manifest has no MPD root")
    manifest = Manifest(url, live=root.get("type", "static") == "dynamic")
    manifest.duration = parse_duration(root.get("mediaPresentationDuration", ""))
    base = _base_url(root, url)
    for period in _children(root, "Period"):
        period_duration = parse_duration(period.get("duration", "")) or manifest.duration
        period_base = _base_url(period, base)
        sets = [
            _adaptation_set(adaptation, period_base, period_duration)
            for adaptation in _children(period, "AdaptationSet")
        ]
        manifest.periods.append(sets)
    return manifest


def parse_duration(text: str) -> float:
    """An xs:duration such as PT1M2.5S, in seconds (0 when absent or not one)."""
    match = _DURATION.match(text.strip())
    if not match or not text.strip():
        return 0.0
    days, hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def _adaptation_set(element: Element, base: str, duration: float) -> AdaptationSet:
    kind = _kind(element)
    adaptation = AdaptationSet(kind)
    set_base = _base_url(element, base)
    set_template = _child(element, "SegmentTemplate")
    set_list = _child(element, "SegmentList")
    for rep in _children(element, "Representation"):
        representation = Representation(
            id=rep.get("id", ""),
            kind=_kind(rep) or kind,
            bandwidth=int(float(rep.get("bandwidth", "0") or 0)),
            width=int(rep.get("width", element.get("width", "0")) or 0),
            height=int(rep.get("height", element.get("height", "0")) or 0),
            codecs=rep.get("codecs", element.get("codecs", "")),
        )
        rep_base = _base_url(rep, set_base)
        template = _merged(set_template, _child(rep, "SegmentTemplate"))
        segment_list = _child(rep, "SegmentList") or set_list
        if template is not None:
            representation.init, representation.segments = _from_template(template, representation, rep_base, duration)
        elif segment_list is not None:
            representation.init, representation.segments = _from_list(segment_list, rep_base)
        else:
            representation.segments = [rep_base]  # SegmentBase, or nothing: the one file holds it all
        adaptation.representations.append(representation)
    return adaptation


def _from_template(template: Element, rep: Representation, base: str, duration: float) -> tuple[list[str], list[str]]:
    init = template.get("initialization")
    init_files = [urljoin(base, _fill(init, rep, None, None))] if init else []
    files: list[str] = []
    media = template.get("media")
    if not media:
        return init_files, files
    start_number = int(template.get("startNumber", "1"))
    timescale = float(template.get("timescale", "1")) or 1.0
    timeline = _child(template, "SegmentTimeline")
    if timeline is not None:
        for number, time in enumerate(_timeline_times(timeline, duration * timescale), start_number):
            files.append(urljoin(base, _fill(media, rep, number, time)))
    elif template.get("duration"):
        count = math.ceil(duration * timescale / float(template.get("duration", "1"))) if duration else 0
        if count > MAX_SEGMENTS:
            raise DashError(f"the DASH template would list {count} segments")
        files += [urljoin(base, _fill(media, rep, start_number + n, None)) for n in range(count)]
    return init_files, files


def _timeline_times(timeline: Element, end: float) -> list[int]:
    """The start time of every segment a SegmentTimeline lists (r="-1": repeat to the period's end)."""
    times: list[int] = []
    now = 0
    for entry in _children(timeline, "S"):
        now = int(entry.get("t", now))
        length = int(entry.get("d", "0"))
        repeat = int(entry.get("r", "0"))
        if repeat < 0:
            repeat = max(0, math.ceil((end - now) / length) - 1) if length and end else 0
        for _ in range(repeat + 1):
            times.append(now)
            now += length
            if len(times) > MAX_SEGMENTS:
                raise DashError("the DASH timeline lists too many segments")
    return times


def _from_list(segment_list: Element, base: str) -> tuple[list[str], list[str]]:
    init = _child(segment_list, "Initialization")
    init_files = [urljoin(base, init.get("sourceURL", ""))] if init is not None and init.get("sourceURL") else []
    segments = [
        urljoin(base, seg.get("media", "")) for seg in _children(segment_list, "SegmentURL") if seg.get("media")
    ]
    return init_files, segments or [base]


def _fill(template: str, rep: Representation, number: int | None, time: int | None) -> str:
    def value(match: re.Match[str]) -> str:
        name, width = match.group(1), int(match.group(3) or 0)
        found = {"RepresentationID": rep.id, "Bandwidth": rep.bandwidth, "Number": number, "Time": time}[name]
        if found is None:
            return match.group(0)
        return str(found).zfill(width) if isinstance(found, int) else str(found)

    return _TEMPLATE_VARIABLE.sub(value, template).replace("$$", "$")


def _merged(outer: Element | None, inner: Element | None) -> Element | None:
    """A Representation's SegmentTemplate inherits what its AdaptationSet's says."""
    if outer is None or inner is None:
        return inner if inner is not None else outer
    merged = Element(inner.tag, {**outer.attrib, **inner.attrib})
    timeline = _child(inner, "SegmentTimeline")
    if timeline is None:
        timeline = _child(outer, "SegmentTimeline")
    if timeline is not None:
        merged.append(timeline)
    return merged


def _kind(element: Element) -> str:
    content_type = element.get("contentType", "")
    mime = element.get("mimeType", "")
    for kind in ("video", "audio", "text"):
        if content_type == kind or mime.startswith(kind + "/"):
            return kind
    if mime == "application/mp4" or mime == "application/ttml+xml":
        return "text"
    return ""


def _base_url(element: Element, base: str) -> str:
    found = _child(element, "BaseURL")
    return urljoin(base, (found.text or "").strip()) if found is not None and found.text else base


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None
