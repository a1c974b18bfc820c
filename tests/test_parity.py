"""Client and AsyncClient are one API in two colours: same methods, same signatures, same requests.

Async twins differ only where DESIGN.md says they do: I/O methods are coroutines (iterators are
async generators, an event stream is an async iterable), context managers are ``async with``, and ``aclose`` is an alias of ``close``
(httpx's naming).
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from drivers import KINDS, Driver

import s3lite
from s3lite._operations import METHODS

#: Every operation of the S3 model, as boto3 names its methods.
OPERATIONS = tuple(METHODS)
#: What the clients have beside the operations (paginators and waiters come with their own mixin).
EXTRAS = {"close", "generate_presigned_url", "get_paginator", "can_paginate", "get_waiter", "get_credentials"}
#: boto3's managed transfers (s3transfer), on both clients
TRANSFERS = {"upload_file", "upload_fileobj", "download_file", "download_fileobj", "copy"}
#: Names only the async classes have, and what they stand for.
ASYNC_ALIASES = {"aclose": "close"}


def public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def same_parameters(sync: Callable[..., Any], asynchronous: Callable[..., Any]) -> None:
    """Parameters equal (names, kinds, defaults, annotations); return annotations equal once the
    async body type is read as its sync twin (get_object returns a dict holding the body)."""
    left, right = inspect.signature(sync), inspect.signature(asynchronous)
    assert [p.name for p in left.parameters.values()] == [p.name for p in right.parameters.values()]
    assert [p for p in left.parameters.values() if p.name != "self"] == [
        p for p in right.parameters.values() if p.name != "self"
    ]
    theirs = str(right.return_annotation).replace("AsyncStreamingBody", "StreamingBody")
    theirs = theirs.replace("AsyncPaginator", "Paginator").replace("AsyncWaiter", "Waiter")
    assert str(left.return_annotation) == theirs.replace("AsyncIterable[", "Iterable[")


def test_client_methods_are_every_operation() -> None:
    assert len(OPERATIONS) == 116
    assert public(s3lite.Client) == {*OPERATIONS, *EXTRAS, *TRANSFERS, "waiter_names"}


def test_async_client_has_the_same_methods() -> None:
    assert public(s3lite.AsyncClient) - ASYNC_ALIASES.keys() == public(s3lite.Client)
    assert s3lite.AsyncClient.aclose is s3lite.AsyncClient.close


@pytest.mark.parametrize("name", sorted({*OPERATIONS, *EXTRAS, *TRANSFERS}))
def test_client_signatures_match(name: str) -> None:
    same_parameters(getattr(s3lite.Client, name), getattr(s3lite.AsyncClient, name))


def test_constructors_take_the_same_options() -> None:
    """Same options; only the transport's interface differs (sync vs async httpx transport)."""
    sync = inspect.signature(s3lite.Client.__init__).parameters
    asynchronous = inspect.signature(s3lite.AsyncClient.__init__).parameters
    assert [(p.name, p.kind, p.default) for p in sync.values()] == [
        (p.name, p.kind, p.default) for p in asynchronous.values()
    ]
    assert "httpx.BaseTransport" in str(sync["transport"].annotation)
    assert "httpx.AsyncBaseTransport" in str(asynchronous["transport"].annotation)
    assert inspect.signature(s3lite.Client).parameters.keys() == inspect.signature(s3lite.AsyncClient).parameters.keys()


@pytest.mark.parametrize("name", [*OPERATIONS, "close"])
def test_io_methods_are_coroutines_only_on_the_async_client(name: str) -> None:
    assert inspect.iscoroutinefunction(getattr(s3lite.AsyncClient, name))
    assert not inspect.iscoroutinefunction(getattr(s3lite.Client, name))


def test_presigning_does_no_io_in_either_client() -> None:
    assert not inspect.iscoroutinefunction(s3lite.Client.generate_presigned_url)
    assert not inspect.iscoroutinefunction(s3lite.AsyncClient.generate_presigned_url)


def test_context_managers() -> None:
    assert callable(s3lite.Client.__enter__) and callable(s3lite.Client.__exit__)
    assert inspect.iscoroutinefunction(s3lite.AsyncClient.__aenter__)
    assert inspect.iscoroutinefunction(s3lite.AsyncClient.__aexit__)


# -- the GetObject bodies -------------------------------------------------------------------------


def test_async_body_mirrors_streaming_body() -> None:
    assert {"read", "iter_chunks", "iter_lines", "close"} <= public(s3lite.StreamingBody)
    assert public(s3lite.AsyncStreamingBody) - ASYNC_ALIASES.keys() == public(s3lite.StreamingBody)
    assert s3lite.AsyncStreamingBody.aclose is s3lite.AsyncStreamingBody.close


