"""AWS Signature Version 4 for S3, as pure functions: the clock and the credentials are passed in.

Each step is one small function, named after the spec's step, so it can be checked against AWS's
documentation examples on its own (tests/test_sigv4.py). S3 differs from generic SigV4 in two ways
(reference/s3-spec.md §3): the canonical URI is the path exactly as sent, with no second encoding
and no ``.``/``..`` normalisation, and ``x-amz-content-sha256`` is always set and signed.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from typing import NamedTuple

from ._credentials import Credentials
from ._errors import ParamValidationError
from ._http import HttpRequest
from ._percent import quote_value
from ._validate import utf8

ALGORITHM = "AWS4-HMAC-SHA256"
#: "Empty body hash e3b0c442..." (s3-spec.md §3 step 3)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
#: aws-chunked body whose every chunk carries its own signature
STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
#: S3 rejects presigned URLs that live longer than seven days.
MAX_PRESIGN_EXPIRES = 604800

#: "every header present at signing time except the blacklist ..." (s3-spec.md §3 step 4)
UNSIGNED_HEADERS = frozenset(
    {
        "baggage",
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
        "authorization",
    }
)


#: (epoch second, its X-Amz-Date): calls in the same second share the formatting
_last_date: tuple[int, str] = (-1, "")


def amz_date(now: float) -> str:
    """``X-Amz-Date``: ``YYYYMMDDTHHMMSSZ`` in UTC."""
    global _last_date
    second = math.floor(now)
    cached = _last_date
    if cached[0] == second:
        return cached[1]
    text = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(second))
    _last_date = (second, text)
    return text


def credential_scope(date: str, region: str, service: str) -> str:
    """ "Scope = YYYYMMDD/<region>/s3/aws4_request" (s3-spec.md §3 step 5)."""
    return f"{date}/{region}/{service}/aws4_request"


def derive_signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """ "kDate=HMAC-SHA256("AWS4"+secret, YYYYMMDD); kRegion=HMAC(kDate, region); kService=HMAC(kRegion, s3);
    kSigning=HMAC(kService, "aws4_request")" (s3-spec.md §3 step 6)."""
    k_date = hmac.digest(f"AWS4{secret_key}".encode(), date.encode(), "sha256")
    k_region = hmac.digest(k_date, region.encode(), "sha256")
    k_service = hmac.digest(k_region, service.encode(), "sha256")
    return hmac.digest(k_service, b"aws4_request", "sha256")


class SigningKeyCache:
    """Signing keys by (secret, date, region, service): four HMACs saved on every call but the first of a day."""

    __slots__ = ("_keys",)

    def __init__(self) -> None:
        self._keys: dict[tuple[str, str, str, str], bytes] = {}

    def __repr__(self) -> str:
        return f"<SigningKeyCache {len(self._keys)} keys>"

    def get(self, secret_key: str, date: str, region: str, service: str) -> bytes:
        cache_key = (secret_key, date, region, service)
        key = self._keys.get(cache_key)
        if key is None:
            if len(self._keys) > 64:  # dates roll over; old keys are never needed again
                self._keys.clear()
            key = self._keys[cache_key] = derive_signing_key(secret_key, date, region, service)
        return key


def canonical_query(query: str) -> str:
    """Split the already-encoded query on ``&`` and at the first ``=`` (``uploads`` -> ``uploads=``),
    sort by (key, value) as encoded strings, join again (s3-spec.md §3 step 4)."""
    if not query:
        return ""
    pairs = []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        pairs.append((name, value))
    pairs.sort()
    return "&".join(f"{name}={value}" for name, value in pairs)


def canonical_headers(host: str, headers: dict[str, str]) -> tuple[str, str]:
    """(CanonicalHeaders, SignedHeaders): names lower-cased, values trimmed with inner whitespace runs
    collapsed, repeated names joined with ``,``, sorted by name, ``host`` added (s3-spec.md §3 step 4)."""
    grouped: dict[str, str] = {"host": host}
    for name, value in headers.items():
        lower = name.lower()
        if lower in UNSIGNED_HEADERS or lower == "host":
            continue
        value = " ".join(value.split())
        grouped[lower] = f"{grouped[lower]},{value}" if lower in grouped else value
    names = sorted(grouped)
    return "".join(f"{name}:{grouped[name]}\n" for name in names), ";".join(names)


def canonical_request(request: HttpRequest, payload_hash: str) -> tuple[str, str]:
    """(CanonicalRequest, SignedHeaders): ``METHOD\\nURI\\nQuery\\nHeaders\\n\\nSigned\\nPayload``."""
    block, signed = canonical_headers(request.host, request.headers)
    text = f"{request.method}\n{request.path}\n{canonical_query(request.query)}\n{block}\n{signed}\n{payload_hash}"
    return text, signed


def string_to_sign(date_time: str, scope: str, canonical: str) -> str:
    """ "AWS4-HMAC-SHA256\\n<X-Amz-Date>\\n<scope>\\n<hex sha256(canonical request UTF-8)>" (§3 step 5)."""
    return f"{ALGORITHM}\n{date_time}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"


class Signed(NamedTuple):
    """A signed request, and what aws-chunked chunk signatures chain from."""

    request: HttpRequest
    signature: str
    signing_key: bytes
    scope: str
    date_time: str

    def __repr__(self) -> str:
        # the signing key signs anything for this day, region and service: never shown
        return f"Signed(request={self.request!r}, scope={self.scope!r}, date_time={self.date_time!r})"


