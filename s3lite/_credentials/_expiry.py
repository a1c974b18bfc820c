"""When temporary credentials expire, read from what a provider returned (ISO 8601, as STS, the
metadata services and ``credential_process`` write it; botocore parses it with dateutil)."""

from __future__ import annotations

from .._errors import CredentialRetrievalError
from .._timestamps import parse_response_timestamp_or_none


def expiry_of(value: object, provider: str) -> float:
    """Unix time of an ``Expiration`` value; one that is not a timestamp is the provider's error."""
    parsed = parse_response_timestamp_or_none(value) if isinstance(value, str) else None
    if parsed is None:
        raise CredentialRetrievalError(provider, "the Expiration it returned is not a timestamp")
    return parsed.timestamp()
