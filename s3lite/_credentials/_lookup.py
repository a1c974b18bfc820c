"""What a client is built with: the keys given to it, or the provider that finds them; its region.

Building a client does no credential I/O (issue 11): keys given are checked and kept; otherwise
the chain (or the caller's ``credentials_provider``) runs at the first call. The region is read at
construction, as boto3 reads it, from the argument, ``AWS_REGION`` / ``AWS_DEFAULT_REGION`` or the
profile's ``region`` in the config file (botocore reads only ``AWS_DEFAULT_REGION``; ``AWS_REGION``,
which the other AWS SDKs and Lambda set, comes first here), else us-east-1.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping

from .._errors import CredentialRetrievalError, ParamValidationError
from .._http import HttpRequest, HttpResponse
from . import Credentials
from ._effects import CallProvider, Fetching, Provider
from ._settings import load_settings

#: the method name of the caller's own provider, in errors
CALLER = "credentials_provider"

_REGION_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def given_credentials(access_key: str | None, secret_key: str | None, token: str | None) -> Credentials | None:
    """The keys passed to the client, checked; None when one of the pair is missing (the first
    call then raises ``NoCredentialsError``, as before any lookup: keys given are not mixed with found ones)."""
    for name, value in (("aws_access_key_id", access_key), ("aws_secret_access_key", secret_key)):
        if value is not None and not isinstance(value, str):
            raise ParamValidationError(f"Invalid type for {name}: {type(value).__name__}, valid types: str")
    if token is not None and not isinstance(token, str):
        raise ParamValidationError(f"Invalid type for aws_session_token: {type(token).__name__}, valid types: str")
    if not access_key or not secret_key:
        return None
    return Credentials(access_key, secret_key, token)


class CallerProvider:
    """The caller's own provider: a callable that returns :class:`Credentials` (with ``expires_at``
    when they are temporary: it is called again when they are due, under the same rules as the chain's)."""

    method = CALLER

    def __init__(self, function: Callable[[], Credentials]) -> None:
        self._function = function

    def __repr__(self) -> str:
        # the callable's own repr could show what it closes over (a partial's arguments): its name only
        return f"CallerProvider({getattr(self._function, '__qualname__', type(self._function).__name__)})"

    def fetch(self) -> Fetching[Credentials | None]:
        returned = yield CallProvider(self._function)
        if not isinstance(returned, Credentials):
            raise CredentialRetrievalError(CALLER, f"it returned {type(returned).__name__}, not s3lite.Credentials")
        return returned


def credentials_provider_for(
    *,
    keys_given: bool,
    credentials_provider: Callable[[], Credentials] | None,
    region: str,
    clock: Callable[[], float],
) -> Provider | None:
    """Who fetches a client's credentials: no one when keys were given, the caller's provider, or the chain."""
    if credentials_provider is not None:
        if keys_given:
            raise ParamValidationError("Pass either aws_access_key_id/aws_secret_access_key or credentials_provider")
        if not callable(credentials_provider):
            raise ParamValidationError("Invalid credentials_provider: must be a callable returning s3lite.Credentials")
        return CallerProvider(credentials_provider)
    if keys_given:
        return None
    from ._chain import Chain  # the chain's modules only for a client that looks its keys up

    return Chain(os.environ, region, clock)


def resolve_region(region_name: str | None, env: Mapping[str, str] | None = None) -> str:
    """The argument, then ``AWS_REGION``/``AWS_DEFAULT_REGION``, then the config file; us-east-1 last.

    It is signed into every request's scope, so it must look like a region: letters, digits, ``-``,
    ``_`` and ``.`` (S3-compatible servers name theirs freely: ``garage``, ``default``)."""
    region = region_name or _configured_region(os.environ if env is None else env)
    if not isinstance(region, str) or not _REGION_NAME.fullmatch(region):
        raise ParamValidationError("Invalid region_name: expected 1-64 letters, digits, '-', '_' or '.'")
    return region


def _configured_region(env: Mapping[str, str]) -> str:
    found = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if found:
        return found
    from ._perform import drive

    # the shared files are read here, blocking, once: the region is needed to build the client
    return drive(load_settings(env, "", lambda: 0.0), _files_only).value("region") or "us-east-1"


def _files_only(request: HttpRequest, timeout: float) -> HttpResponse:
    raise AssertionError("reading the shared files fetches nothing")
