"""Managed transfers end to end against moto's S3 server: upload_file, upload_fileobj, download_file,
download_fileobj and copy, with Client and with AsyncClient under asyncio and trio.

What is stored is checked by its ETag, computed here from the data sent (MD5 for one PutObject or
CopyObject; for a multipart object the MD5 of the part MD5s + "-N", which pins every part boundary),
and what comes back byte for byte. The part layout, the metadata a multipart copy carries and the
defaults are compared with boto3's managed transfers on the same server (s3lite's are the same by
design). The wire is watched by a recording transport: which requests went out, from which thread,
how many at once, with which headers.

moto ignores SSE-C (it neither requires the key on HeadObject/GetObject nor echoes the SSE-C
headers), so a download without the key succeeds there and there is no server-side SSE-C refusal to
test; the SSE-C test checks instead that every request of the transfer carried the key.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import random
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from conftest import ACCESS_KEY, REGION, SECRET_KEY
from drivers import Driver, Kind, ObservedPool

import s3lite

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]

MIB = 1024 * 1024
#: moto enforces S3's 5 MiB minimum for every part but the last: the smallest threshold and part size
PART = 5 * MIB
CONFIG = s3lite.TransferConfig(multipart_threshold=PART, multipart_chunksize=PART)

#: sync Client once (its calls run in a worker thread, the backend does not matter), AsyncClient on both
FLAVOURS: list[tuple[Kind, str]] = [("sync", "asyncio"), ("async", "asyncio"), ("async", "trio")]

SSE_C_HEADERS = (
    "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-server-side-encryption-customer-key",
    "x-amz-server-side-encryption-customer-key-md5",
)


# -- the wire -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One request as it left the client."""

    thread: int
    method: str
    path: str
    query: dict[str, str]
    headers: httpx.Headers

    @property
    def is_part(self) -> bool:
        return "partNumber" in self.query


class Recorder:
    """The requests of one client, and the most that were in flight at once (a request is in flight
    from the moment its body starts going out until its response headers are in)."""

    def __init__(self) -> None:
        self.requests: list[Sent] = []
        self.most_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()

    def enter(self, request: httpx.Request) -> None:
        with self._lock:
            query = {key: value for key, value in request.url.params.items()}
            self.requests.append(
                Sent(threading.get_ident(), request.method, request.url.path, query, request.headers.copy())
            )
            self._in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self._in_flight)

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def of(self, method: str, *, key: str | None = None) -> list[Sent]:
        return [sent for sent in self.requests if sent.method == method and (key is None or sent.path.endswith(key))]


#: one TLS context for every async recording transport (httpx builds one per transport otherwise, 50 ms each;
#: the server is plain http anyway)
TLS = ssl.create_default_context()


class AsyncRecordingTransport(httpx.AsyncHTTPTransport):
    def __init__(self, recorder: Recorder) -> None:
        super().__init__(verify=TLS)
        self.recorder = recorder

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.recorder.enter(request)
        try:
            return await super().handle_async_request(request)
        finally:
            self.recorder.leave()


@asynccontextmanager
async def driver(kind: Kind, options: dict[str, Any], recorder: Recorder) -> AsyncIterator[Driver]:
    """A Driver whose client sends through a recording transport."""
    if kind == "sync":  # its own pool, the path users take
        s3 = Driver(kind, **options)
        ObservedPool(s3.client, recorder.enter, recorder.leave)  # type: ignore[arg-type]
    else:
        s3 = Driver(kind, transport=AsyncRecordingTransport(recorder), **options)
    try:
        yield s3
    finally:
        await s3.aclose()


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(params=FLAVOURS, ids=["sync", "async-asyncio", "async-trio"])
def flavour(request: pytest.FixtureRequest) -> tuple[Kind, str]:
    kind, backend = request.param
    return kind, backend


@pytest.fixture
def anyio_backend(flavour: tuple[Kind, str]) -> str:
    return flavour[1]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def s3(
    flavour: tuple[Kind, str], client_options: dict[str, Any], recorder: Recorder, anyio_backend: str
) -> AsyncIterator[Driver]:
    async with driver(flavour[0], client_options, recorder) as s3:
        yield s3


@pytest.fixture
def bucket(bucket: str, botocore_client: Any) -> Iterator[str]:
    """conftest's new bucket, emptied and deleted afterwards: moto keeps every object in memory."""
    yield bucket
    empty_and_delete(botocore_client, bucket)


