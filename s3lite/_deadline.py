"""The attempt deadline (``attempt_timeout``): how long one attempt may take as a whole.

Per-phase timeouts (connect, each read, each write) bound each socket operation; an attempt that
trickles a byte at a time never trips them. So the client sets a deadline around each attempt, and
whatever does the network I/O (s3lite's own HTTP/1.1 pool, or the network backend it puts under an
httpx transport) shortens every connect, read and write to the time left (:func:`bounded`).
A context variable carries it: per thread and per task, and free when unset.
"""

from __future__ import annotations

import time
from contextvars import ContextVar, Token

#: time.monotonic() by which the current attempt must be over, or None; per thread and per task
_deadline: ContextVar[float | None] = ContextVar("s3lite_attempt_deadline", default=None)


class attempt_deadline:  # a function's name: it is used as ``with attempt_deadline(when):``
    """Network operations run inside get at most the time left until ``deadline`` (monotonic);
    with None, nothing is changed (the common case costs nothing)."""

    __slots__ = ("_deadline", "_token")

    def __init__(self, deadline: float | None) -> None:
        self._deadline = deadline
        self._token: Token[float | None] | None = None

    def __enter__(self) -> None:
        if self._deadline is not None:
            self._token = _deadline.set(self._deadline)

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _deadline.reset(self._token)


def deadline_passed() -> bool:
    deadline = _deadline.get()
    return deadline is not None and time.monotonic() >= deadline


def bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` shortened to the time left in the attempt; ``expired`` raised when none is left."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("attempt_timeout exceeded")
    return left if timeout is None or timeout > left else timeout
