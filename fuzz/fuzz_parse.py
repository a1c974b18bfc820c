"""Fuzz response decoding: whatever a server answers, each operation ends in a result or an S3LiteError.

Each input picks an operation - any of botocore's model that s3lite knows - and describes up to
three responses (status, lower-cased headers, body) that answer the flow's ``Send`` effects in
turn, sometimes a transport error instead, under a drawn retry policy and endpoint; the same
responses also go through ``parse_error`` and ``parse`` directly (and ``parse_result`` where s3lite's
model still has its operation table). Header names are the operation's output members'. Bodies
are mostly near-valid: the operation's result document (the real S3 one for the seed operations,
else built from botocore's output shape: nested structures, wrapped and flattened lists),
SelectObjectContent's event stream, or an error document, with mutated text,
dropped/duplicated/nested/renamed elements, odd prologs and encodings, DTDs and entities, deep
nesting, broken event-stream lengths and CRCs, and stray non-UTF-8 bytes.

Checked: no exception but S3LiteError; result values have their member's type, nested ones
included (per botocore's output shape); a body with a DTD is refused by the XML parser
(defusedxml) with a ResponseParseError.

Run: ``python fuzz/fuzz_parse.py fuzz/corpus-parse -max_total_time=600`` or ``--hypothesis``.
"""

from __future__ import annotations

import copy
import functools
import io
import sys
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz import _shapes
from fuzz._driver import Input, check, instrumented, main, stages

with instrumented():
    import s3lite
    from s3lite import _model, _xml
    from s3lite._retry import RetryPolicy
    from s3lite._upload import sha256_of

from botocore.model import Shape, StructureShape

