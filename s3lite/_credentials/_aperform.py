"""``AsyncClient``'s side of the chain: its effects performed without blocking the event loop
(files, processes and the caller's own provider in a worker thread, HTTP through the client's
async transport), and the lock around a refresh (issue 11: a 300 ms fetch must not stall the loop)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.to_thread

from .._errors import CredentialRetrievalError, HTTPClientError
from .._flow import Sleep, Stepping
from .._http import HttpRequest, HttpResponse
from . import Credentials
from ._effects import CallProvider, CredentialEffect, Fetch, Fetching, ReadFile, RunProcess, T
from ._perform import read_file, run_process
from ._refresh import Held

#: :data:`._perform.BlockingFetch`, awaited
AsyncFetch = Callable[[HttpRequest, float], Awaitable[HttpResponse]]


async def aperform(effect: CredentialEffect, fetch: AsyncFetch) -> Any:
    """One effect, off the event loop; a failed fetch raises ``HTTPClientError``."""
    if isinstance(effect, ReadFile):
        return await anyio.to_thread.run_sync(read_file, effect.path)
    if isinstance(effect, Fetch):
        return await fetch(effect.request, effect.timeout)
    if isinstance(effect, RunProcess):
        return await anyio.to_thread.run_sync(run_process, effect.argv)
    if isinstance(effect, CallProvider):
        return await anyio.to_thread.run_sync(effect.function)
    assert isinstance(effect, Sleep)
    await anyio.sleep(effect.seconds)
    return None


async def adrive(flow: Fetching[T], fetch: AsyncFetch) -> T:
    """Run a provider's generator to its end, awaiting each effect."""
    stepping: Stepping[CredentialEffect, T] = Stepping(flow)
    while (effect := stepping.next_effect()) is not None:
        try:
            stepping.answer(await aperform(effect, fetch))
        except HTTPClientError as error:
            stepping.fail(error)
    return stepping.result


class AsyncCredentials:
    """:class:`._perform.BlockingCredentials` for tasks: one task refreshes, the others wait for
    it (mandatory) or go on with the keys still valid (advisory)."""

    def __init__(self, held: Held, fetch: AsyncFetch) -> None:
        self._held = held
        self._fetch = fetch
        self._lock: anyio.Lock | None = None

    async def current(self) -> Credentials:
        held = self._held
        due = held.due()
        if due is None:
            return held.credentials
        if self._lock is None:
            self._lock = anyio.Lock()
        lock = self._lock
        if due == "mandatory":
            async with lock:
                if held.due() == "mandatory":  # unless another task did it while this one waited
                    if (prepare := getattr(held.provider, "prepare", None)) is not None:
                        await anyio.to_thread.run_sync(prepare)  # the chain's imports, off the loop
                    held.settle(await adrive(held.fetching(), self._fetch))
            return held.credentials
        try:
            lock.acquire_nowait()
        except anyio.WouldBlock:
            return held.credentials
        try:
            if held.due() is not None:
                held.settle(await adrive(held.fetching(), self._fetch))
        except Exception as error:  # noqa: BLE001 - botocore's rule: any failure, keep the valid keys
            held.advisory_failed(error)
        finally:
            lock.release()
        return held.credentials

    def held_now(self) -> Credentials:
        """The credentials usable without I/O, for what cannot await (``generate_presigned_url``):
        those held, unless they must be fetched first, and then only if that needs no effect
        (the environment's keys)."""
        held = self._held
        if held.due() != "mandatory":
            return held.credentials
        flow = held.fetching()
        try:
            flow.send(None)
        except StopIteration as done:
            held.settle(done.value)
            return held.credentials
        flow.close()
        raise CredentialRetrievalError(
            "chain",
            "AsyncClient.generate_presigned_url signs with the credentials the client holds, and these must "
            "first be fetched: await client.get_credentials() (or make any call) before presigning",
        )
