"""Progress callbacks: the caller's ``Callback(bytes_amount)``, called as bytes move, never twice at once.

s3transfer calls each callback from whichever worker moved the bytes, possibly at the same time;
here the calls are serialised under one lock per transfer, so a callback that updates a counter or
redraws a progress bar needs no lock of its own. Amounts sum to the object's size: bytes sent again
(a retried part, a re-fetched range) are first taken back with a negative amount, as s3transfer does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .._errors import ParamValidationError

ProgressCallback = Callable[[int], Any]


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
                self._callback(amount)


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