#: Every operation of botocore's model that s3lite knows, in the model's order.
OPS = _shapes.known_operations(s3lite)
#: whether HttpResponse carries the received spelling of header names (``names``)
HAS_NAMES = "names" in s3lite.HttpResponse._fields
NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
TS = "2009-10-12T17:50:30.000Z"
ETAG = '"9b2cf535f27731c974343645a3985328"'
#: Parameters for the seed operations (bodies, parts); the others get their required members with
#: plain values (fuzz/_shapes.py). What each call sends is not under test here.
PARAMS: dict[str, dict[str, Any]] = {
    "PutObject": {"Bucket": "bucket", "Key": "k", "Body": b"data"},
    "GetObject": {"Bucket": "bucket", "Key": "k"},
    "HeadObject": {"Bucket": "bucket", "Key": "k"},
    "CopyObject": {"Bucket": "bucket", "Key": "k", "CopySource": "src/key"},
    "CreateMultipartUpload": {"Bucket": "bucket", "Key": "k"},
    "UploadPart": {"Bucket": "bucket", "Key": "k", "PartNumber": 1, "UploadId": "u", "Body": b"x"},
    "UploadPartCopy": {"Bucket": "bucket", "Key": "k", "PartNumber": 1, "UploadId": "u", "CopySource": "s/k"},
    "CompleteMultipartUpload": {
        "Bucket": "bucket",
        "Key": "k",
        "UploadId": "u",
        "MultipartUpload": {"Parts": [{"ETag": ETAG, "PartNumber": 1}]},
    },
}
STATUSES = (200, 200, 200, 200, 204, 206, 301, 302, 304, 307, 400, 403, 404, 409, 412, 416, 429, 500, 501, 503, 504)
#: Text that has broken parsers before: numbers, timestamps, codes that steer retries and redirects.
VALUES = (
    "",
    " ",
    "0",
    "-1",
    "1",
    "007",
    "1_000",
    "+5",
    "\u0663",
    "1e3",
    "1e400",
    "nan",
    "inf",
    "9" * 5000,
    "18446744073709551616",
    "true",
    "True",
    "false",
    "yes",
    TS,
    "2009-10-12T17:50:30",
    "2009-10-12",
    "2009-10-12T17:50:30.123456789Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0000-00-00T00:00:00Z",
    "2009-13-45T25:61:61Z",
    "Wed, 12 Oct 2009 17:50:00 GMT",
    "Wed, 12 Oct 2009 17:50:00 +9999",
    "Fri, 31 Dec 9999 23:59:59 -2359",
    "Mon, 01 Jan 0001 00:00:00 +2359",
    "Wed, 12 Oct 2009",
    "1700000000",
    "-62135596800",
    "253402300800",
    "1e10",
    "-1e300",
    "Thu, 01 Jan 1970",
    "\x00",
    "\ufffd",
    "\u00e9",
    "\U0001f600",
    "]]>",
    "us-west-2",
    "eu-central-1\r\n",
    "cn-north-1",
    "",
    "PermanentRedirect",
    "AuthorizationHeaderMalformed",
    "IllegalLocationConstraintException",
    "SlowDown",
    "NoSuchKey",
    "NoSuchUpload",
    "InvalidObjectState",
    "AccessDenied",
    "InvalidWriteOffset",
    "InternalError",
    "RequestTimeout",
    "Throttling",
    "BadDigest",
    "301",
    "400",
    ETAG,
    "abc==-3",
    "AAAAAA==",
    "FULL_OBJECT",
    "COMPOSITE",
)
RESPONSE_HEADERS = (
    "x-amz-request-id",
    "x-amzn-requestid",
    "x-amz-id-2",
    "x-amz-bucket-region",
    "content-type",
    "date",
    "server",
    "connection",
    "x-amz-meta-",
    "x-amz-meta-a",
    "x-amz-meta-\u00e9",
    "x-amz-meta-x-amz-meta-",
)
DOCUMENTS: dict[str, tuple[str, list[Any]]] = {
    "CopyObject": (
        "CopyObjectResult",
        [("LastModified", TS), ("ETag", ETAG), ("ChecksumType", "FULL_OBJECT"), ("ChecksumCRC32", "AAAAAA==")],
    ),
    "UploadPartCopy": ("CopyPartResult", [("LastModified", TS), ("ETag", ETAG), ("ChecksumSHA256", "x=")]),
    "CreateMultipartUpload": (
        "InitiateMultipartUploadResult",
        [("Bucket", "bucket"), ("Key", "k"), ("UploadId", "VXBsb2FkIElE")],
    ),
    "CompleteMultipartUpload": (
        "CompleteMultipartUploadResult",
        [
            ("Location", "http://bucket.s3.amazonaws.com/k"),
            ("Bucket", "bucket"),
            ("Key", "k"),
            ("ETag", ETAG),
            ("ChecksumCRC32", "AAAAAA=="),
            ("ChecksumType", "COMPOSITE"),
        ],
    ),
    "Error": (
        "Error",
        [
            ("Code", "NoSuchKey"),
            ("Message", "The resource you requested does not exist"),
            ("Key", "k"),
            ("RequestId", "4442587FB7D0A2F9"),
            ("HostId", "host"),
            ("Region", "us-west-2"),
            ("Endpoint", "bucket.s3.us-west-2.amazonaws.com"),
        ],
    ),
    "InvalidObjectState": (
        "Error",
        [
            ("Code", "InvalidObjectState"),
            ("Message", "The operation is not valid for the object's storage class"),
            ("StorageClass", "GLACIER"),
            ("AccessTier", "ARCHIVE_ACCESS"),
            ("RequestId", "4442587FB7D0A2F9"),
        ],
    ),
    "ErrorResponse": (
        "ErrorResponse",
        [
            ("Error", [("Type", "Sender"), ("Code", "SlowDown"), ("Message", "Reduce your request rate.")]),
            ("RequestId", "4442587FB7D0A2F9"),
        ],
    ),
}
PROLOGS = (
    "",
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<?xml version="1.0" encoding="ISO-8859-1"?>',
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<?xml version="1.0" encoding="x-no-such"?>',
    '<?xml version="1.1"?>',
    '<?xml version="1.0" standalone="yes"?>',
    "\ufeff",
    "<!-- c -->",
    "<?pi x?>",
    " \n",
)
#: Declarations that put a DTD in the document: defusedxml must refuse every one of them.
DTDS = (
    '<!DOCTYPE r [<!ENTITY e "expanded">]>',
    '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE r SYSTEM "http://127.0.0.1:1/evil.dtd">',
    "<!DOCTYPE r [<!ENTITY % p \"<!ENTITY e 'x'>\"> %p;]>",
    '<!DOCTYPE r [<!ENTITY a "&b;&b;"><!ENTITY b "&c;&c;"><!ENTITY c "ccc">]>',
    '<!DOCTYPE r [<!ATTLIST Error x CDATA "d">]>',
    '<!DOCTYPE r [<!NOTATION n SYSTEM "x"><!ENTITY e SYSTEM "y" NDATA n>]>',
    "<!DOCTYPE r>",
)
ENTITY_REFS = ("&e;", "&a;", "&amp;", "&lt;", "&#0;", "&#xD800;", "&#x10FFFF;", "&#65;", "&unknown;", "&")
ENCODINGS = ("utf-8", "utf-8", "latin-1", "utf-16", "utf-16-le", "cp1252")


