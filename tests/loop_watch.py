"""How long an event loop stalls: a 5 ms ticker on the loop records the gaps between its ticks."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.to_thread


@asynccontextmanager
async def watching_the_loop() -> AsyncIterator[list[float]]:
    """Within the block, a ticker runs on the loop; the list gets each gap between ticks (seconds),
    whose largest is the loop's worst stall. The worker thread pool is started before the watch."""
    await anyio.to_thread.run_sync(lambda: None)
    gaps: list[float] = []
    done = anyio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await anyio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    async with anyio.create_task_group() as group:
        group.start_soon(ticker)
        await anyio.sleep(0.02)
        try:
            yield gaps
        finally:
            done.set()