@pytest.fixture
def versioned_bucket(botocore_client: Any) -> Iterator[str]:
    name = f"test-v-{random.getrandbits(48):012x}"
    botocore_client.create_bucket(Bucket=name)
    botocore_client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield name
    empty_and_delete(botocore_client, name)


@pytest.fixture(scope="module")
def boto3_client(moto_endpoint: str) -> Any:
    """boto3's client on the same server, for its managed transfers (upload_file, copy ...)."""
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    return boto3.session.Session().client(
        "s3",
        region_name=REGION,
        endpoint_url=moto_endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(request_checksum_calculation="when_required", response_checksum_validation="when_required"),
    )


@pytest.fixture(scope="module")
def kms_key_id(moto_endpoint: str) -> str:
    """A real KMS key on the same moto server (moto's S3 does not check it exists, S3 would)."""
    import botocore.session  # type: ignore[import-untyped]

    kms = botocore.session.get_session().create_client(
        "kms",
        region_name=REGION,
        endpoint_url=moto_endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    key_id: str = kms.create_key(Description="s3lite transfer e2e")["KeyMetadata"]["KeyId"]
    return key_id


def empty_and_delete(botocore_client: Any, bucket: str) -> None:
    for upload in botocore_client.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        botocore_client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    listing = botocore_client.list_object_versions(Bucket=bucket)
    entries = listing.get("Versions", []) + listing.get("DeleteMarkers", [])
    if entries:
        objects = [{"Key": entry["Key"], "VersionId": entry["VersionId"]} for entry in entries]
        botocore_client.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
    botocore_client.delete_bucket(Bucket=bucket)


# -- data and expectations ------------------------------------------------------------------------


def data_of(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def single_etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def multipart_etag(data: bytes, part_size: int) -> str:
    """S3's ETag of ``data`` uploaded in parts of ``part_size``: MD5 of the part MD5s, "-<parts>"."""
    parts = [data[offset : offset + part_size] for offset in range(0, len(data), part_size)]
    digest = hashlib.md5(b"".join(hashlib.md5(part).digest() for part in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def expected_etag(data: bytes, threshold: int = PART, part_size: int = PART) -> str:
    return single_etag(data) if len(data) < threshold else multipart_etag(data, part_size)


def stored(botocore_client: Any, bucket: str, key: str, **params: Any) -> bytes:
    body: bytes = botocore_client.get_object(Bucket=bucket, Key=key, **params)["Body"].read()
    return body


def part_layout(botocore_client: Any, bucket: str, key: str) -> tuple[str, int | None, int]:
    """(ETag, number of parts, size of part 1) of a stored object, as HeadObject tells them."""
    head = botocore_client.head_object(Bucket=bucket, Key=key)
    first = botocore_client.head_object(Bucket=bucket, Key=key, PartNumber=1)
    return head["ETag"], first.get("PartsCount"), first["ContentLength"]


def keys_in(botocore_client: Any, bucket: str) -> list[str]:
    return [item["Key"] for item in botocore_client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def uploads_in(botocore_client: Any, bucket: str) -> list[str]:
    return [upload["Key"] for upload in botocore_client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


class ProgressLog:
    """A Callback that records every amount and catches two calls at once: a guard held for a
    moment in each call, which a concurrent call finds taken."""

    def __init__(self, on_first: Callable[[], None] | None = None) -> None:
        self.amounts: list[Any] = []
        self.threads: set[int] = set()
        self.overlaps = 0
        self._guard = threading.Lock()
        self._on_first = on_first

    def __call__(self, amount: Any) -> None:
        if not self._guard.acquire(blocking=False):
            self.overlaps += 1
            self.amounts.append(amount)
            return
        try:
            if not self.amounts and self._on_first is not None:
                self._on_first()
            self.amounts.append(amount)
            self.threads.add(threading.get_ident())
            time.sleep(0.0005)
        finally:
            self._guard.release()

    def check(self, size: int) -> None:
        assert all(type(amount) is int for amount in self.amounts), self.amounts
        assert sum(self.amounts) == size
        assert self.overlaps == 0, f"{self.overlaps} calls overlapped another, from {len(self.threads)} threads"


# -- 1. sizes, round trips, part layout -----------------------------------------------------------

SIZES = [0, 1, PART - 1, PART, PART + 1, 37 * MIB]
SIZE_IDS = ["0", "1", "threshold-1", "threshold", "threshold+1", "37MiB"]


async def upload_by(s3: Driver, way: str, source: Path, **where: Any) -> None:
    """upload_file (way "file"), or upload_fileobj from a BytesIO or from the open file."""
    if way == "file":
        await s3.call("upload_file", Filename=str(source), **where)
    elif way == "bytesio":
        await s3.call("upload_fileobj", Fileobj=io.BytesIO(source.read_bytes()), **where)
    else:
        with source.open("rb") as file:
            await s3.call("upload_fileobj", Fileobj=file, **where)


async def download_by(s3: Driver, way: str, target: Path, **where: Any) -> bytes:
    """download_file (way "file"), or download_fileobj into a BytesIO or into a file opened "wb"."""
    if way == "file":
        await s3.call("download_file", Filename=str(target), **where)
    elif way == "bytesio":
        out = io.BytesIO()
        await s3.call("download_fileobj", Fileobj=out, **where)
        return out.getvalue()
    else:
        with target.open("wb") as file:
            await s3.call("download_fileobj", Fileobj=file, **where)
    return target.read_bytes()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_round_trip(
    s3: Driver, bucket: str, botocore_client: Any, recorder: Recorder, tmp_path: Path, size: int
) -> None:
    """Upload then download, by path, through BytesIO and through real files (the file-object ways at
    every size but the largest, the same code past two parts): byte-identical, one PutObject below the
    threshold, parts of exactly 5 MiB from it on; a download is a HeadObject then one plain GET below
    the threshold, else ranged GETs of the part size covering the object, each pinned to the HEAD's
    ETag (as s3transfer makes them)."""
    data = data_of(size, seed=size)
    source = tmp_path / "source"
    source.write_bytes(data)
    parts = -(-size // PART)
    for way in ("file",) if size > 3 * PART else ("file", "bytesio", "open-file"):
        key = f"obj-{way}"
        where = {"Bucket": bucket, "Key": key, "Config": CONFIG}
        recorder.requests.clear()
        await upload_by(s3, way, source, **where)
        head = botocore_client.head_object(Bucket=bucket, Key=key)
        assert (head["ContentLength"], head["ETag"]) == (size, expected_etag(data)), way
        puts = recorder.of("PUT")
        if size < PART:
            assert [sent.is_part for sent in puts] == [False] and not recorder.of("POST"), way
        else:
            assert [sent.is_part for sent in puts] == [True] * parts, way
            assert part_layout(botocore_client, bucket, key)[1:] == (parts, PART), way

        recorder.requests.clear()
        assert await download_by(s3, way, tmp_path / f"target-{way}", **where) == data, way
        assert recorder.requests[0].method == "HEAD", way
        gets = recorder.of("GET")
        if size < PART:
            assert len(gets) == 1 and "range" not in gets[0].headers, way
        else:
            # s3transfer's ranges: the part size each, the last one open-ended
            starts = range(0, size, PART)
            expected = [f"bytes={start}-{start + PART - 1}" for start in starts[:-1]] + [f"bytes={starts[-1]}-"]
            assert sorted(sent.headers["range"] for sent in gets) == sorted(expected), way
            assert all(sent.headers.get("if-match") == head["ETag"] for sent in gets), way


LAYOUTS = [
    pytest.param(CONFIG, PART, id="5MiB-parts-threshold"),
    pytest.param(CONFIG, 3 * PART + 1, id="5MiB-parts-4-parts"),
    pytest.param(None, 17 * MIB, id="defaults-17MiB"),
    pytest.param(s3lite.TransferConfig(multipart_threshold=6 * MIB, multipart_chunksize=6 * MIB), 13 * MIB, id="6MiB"),
]


@pytest.mark.parametrize(("config", "size"), LAYOUTS)
def test_part_layout_equals_boto3(
    client_options: dict[str, Any],
    boto3_client: Any,
    botocore_client: Any,
    bucket: str,
    tmp_path: Path,
    config: s3lite.TransferConfig | None,
    size: int,
) -> None:
    """The same file with the same TransferConfig (or both libraries' defaults): the same parts as
    boto3's upload_file makes (same ETag, part count and first part size)."""
    from boto3.s3.transfer import TransferConfig as Boto3Config  # type: ignore[import-untyped]

    source = tmp_path / "source"
    source.write_bytes(data_of(size, seed=7))
    boto3_config = (
        None
        if config is None
        else Boto3Config(multipart_threshold=config.multipart_threshold, multipart_chunksize=config.multipart_chunksize)
    )
    with s3lite.Client(**client_options) as client:
        client.upload_file(str(source), bucket, "ours", Config=config)
    boto3_client.upload_file(str(source), bucket, "boto3", Config=boto3_config)
    ours, theirs = part_layout(botocore_client, bucket, "ours"), part_layout(botocore_client, bucket, "boto3")
    assert ours == theirs
    assert ours[0].endswith(f'-{ours[1]}"')


async def test_parts_go_in_parallel(s3: Driver, bucket: str, recorder: Recorder, tmp_path: Path) -> None:
    """upload_file's parts overlap on the wire (threads for Client, tasks for AsyncClient)."""
    source = tmp_path / "source"
    source.write_bytes(data_of(3 * PART, seed=2))
    await s3.call("upload_file", Filename=str(source), Bucket=bucket, Key="parallel", Config=CONFIG)
    assert len([sent for sent in recorder.requests if sent.is_part]) == 3
    assert recorder.most_in_flight > 1


# -- 2. ExtraArgs ---------------------------------------------------------------------------------

ATTRIBUTES = {
    "ContentType": "text/x-s3lite",
    "CacheControl": "max-age=60",
    "ContentDisposition": 'attachment; filename="a.txt"',
    "Metadata": {"color": "blue", "owner-id": "42"},
}


@pytest.mark.parametrize("method", ["upload_file", "upload_fileobj"])
@pytest.mark.parametrize("size", [1000, PART + 1], ids=["single", "multipart"])
async def test_extra_args_carried(
    s3: Driver, bucket: str, botocore_client: Any, tmp_path: Path, method: str, size: int
) -> None:
    data = data_of(size, seed=3)
    source = tmp_path / "source"
    source.write_bytes(data)
    args = {"Bucket": bucket, "Key": "attrs", "ExtraArgs": ATTRIBUTES, "Config": CONFIG}
    if method == "upload_file":
        await s3.call(method, Filename=str(source), **args)
    else:
        await s3.call(method, Fileobj=io.BytesIO(data), **args)
    head = botocore_client.head_object(Bucket=bucket, Key="attrs")
    assert {name: head.get(name) for name in ATTRIBUTES} == ATTRIBUTES
    assert head["ETag"] == expected_etag(data)


async def test_sse_c_round_trip(s3: Driver, bucket: str, recorder: Recorder, tmp_path: Path) -> None:
    """A multipart SSE-C upload and its downloads: every request of each transfer carries the key
    (CreateMultipartUpload, each UploadPart, CompleteMultipartUpload, HeadObject, each ranged GET)."""
    key = bytes(range(32))
    sse_c = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
    expected = {
        SSE_C_HEADERS[0]: "AES256",
        SSE_C_HEADERS[1]: base64.b64encode(key).decode(),
        SSE_C_HEADERS[2]: base64.b64encode(hashlib.md5(key).digest()).decode(),
    }
    data = data_of(2 * PART + 3, seed=4)
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_bytes(data)
    await s3.call("upload_file", Filename=str(source), Bucket=bucket, Key="ssec", ExtraArgs=sse_c, Config=CONFIG)
    await s3.call("download_file", Bucket=bucket, Key="ssec", Filename=str(target), ExtraArgs=sse_c, Config=CONFIG)
    assert target.read_bytes() == data
    out = io.BytesIO()
    await s3.call("download_fileobj", Bucket=bucket, Key="ssec", Fileobj=out, ExtraArgs=sse_c, Config=CONFIG)
    assert out.getvalue() == data

    methods = [sent.method for sent in recorder.requests]
    assert methods.count("POST") == 2 and methods.count("PUT") == 3
    assert methods.count("HEAD") == 2 and methods.count("GET") == 6
    for sent in recorder.requests:
        assert {name: sent.headers.get(name) for name in SSE_C_HEADERS} == expected, (sent.method, sent.query)


@pytest.mark.parametrize("size", [1000, PART + 1], ids=["single", "multipart"])
async def test_sse_kms(s3: Driver, bucket: str, botocore_client: Any, kms_key_id: str, size: int) -> None:
    sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id}
    data = data_of(size, seed=5)
    await s3.call("upload_fileobj", Fileobj=io.BytesIO(data), Bucket=bucket, Key="kms", ExtraArgs=sse, Config=CONFIG)
    head = botocore_client.head_object(Bucket=bucket, Key="kms")
    assert {name: head.get(name) for name in sse} == sse
    assert stored(botocore_client, bucket, "kms") == data


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("upload_file", "Foo"),
        ("upload_file", "Body"),
        ("upload_fileobj", "IfMatch"),
        ("download_file", "Foo"),
        ("download_file", "Range"),
        ("download_fileobj", "IfMatch"),
        ("copy", "Foo"),
        ("copy", "Body"),
    ],
)
async def test_unknown_extra_args_refused_before_any_request(
    s3: Driver, bucket: str, botocore_client: Any, recorder: Recorder, tmp_path: Path, method: str, name: str
) -> None:
    data = data_of(1000, seed=6)
    source = tmp_path / "source"
    source.write_bytes(data)
    botocore_client.put_object(Bucket=bucket, Key="there", Body=data)
    extra = {"ContentType": "text/plain", name: "x"} if method.startswith("upload") or method == "copy" else {name: "x"}
    args: dict[str, Any] = {"Bucket": bucket, "ExtraArgs": extra, "Config": CONFIG}
    if method == "upload_file":
        call = s3.call(method, Filename=str(source), Key="new", **args)
    elif method == "upload_fileobj":
        call = s3.call(method, Fileobj=io.BytesIO(data), Key="new", **args)
    elif method == "download_file":
        call = s3.call(method, Key="there", Filename=str(tmp_path / "target"), **args)
    elif method == "download_fileobj":
        call = s3.call(method, Key="there", Fileobj=io.BytesIO(), **args)
    else:
        call = s3.call(method, CopySource={"Bucket": bucket, "Key": "there"}, Key="new", **args)
    with pytest.raises(s3lite.ParamValidationError, match=name):
        await call
    assert recorder.requests == []
    assert keys_in(botocore_client, bucket) == ["there"]
    assert uploads_in(botocore_client, bucket) == []
    assert sorted(os.listdir(tmp_path)) == ["source"]


# -- 3. Callback ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["upload_file", "download_file", "copy"])
@pytest.mark.parametrize("size", [PART - 1, 2 * PART + 1], ids=["single", "multipart"])
async def test_callback_totals(
    s3: Driver, bucket: str, botocore_client: Any, tmp_path: Path, method: str, size: int
) -> None:
    """The amounts are ints summing to the size, and no two calls overlap though parts move at once."""
    data = data_of(size, seed=8)
    path = tmp_path / "file"
    path.write_bytes(data)
    progress = ProgressLog()
    common = {"Bucket": bucket, "Callback": progress, "Config": CONFIG}
    if method == "upload_file":
        await s3.call(method, Filename=str(path), Key="obj", **common)
        assert stored(botocore_client, bucket, "obj") == data
    else:
        botocore_client.put_object(Bucket=bucket, Key="source", Body=data)
        if method == "download_file":
            await s3.call(method, Key="source", Filename=str(tmp_path / "target"), **common)
            assert (tmp_path / "target").read_bytes() == data
        else:
            await s3.call(method, CopySource={"Bucket": bucket, "Key": "source"}, Key="obj", **common)
            assert botocore_client.head_object(Bucket=bucket, Key="obj")["ETag"] == expected_etag(data)
    progress.check(size)


async def test_callback_failure_aborts_the_upload(
    s3: Driver, bucket: str, botocore_client: Any, tmp_path: Path
) -> None:
    """An exception raised by the Callback ends the upload: that exception, no object, no upload left."""

    class Stop(Exception):
        pass

    def callback(amount: int) -> None:
        raise Stop(amount)

    source = tmp_path / "source"
    source.write_bytes(data_of(2 * PART + 1, seed=9))
    with pytest.raises(Stop):
        await s3.call("upload_file", Filename=str(source), Bucket=bucket, Key="x", Callback=callback, Config=CONFIG)
    assert keys_in(botocore_client, bucket) == []
    assert uploads_in(botocore_client, bucket) == []


# -- 4. streams that cannot seek ------------------------------------------------------------------


class ReadOnly:
    """A raw stream with read(n) only (no seek, tell, readable ...), giving short reads of at most
    one of its generator's chunks: a short read is not the end, an empty one is."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def read(self, size: int = -1) -> bytes:
        if not self._pending:
            self._pending = next(self._chunks, b"")
        if size is None or size < 0:
            rest = self._pending + b"".join(self._chunks)
            self._pending = b""
            return rest
        data, self._pending = self._pending[:size], self._pending[size:]
        return data


def chunks_of(data: bytes, size: int) -> Iterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


async def test_pipe_upload_streams(s3: Driver, bucket: str, botocore_client: Any) -> None:
    """A pipe (unbuffered, so reads are short) uploads in 5 MiB parts, and is read as the parts go:
    when the first bytes of the first part move, the writer has not been made to write it all."""
    total = 17 * MIB
    data = data_of(total, seed=10)
    config = s3lite.TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=2)
    read_fd, write_fd = os.pipe()
    written = 0

    def writer() -> None:
        nonlocal written
        try:
            with open(write_fd, "wb", buffering=0) as pipe:
                view = memoryview(data)
                while view:
                    count = pipe.write(view[: 64 * 1024]) or 0
                    view = view[count:]
                    written += count
        except BrokenPipeError:
            pass

    written_at_first: list[int] = []
    progress = ProgressLog(on_first=lambda: written_at_first.append(written))
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        with open(read_fd, "rb", buffering=0) as pipe:  # noqa: ASYNC230 (wraps an open descriptor: no I/O)
            await s3.call("upload_fileobj", Fileobj=pipe, Bucket=bucket, Key="piped", Callback=progress, Config=config)
    finally:
        thread.join()
    assert botocore_client.head_object(Bucket=bucket, Key="piped")["ETag"] == multipart_etag(data, PART)
    assert stored(botocore_client, bucket, "piped") == data
    progress.check(total)
    assert written_at_first[0] < total


async def test_read_only_object_upload(s3: Driver, bucket: str, botocore_client: Any) -> None:
    data = data_of(2 * PART + 12345, seed=11)
    source = ReadOnly(chunks_of(data, 700_001))
    await s3.call("upload_fileobj", Fileobj=source, Bucket=bucket, Key="gen", Config=CONFIG)
    assert botocore_client.head_object(Bucket=bucket, Key="gen")["ETag"] == multipart_etag(data, PART)
    assert stored(botocore_client, bucket, "gen") == data


# -- 5. managed copy ------------------------------------------------------------------------------

COPIED = ("ETag", "ContentLength", "ContentType", "CacheControl", "ContentDisposition", "Metadata")


def put_multipart_source(boto3_client: Any, bucket: str, key: str, data: bytes) -> None:
    from boto3.s3.transfer import TransferConfig as Boto3Config

    config = Boto3Config(multipart_threshold=PART, multipart_chunksize=PART)
    boto3_client.upload_fileobj(io.BytesIO(data), bucket, key, ExtraArgs=ATTRIBUTES, Config=config)


def copied_attributes(botocore_client: Any, bucket: str, key: str) -> dict[str, Any]:
    head = botocore_client.head_object(Bucket=bucket, Key=key)
    return {name: head.get(name) for name in COPIED}


@pytest.mark.parametrize(
    "extra",
    [None, {"MetadataDirective": "REPLACE", "Metadata": {"new": "1"}}],
    ids=["carried", "replaced"],
)
async def test_multipart_copy(
    s3: Driver, bucket: str, botocore_client: Any, boto3_client: Any, extra: dict[str, Any] | None
) -> None:
    """A multipart source copies as parts (UploadPartCopy) to identical bytes; its ContentType,
    CacheControl, ContentDisposition and Metadata are carried, or replaced by REPLACE's, as boto3's
    copy does."""
    from boto3.s3.transfer import TransferConfig as Boto3Config

    data = data_of(PART + 100, seed=12)
    put_multipart_source(boto3_client, bucket, "source", data)
    source = {"Bucket": bucket, "Key": "source"}
    await s3.call("copy", CopySource=source, Bucket=bucket, Key="ours", ExtraArgs=extra, Config=CONFIG)
    boto3_config = Boto3Config(multipart_threshold=PART, multipart_chunksize=PART)
    boto3_client.copy(source, bucket, "boto3", ExtraArgs=extra, Config=boto3_config)

    ours = copied_attributes(botocore_client, bucket, "ours")
    assert ours == copied_attributes(botocore_client, bucket, "boto3")
    assert ours["ETag"] == multipart_etag(data, PART)
    if extra is None:
        assert ours == copied_attributes(botocore_client, bucket, "source")
    else:
        assert ours["Metadata"] == {"new": "1"}
    assert stored(botocore_client, bucket, "ours") == data


async def test_small_copy_is_copy_object(s3: Driver, bucket: str, botocore_client: Any, recorder: Recorder) -> None:
    data = data_of(1000, seed=13)
    botocore_client.put_object(Bucket=bucket, Key="source", Body=data, ContentType="x/y", Metadata={"a": "1"})
    await s3.call("copy", CopySource={"Bucket": bucket, "Key": "source"}, Bucket=bucket, Key="dest", Config=CONFIG)
    puts = recorder.of("PUT")
    assert len(puts) == 1 and not puts[0].is_part and "x-amz-copy-source" in puts[0].headers
    assert not recorder.of("POST")
    head = botocore_client.head_object(Bucket=bucket, Key="dest")
    assert (head["ETag"], head["ContentType"], head["Metadata"]) == (single_etag(data), "x/y", {"a": "1"})


@pytest.mark.parametrize("size", [1000, PART + 1], ids=["single", "multipart"])
async def test_copy_and_download_a_version(
    s3: Driver, versioned_bucket: str, botocore_client: Any, tmp_path: Path, size: int
) -> None:
    bucket = versioned_bucket
    old, new = data_of(size, seed=14), data_of(size, seed=15)
    version = botocore_client.put_object(Bucket=bucket, Key="source", Body=old)["VersionId"]
    botocore_client.put_object(Bucket=bucket, Key="source", Body=new)
    source = {"Bucket": bucket, "Key": "source", "VersionId": version}
    await s3.call("copy", CopySource=source, Bucket=bucket, Key="dest", Config=CONFIG)
    assert stored(botocore_client, bucket, "dest") == old
    assert botocore_client.head_object(Bucket=bucket, Key="dest")["ETag"] == expected_etag(old)

    target = tmp_path / "target"
    await s3.call(
        "download_file",
        Bucket=bucket,
        Key="source",
        Filename=str(target),
        ExtraArgs={"VersionId": version},
        Config=CONFIG,
    )
    assert target.read_bytes() == old


async def test_copy_with_source_client(
    s3: Driver,
    flavour: tuple[Kind, str],
    client_options: dict[str, Any],
    bucket: str,
    botocore_client: Any,
    recorder: Recorder,
) -> None:
    """SourceClient= another client: it makes the HeadObject of the source, the copying client none."""
    data = data_of(PART + 1, seed=16)
    botocore_client.put_object(Bucket=bucket, Key="source", Body=data)
    source_recorder = Recorder()
    async with driver(flavour[0], client_options, source_recorder) as other:
        await s3.call(
            "copy",
            CopySource={"Bucket": bucket, "Key": "source"},
            Bucket=bucket,
            Key="dest",
            SourceClient=other.client,
            Config=CONFIG,
        )
    assert [sent.method for sent in source_recorder.requests if sent.path.endswith("/source")] == ["HEAD"]
    assert recorder.of("HEAD") == []
    assert stored(botocore_client, bucket, "dest") == data


# -- 6. download_file's temporary file ------------------------------------------------------------


@pytest.mark.parametrize("size", [1000, 2 * PART + 1], ids=["single", "multipart"])
async def test_download_file_leaves_only_the_target(
    s3: Driver, bucket: str, botocore_client: Any, tmp_path: Path, size: int
) -> None:
    """In a directory with other files (one of them an older copy of the target): afterwards the target
    holds the object, the others are untouched, and no temporary file is left."""
    data = data_of(size, seed=17)
    botocore_client.put_object(Bucket=bucket, Key="obj", Body=data)
    others = {"a.txt": b"a", "target.bin.bak": b"b"}
    for name, content in others.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "target.bin").write_bytes(b"old")
    await s3.call("download_file", Bucket=bucket, Key="obj", Filename=tmp_path / "target.bin", Config=CONFIG)
    assert sorted(os.listdir(tmp_path)) == sorted([*others, "target.bin"])
    assert (tmp_path / "target.bin").read_bytes() == data
    assert all((tmp_path / name).read_bytes() == content for name, content in others.items())


async def test_download_of_a_missing_key(s3: Driver, bucket: str, tmp_path: Path) -> None:
    (tmp_path / "kept").write_bytes(b"kept")
    with pytest.raises(s3lite.ClientError) as raised:
        await s3.call("download_file", Bucket=bucket, Key="missing", Filename=str(tmp_path / "target"), Config=CONFIG)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert sorted(os.listdir(tmp_path)) == ["kept"]
    out = io.BytesIO()
    with pytest.raises(s3lite.ClientError) as raised:
        await s3.call("download_fileobj", Bucket=bucket, Key="missing", Fileobj=out, Config=CONFIG)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert out.getvalue() == b""


@pytest.mark.parametrize("method", ["download_file", "download_fileobj"])
async def test_object_changed_mid_download(
    s3: Driver, bucket: str, botocore_client: Any, tmp_path: Path, method: str
) -> None:
    """The object is overwritten while the first range arrives: the next range's IfMatch fails, the
    download raises PreconditionFailed (412) and leaves nothing behind (download_file: not even a
    temporary file, and the old target as it was)."""
    botocore_client.put_object(Bucket=bucket, Key="obj", Body=data_of(PART + 1, seed=18))
    config = s3lite.TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=1)

    def overwrite() -> None:
        botocore_client.put_object(Bucket=bucket, Key="obj", Body=b"changed")

    target = tmp_path / "target"
    target.write_bytes(b"old")
    args: dict[str, Any] = {"Bucket": bucket, "Key": "obj", "Callback": ProgressLog(on_first=overwrite)}
    with pytest.raises(s3lite.ClientError) as raised:
        if method == "download_file":
            await s3.call(method, Filename=str(target), Config=config, **args)
        else:
            await s3.call(method, Fileobj=io.BytesIO(), Config=config, **args)
    assert raised.value.response["Error"]["Code"] == "PreconditionFailed"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert os.listdir(tmp_path) == ["target"] and target.read_bytes() == b"old"


# -- 7. AsyncClient's own file objects ------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS[1:], ids=["asyncio", "trio"], indirect=True)
async def test_async_file_objects(
    client_options: dict[str, Any], bucket: str, botocore_client: Any, tmp_path: Path, anyio_backend: str
) -> None:
    """AsyncClient takes files whose read(n) / write() are coroutines (anyio's), under both backends."""
    data = data_of(2 * PART + 7, seed=19)
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_bytes(data)
    async with s3lite.AsyncClient(**client_options) as client:
        async with await anyio.open_file(source, "rb") as file:
            await client.upload_fileobj(file, bucket, "async", Config=CONFIG)
        async with await anyio.open_file(target, "wb") as file:
            await client.download_fileobj(bucket, "async", file, Config=CONFIG)
    assert botocore_client.head_object(Bucket=bucket, Key="async")["ETag"] == multipart_etag(data, PART)
    assert target.read_bytes() == data


# -- 8. TransferConfig ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_concurrency", 0),
        ("multipart_chunksize", -1),
        ("multipart_threshold", "8MB"),
        ("io_chunksize", 1.5),
        ("use_threads", "yes"),
    ],
)
def test_transfer_config_refuses_bad_values(name: str, value: Any) -> None:
    with pytest.raises(s3lite.ParamValidationError, match=name):
        s3lite.TransferConfig(**{name: value})


def test_transfer_config_defaults_are_boto3s() -> None:
    from boto3.s3.transfer import TransferConfig as Boto3Config

    ours, theirs = s3lite.TransferConfig(), Boto3Config()
    names = (
        "multipart_threshold",
        "max_concurrency",
        "multipart_chunksize",
        "num_download_attempts",
        "max_io_queue",
        "io_chunksize",
        "use_threads",
        "max_bandwidth",
    )
    assert {name: getattr(ours, name) for name in names} == {name: getattr(theirs, name) for name in names}
    with pytest.raises(AttributeError):
        ours.max_concurrency = 3  # type: ignore[misc]


def test_config_of_another_type_refused(client_options: dict[str, Any], bucket: str, tmp_path: Path) -> None:
    from boto3.s3.transfer import TransferConfig as Boto3Config

    recorder = Recorder()
    source = tmp_path / "source"
    source.write_bytes(b"x")
    with s3lite.Client(**client_options) as client, pytest.raises(s3lite.ParamValidationError, match="Config"):
        ObservedPool(client, recorder.enter, recorder.leave)
        client.upload_file(str(source), bucket, "x", Config=Boto3Config())
    assert recorder.requests == []


@pytest.mark.parametrize("use_threads", [False, True])
def test_use_threads(
    client_options: dict[str, Any], bucket: str, botocore_client: Any, tmp_path: Path, use_threads: bool
) -> None:
    """use_threads=False: one request at a time, all from the caller's thread; True: parts from
    several threads at once."""
    recorder = Recorder()
    data = data_of(2 * PART + 1, seed=20)
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_bytes(data)
    config = s3lite.TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, use_threads=use_threads)
    with s3lite.Client(**client_options) as client:
        ObservedPool(client, recorder.enter, recorder.leave)
        client.upload_file(str(source), bucket, "obj", Config=config)
        client.download_file(bucket, "obj", str(target), Config=config)
    assert target.read_bytes() == data
    assert botocore_client.head_object(Bucket=bucket, Key="obj")["ETag"] == multipart_etag(data, PART)
    part_threads = {sent.thread for sent in recorder.requests if sent.is_part or sent.method == "GET"}
    if use_threads:
        assert len(part_threads) > 1 and recorder.most_in_flight > 1
    else:
        assert {sent.thread for sent in recorder.requests} == {threading.get_ident()}
        assert recorder.most_in_flight == 1