def _leaf_text(inp: Input, text: str) -> str:
    choice = inp.int_in(0, 9)
    if choice <= 4:
        return text
    if choice <= 6:
        return _xml.escape_text(inp.pick(VALUES))
    if choice == 7:
        return inp.pick(ENTITY_REFS)
    if choice == 8:
        return f"<![CDATA[{inp.pick(VALUES)}]]>"
    return inp.text(40)  # raw: may be markup


def _element(inp: Input, tag: str, content: str | list[Any], budget: list[int]) -> str:
    budget[0] -= 1
    action = inp.int_in(0, 15) if budget[0] > 0 else 0
    if action == 10:
        return ""
    if action == 11:
        tag = inp.pick((tag.lower(), f"s3:{tag}", "Error", "Code", "Region", "Part", inp.text(8)))
    if isinstance(content, list):
        inner = "".join(_element(inp, t, c, budget) for t, c in content)
    else:
        inner = _leaf_text(inp, content)
    if action == 12:  # a leaf that suddenly has children
        inner += f"<{tag}>{_leaf_text(inp, 'x')}</{tag}><Nested/>"
    if action == 13:
        depth = inp.int_in(1, 3000)
        inner = "<a>" * depth + inner + "</a>" * depth
    attributes = inp.pick(("", "", f" {NS}", ' xmlns:s3="urn:x"', ' a="1" a="2"', ' x="&lt;"'))
    rendered = f"<{tag}{attributes}>{inner}</{tag}>"
    if action == 14:
        return rendered * inp.int_in(2, 4)
    if action == 15:
        return rendered[: inp.int_in(0, len(rendered))]
    return rendered


@functools.cache
def document(op: str) -> tuple[str, Any] | None:
    """The near-valid result document of ``op`` as (root, children): the seed operations' real ones,
    else built from botocore's output shape (a payload structure under its own element name, the
    result's body members under ``<{op}Result>``, GetBucketLocation's bare root); None for an
    operation whose result is not XML."""
    if op in DOCUMENTS:
        return DOCUMENTS[op]
    if op == "GetBucketLocation":
        return ("LocationConstraint", "us-west-2")
    shape = _shapes.operation(op).output_shape
    if shape is None:
        return None
    payload = shape.serialization.get("payload")
    if payload is not None:
        member = shape.members[payload]
        if member.type_name != "structure" or member.serialization.get("eventstream"):
            return None
        ((root, children),) = _shapes.tree(member, member.serialization.get("name", payload))
        return root, children
    ((_, children),) = _shapes.tree(shape, "")
    return (f"{op}Result", children) if children else None


def _event_header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return bytes([len(raw_name)]) + raw_name + b"\x07" + len(raw_value).to_bytes(2, "big") + raw_value


def event_stream(inp: Input) -> bytes:
    """SelectObjectContent's body: event-stream messages (prelude, headers, payload, CRCs), some
    broken - a wrong length or CRC, a cut, a header of another type, an error event."""
    out = b""
    for _ in range(inp.int_in(0, 4)):
        event = inp.pick(("Records", "Stats", "Progress", "Cont", "End", "Other"))
        headers = {":message-type": inp.pick(("event", "event", "error", "exception")), ":event-type": event}
        if headers[":message-type"] != "event":
            headers.update({":error-code": inp.pick(VALUES), ":error-message": inp.text(20)})
        payload = (
            inp.bytes(40)
            if event == "Records"
            else f"<{event}><BytesScanned>{inp.pick(VALUES)}</BytesScanned></{event}>".encode()
        )
        encoded = b"".join(_event_header(k, v) for k, v in headers.items())
        if inp.rarely(8):
            encoded += b"\x01\x00" + bytes([inp.int_in(0, 9)])  # a header of another value type
        total = 16 + len(encoded) + len(payload)
        prelude = total.to_bytes(4, "big") + len(encoded).to_bytes(4, "big")
        prelude += zlib.crc32(prelude).to_bytes(4, "big")
        message = prelude + encoded + payload
        message += zlib.crc32(message).to_bytes(4, "big")
        if inp.rarely(6):
            at = inp.int_in(0, len(message) - 1)
            message = message[:at] + bytes([message[at] ^ 0xFF]) + message[at + 1 :]
        if inp.rarely(8):
            message = message[: inp.int_in(0, len(message))]
        out += message
    return out


