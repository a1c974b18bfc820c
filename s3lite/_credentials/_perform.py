"""``Client``'s side of the chain: its effects performed blocking, and the lock around a refresh."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .._errors import HTTPClientError
from .._flow import Sleep, Stepping
from .._http import HttpRequest, HttpResponse
from . import Credentials
from ._effects import CallProvider, CredentialEffect, Fetch, Fetching, Finished, ReadFile, RunProcess, T
from ._refresh import Held

#: sends a request, its whole exchange within ``timeout`` seconds, and returns the response read whole
BlockingFetch = Callable[[HttpRequest, float], HttpResponse]


def read_file(path: str) -> bytes | None:
    try:
        with open(path, "rb") as file:
            return file.read()
    except (OSError, ValueError):  # ValueError: a path with a NUL in it
        return None


def run_process(argv: tuple[str, ...]) -> Finished:
    import subprocess  # only credential_process needs it

    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    except (OSError, ValueError) as error:
        return Finished(None, b"", str(error).encode("utf-8", "replace"))
    return Finished(done.returncode, done.stdout, done.stderr)


def perform(effect: CredentialEffect, fetch: BlockingFetch) -> Any:
    """One effect, blocking; a failed fetch raises ``HTTPClientError``."""
    if isinstance(effect, ReadFile):
        return read_file(effect.path)
    if isinstance(effect, Fetch):
        return fetch(effect.request, effect.timeout)
    if isinstance(effect, RunProcess):
        return run_process(effect.argv)
    if isinstance(effect, CallProvider):
        return effect.function()
    assert isinstance(effect, Sleep)
    time.sleep(effect.seconds)
    return None


def drive(flow: Fetching[T], fetch: BlockingFetch) -> T:
    """Run a provider's generator to its end, performing each effect blocking."""
    stepping: Stepping[CredentialEffect, T] = Stepping(flow)
    while (effect := stepping.next_effect()) is not None:
        try:
            stepping.answer(perform(effect, fetch))
        except HTTPClientError as error:
            stepping.fail(error)
    return stepping.result


class BlockingCredentials:
    """``Client``'s credentials, refreshed when due by one thread while the others wait (mandatory)
    or go on with the keys still valid (advisory): botocore's ``RefreshableCredentials._refresh``."""

    def __init__(self, held: Held, fetch: BlockingFetch) -> None:
        self._held = held
        self._fetch = fetch
        self._lock = threading.Lock()

    def current(self) -> Credentials:
        held = self._held
        due = held.due()
        if due == "mandatory":
            with self._lock:
                if held.due() == "mandatory":  # unless another thread did it while this one waited
                    held.settle(drive(held.fetching(), self._fetch))
        elif due == "advisory" and self._lock.acquire(blocking=False):
            try:
                if held.due() is not None:
                    held.settle(drive(held.fetching(), self._fetch))
            except Exception as error:  # noqa: BLE001 - botocore's rule: any failure, keep the valid keys
                held.advisory_failed(error)
            finally:
                self._lock.release()
        return held.credentials
