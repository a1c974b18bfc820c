"""Fuzz SigV4: canonicalisation and signing of arbitrary requests, checked against botocore's signer.

Each input draws an ``HttpRequest`` (method, host, path, query, headers, body), credentials, a
region, an instant and a payload hash, and runs ``canonical_query``, ``canonical_headers``,
``sign`` (twice: a retry signs the signed request again) and ``presign`` on it. Request strings are
any Unicode without lone surrogates: ``serialize`` validates and percent-encodes what it builds,
and no decoder produces lone surrogates. Credentials and the region may have them: they come from
``os.environ``, which decodes bytes that are not UTF-8 that way (surrogateescape).

Checked, for every input: the calls return or raise an S3LiteError, nothing else; the signature
is 64 hex digits and the presigned URL ends in it. When every header name is an RFC 9110 token
(others cannot be sent, and make SignedHeaders ambiguous): ``Authorization`` has the SigV4 shape,
with sorted, unique, lower-case SignedHeaders that include host, x-amz-date and
x-amz-content-sha256 and none of the unsigned ones; no earlier signature header survives in
another letter case; signing again gives the same headers. For inputs botocore can represent the
same way (an upper-case method, a lower-case host, a percent-encoded path and query, no Host or
Date header - botocore derives the first from the URL and rewrites the second), the signature must
equal botocore's ``S3SigV4Auth`` at the same instant.

Run: ``python fuzz/fuzz_sigv4.py fuzz/corpus-sigv4 -max_total_time=600`` or ``--hypothesis``.
"""

from __future__ import annotations

import hashlib
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz._driver import Input, check, instrumented, main, stages

with instrumented():
    import s3lite
    from s3lite import _sigv4

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotocoreCredentials

METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE", "get", "Put", "OPTIONS")
HOSTS = (
    "bucket.s3.amazonaws.com",
    "s3.us-east-1.amazonaws.com",
    "127.0.0.1:9000",
    "[::1]:9000",
    "localhost",
    "minio.example:9443",
    "a-b.c",
    "Bucket.S3.Amazonaws.com",
    "h\u00e9te",
    "",
)
HEADER_NAMES = (
    "Content-Type",
    "content-type",
    "CONTENT-TYPE",
    "Content-MD5",
    "Range",
    "x-amz-meta-a",
    "X-Amz-Meta-A",
    "x-amz-date",
    "X-Amz-Date",
    "x-amz-content-sha256",
    "authorization",
    "Authorization",
    "x-amz-security-token",
    "Host",
    "host",
    "Date",
    "User-Agent",
    "expect",
    "Transfer-Encoding",
    "x-amzn-trace-id",
    "Connection",
    "x-amz-copy-source",
    "x-amz-checksum-crc32",
    "Expect",
    "baggage",
    "",
    " ",
    "a b",
    "a:b",
)
HEADER_VALUES = (
    "",
    " ",
    "  a  b  ",
    "a\tb",
    "\t",
    "text/plain",
    "bytes=0-9",
    "a,b",
    "\u00e9",
    "\u2028",
    "\x0b\x0c",
    "x" * 300,
    "AKIA/20130524/us-east-1/s3/aws4_request",
    "\x85",
    "1\u00a02",
)
QUERY_PARTS = (
    "uploads",
    "uploadId=abc",
    "partNumber=1",
    "versionId=",
    "a=b=c",
    "=",
    "==",
    "",
    "a",
    "A",
    "b=%20",
    "b=%2F",
    "response-content-type=text%2Fplain",
    "a=1",
    "a=2",
    "a=10",
    "%41=1",
    "X-Amz-Signature=x",
    "\u00e9=1",
)
PAYLOADS = (_sigv4.EMPTY_SHA256, _sigv4.UNSIGNED_PAYLOAD, _sigv4.STREAMING_PAYLOAD, "", "x" * 64)
REGIONS = ("us-east-1", "eu-west-1", "cn-north-1", "", "us-east-1\n", "r\u00e9gion", "a/b")
#: Clocks a client can have: the epoch to 2100, with fractions.
INSTANTS = (0.0, 1_700_000_000.0, 951_782_400.0, 86_399.999, 1_369_353_600.0, 4_102_444_799.5)
UNSIGNED = _sigv4.UNSIGNED_HEADERS
HEX64 = re.compile(r"[0-9a-f]{64}")
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(.*), SignedHeaders=([^,]*), Signature=([0-9a-f]{64})", re.DOTALL
)
#: header names whose case variants botocore replaces and s3lite keeps
SIGNED_SPELLINGS = ("Authorization", "X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token")
SIGNATURE_HEADERS = {"authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"}


