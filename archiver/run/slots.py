"""Pages opening and loading at once (--concurrency N): a page opens its browser context while the
pages before it load (at most N contexts opened ahead), waits for one of N loading slots, holds it
while it loads, scrolls, waits and fetches, and gives it back when only its finishing steps are
left (the full-page screenshot, the DOM, closing its context, writing its records, reading its
metadata), so that the next page loads meanwhile instead of after. Opening a context and finishing
a page cost a second or more of a long page that way. A run's browser thus holds N contexts
opened ahead, N loading, and the pages still finishing (about N: each finishing step is bounded by
its own timeout). The manifest's `wait_for_turn` step says how long a page's open context waited.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Slot:
    """One attempt at one page: its place among the pages opening, then among those loading."""

    def __init__(self, opening: asyncio.Semaphore, loading: asyncio.Semaphore) -> None:
        self._opening: asyncio.Semaphore | None = opening
        self._loading = loading
        self._holds_loading = False

    async def turn(self) -> None:
        """The context is open: wait for a loading slot, and let the next page open its context."""
        await self._loading.acquire()
        self._holds_loading = True
        self._give_back_opening()

    def release(self) -> None:
        """The page has loaded: its loading slot goes to the next page (once; later calls do nothing)."""
        if self._holds_loading:
            self._holds_loading = False
            self._loading.release()

    def end(self) -> None:
        self._give_back_opening()
        self.release()

    def _give_back_opening(self) -> None:
        if self._opening is not None:
            self._opening.release()
            self._opening = None


class LoadingSlots:
    def __init__(self, concurrency: int) -> None:
        self._opening = asyncio.Semaphore(max(1, concurrency))
        self._loading = asyncio.Semaphore(max(1, concurrency))

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[Slot]:
        """A slot for one attempt at one page; whatever it still holds is given back when the attempt ends."""
        await self._opening.acquire()
        slot = Slot(self._opening, self._loading)
        try:
            yield slot
        finally:
            slot.end()