def body(inp: Input, op: str) -> tuple[bytes, bool]:
    """A response body, and whether it declares a DTD."""
    kind = inp.int_in(0, 9)
    if kind == 0:
        return b"", False
    if kind == 1:
        return inp.bytes(300), False
    if kind == 2:
        return inp.pick((b"<html><body>502 Bad Gateway</body></html>", b"<html>", b" \n ", b"null", b"{}")), False
    if op == "SelectObjectContent" and kind <= 5:
        return event_stream(inp), False
    own = document(op)
    root, children = own if own is not None and kind <= 5 else DOCUMENTS[inp.pick(tuple(DOCUMENTS))]
    prolog = inp.pick(PROLOGS)
    dtd = inp.pick(DTDS) if inp.rarely(6) else ""
    text = prolog + dtd + _element(inp, root, children, [inp.int_in(1, 30)])
    encoding = inp.pick(ENCODINGS)
    data = text.encode(encoding, errors="xmlcharrefreplace" if encoding != "utf-8" else "surrogatepass")
    if inp.rarely(8):  # stray bytes: invalid UTF-8, NULs, a cut
        at = inp.int_in(0, len(data))
        data = data[:at] + inp.bytes(8) + data[at:]
    return data, bool(dtd)


@functools.cache
def header_names(op: str) -> tuple[str, ...]:
    """The (lower-cased) header names and header-map prefixes of ``op``'s output members."""
    shape = _shapes.operation(op).output_shape
    members = shape.members.values() if shape is not None else ()
    names = tuple(
        m.serialization["name"].lower() for m in members if m.serialization.get("location") in ("header", "headers")
    )
    return names or RESPONSE_HEADERS


def response(inp: Input, op: str) -> tuple[s3lite.HttpResponse, bool]:
    status = inp.pick(STATUSES) if inp.flag(4) or inp.flag(2) else inp.int_in(100, 999)
    names = header_names(op)
    headers: dict[str, str] = {}
    for _ in range(inp.int_in(0, 8)):
        name = inp.pick(names) if inp.flag(2) else inp.pick(RESPONSE_HEADERS) if inp.flag(2) else inp.latin1(12)
        value = inp.pick(VALUES) if inp.flag(2) else inp.latin1(40) if inp.flag(2) else inp.text(40)
        headers[name.lower()] = value
    data, has_dtd = body(inp, op)
    if HAS_NAMES and inp.flag(3):  # the header names as the server spelled them
        names = {name: _respell(inp, name) for name in headers if inp.flag(2)}
        return s3lite.HttpResponse(status, headers, data, names=names or None), has_dtd  # type: ignore[call-arg]
    return s3lite.HttpResponse(status, headers, data), has_dtd


def _respell(inp: Input, name: str) -> str:
    """The same name in other letter cases, as a server sends ``X-Amz-Meta-Color``."""
    return "".join(c.upper() if c.isascii() and inp.flag(2) else c for c in name)


def _context(inp: Input) -> s3lite.CallContext:
    endpoint = inp.pick(
        (
            lambda: s3lite.Endpoint.from_url("http://127.0.0.1:9000"),
            lambda: s3lite.Endpoint.for_region("us-east-1"),
            lambda: s3lite.Endpoint.for_region("eu-west-1", addressing_style="path"),
        )
    )()
    policy = RetryPolicy(inp.pick(("standard", "legacy")), inp.int_in(1, 5))
    return s3lite.CallContext(
        credentials=s3lite.Credentials("AKID", "SECRET", inp.pick((None, "TOKEN"))),
        region="us-east-1",
        endpoint=endpoint,
        clock=lambda: 1_700_000_000.0,
        rand=lambda: 0.0,
        retry=policy,
    )


#: Members that may be None: GetBucketLocation's empty ``<LocationConstraint/>`` (us-east-1), as
#: botocore's parse_get_bucket_location makes it.
NULLABLE = {("GetBucketLocation", "LocationConstraint")}


def _check_result(op: str, result: Any, where: str) -> None:
    """Every value has its member's type (nested ones too); ResponseMetadata has botocore's keys."""
    check(isinstance(result, dict), f"result-not-dict:{where}", repr(result)[:200])
    metadata = result.get("ResponseMetadata")
    check(
        isinstance(metadata, dict) and isinstance(metadata.get("HTTPStatusCode"), int),
        f"bad-metadata:{where}",
        lambda: repr(metadata)[:200],
    )
    shape = _shapes.operation(op).output_shape
    if shape is None:
        return
    for name, member in shape.members.items():
        if name not in result or member.serialization.get("streaming") or member.serialization.get("eventstream"):
            continue
        if (op, name) in NULLABLE and result[name] is None:
            continue
        _check_value(member, result[name], name)