def _text(inp: Input, options: tuple[str, ...], most: int = 20) -> str:
    choice = inp.int_in(0, 3)
    if choice <= 1:
        return inp.pick(options)
    if choice == 2:
        return inp.text(most)
    return inp.pick(options) + inp.text(4) + inp.pick(options)


def _path(inp: Input) -> str:
    raw = inp.text(40)
    if inp.flag(3):
        return "/" + raw  # arbitrary: whatever the caller put there
    return "/" + quote(raw, safe="/~")


def _query(inp: Input) -> str:
    parts = [_text(inp, QUERY_PARTS, 10) if inp.flag(4) else inp.pick(QUERY_PARTS) for _ in range(inp.int_in(0, 5))]
    return "&".join(parts)


def request(inp: Input) -> s3lite.HttpRequest:
    headers: dict[str, str] = {}
    for _ in range(inp.int_in(0, 7)):
        headers[_text(inp, HEADER_NAMES, 12)] = _text(inp, HEADER_VALUES, 30)
    return s3lite.HttpRequest(
        _text(inp, METHODS, 6),
        inp.pick(("http", "https")),
        _text(inp, HOSTS),
        _path(inp),
        _query(inp),
        headers,
        inp.bytes(32),
    )


def credentials(inp: Input) -> s3lite.Credentials:
    """Keys as given, or as read from the environment: ``os.environ`` decodes bytes that are not UTF-8
    to lone surrogates (surrogateescape), so those are drawn too, one time in eight."""
    odd = inp.flag(8)
    access = inp.pick(("AKIDEXAMPLE", "AKIA/x", "")) if inp.flag(2) else _any_text(inp, 20, odd)
    secret = inp.pick(("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "")) if inp.flag(2) else _any_text(inp, 40, odd)
    token = (
        None
        if inp.flag(2)
        else inp.pick(("FwoGZXIvYXdzE//token+/=", "t o k", ""))
        if inp.flag(2)
        else _any_text(inp, 30)
    )
    return s3lite.Credentials(access, secret, token)


def _any_text(inp: Input, most: int, surrogates: bool = False) -> str:
    """Half the time printable ASCII (what sign accepts in keys and regions), else any text."""
    if inp.flag(2):
        return "".join(chr(0x20 + b % 0x5F) for b in inp.bytes(most))
    return inp.text(most, surrogates=surrogates)


def check_signed(signed: Any, req: s3lite.HttpRequest, creds: s3lite.Credentials, region: str, now: float) -> None:
    headers = signed.request.headers
    date_time = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    check(headers.get("X-Amz-Date") == date_time, "x-amz-date", repr(headers.get("X-Amz-Date")))
    match = AUTHORIZATION.fullmatch(headers.get("Authorization", ""))
    check(match is not None, "authorization-shape", lambda: repr(headers.get("Authorization"))[:300])
    assert match is not None
    scope = f"{date_time[:8]}/{region}/s3/aws4_request"
    check(match.group(1) == f"{creds.access_key}/{scope}", "credential", match.group(1)[:200])
    check(match.group(3) == signed.signature and HEX64.fullmatch(signed.signature) is not None, "signature", "")
    names = match.group(2).split(";")
    check(names == sorted(set(names)), "signed-headers-order", match.group(2))
    check({"host", "x-amz-date", "x-amz-content-sha256"} <= set(names), "signed-headers-required", match.group(2))
    check(not (set(names) & UNSIGNED), "signed-headers-unsigned", match.group(2))
    expected = {n.lower() for n in headers if n.lower() not in UNSIGNED} | {"host"}
    check(set(names) == expected, "signed-headers-set", lambda: f"{names} != {sorted(expected)}")
    # without a session token botocore leaves (and signs) a token header the request already has
    replaced = SIGNATURE_HEADERS if creds.token else SIGNATURE_HEADERS - {"x-amz-security-token"}
    stale = [n for n in headers if n.lower() in replaced and n not in SIGNED_SPELLINGS]
    check(not stale, "stale-signature-header", lambda: f"{stale} kept beside the new signature headers")
    check(
        all(v == creds.token for k, v in headers.items() if k.lower() == "x-amz-security-token")
        if creds.token
        else True,
        "security-token",
        "",
    )


def botocore_comparable(req: s3lite.HttpRequest) -> bool:
    """Whether botocore signs this request from the same bytes: see the module docstring."""
    if req.method != req.method.upper():
        return False
    if not re.fullmatch(r"[a-z0-9.-]+(:[0-9]{1,5})?", req.host) or req.host.startswith("."):
        return False
    port = req.host.partition(":")[2]
    if port and (int(port) in (0, 80, 443) or int(port) > 65535 or port.startswith("0")):
        return False
    safe = r"[A-Za-z0-9\-._~%/!$'()*+,;=:@]*"
    if not re.fullmatch(safe, req.path) or not re.fullmatch(safe.replace("/", "/&"), req.query):
        return False
    return not any(n.lower() in ("host", "date") for n in req.headers)


def botocore_signature(
    req: s3lite.HttpRequest, creds: s3lite.Credentials, region: str, now: float, payload: str
) -> str:
    class Signer(S3SigV4Auth):
        def payload(self, request: Any) -> str:
            return payload

    url = f"{req.scheme}://{req.host}{req.path}" + (f"?{req.query}" if req.query else "")
    boto_request = AWSRequest(method=req.method, url=url, headers=dict(req.headers), data=req.body)
    instant = datetime.fromtimestamp(now, UTC).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=instant):
        Signer(BotocoreCredentials(creds.access_key, creds.secret_key, creds.token), "s3", region).add_auth(
            boto_request
        )
    return str(boto_request.headers["Authorization"]).rsplit("Signature=", 1)[1]


def target(data: bytes) -> None:
    inp = Input(data)
    req = request(inp)
    creds = credentials(inp)
    region = _text(inp, REGIONS, 12) if not inp.flag(8) else _any_text(inp, 12, surrogates=inp.flag(2))
    now = inp.pick(INSTANTS) if inp.flag(2) else inp.int_in(0, 4_102_444_799) + inp.int_in(0, 999) / 1000
    payload = inp.pick(PAYLOADS) if inp.flag(2) else hashlib.sha256(req.body).hexdigest()
    expires_in = inp.int_in(1, 604800)
    # token names only: others (";", ",", spaces) cannot be sent and make SignedHeaders ambiguous
    sendable = all(TOKEN.fullmatch(name) for name in req.headers)

    def sign(request: s3lite.HttpRequest) -> Any:
        return s3lite.sign(
            request, credentials=creds, region=region, now=now, payload_hash=payload, keys=s3lite.SigningKeyCache()
        )

    def signing() -> None:
        _sigv4.canonical_query(req.query)
        _sigv4.canonical_headers(req.host, req.headers)
        try:
            signed = sign(req)
            again = sign(signed.request)  # a retry signs the signed request again
        except s3lite.S3LiteError:
            return  # refusing an input is allowed; any other exception is a finding
        check(HEX64.fullmatch(signed.signature) is not None, "signature", signed.signature[:100])
        if not sendable:
            return
        stages(
            lambda: check_signed(signed, req, creds, region, now),
            lambda: check(again.request.headers == signed.request.headers, "resign-not-idempotent", ""),
            lambda: compare_with_botocore(signed.signature),
        )

    def presigning() -> None:
        try:
            url = s3lite.presign(
                req, credentials=creds, region=region, now=now, expires_in=expires_in, keys=s3lite.SigningKeyCache()
            )
        except s3lite.S3LiteError:
            return
        check(re.search(r"&X-Amz-Signature=[0-9a-f]{64}$", url) is not None, "presign-shape", url[-120:])

    def compare_with_botocore(signature: str) -> None:
        if botocore_comparable(req) and region.isascii() and region.isprintable() and _utf8(creds):
            expected = botocore_signature(req, creds, region, now, payload)
            stale = any(n.lower() in SIGNATURE_HEADERS and n not in SIGNED_SPELLINGS for n in req.headers)
            check(
                signature == expected,
                "botocore-mismatch:case-variant-signature-header" if stale else "botocore-mismatch",
                lambda: f"{req!r} region={region!r} now={now!r} payload={payload!r}"[:600],
            )

    stages(signing, presigning)


def _utf8(creds: s3lite.Credentials) -> bool:
    try:
        f"{creds.access_key}{creds.secret_key}{creds.token or ''}".encode()
    except UnicodeEncodeError:
        return False
    return True


if __name__ == "__main__":
    main(target, "sigv4")
