"""Fuzz parameter serialization: any params dict either serializes to a sendable request or is an S3LiteError.

Each input draws an operation - any of botocore's model that s3lite knows - and a params dict built
from botocore's input shape: mostly the operation's own member names with values of the right kind
but hostile content (CR/LF, NUL, other controls, non-ASCII, lone surrogates, huge ints, extreme or
odd-zone timestamps), nested structures and lists of them (required members mostly plain, a few
others, unknown keys, unions with zero or two members), sometimes the wrong type or nested junk
(CopySource, Metadata, Body), sometimes unknown names. Whatever serializes is then
signed (header auth, and for a streamed body the aws-chunked seed) and presigned.

Checked: no exception but S3LiteError from ``serialize``; nothing at all from signing a request
``serialize`` produced; and the request is sendable: header names are RFC 9110 tokens, header values
printable ASCII - above all no CR, LF or NUL (header injection) -, path and query percent-encoded.

Run: ``python fuzz/fuzz_serialize.py fuzz/corpus-serialize -max_total_time=600`` or ``--hypothesis``.
"""

from __future__ import annotations

import io
import re
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz import _shapes
from fuzz._driver import Input, check, instrumented, main

with instrumented():
    import s3lite
    from s3lite._flow import signed_request
    from s3lite._serialize import UPLOAD_SIGNING
    from s3lite._upload import sha256_of

from botocore.model import Shape, StructureShape

