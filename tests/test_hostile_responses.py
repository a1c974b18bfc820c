"""Responses from servers we do not control: unsafe XML is refused quickly, malformed values become
library errors (or are tolerated exactly where botocore tolerates them)."""

from __future__ import annotations

import time
from typing import Any

import pytest

import s3lite
from s3lite import HttpResponse, parse
from s3lite._xml import parse as parse_xml

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]><CopyObjectResult><ETag>&lol9;</ETag></CopyObjectResult>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<InitiateMultipartUploadResult><UploadId>&x;</UploadId></InitiateMultipartUploadResult>"
)
DTD_ONLY = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:1/evil.dtd"><Error><Code>x</Code></Error>'


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, DTD_ONLY], ids=["laughs", "external", "dtd"])
def test_unsafe_xml_is_refused_quickly(body: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(s3lite.ResponseParseError, match="unsafe XML"):
        parse_xml(body)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_unsafe_xml_in_a_200_is_an_error_not_a_result(body: bytes) -> None:
    with pytest.raises(s3lite.ClientError) as caught:
        parse("CopyObject", HttpResponse(200, {}, body))
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_unsafe_xml_in_an_error_falls_back_to_the_status() -> None:
    with pytest.raises(s3lite.ClientError) as caught:
        parse("GetObject", HttpResponse(404, {}, BILLION_LAUGHS))
    assert caught.value.response["Error"] == {"Code": "404", "Message": "Not Found"}


@pytest.mark.parametrize(
    ("headers", "member"),
    [
        ({"content-length": "twelve"}, "ContentLength"),
        ({"last-modified": "yesterday-ish"}, "LastModified"),
        ({"x-amz-missing-meta": "1.5"}, "MissingMeta"),
        ({"x-amz-object-lock-retain-until-date": "2031-13-45T00:00:00Z"}, "ObjectLockRetainUntilDate"),
    ],
)
def test_malformed_header_values_are_library_errors(headers: dict[str, str], member: str) -> None:
    with pytest.raises(s3lite.ResponseParseError, match=member):
        parse("HeadObject", HttpResponse(200, headers, b""))


def test_tolerated_like_botocore() -> None:
    result: dict[str, Any] = parse(
        "HeadObject",
        HttpResponse(200, {"expires": "not a date", "x-amz-delete-marker": "yes", "x-amz-meta-MiXeD": "v"}, b""),
    )
    assert result["ExpiresString"] == "not a date" and "Expires" not in result
    assert result["DeleteMarker"] is False  # "exactly `true` -> True else False"
    assert result["Metadata"] == {"MiXeD": "v"}


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe<not xml",
        b"<CompleteMultipartUploadResult><Bucket>b</Bucket>",
        b"<CompleteMultipartUploadResult><ETag>\xff</ETag></CompleteMultipartUploadResult>",
    ],
)
def test_broken_xml_results_are_errors(body: bytes) -> None:
    with pytest.raises(s3lite.ClientError):
        parse("CompleteMultipartUpload", HttpResponse(200, {}, body))


def test_bad_xml_values_are_library_errors() -> None:
    body = b"<CopyPartResult><ETag>e</ETag><LastModified>the day before</LastModified></CopyPartResult>"
    with pytest.raises(s3lite.ResponseParseError, match="LastModified"):
        parse("UploadPartCopy", HttpResponse(200, {}, body))
