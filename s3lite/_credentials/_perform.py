"""The blocking performer of the chain's effects (``Client``'s; ``AsyncClient`` has its own in ``_aperform``)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from typing import Any

from .._errors import HTTPClientError
from .._flow import Sleep
from .._http import HttpRequest, HttpResponse
from ._effects import CredentialEffect, Fetch, Fetching, Finished, ReadFile, RunProcess, T

#: sends a request, its whole exchange within ``timeout`` seconds, and returns the response read whole
BlockingFetch = Callable[[HttpRequest, float], HttpResponse]


def read_file(path: str) -> bytes | None:
    try:
        with open(path, "rb") as file:
            return file.read()
    except (OSError, ValueError):  # ValueError: a path with a NUL in it
        return None


def run_process(argv: tuple[str, ...]) -> Finished:
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
    assert isinstance(effect, Sleep)
    time.sleep(effect.seconds)
    return None


def drive(flow: Fetching[T], fetch: BlockingFetch) -> T:
    """Run a provider's generator to its end, performing each effect blocking."""
    reply: Any = None
    error: HTTPClientError | None = None
    while True:
        try:
            effect = flow.throw(error) if error is not None else flow.send(reply)
        except StopIteration as done:
            result: T = done.value
            return result
        reply = error = None
        try:
            reply = perform(effect, fetch)
        except HTTPClientError as failed:
            error = failed