#: Every operation of botocore's model that s3lite knows, in the model's order.
OPS = _shapes.known_operations(s3lite)
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
FIELD_VALUE = re.compile(r"[\t\x20-\x7e]*")
#: what a percent-encoded path or query may contain
URL_SAFE = re.compile(r"[A-Za-z0-9\-._~%/!$&'()*+,;=:@]*")
INJECTION = ("\r", "\n", "\x00")
#: host[:port] as the Host header and the URL carry it: a DNS name, an IPv4 or a bracketed IPv6 address
HOST = re.compile(r"(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
ENDPOINTS = (
    ("url", "http://127.0.0.1:9000"),
    ("url", "https://minio.example:9443/base/"),
    ("url", "http://[::1]:9000"),
    ("region", "us-east-1"),
    ("region", "eu-west-1"),
    ("region", "cn-north-1"),
)
STRINGS = (
    "",
    " ",
    "a",
    "k",
    "\t",
    "\r\n",
    "x\r\nX-Injected: 1",
    "\n",
    "\r",
    "\x00",
    "a\x00b",
    "\x7f",
    "\x1b[0m",
    "\u00e9",
    "\u2028",
    "\u0085",
    "\ufeff",
    "\ud800",
    "a\udfffb",
    "\U0001f600",
    "a/../b",
    "./",
    "//",
    "%2F",
    "%",
    "?",
    "#",
    "&",
    "=",
    "+",
    " a ",
    "a  b",
    "?versionId=",
    "b/k?versionId=v1",
    "b/k?versionId=a\x00",
    "b/k?versionId=\u00e9",
    "b/k?versionId=a\x7fb",
    "b/k?versionId=\x01",
    "b/k?versionId=\ud800",
    "b/?versionId=v",
    "/b/k",
    "b",
    "arn:aws:s3:us-east-1:123:accesspoint/ap/object/k",
    "CRC32",
    "SHA256",
    "crc32",
    "sha1",
    "SHA512",
    "CRC32C",
    "CRC64NVME",
    "md5",
    "MD5",
    "2020-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "Wed, 01 Jan 2020 00:00:00 GMT",
    "Mon, 01 Jan 0001 00:00:00 +2359",
    "1e400",
    "nan",
    "-1",
    "10000",
    "1" * 5000,
    "a" * 3000,
    "bytes=0-9",
    '"etag"',
    "GLACIER",
    "aws:kms",
)
TIMESTAMPS = (
    "2020-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01",
    "Wed, 01 Jan 2020 00:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 -2359",
    "1e400",
    "nan",
    "-inf",
    "1700000000",
    "-62135596800.5",
    "253402300800",
    "2020-02-30T00:00:00Z",
    " 2020-01-01T00:00:00Z ",
)
FLOATS = (0.0, -0.0, 1.5, -1.0, 1e20, 1e308, float("inf"), float("-inf"), float("nan"), 1_700_000_000.123456)


def huge_int(inp: Input) -> int:
    sign = -1 if inp.flag(4) else 1
    return sign * 10 ** inp.int_in(0, 6000) + inp.int_in(-2, 2)


def small_int(inp: Input) -> int:
    return inp.pick((0, 1, -1, 2, 10000, 10001, 2**31, 2**63, -(2**63))) if inp.flag(2) else inp.int_in(-5, 20000)


def text(inp: Input) -> str:
    choice = inp.int_in(0, 5)
    if choice <= 2:
        return inp.pick(STRINGS)
    if choice == 3:
        return inp.text(30, surrogates=True)
    if choice == 4:
        return inp.latin1(30)
    return inp.pick(STRINGS) + inp.text(10) + inp.pick(STRINGS)


def timestamp(inp: Input) -> Any:
    choice = inp.int_in(0, 4)
    if choice == 0:
        return inp.pick(TIMESTAMPS)
    if choice == 1:
        return inp.pick(FLOATS)
    if choice == 2:
        return huge_int(inp) if inp.flag(3) else small_int(inp)
    if choice == 3:
        return inp.pick((datetime.min, datetime.max, datetime(2020, 1, 1), datetime(1970, 1, 1, tzinfo=UTC)))
    minutes = inp.int_in(-(24 * 60 - 1), 24 * 60 - 1)
    zone = inp.pick((None, UTC, timezone(timedelta(minutes=minutes))))
    when = datetime(inp.int_in(1, 9999), inp.int_in(1, 12), inp.int_in(1, 28), inp.int_in(0, 23), tzinfo=zone)
    return when.replace(microsecond=inp.int_in(0, 999999))


def junk(inp: Input, depth: int = 0) -> Any:
    """A value of any type, for parameters given the wrong one."""
    kind = inp.int_in(0, 16 if depth < 3 else 11)
    if kind == 0:
        return None
    if kind == 1:
        return inp.flag()
    if kind == 2:
        return small_int(inp)
    if kind == 3:
        return huge_int(inp)
    if kind == 4:
        return inp.pick(FLOATS)
    if kind == 5:
        return text(inp)
    if kind == 6:
        return inp.bytes(20)
    if kind == 7:
        return inp.pick((bytearray(b"ab"), memoryview(b"cd"), Decimal("1.5"), Decimal("NaN"), date(2020, 1, 1)))
    if kind == 8:
        return timestamp(inp)
    if kind == 9:
        return inp.pick((object(), {1, 2}, frozenset(), 1j, ..., type))
    if kind in (10, 11):
        return inp.pick(STRINGS)
    if kind == 12:
        return inp.some(4, lambda: junk(inp, depth + 1))
    if kind == 13:
        return tuple(inp.some(4, lambda: junk(inp, depth + 1)))
    return {key(inp): junk(inp, depth + 1) for _ in range(inp.int_in(0, 4))}


def key(inp: Input) -> Any:
    return text(inp) if inp.flag(6) else inp.pick(("Bucket", "Key", "VersionId", "Parts", "ETag", 1, None, ("t",)))


def copy_source(inp: Input) -> Any:
    if inp.flag(2):
        base = f"{text(inp)}/{text(inp)}" if inp.flag(2) else text(inp)
        return base + (f"?versionId={text(inp)}" if inp.flag(2) else "")
    value: dict[Any, Any] = {}
    for name in ("Bucket", "Key", "VersionId"):
        if not inp.flag(6):
            value[name] = text(inp) if inp.flag(4) or inp.flag(2) else junk(inp, 2)
    if inp.flag(8):
        value[key(inp)] = junk(inp, 2)
    return value


def metadata(inp: Input) -> Any:
    entries: dict[Any, Any] = {}
    for _ in range(inp.int_in(0, 4)):
        name = junk(inp, 3) if inp.flag(8) else text(inp)
        entries[name if _hashable(name) else repr(name)] = junk(inp, 3) if inp.flag(8) else text(inp)
    return entries


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def body(inp: Input) -> Any:
    choice = inp.int_in(0, 6)
    if choice == 0:
        return inp.bytes(64)
    if choice == 1:
        return text(inp)
    if choice == 2:
        return bytearray(inp.bytes(16))
    if choice == 3:
        return memoryview(inp.bytes(16))
    if choice == 4:
        data = inp.bytes(16)
        return s3lite.StreamBody(io.BytesIO(data), len(data), inp.pick((0, None)))
    return junk(inp)


def value_for(inp: Input, shape: Shape, name: str, depth: int = 0) -> Any:
    """Mostly the right kind of value for the member's shape, with hostile content (a modeled enum
    value now and then); one in eight is junk of any type."""
    if inp.flag(8):
        return junk(inp)
    if name == "CopySource":
        return copy_source(inp)
    if name in ("SSECustomerKey", "CopySourceSSECustomerKey") and inp.flag(3):
        return inp.bytes(40)
    kind = shape.type_name
    if kind == "string":
        enum = getattr(shape, "enum", None)
        return inp.pick(enum) if enum and inp.flag(3) else text(inp)
    if kind in ("integer", "long"):
        return huge_int(inp) if inp.flag(4) else small_int(inp)
    if kind == "boolean":
        return inp.flag()
    if kind == "timestamp":
        return timestamp(inp)
    if kind == "map":
        return metadata(inp)
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return structure_for(inp, shape, depth)
    if kind == "list":
        items = inp.some(4, lambda: value_for(inp, shape.member, "", depth + 1))
        return tuple(items) if inp.flag(8) else items
    if kind == "blob":
        return body(inp)
    return junk(inp)


def structure_for(inp: Input, shape: StructureShape, depth: int) -> dict[Any, Any]:
    """A nested structure: its required members (plain mostly, so that the rest is reached), a few
    others, sometimes an unknown key; a union gets one member mostly, sometimes none or two."""
    members = shape.members
    value: dict[Any, Any] = {}
    if depth >= _shapes.MAX_DEPTH or not members:  # empty structures exist: SSES3, SimplePrefix
        return value
    if shape.metadata.get("union"):
        for _ in range(inp.pick((1, 1, 1, 0, 2))):
            name = inp.pick(list(members))
            value[name] = value_for(inp, members[name], name, depth + 1)
        return value
    for name in shape.required_members:
        if not inp.flag(16):
            value[name] = (
                value_for(inp, members[name], name, depth + 1)
                if inp.flag(3)
                else _shapes.plain(members[name], name, depth + 1)
            )
    for _ in range(inp.int_in(0, 4)):
        name = inp.pick(list(members))
        value[name] = value_for(inp, members[name], name, depth + 1)
    if inp.flag(10):
        value[key(inp)] = junk(inp, 2)
    return value


def params_for(inp: Input, name: str) -> dict[Any, Any]:
    shape = _shapes.operation(name).input_shape
    members = shape.members
    names = list(members)
    params: dict[Any, Any] = {}
    # Required members first, each usually well-formed, so that most inputs get past validation.
    for required in sorted(shape.required_members):
        if not inp.flag(16):
            member = members[required]
            params[required] = value_for(inp, member, required) if inp.flag(4) else _shapes.plain(member, required)
    for _ in range(inp.int_in(0, 8)):
        member_name = inp.pick(names) if not inp.flag(12) else key(inp)
        member = members.get(member_name) if isinstance(member_name, str) else None
        params[member_name] = value_for(inp, member, member_name) if member is not None else junk(inp)
    return params


def endpoint(inp: Input) -> s3lite.Endpoint:
    kind, where = inp.pick(ENDPOINTS)
    style = inp.pick(("auto", "path", "virtual"))
    if kind == "url":
        return s3lite.Endpoint.from_url(where, addressing_style=style)
    return s3lite.Endpoint.for_region(where, addressing_style=style)


def _value_problem(name: str, value: str) -> str | None:
    """Why a header value cannot go on the wire as it is, as a crash signature; None when it can.

    A value that is fine but for one trailing LF gets its own key: that is what ``^...$`` validation
    regexes let through (``$`` also matches before a final newline).
    """
    if FIELD_VALUE.fullmatch(value):
        return None
    if name.lower() == "x-amz-copy-source":
        return "header-value:x-amz-copy-source"
    if value.endswith("\n") and FIELD_VALUE.fullmatch(value[:-1]):
        return "header-value:trailing-newline"
    label = "x-amz-meta-*" if name.lower().startswith("x-amz-meta-") else name
    injection = "header-injection" if any(c in value for c in INJECTION) else "header-value"
    return f"{injection}:{label}"


def check_sendable(request: s3lite.HttpRequest, stage: str) -> None:
    """Every header can go on the wire as it is, and means what it says (no smuggled lines); so can
    the host, the path and the query."""
    for name, value in request.headers.items():
        if TOKEN.fullmatch(name) is None:
            trailing = name.endswith("\n") and TOKEN.fullmatch(name[:-1]) is not None
            check(False, "header-name:trailing-newline" if trailing else "header-name", f"{stage}: {name!r}"[:300])
        problem = _value_problem(name, value)
        if problem is not None:
            check(False, problem, f"{stage}: {name!r}: {value!r}"[:300])
    check(HOST.fullmatch(request.host) is not None, "host", lambda: f"{stage}: {request.host!r}"[:300])
    check(request.path.startswith("/"), "path-start", request.path[:100])
    check(URL_SAFE.fullmatch(request.path) is not None, "path-encoding", request.path[:300])
    check(URL_SAFE.fullmatch(request.query) is not None, "query-encoding", request.query[:300])


def target(data: bytes) -> None:
    inp = Input(data)
    name = inp.pick(OPS)
    params = params_for(inp, name)
    try:
        where = endpoint(inp)
    except s3lite.S3LiteError:
        return
    try:
        prepared = s3lite.serialize(name, params, endpoint=where, upload_signing=inp.pick(UPLOAD_SIGNING))
    except s3lite.S3LiteError:
        return
    body = prepared.request.body
    if prepared.payload_hash is None and isinstance(body, s3lite.StreamBody):
        prepared = prepared._replace(payload_hash=sha256_of(body))  # the driver's answer to HashBody
    check(
        isinstance(prepared.request.body, (bytes, s3lite.StreamBody)), "body-type", type(prepared.request.body).__name__
    )
    check_sendable(prepared.request, "serialize")
    context = s3lite.CallContext(
        credentials=s3lite.Credentials("AKID", "SECRET", inp.pick((None, "FwoGZXIvYXdzE//token+/="))),
        region="us-east-1",
        endpoint=where,
        clock=lambda: 1_700_000_000.0,
        rand=lambda: 0.0,
    )
    check_sendable(signed_request(context, prepared, "us-east-1"), "sign")
    url = s3lite.presign(
        prepared.request,
        credentials=context.credentials,  # type: ignore[arg-type]
        region="us-east-1",
        now=1_700_000_000.0,
        expires_in=3600,
        keys=context.keys,
    )
    check(re.fullmatch(r"[\x21-\x7e]+", url) is not None, "presign-url", url[:300])


if __name__ == "__main__":
    main(target, "serialize")
