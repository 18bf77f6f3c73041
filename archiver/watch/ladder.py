"""When an article is checked again: by its time since it last changed, as NewsDiffs does.

After its first capture an article is checked again when its time since its last change passes
the first step of the ladder, then the next, and so on; an edit restarts the ladder from the
moment it was seen; after the last step the article is done. A step whose moment passed while
the watcher was not running is skipped, not caught up: one check, then the next step still ahead.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT = (15 * 60, 3600, 3 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400)  # 15m,1h,3h,1d,3d,7d,30d


@dataclass(frozen=True)
class Next:
    step: int  # the ladder step now due next (len(ladder): done)
    at: float  # when (meaningless once done)

    def done(self, ladder: tuple[float, ...]) -> bool:
        return self.step >= len(ladder)


def next_check(ladder: tuple[float, ...], changed_at: float, after_step: int, now: float) -> Next:
    """The next step after `after_step` (-1: after the first capture) whose moment is still ahead."""
    step = after_step + 1
    while step < len(ladder) and changed_at + ladder[step] <= now:
        step += 1  # passed while nobody looked: skipped, not caught up
    return Next(step, changed_at + ladder[step] if step < len(ladder) else float("inf"))
