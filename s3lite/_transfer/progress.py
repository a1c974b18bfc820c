"""Progress callbacks: the caller's ``Callback(bytes_amount)``, called as bytes move, never twice at once.

s3transfer calls each callback from whichever worker moved the bytes, possibly at the same time;
here the calls are serialised under one lock per transfer, so a callback that updates a counter or
redraws a progress bar needs no lock of its own. Amounts sum to the object's size: bytes sent again
(a retried part, a re-fetched range) are first taken back with a negative amount, as s3transfer does.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from .._errors import ParamValidationError

ProgressCallback = Callable[[int], Any]
P = ParamSpec("P")
R = TypeVar("R")


class Progress:
    """The serialised ``Callback`` of one transfer; a no-op without one."""

    __slots__ = ("_callback", "_lock")

    def __init__(self, callback: ProgressCallback | None) -> None:
        if callback is not None and not callable(callback):
            raise ParamValidationError(
                f"Invalid type for Callback, type: {type(callback).__name__}, valid types: callable"
            )
        self._callback = callback
        self._lock = threading.Lock()

    def __call__(self, amount: int) -> None:
        if self._callback is not None and amount:
            with self._lock:
                try:
                    self._callback(amount)
                except BaseException as error:
                    raise CallbackFailed(error) from error


class CallbackFailed(BaseException):
    """The caller's ``Callback`` raised: carried out of the client's read loop (which takes an
    ``OSError`` or ``ValueError`` there for a broken ``Body``) and raised as itself by
    :func:`raising_callback_errors` once the transfer is aborted."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


def raising_callback_errors(method: Callable[P, R]) -> Callable[P, R]:
    """``method`` (a transfer of ``Client``), raising what its ``Callback`` raised as itself."""

    @functools.wraps(method)
    def transfer(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except CallbackFailed as failed:
            error = failed.error
        raise error  # outside the except: the error keeps its own __cause__ and __context__

    return transfer


def araising_callback_errors(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """:func:`raising_callback_errors` for the coroutines of ``AsyncClient``."""

    @functools.wraps(method)
    async def transfer(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except CallbackFailed as failed:
            error = failed.error
        raise error  # outside the except: the error keeps its own __cause__ and __context__

    return transfer


class Moved:
    """How far one part, range or copy has got, reported to a :class:`Progress` as it advances or
    starts over: ``to(position)`` reports the bytes between the furthest position reported and
    ``position``, negative when a retry went back."""

    __slots__ = ("_progress", "reported")

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self.reported = 0

    def to(self, position: int) -> None:
        if position != self.reported:
            delta, self.reported = position - self.reported, position
            self._progress(delta)