def sign(
    request: HttpRequest,
    *,
    credentials: Credentials,
    region: str,
    now: float,
    payload_hash: str,
    keys: SigningKeyCache,
    service: str = "s3",
    payload_header: bool = True,
) -> Signed:
    """Add ``X-Amz-Date``, ``X-Amz-Content-SHA256``, the session token and ``Authorization``.

    Any previous signature is replaced, so a retried request is simply signed again with a new date.
    ``payload_header=False`` leaves ``X-Amz-Content-SHA256`` out (the payload is still hashed into
    the signature): botocore's SigV4 adds it for S3 only, and the credential chain's STS calls are
    sent as botocore sends them.
    """
    _check_sendable(credentials, region)
    date_time = amz_date(now)
    replaced = _SIGNATURE_HEADERS if credentials.token else _SIGNATURE_HEADERS_BUT_TOKEN
    headers = {k: v for k, v in request.headers.items() if k.lower() not in replaced}
    headers["X-Amz-Date"] = date_time
    if payload_header:
        headers["X-Amz-Content-SHA256"] = payload_hash
    if credentials.token:
        headers["X-Amz-Security-Token"] = credentials.token
    canonical, signed_headers = canonical_request(request._replace(headers=headers), payload_hash)
    scope = credential_scope(date_time[:8], region, service)
    key = _signing_key(keys, credentials, date_time[:8], region, service)
    signature = hmac.new(key, utf8(string_to_sign(date_time, scope, canonical), _REQUEST_TEXT), "sha256").hexdigest()
    authorized = dict(headers)
    authorized["Authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )
    signed = HttpRequest(
        request.method, request.scheme, request.host, request.path, request.query, authorized, request.body
    )
    return Signed(signed, signature, key, scope, date_time)


#: a canonical request built from an embedder's HttpRequest may hold text that is not UTF-8
_REQUEST_TEXT = "the request's path, query or headers"
#: replaced whatever their letter case, so that a request signed again carries one of each
_SIGNATURE_HEADERS = frozenset({"authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"})
#: without a session token, a token header already there is left (and signed) as botocore leaves it
_SIGNATURE_HEADERS_BUT_TOKEN = _SIGNATURE_HEADERS - {"x-amz-security-token"}


def _check_sendable(credentials: Credentials, region: str) -> None:
    """The access key id, token and region go into headers and the URL as they are: printable ASCII only.
    The message names what is wrong, never its value."""
    for what, value in (
        ("access key id", credentials.access_key),
        ("region", region),
        ("session token", credentials.token),
    ):
        if value is not None and not (value.isascii() and value.isprintable()):
            raise ParamValidationError(f"Invalid {what}: must be printable ASCII")


def _signing_key(keys: SigningKeyCache, credentials: Credentials, date: str, region: str, service: str) -> bytes:
    try:
        return keys.get(credentials.secret_key, date, region, service)
    except UnicodeEncodeError:
        raise ParamValidationError("Invalid secret access key: not encodable as UTF-8") from None


def presign(
    request: HttpRequest,
    *,
    credentials: Credentials,
    region: str,
    now: float,
    expires_in: int,
    keys: SigningKeyCache,
    service: str = "s3",
) -> str:
    """A presigned URL (query authentication, ``UNSIGNED-PAYLOAD``).

    "Query = operation params (already encoded, first) + X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
    X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Security-Token (if session creds), then
    &X-Amz-Signature=<hex> appended last" (s3-spec.md §3, presigned URLs). Headers the request
    carries (Content-Type, metadata, SSE-C) stay signed headers the user of the URL must send.

    Each auth value is percent-encoded whole, unreserved characters kept, as botocore's
    ``percent_encode_sequence`` does: an access key such as ``test:tester`` (OpenStack Swift's form)
    goes out as ``test%3Atester``, which is what the server decodes and signs (issue 13, item 12).
    ``expires_in`` is written as given, zero or negative included, as botocore does.
    """
    _check_sendable(credentials, region)
    date_time = amz_date(now)
    scope = credential_scope(date_time[:8], region, service)
    _, signed_headers = canonical_headers(request.host, request.headers)
    auth = [
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", f"{credentials.access_key}/{scope}"),
        ("X-Amz-Date", date_time),
        ("X-Amz-Expires", str(expires_in)),
        ("X-Amz-SignedHeaders", signed_headers),
    ]
    if credentials.token:
        auth.append(("X-Amz-Security-Token", credentials.token))
    auth_query = "&".join(f"{name}={quote_value(value)}" for name, value in auth)
    query = f"{request.query}&{auth_query}" if request.query else auth_query
    with_query = request._replace(query=query)
    canonical, _ = canonical_request(with_query, UNSIGNED_PAYLOAD)
    key = _signing_key(keys, credentials, date_time[:8], region, service)
    signature = hmac.new(key, utf8(string_to_sign(date_time, scope, canonical), _REQUEST_TEXT), "sha256").hexdigest()
    return f"{with_query.url}&X-Amz-Signature={signature}"


def chunk_signature(*, signing_key: bytes, date_time: str, scope: str, previous: str, chunk_sha256: str) -> str:
    """Signature of one aws-chunked chunk, chained from the previous one (the seed is the request's):
    ``AWS4-HMAC-SHA256-PAYLOAD\\n<date>\\n<scope>\\n<previous>\\n<sha256 of "">\\n<sha256 of chunk>``."""
    text = f"{ALGORITHM}-PAYLOAD\n{date_time}\n{scope}\n{previous}\n{EMPTY_SHA256}\n{chunk_sha256}"
    return hmac.new(signing_key, text.encode(), "sha256").hexdigest()
