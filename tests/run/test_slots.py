"""Loading slots (archiver.run.slots): the next page opens its context while one loads, loads only
when the page before it has loaded, and every place is given back however an attempt ends."""

from __future__ import annotations

import asyncio

from archiver.run.slots import LoadingSlots


def test_one_slot_lets_the_next_page_open_while_one_loads_and_load_after_it() -> None:
    async def scenario() -> list[str]:
        slots = LoadingSlots(1)
        events: list[str] = []
        first_loaded = asyncio.Event()

        async def page(name: str, loaded: asyncio.Event | None) -> None:
            async with slots.slot() as slot:
                events.append(f"{name} opens")
                await slot.turn()
                events.append(f"{name} loads")
                if loaded is not None:
                    await loaded.wait()
                slot.release()
                slot.release()  # a second release gives nothing back twice
                events.append(f"{name} finishes")

        first = asyncio.ensure_future(page("first", first_loaded))
        second = asyncio.ensure_future(page("second", None))
        third = asyncio.ensure_future(page("third", None))
        for _ in range(20):
            await asyncio.sleep(0)
        opened_while_first_loads = list(events)
        first_loaded.set()
        await asyncio.gather(first, second, third)
        return opened_while_first_loads + ["|"] + events

    before, _, after = " ".join(asyncio.run(scenario())).partition(" | ")
    # while the first loads, the second has opened (one page ahead), the third has not
    assert before == "first opens first loads second opens"
    assert after.split().count("loads") == 3
    assert after.index("second loads") > after.index("first finishes")  # one page loads at a time
    assert after.index("third opens") > after.index("second loads")  # one page opened ahead at a time


def test_an_attempt_that_ends_before_its_turn_gives_its_places_back() -> None:
    async def scenario() -> bool:
        slots = LoadingSlots(1)
        async with slots.slot():
            pass  # its context failed to open: it never asked for its turn
        try:
            async with slots.slot() as slot:
                await slot.turn()
                raise RuntimeError("the page failed while it loaded")
        except RuntimeError:
            pass
        # both places are free again: another page opens and loads at once
        async with slots.slot() as slot:
            await asyncio.wait_for(slot.turn(), timeout=5)
        return True

    assert asyncio.run(scenario())
