"""Two stored captures of a page compared: the fields, the text, the photos, the screenshots.

What counts as an edit is ours: a field whose value changed, a run of words of the story that
changed (page furniture is left out by where it sits, never by what it says), a photo added,
removed, replaced or altered, a caption or credit changed. A photo
re-encoded (the same picture, other bytes) and the screenshot difference are reported, but they
are not edits on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archiver.changes.photos import PhotoChange, compare_photos
from archiver.changes.screens import ScreenshotDiff, compare_screenshots
from archiver.changes.snapshot import FIELDS, Snapshot
from archiver.changes.text import ArticleText, TextDiff, article_text, diff_words, furniture_changes
from archiver.terms import FileRole


@dataclass
class FieldChange:
    name: str  # the manifest's name
    old: Any
    new: Any

    @property
    def label(self) -> str:
        return FIELDS[self.name]

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.name, "label": self.label, "old": self.old, "new": self.new}


@dataclass
class Comparison:
    old: Snapshot
    new: Snapshot
    fields: list[FieldChange] = field(default_factory=list)
    text: TextDiff = field(default_factory=TextDiff)
    photos: list[PhotoChange] = field(default_factory=list)
    screenshot: ScreenshotDiff | None = None

    @property
    def edits(self) -> list[str]:
        """One short phrase per edit, in reading order: what `history` prints for a pair."""
        phrases = [f"{change.label} changed" for change in self.fields]
        if self.text.changed:
            phrases.append(
                f"text: {len(self.text.changes)} change(s), -{self.text.words_removed} +{self.text.words_added} words"
            )
        phrases += [_photo_phrase(change) for change in self.photos if change.is_edit]
        return phrases

    @property
    def changed(self) -> bool:
        return bool(self.edits)

    def to_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "summary": self.edits,
            "old": _capture_dict(self.old),
            "new": _capture_dict(self.new),
            "fields": [change.to_dict() for change in self.fields],
            "text": self.text.to_dict(),
            "photos": [change.to_dict() for change in self.photos],
            "screenshot": self.screenshot.to_dict() if self.screenshot else None,
        }


def _photo_phrase(change: PhotoChange) -> str:
    photo = change.new or change.old
    assert photo is not None
    return (
        f"{'lead photo' if photo.is_lead else 'photo'} {change.kind}"
        if change.kind not in ("caption", "credit")
        else f"{change.kind} changed"
    )


def _capture_dict(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "capture_id": snapshot.capture_id,
        "captured_at": snapshot.captured_at,
        "url": snapshot.url,
        "folder": str(snapshot.folder),
    }


def compare(old: Snapshot, new: Snapshot, screenshots: bool = True) -> Comparison:
    comparison = Comparison(old, new)
    for name in FIELDS:
        if _normalized(old.fields.get(name)) != _normalized(new.fields.get(name)):
            comparison.fields.append(FieldChange(name, old.fields.get(name), new.fields.get(name)))
    old_text, new_text = _body(old), _body(new)
    comparison.text = diff_words(old_text.paragraphs, new_text.paragraphs)
    comparison.text.noise = furniture_changes(old_text.furniture, new_text.furniture)
    comparison.photos = compare_photos(old.photos, new.photos)
    if screenshots:
        comparison.screenshot = compare_screenshots(old.file(FileRole.FULL_PAGE), new.file(FileRole.FULL_PAGE))
    return comparison


def _body(snapshot: Snapshot) -> ArticleText:
    captions = [photo.caption for photo in snapshot.photos]  # compared with the photos
    return article_text(
        snapshot.html, snapshot.url, [snapshot.fields.get("headline"), snapshot.fields.get("description"), *captions]
    )


def _normalized(value: Any) -> Any:
    if isinstance(value, list):
        return [" ".join(str(v).split()) for v in value]
    return " ".join(str(value).split()) if value is not None else None
