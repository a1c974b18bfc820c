"""Section 7: a 1,000-key ListObjectsV2 page parsed by s3lite and by botocore, from the same bytes.

Both do the same work: the XML into the result dict (timestamps, integers, each object's flattened
``ChecksumAlgorithm`` list and its ``Owner``, the common prefixes) and the URL-decoding of every key and
prefix that ``EncodingType=url`` asks for. s3lite: ``s3lite.parse("ListObjectsV2", response,
decode_keys=True)``, which includes its 200-with-error screen; botocore: its ``RestXMLParser`` with
the operation's output shape, then its ``decode_list_object_v2`` handler, as its client runs them
(its own 200-with-error check, ``_handle_200_error``, which parses the XML a second time, is left
out: botocore is measured doing less, not more). The whole call of each client, over a canned
response, is shown too.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import s3lite
from s3lite import _xml

from . import bench_calls
from ._common import (
    CREDENTIALS,
    Case,
    Report,
    Sizes,
    listing_exchange,
    listing_keys,
    mock_transport,
    per_call_us,
    ratio,
    us,
)

KEYS = 1000
PREFIXES = 20
#: issue 9: "a 1,000-key ListObjectsV2 page is parsed at least 5x faster than botocore parses it"
TARGET = 5.0


def _botocore_parser() -> tuple[Any, Any]:
    """botocore's REST-XML parser and ListObjectsV2's output shape, as its client uses them."""
    import botocore.session
    from botocore.parsers import create_parser

    model = botocore.session.get_session().get_service_model("s3").operation_model("ListObjectsV2")
    return create_parser("rest-xml"), model.output_shape


def _without_retries(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` without ``RetryAttempts``, which botocore's retry handler adds after its parser."""
    out = dict(result)
    out["ResponseMetadata"] = {k: v for k, v in out["ResponseMetadata"].items() if k != "RetryAttempts"}
    return out


def run(sizes: Sizes, report: Report) -> None:
    from botocore.awsrequest import HeadersDict
    from botocore.handlers import decode_list_object_v2

    keys = listing_keys(KEYS)
    prefixes = [f"data/{name} {i}/" if i % 2 else f"data/{name}-{i}/" for i, name in enumerate(["logs", "tmp"] * 10)]
    exchange = listing_exchange(keys, prefixes[:PREFIXES])
    body = exchange.body

    # s3lite: the response as its transport adapter hands it to the core (lower-cased names)
    response = s3lite.HttpResponse(200, {name.lower(): value for name, value in exchange.response_headers}, body)

    def ours() -> dict[str, Any]:
        return s3lite.parse("ListObjectsV2", response, decode_keys=True)

    # botocore: the response dict its endpoint builds (``convert_to_response_dict``), headers in a HeadersDict
    parser, shape = _botocore_parser()
    headers = HeadersDict(exchange.response_headers)
    context = {"encoding_type_auto_set": True}  # set by ``set_list_objects_encoding_type_url``

    def theirs() -> dict[str, Any]:
        parsed: dict[str, Any] = parser.parse({"status_code": 200, "headers": headers, "body": body}, shape)
        decode_list_object_v2(parsed, context)
        return parsed

    mine, boto = ours(), theirs()
    same_parse = report.check(
        "ListObjectsV2, 1,000 keys: s3lite.parse equals botocore's parser + decode_list_object_v2",
        _without_retries(mine) == boto,
        "the parsed pages differ",
    )
    decoded = report.check(
        "ListObjectsV2, 1,000 keys: every key and prefix decoded back to the original",
        [item["Key"] for item in mine.get("Contents", ())] == keys
        and [item["Prefix"] for item in mine.get("CommonPrefixes", ())] == prefixes[:PREFIXES],
        "keys or prefixes differ from those listed",
    )

    client = s3lite.Client(transport=mock_transport(exchange), **CREDENTIALS)
    boto_client = bench_calls.botocore_client([exchange])
    params = exchange.params
    call_mine = bench_calls.call_once(exchange, mock_transport(exchange))
    call_boto = boto_client.list_objects_v2(**params)
    same_call = report.check(
        "ListObjectsV2, 1,000 keys: s3lite.Client's result equals botocore's",
        call_mine == call_boto,
        "the results differ",
    )

    cases = [
        Case("s3lite parse", ours),
        Case("botocore parse", theirs),
        Case("s3lite XML tree", lambda: _xml.parse_result(body)),
        Case("botocore XML tree", lambda: parser._parse_xml_string_to_dom(body)),
        Case("s3lite call", lambda: client.list_objects_v2(**params)),
        Case("botocore call", lambda: boto_client.list_objects_v2(**params)),
    ]
    # a call costs milliseconds: few of them per batch, and a short warm-up
    t = per_call_us(cases, dataclasses.replace(sizes, warmup=min(sizes.warmup, 3)), calls=sizes.listing_calls)
    rows = [
        [
            "parse + url-decode",
            us(t["s3lite parse"]),
            us(t["botocore parse"]),
            ratio(t["botocore parse"], t["s3lite parse"]),
            "yes" if same_parse and decoded else "NO",
        ],
        [
            "  of which the XML tree",
            us(t["s3lite XML tree"]),
            us(t["botocore XML tree"]),
            ratio(t["botocore XML tree"], t["s3lite XML tree"]),
            "",
        ],
        [
            "whole call, canned response",
            us(t["s3lite call"]),
            us(t["botocore call"]),
            ratio(t["botocore call"], t["s3lite call"]),
            "yes" if same_call else "NO",
        ],
    ]
    report.table(
        f"7. A ListObjectsV2 page of {KEYS:,} keys and {PREFIXES} common prefixes ({len(body) / 1024:,.0f} KiB), "
        "median µs",
        ["work", "s3lite", "botocore", "botocore/s3lite", "same dict"],
        rows,
        [
            (
                f"{sizes.repeats} batches of {sizes.listing_calls} after a short warm-up, all rows interleaved; one key "
                "in three url-encoded (spaces, +, &, %, non-ASCII), every object with its LastModified, ETag, "
                "ChecksumAlgorithm, ChecksumType, Size, StorageClass and Owner."
            ),
            (
                'parse: s3lite.parse("ListObjectsV2", HttpResponse(...), decode_keys=True) against botocore\'s '
                "RestXMLParser.parse(..., output shape) + decode_list_object_v2, on the same bytes."
            ),
            (
                "XML tree: s3lite's _xml.parse_result (ElementTree's C parser for a large plain-UTF-8 document without a DTD) against botocore's ElementTree XMLParser "
                "(_parse_xml_string_to_dom): part of the row above."
            ),
            "whole call: s3lite.Client over httpx.MockTransport against a botocore client answered in before-send.",
        ],
    )
    report.target(
        f"{KEYS:,}-key ListObjectsV2 page parsed, botocore/s3lite",
        t["botocore parse"] / t["s3lite parse"],
        TARGET,
        "x",
        at_most=False,
    )
