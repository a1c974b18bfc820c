"""When held credentials must be fetched again: botocore's ``RefreshableCredentials`` windows.

Temporary credentials are refreshed once fewer than 15 minutes are left (advisory: if that fails,
the keys still valid are used, and the failure is logged) and must be once fewer than 10 are left
(mandatory: a failure is raised). Credentials that come back already expired are an error. Only
the decisions are here, I/O-free; the drivers (``_perform.BlockingCredentials``,
``_aperform.AsyncCredentials``) add the lock that lets one refresh run however many threads or
tasks ask at once, and perform the provider's effects.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Literal

from .._errors import CredentialRetrievalError, NoCredentialsError
from . import Credentials
from ._effects import Fetching, Provider

if TYPE_CHECKING:
    from .._flow import CallContext

ADVISORY_WINDOW = 15 * 60
MANDATORY_WINDOW = 10 * 60

Due = Literal["advisory", "mandatory"]


class Held:
    """A client's credentials: the ones its calls sign with (``context.credentials``, the one place
    they live) and the provider that fetches them (again).

    ``provider`` is None for keys given to the client, which are never fetched; ``tried`` is set
    once a lookup found nothing (the providers looked at), and then every call raises
    ``NoCredentialsError`` naming them without looking again, as a botocore client built without
    credentials does.
    """

    __slots__ = ("_context", "provider", "tried")

    def __init__(self, context: CallContext, provider: Provider | None) -> None:
        self._context = context
        self.provider = provider
        self.tried: tuple[str, ...] | None = None if provider is not None or context.credentials else ()

    def __repr__(self) -> str:
        return f"Held(credentials={self._context.credentials!r}, provider={self.provider!r})"

    def due(self) -> Due | None:
        """Whether a refresh is needed now, and of which kind."""
        if self.tried is not None:
            raise NoCredentialsError(self.tried)
        credentials = self._context.credentials
        if credentials is None:
            return "mandatory"
        if credentials.expires_at is None or self.provider is None:
            return None
        left = credentials.expires_at - self._context.clock()
        if left < MANDATORY_WINDOW:
            return "mandatory"
        return "advisory" if left < ADVISORY_WINDOW else None

    @property
    def credentials(self) -> Credentials:
        """The credentials to sign with now (after any refresh that was due)."""
        credentials = self._context.credentials
        if credentials is None:
            raise NoCredentialsError(self.tried or ())
        return credentials

    def fetching(self) -> Fetching[Credentials | None]:
        assert self.provider is not None  # due() said so
        return self.provider.fetch()

    def settle(self, fetched: Credentials | None) -> None:
        """Take what the provider fetched (the driver ran :meth:`fetching` to its end)."""
        assert self.provider is not None
        if fetched is None:
            if self._context.credentials is None:
                self.tried = getattr(self.provider, "tried", ())
                raise NoCredentialsError(self.tried)
            raise CredentialRetrievalError(self.provider.method, "it found no credentials when they were refreshed")
        if fetched.expires_at is not None and fetched.expires_at <= self._context.clock():
            raise CredentialRetrievalError(
                self.provider.method, "Credentials were refreshed, but the refreshed credentials are still expired."
            )
        self._context.credentials = fetched

    def advisory_failed(self, error: Exception) -> None:
        """botocore logs a failed advisory refresh and goes on with the keys it has (still valid for
        10 minutes at least): so do we, through the ``s3lite`` logger if logging is in use."""
        logging = sys.modules.get("logging")
        if logging is not None:
            method = self.provider.method if self.provider is not None else "?"
            logging.getLogger("s3lite").warning(
                "Refreshing temporary credentials (%s) failed during the advisory refresh period: %s: %s",
                method,
                type(error).__name__,
                error,
            )
