"""What the two metadata-service providers share (``_imds``, ``_container``): a URL as a request, the
JSON credential document both services send, and its expiry.

Both services answer the same document (``AccessKeyId``, ``SecretAccessKey``, ``Token``,
``Expiration``); botocore reads those four keys in ``InstanceMetadataFetcher`` and in
``ContainerProvider._create_fetcher``. What differs is what a bad one means: the instance metadata
service's is "nothing here" (the chain goes on), the container service's an error. So a bad document
is an :class:`Unusable` with a reason, which each provider turns into its own outcome. A reason never
quotes the document: it holds the secret key.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlsplit

from .._http import HttpRequest
from .._timestamps import parse_response_timestamp_or_none
from . import Credentials

#: what may stay as it is in a path or query: RFC 3986's pchar and "/", "?" and "%" (an escape
#: already made); anything else (a space, a non-ASCII letter) is percent-encoded, as urllib3 does for
#: botocore, so that the request line is always one HTTP/1.1 can carry
_URL_SAFE = "/?%:@!$&'()*+,;=-._~"


#: the keys botocore requires of a credential document (``InstanceMetadataFetcher._REQUIRED_CREDENTIAL_FIELDS``)
REQUIRED_KEYS = ("AccessKeyId", "SecretAccessKey", "Token", "Expiration")


class Unusable(Exception):
    """A URL or a document that cannot be used; ``reason`` says why without quoting it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def request_to(method: str, url: str, headers: dict[str, str]) -> HttpRequest:
    """``url`` (``http`` or ``https``, as botocore builds it from the settings) as a request.

    The host is sent as the URL has it (with its port; without a ``user@``, which urllib3 does not send
    either). Unusable when the URL names no host or a port that is no number."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Unusable("the URL is neither http nor https")
    try:
        parts.port  # noqa: B018  (raises ValueError for a port that is no number)
    except ValueError:
        raise Unusable("the URL has a port that is not a number") from None
    host = parts.netloc.rpartition("@")[2]
    if not parts.hostname or not host:
        raise Unusable("the URL has no host")
    path = quote(parts.path, safe=_URL_SAFE) or "/"
    return HttpRequest(method, parts.scheme, host, path, quote(parts.query, safe=_URL_SAFE), headers)


def legal_header_value(value: str) -> bool:
    """Whether ``value`` can be sent as a header: botocore refuses a CR or an LF in a token
    (``ContainerProvider._validate_auth_token``); s3lite's HTTP/1.1 sends ASCII only and no NUL either,
    so those are refused here too, with the same message, rather than deep in the pool."""
    return value.isascii() and not any(bad in value for bad in "\r\n\0")


def json_value(body: bytes) -> Any:
    """The body's JSON; Unusable when it is not UTF-8 JSON (botocore's ``json.loads`` of its text)."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Unusable("the body is not JSON") from None


def expiry(value: object) -> float:
    """``Expiration`` as Unix time. botocore parses it with ``dateutil.parser.parse``; s3lite's
    timestamp parser takes what the services send (ISO 8601) and epoch seconds and RFC 822 too; a time
    without a zone is UTC (the services always write ``Z``)."""
    parsed = parse_response_timestamp_or_none(value) if isinstance(value, str) else None
    if parsed is None:
        raise Unusable("its Expiration is not a time")
    return parsed.timestamp()


def credentials_of(document: dict[str, Any]) -> Credentials:
    """The credentials of a document with the :data:`REQUIRED_KEYS` (the container provider indexes
    the same four). A ``Token`` of null is no token; every other value must be a string."""
    for key in REQUIRED_KEYS:
        if key not in document:
            raise Unusable(f"the credentials have no {key}")
    access_key, secret_key, token = document["AccessKeyId"], document["SecretAccessKey"], document["Token"]
    if not isinstance(access_key, str) or not isinstance(secret_key, str):
        raise Unusable("the credentials' AccessKeyId or SecretAccessKey is not a string")
    if token is not None and not isinstance(token, str):
        raise Unusable("the credentials' Token is not a string")
    return Credentials(access_key, secret_key, token, expiry(document["Expiration"]))