@pytest.mark.parametrize("name", ["read", "read1", "close"])
def test_body_io_methods(name: str) -> None:
    same_parameters(getattr(s3lite.StreamingBody, name), getattr(s3lite.AsyncStreamingBody, name))
    assert inspect.iscoroutinefunction(getattr(s3lite.AsyncStreamingBody, name))
    assert not inspect.iscoroutinefunction(getattr(s3lite.StreamingBody, name))


@pytest.mark.parametrize("name", ["iter_chunks", "iter_lines"])
def test_body_iterators(name: str) -> None:
    sync, asynchronous = getattr(s3lite.StreamingBody, name), getattr(s3lite.AsyncStreamingBody, name)
    assert list(inspect.signature(sync).parameters.values()) == list(
        inspect.signature(asynchronous).parameters.values()
    )
    assert inspect.isgeneratorfunction(sync)
    assert inspect.isasyncgenfunction(asynchronous)


def test_body_protocols() -> None:
    assert callable(s3lite.StreamingBody.__iter__)
    assert callable(s3lite.StreamingBody.__enter__) and callable(s3lite.StreamingBody.__exit__)
    assert callable(s3lite.AsyncStreamingBody.__aiter__)
    assert inspect.iscoroutinefunction(s3lite.AsyncStreamingBody.__aenter__)
    assert inspect.iscoroutinefunction(s3lite.AsyncStreamingBody.__aexit__)


def test_streaming_body_has_readinto() -> None:
    assert "readinto" in public(s3lite.StreamingBody)


# -- same calls, same bytes on the wire -----------------------------------------------------------

FIXED_TIME = 1_369_353_600.0  # 2013-05-24T00:00:00Z, Appendix A's clock
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("put_object", {"Key": "a/./b/../c+d", "Body": b"hello", "Metadata": {"K": "v"}, "ContentType": "text/plain"}),
    ("put_object", {"Key": "stream", "Body": io.BytesIO(b"x" * 300_000)}),
    ("get_object", {"Key": "é", "Range": "bytes=0-9", "VersionId": "v+1", "SSECustomerKey": "k" * 32}),
    ("head_object", {"Key": "k", "IfNoneMatch": '"e"'}),
    ("copy_object", {"Key": "k", "CopySource": {"Bucket": "src", "Key": "a b"}, "MetadataDirective": "COPY"}),
    ("create_multipart_upload", {"Key": "k", "ContentType": "x/y"}),
    ("upload_part", {"Key": "k", "PartNumber": 1, "UploadId": "u/1", "Body": b"part"}),
    (
        "upload_part_copy",
        {"Key": "k", "PartNumber": 2, "UploadId": "u", "CopySource": "src/k", "CopySourceRange": "bytes=0-1"},
    ),
    (
        "complete_multipart_upload",
        {"Key": "k", "UploadId": "u", "MultipartUpload": {"Parts": [{"ETag": '"e"', "PartNumber": 1}]}},
    ),
]


def wire(request: httpx.Request) -> tuple[str, bytes, list[tuple[bytes, bytes]], bytes]:
    return request.method, request.url.raw_path, list(request.headers.raw), request.content


def recording(requests: list[httpx.Request]) -> httpx.MockTransport:
    """A transport that keeps every request and answers 200."""

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, headers={"etag": '"e"', "x-amz-request-id": "r"})

    return httpx.MockTransport(handler)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_both_clients_send_the_same_bytes_and_return_the_same_dicts() -> None:
    """With the clock fixed, each call is byte-identical on the wire from either client."""
    seen: dict[str, list[tuple[str, bytes, list[tuple[bytes, bytes]], bytes]]] = {}
    results: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        requests: list[httpx.Request] = []
        driver = Driver(
            kind,
            transport=recording(requests),
            endpoint_url="http://127.0.0.1:9000",
            region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="SECRET",
        )
        driver.client._context.clock = lambda: FIXED_TIME
        results[kind] = []
        for method, params in CALLS:
            fresh = {k: io.BytesIO(v.getvalue()) if isinstance(v, io.BytesIO) else v for k, v in params.items()}
            result = await driver.call(method, Bucket="bkt", **fresh)
            if "Body" in result:
                result["Body"] = await driver.read(result["Body"])
            results[kind].append(result)
        await driver.aclose()
        seen[kind] = [wire(request) for request in requests]
    assert len(seen["sync"]) == len(CALLS)
    assert seen["sync"] == seen["async"]
    assert results["sync"] == results["async"]
