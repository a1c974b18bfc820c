"""Which failure a transfer raises when several of its parts fail.

A transfer keeps going only until its first failure: no new part is started, the parts in flight
are let finish (a part whose body went out may still be stored by the server, so an abort must come
after it), and the first failure is raised, as itself. Failures that are only consequences of it
(:class:`Broken`) are never what is raised.
"""

from __future__ import annotations

from collections.abc import Sequence


class Broken(Exception):
    """Raised in a range waiting for its turn to write when an earlier range failed: the transfer's
    first failure is what is raised, this one is dropped."""


def first_failure(failures: Sequence[BaseException]) -> BaseException:
    """The first of ``failures`` that is not a :class:`Broken` (the first of all when they all are)."""
    return next((error for error in failures if not isinstance(error, Broken)), failures[0])
