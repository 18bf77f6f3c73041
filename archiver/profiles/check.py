"""What proves that a page was seen logged in: an element only a subscriber's page has, or a text.

`--check` is written `css:SELECTOR` or `text:WORDS`; without a prefix, a value that starts like a
selector (`.`, `#`, `[`) or holds `[`, `>` or `=` is CSS, anything else is text ("Log out",
"Welcome back" would both parse as CSS, and mean nothing as it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CSS, TEXT = "css", "text"
_SELECTOR_START = (".", "#", "[")
_SELECTOR_MARKS = ("[", ">", "=")

# Run in the page: is the check there? (text: in what the page shows, its body's innerText)
CHECK_JS = """([kind, value]) => {
  if (kind === "css") { try { return document.querySelector(value) !== null; } catch (e) { return null; } }
  return !!document.body && document.body.innerText.includes(value);
}"""


@dataclass(frozen=True)
class LoginCheck:
    kind: str  # css | text
    value: str

    @classmethod
    def parse(cls, written: str) -> LoginCheck:
        text = written.strip()
        for kind in (CSS, TEXT):
            if text.lower().startswith(kind + ":"):
                return cls(kind, _not_empty(text[len(kind) + 1 :].strip(), written))
        looks_css = text.startswith(_SELECTOR_START) or any(mark in text for mark in _SELECTOR_MARKS)
        return cls(CSS if looks_css else TEXT, _not_empty(text, written))

    def describe(self) -> str:
        return f"{'element' if self.kind == CSS else 'text'} {self.value!r}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoginCheck:
        if data.get("kind") not in (CSS, TEXT) or not isinstance(data.get("value"), str):
            raise ValueError("its check is neither css nor text")
        return cls(data["kind"], data["value"])

    async def holds_in(self, page: Any) -> bool | None:
        """True or False as the page shows it; None when a selector cannot be read."""
        return await page.evaluate(CHECK_JS, [self.kind, self.value])


def _not_empty(value: str, written: str) -> str:
    if not value:
        raise ValueError(f"--check {written!r} says nothing to look for")
    return value
