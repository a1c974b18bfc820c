"""Credentials, and where the clients find them when none are given: botocore's provider chain.

The chain is I/O-free like the rest of the core: each provider is a generator of effects
(:mod:`._effects`: read a file, fetch over HTTP, run a process, sleep) that a driver performs, the
blocking one for ``Client`` and the async one for ``AsyncClient``. The secret key and session token
never appear in a repr: a ``Credentials`` printed in a log or a traceback shows the access key id only.
"""

from __future__ import annotations

from typing import NamedTuple


class Credentials(NamedTuple):
    """An access key pair, with the session token of temporary credentials and when they expire.

    ``expires_at`` is Unix time (seconds); None for keys that do not expire (they are never refreshed).
    """

    access_key: str
    secret_key: str
    token: str | None = None
    expires_at: float | None = None

    def __repr__(self) -> str:
        return f"Credentials(access_key={self.access_key!r})"
