"""What a credential provider asks its driver to do: the I/O of the chain, as values.

A provider is a generator (:data:`Fetching`) that yields these effects and is sent each one's
answer, as a call's flow is (``s3lite._flow``): the driver of ``Client`` performs them blocking,
``AsyncClient``'s off the event loop (files and processes in a worker thread, HTTP through its own
async transport), an embedder with its own stack. A failed :class:`Fetch` is thrown into the
generator as an ``HTTPClientError``, as a failed ``Send`` is into a call's flow.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, NamedTuple, Protocol, TypeVar

from .._flow import Sleep
from .._http import HttpRequest
from . import Credentials

T = TypeVar("T")


class ReadFile(NamedTuple):
    """Read the file at ``path`` (already expanded: no ``~``); answer with its bytes, or None when it
    does not exist or cannot be read (the chain treats an unreadable file as a missing one)."""

    path: str


class Fetch(NamedTuple):
    """Send ``request`` (its body is bytes) and read the response whole; answer with its
    ``HttpResponse``. The whole exchange, connecting included, must end within ``timeout`` seconds;
    a failure (refused, timed out, reset) is thrown in as an ``HTTPClientError``."""

    request: HttpRequest
    timeout: float


class RunProcess(NamedTuple):
    """Run ``argv`` (no shell), its stdin empty; answer with a :class:`Finished`. A program that
    cannot be started is answered with ``Finished(None, b"", <the reason, encoded>)``."""

    argv: tuple[str, ...]


class Finished(NamedTuple):
    """How a :class:`RunProcess` ended: the exit status (None: it could not be started) and its output."""

    returncode: int | None
    stdout: bytes
    stderr: bytes


class CallProvider(NamedTuple):
    """Call the caller's own credentials provider (``credentials_provider=``); answer with what it
    returned. It is the caller's code: ``AsyncClient`` runs it in a worker thread."""

    function: Callable[[], object]


CredentialEffect = ReadFile | Fetch | RunProcess | CallProvider | Sleep
#: a provider's generator: yields effects, is sent their answers, returns ``T``
Fetching = Generator[CredentialEffect, Any, T]


class Provider(Protocol):
    """One link of the chain, built from the settings without I/O by its module's ``provider(settings)``
    (which returns None when its settings are absent: the chain goes on to the next)."""

    @property
    def method(self) -> str:
        """botocore's name for it (``iam-role``, ``container-role``, ``assume-role`` ...): what
        ``NoCredentialsError`` lists and ``CredentialRetrievalError`` names."""
        ...

    def fetch(self) -> Fetching[Credentials | None]:
        """New credentials (``expires_at`` set when they are temporary), or None when there are none
        here after all (no instance role, no metadata service): the chain goes on. Called again to
        refresh, where None is an error."""
        ...