def _check_value(shape: Shape, value: Any, path: str) -> None:
    expected = _shapes.python_types(shape)
    ok = isinstance(value, expected) and not (int in expected and isinstance(value, bool))
    if isinstance(value, datetime):
        ok = ok and value.tzinfo is not None
    if not ok:
        check(False, f"member-type:{path.split('.')[0].split('[')[0]}", f"{shape.type_name} {path} {value!r}"[:200])
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for name, item in value.items():
            member = shape.members.get(name)
            if member is not None:
                _check_value(member, item, f"{path}.{name}")
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(shape.member, item, f"{path}[{index}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            check(isinstance(key, str) and isinstance(item, str), f"member-type:{path}", repr((key, item))[:200])


def _check_error(error: s3lite.ClientError, where: str) -> None:
    check(isinstance(error.response.get("Error"), dict), f"error-shape:{where}", repr(error.response)[:200])
    str(error)  # the message is built from the parsed body: it must not fail either


def _parse_error(response: s3lite.HttpResponse) -> None:
    """``parse_error`` has no result members to check, only the shape ClientError.response must have."""
    parsed = s3lite.parse_error(response, retry_attempts=0)
    check(
        isinstance(parsed.get("Error"), dict) and isinstance(parsed.get("ResponseMetadata"), dict),
        "error-shape:parse_error",
        lambda: repr(parsed)[:200],
    )


def _call(where: str, op: str, fn: Any) -> None:
    try:
        result = fn()
    except s3lite.ClientError as error:
        _check_error(error, where)
    except s3lite.S3LiteError:
        pass
    else:
        if result is not None:
            _check_result(op, result, where)


def run_flow(inp: Input, name: str, responses: list[s3lite.HttpResponse]) -> None:
    context = _context(inp)
    params = copy.deepcopy(PARAMS[name]) if name in PARAMS else dict(copy.deepcopy(_shapes.minimal_params(name)))
    if name == "PutObject" and inp.flag(4):  # a streamed body: retries need a rewind (or cannot)
        params["Body"] = s3lite.StreamBody(io.BytesIO(b"data"), 4, inp.pick((0, None)))
    failures = [inp.rarely(6) for _ in responses]
    state = {"sent": 0, "last": responses[0]}

    def respond(effect: Any) -> Any:
        if isinstance(effect, s3lite.Send):
            index = min(state["sent"], len(responses) - 1)
            state["sent"] += 1
            if failures[index]:
                raise inp.pick((s3lite.EndpointConnectionError, s3lite.ReadTimeoutError))("fuzz")
            current = state["last"] = responses[index]
            if effect.stream and 200 <= current.status < 300:
                return s3lite.HttpResponse(current.status, current.headers, b"")
            return current
        if isinstance(effect, s3lite.ReadBody):
            return state["last"].body
        if isinstance(effect, s3lite.HashBody):  # a rewindable StreamBody, sent as it is
            return sha256_of(effect.body)
        check(isinstance(effect, s3lite.Sleep) and effect.seconds >= 0, "bad-effect", repr(effect))
        return None

    _call("flow", name, lambda: s3lite.run_to_completion(s3lite.operation_flow(context, name, params), respond))


def _refuses_dtd(body: bytes) -> None:
    try:
        _xml.parse(body)
    except s3lite.ResponseParseError:
        return
    check(False, "dtd-accepted", repr(body[:300]))


def target(data: bytes) -> None:
    inp = Input(data)
    name = inp.pick(OPS)
    generated = [response(inp, name) for _ in range(inp.int_in(1, 3))]
    responses = [r for r, _ in generated]
    first = responses[0]
    # parse_result takes s3lite's own operation description
    model_op = _model.operation(name)
    stages(
        *(lambda body=r.body: _refuses_dtd(body) for r, has_dtd in generated if has_dtd),
        lambda: _call("parse_result", name, lambda: s3lite.parse_result(model_op, first, retry_attempts=0)),
        lambda: _call("parse_error", name, lambda: _parse_error(first)),
        lambda: _call("parse", name, lambda: s3lite.parse(name, first)),
        lambda: run_flow(inp, name, responses),
    )


if __name__ == "__main__":
    main(target, "parse")
