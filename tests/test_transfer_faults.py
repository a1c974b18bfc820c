"""Faults in the middle of managed transfers (upload_file, download_file ...), through an HTTP proxy in
front of moto's server (tests/fault_proxy.py): parts answered 500, parts failing for good, an object
changed between two ranged GETs, a Callback raising, an async upload cancelled.

Each test checks what reached the server (the proxy's log: a part sent three times, the
AbortMultipartUpload sent, and sent only once no part was in flight) and what the server kept
(botocore straight to moto: the object byte for byte, no multipart upload left behind), not only
what the call returned or raised. Both clients, the sync one run in a worker thread, under asyncio
and trio (tests/drivers.py).

Retry backoff is zero here (``random.random`` is 0 when the clients are built, as in
tests/test_faults_e2e.py): the waits are full-jitter, so this only removes sleeping.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest
from drivers import KINDS, Driver
from fault_proxy import FaultProxy, Reply, Request, Rule, ranged_get, upload_part

import s3lite

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]

MIB = 1024 * 1024
#: threshold = part size = S3's minimum part: a 16 MiB + 123 B object is 4 parts (5, 5, 5, 1 MiB + 123 B)
PART = 5 * MIB
SIZE = 3 * PART + MIB + 123
PARTS = 4
#: the clients' attempts per request: the default, said out loud because the tests count attempts
ATTEMPTS = 3
#: seconds the cancellation test holds a part at the proxy, at most
HOLD = 5.0


@pytest.fixture(scope="module", params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("random.random", lambda: 0.0)


@pytest.fixture
def proxy(moto_endpoint: str) -> Iterator[FaultProxy]:
    with FaultProxy(moto_endpoint) as started:
        yield started
    # stop() joined the accepting thread and every connection's handler thread
    left = [
        thread.name
        for thread in threading.enumerate()
        if thread.name == "fault-proxy" or "process_request" in thread.name
    ]
    assert left == []


@pytest.fixture
def options(client_options: dict[str, Any], proxy: FaultProxy) -> dict[str, Any]:
    """The clients talk to moto through the proxy."""
    return {**client_options, "endpoint_url": proxy.url, "max_attempts": ATTEMPTS}


@pytest.fixture(params=KINDS)
async def s3(request: pytest.FixtureRequest, options: dict[str, Any], anyio_backend: str) -> AsyncIterator[Driver]:
    driver = Driver(request.param, **options)
    try:
        yield driver
    finally:
        await driver.aclose()


@pytest.fixture
def config() -> s3lite.TransferConfig:
    return s3lite.TransferConfig(multipart_threshold=PART, multipart_chunksize=PART)


@pytest.fixture
def data() -> bytes:
    return os.urandom(SIZE)


@pytest.fixture
def source(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "source.bin"
    path.write_bytes(data)
    return path


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    """An empty directory to download into: what is left in it is checked."""
    path = tmp_path / "downloads"
    path.mkdir()
    return path


async def transfer(s3: Driver, method: str, /, **params: Any) -> None:
    """``s3.client.<method>(...)``: in a worker thread for Client, awaited for AsyncClient."""
    function = getattr(s3.client, method)
    if s3.kind == "sync":
        await anyio.to_thread.run_sync(partial(function, **params))
    else:
        await function(**params)


class Tally:
    """A ``Callback``: every amount it was given, and the running total."""

    def __init__(self) -> None:
        self.amounts: list[int] = []

    def __call__(self, amount: int) -> None:
        self.amounts.append(amount)

    @property
    def total(self) -> int:
        return sum(self.amounts)


def stored(botocore_client: Any, bucket: str, key: str) -> bytes:
    return bytes(botocore_client.get_object(Bucket=bucket, Key=key)["Body"].read())


def assert_no_object(botocore_client: Any, bucket: str, key: str) -> None:
    listed = botocore_client.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])
    assert [item["Key"] for item in listed] == [], "nothing is stored at the key"


def assert_aborted(proxy: FaultProxy, botocore_client: Any, bucket: str) -> None:
    """The upload was multipart, was aborted (by its UploadId) once no part was in flight, never
    completed, and moto lists no upload left (no orphaned parts). An abort answered 500 may be retried
    by the client: the last one must have been accepted."""
    proxy.wait_idle()
    (created,) = proxy.requests("CreateMultipartUpload")
    aborts = proxy.requests("AbortMultipartUpload")
    assert aborts, f"AbortMultipartUpload sent: {proxy.operations()}"
    first = aborts[0]
    upload_ids = {request.query["uploadId"] for request in proxy.requests("UploadPart") + aborts}
    assert upload_ids == {first.query["uploadId"]}, "the abort names the upload the parts went to"
    assert created.arrived < first.arrived
    in_flight = [
        (part.part_number, part.status)
        for part in proxy.requests("UploadPart")
        if part.answered is None or part.answered > first.arrived
    ]
    assert in_flight == [], "AbortMultipartUpload is sent only once no part is in flight (part, status)"
    assert [abort.status for abort in aborts] == [204], "one abort, accepted"
    assert proxy.requests("CompleteMultipartUpload") == []
    assert botocore_client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def sends_of(proxy: FaultProxy, number: int) -> list[Request]:
    return [request for request in proxy.requests("UploadPart") if request.part_number == number]


# -- the proxy itself, with plain calls ---------------------------------------------------------------


async def test_proxy_forwards_records_and_fakes(s3: Driver, proxy: FaultProxy, bucket: str) -> None:
    """The proxy forwards unchanged, keeps the connection alive, and answers for moto when told: the
    ground the transfer tests stand on."""
    proxy.add(Rule("GET", lambda request: request.path.endswith("/faked"), reply=Reply.s3_error(), times=ATTEMPTS))
    await s3.call("put_object", Bucket=bucket, Key="plain", Body=b"x" * 1000)
    assert (await s3.download(Bucket=bucket, Key="plain"))[1] == b"x" * 1000
    assert (await s3.call("head_object", Bucket=bucket, Key="plain"))["ContentLength"] == 1000
    with pytest.raises(s3lite.ClientError) as caught:
        await s3.call("get_object", Bucket=bucket, Key="faked")
    assert caught.value.response["Error"]["Code"] == "InternalError"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert proxy.operations() == ["PutObject", "GetObject", "HeadObject"] + ["GetObject"] * ATTEMPTS
    assert [request.faked for request in proxy.log] == [False] * 3 + [True] * ATTEMPTS
    assert proxy.log[0].path == f"/{bucket}/plain"


# -- uploads -------------------------------------------------------------------------------------------


async def test_upload_part_failing_twice_is_retried(
    s3: Driver,
    proxy: FaultProxy,
    bucket: str,
    botocore_client: Any,
    config: s3lite.TransferConfig,
    source: Path,
    data: bytes,
) -> None:
    proxy.add(Rule("PUT", upload_part(2), reply=Reply.s3_error(), times=ATTEMPTS - 1))
    progress = Tally()
    await transfer(s3, "upload_file", Filename=str(source), Bucket=bucket, Key="k", Callback=progress, Config=config)

    assert len(sends_of(proxy, 2)) == ATTEMPTS, "part 2 sent three times"
    assert [request.faked for request in sends_of(proxy, 2)] == [True] * (ATTEMPTS - 1) + [False]
    assert {request.part_number for request in proxy.requests("UploadPart")} == set(range(1, PARTS + 1))
    assert len(proxy.requests("UploadPart")) == PARTS + ATTEMPTS - 1
    assert len(proxy.requests("CompleteMultipartUpload")) == 1
    assert proxy.requests("AbortMultipartUpload") == []
    assert stored(botocore_client, bucket, "k") == data
    assert progress.total == SIZE, f"Callback amounts sum to the file's size: {progress.amounts}"
    assert botocore_client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


async def test_upload_part_failing_for_good_aborts(
    s3: Driver, proxy: FaultProxy, bucket: str, botocore_client: Any, config: s3lite.TransferConfig, source: Path
) -> None:
    proxy.add(Rule("PUT", upload_part(2), reply=Reply.s3_error()))
    with pytest.raises(s3lite.ClientError) as caught:
        await transfer(s3, "upload_file", Filename=str(source), Bucket=bucket, Key="k", Config=config)

    assert caught.value.response["Error"]["Code"] == "InternalError"
    assert len(sends_of(proxy, 2)) == ATTEMPTS, "the client's own retries, then the failure"
    assert_aborted(proxy, botocore_client, bucket)
    assert_no_object(botocore_client, bucket, "k")


class Boom(Exception):
    """Raised by a Callback."""


class BadValue(ValueError):
    """Raised by a Callback: a ValueError, which the client's read loop takes for a broken Body
    unless the transfer carries it out as itself."""


@pytest.mark.parametrize("error", [Boom, BadValue, OSError])
async def test_callback_raising_mid_upload_aborts(
    s3: Driver,
    proxy: FaultProxy,
    bucket: str,
    botocore_client: Any,
    config: s3lite.TransferConfig,
    source: Path,
    error: type[Exception],
) -> None:
    """The Callback raises while the parts' bodies are being read (so before any part, all sent in
    parallel, need have reached the proxy whole): after CreateMultipartUpload, before the end; what
    it raised comes out as itself, whatever its class."""
    progress = Tally()

    def callback(amount: int) -> None:
        progress(amount)
        if progress.total > PART + MIB:
            raise error(progress.total)

    with pytest.raises(error) as caught:
        await transfer(
            s3, "upload_file", Filename=str(source), Bucket=bucket, Key="k", Callback=callback, Config=config
        )

    assert type(caught.value) is error and caught.value.args[0] < SIZE, "raised mid-way, as itself"
    assert_aborted(proxy, botocore_client, bucket)
    assert_no_object(botocore_client, bucket, "k")


def test_sync_upload_interrupted_by_ctrl_c_aborts(
    options: dict[str, Any],
    proxy: FaultProxy,
    bucket: str,
    botocore_client: Any,
    config: s3lite.TransferConfig,
    source: Path,
) -> None:
    """A KeyboardInterrupt in the middle of Client.upload_file (raised by the Callback, in a worker
    thread, as a Ctrl-C handler would): the parts in flight end, the upload is aborted, and the
    KeyboardInterrupt is what the caller gets."""
    progress = Tally()

    def callback(amount: int) -> None:
        progress(amount)
        if progress.total > PART + MIB:
            raise KeyboardInterrupt

    with s3lite.Client(**options) as client, pytest.raises(KeyboardInterrupt):
        client.upload_file(str(source), bucket, "k", Callback=callback, Config=config)
    assert_aborted(proxy, botocore_client, bucket)
    assert_no_object(botocore_client, bucket, "k")
    assert not [t for t in threading.enumerate() if t.name.startswith("s3lite-transfer")], "no worker left"


async def test_async_upload_cancelled_mid_way_aborts(
    options: dict[str, Any],
    proxy: FaultProxy,
    bucket: str,
    botocore_client: Any,
    config: s3lite.TransferConfig,
    source: Path,
    anyio_backend: str,
) -> None:
    """The cancel comes when part 2 has reached the proxy, which holds it (for at most HOLD seconds, or
    until the cancelled call has returned): the upload is then certainly mid-way (created, parts in
    flight, not completed), at a point the test chooses rather than after a sleep. Whether the upload
    lets the held part finish before aborting or cancels it is left open; either way it is aborted."""
    held, release = threading.Event(), threading.Event()

    def hold(request: Request) -> None:
        held.set()
        release.wait(HOLD)

    proxy.add(Rule("PUT", upload_part(2), hook=hold, times=1))
    try:
        async with s3lite.AsyncClient(**options) as client:
            with anyio.fail_after(HOLD + 15), anyio.CancelScope() as scope:

                async def cancel_once_held() -> None:
                    await anyio.to_thread.run_sync(held.wait, HOLD + 10, abandon_on_cancel=True)
                    scope.cancel()

                async with anyio.create_task_group() as group:
                    group.start_soon(cancel_once_held)
                    await client.upload_file(Filename=str(source), Bucket=bucket, Key="k", Config=config)
                    pytest.fail("upload_file returned although part 2 was held unanswered")
            assert scope.cancelled_caught
            assert held.is_set()
            assert proxy.requests("AbortMultipartUpload"), "aborted before the cancelled call returned"
    finally:
        held.set()
        release.set()
    proxy.wait_idle()
    (created,) = proxy.requests("CreateMultipartUpload")
    aborts = proxy.requests("AbortMultipartUpload")
    assert created.arrived < sends_of(proxy, 2)[0].arrived < aborts[0].arrived
    upload_ids = {request.query["uploadId"] for request in proxy.requests("UploadPart") + aborts}
    assert upload_ids == {aborts[0].query["uploadId"]}
    # moto may answer 500 to an abort that races with a part it is storing: the client retries it
    assert aborts[-1].status == 204, [abort.status for abort in aborts]
    assert proxy.requests("CompleteMultipartUpload") == []
    assert botocore_client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert_no_object(botocore_client, bucket, "k")


# -- downloads -----------------------------------------------------------------------------------------


async def test_object_changed_mid_download_raises_and_leaves_nothing(
    s3: Driver,
    proxy: FaultProxy,
    bucket: str,
    botocore_client: Any,
    config: s3lite.TransferConfig,
    data: bytes,
    downloads: Path,
) -> None:
    botocore_client.put_object(Bucket=bucket, Key="k", Body=data)
    replacements: list[bytes] = []

    def overwrite(request: Request) -> None:
        replacement = os.urandom(SIZE)
        replacements.append(replacement)
        botocore_client.put_object(Bucket=bucket, Key="k", Body=replacement)

    proxy.add(Rule("GET", ranged_get(), hook=overwrite, skip=1, times=1))
    target = downloads / "k.bin"
    with pytest.raises(s3lite.ClientError) as caught:
        await transfer(s3, "download_file", Bucket=bucket, Key="k", Filename=str(target), Config=config)
    assert_precondition_failed(caught.value)
    assert len(replacements) == 1, "the object was changed during the download"
    assert sorted(os.listdir(downloads)) == [], "no file at the target name and no temporary file left"

    # the same with a file object; its content is the caller's, only the raising is checked
    proxy.add(Rule("GET", ranged_get(), hook=overwrite, skip=1, times=1))
    with pytest.raises(s3lite.ClientError) as caught:
        await transfer(s3, "download_fileobj", Bucket=bucket, Key="k", Fileobj=io.BytesIO(), Config=config)
    assert_precondition_failed(caught.value)
    assert len(replacements) == 2
    assert len(proxy.requests("HeadObject")) == 2
    assert all(request.headers.get("if-match") for request in proxy.requests("GetObject"))


def assert_precondition_failed(error: s3lite.ClientError) -> None:
    code = error.response.get("Error", {}).get("Code")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    assert code == "PreconditionFailed" or status == 412, error.response


async def test_ranged_get_failing_twice_is_retried(
    s3: Driver,
    proxy: FaultProxy,
    bucket: str,
    botocore_client: Any,
    config: s3lite.TransferConfig,
    data: bytes,
    downloads: Path,
) -> None:
    botocore_client.put_object(Bucket=bucket, Key="k", Body=data)
    proxy.add(Rule("GET", ranged_get(start=PART), reply=Reply.s3_error(), times=ATTEMPTS - 1))
    progress = Tally()
    target = downloads / "k.bin"
    await transfer(s3, "download_file", Bucket=bucket, Key="k", Filename=str(target), Callback=progress, Config=config)

    assert target.read_bytes() == data
    assert sorted(os.listdir(downloads)) == ["k.bin"], "the temporary file was renamed into place"
    second = [request for request in proxy.requests("GetObject") if ranged_get(start=PART)(request)]
    assert [request.faked for request in second] == [True] * (ATTEMPTS - 1) + [False]
    assert len(proxy.requests("GetObject")) == PARTS + ATTEMPTS - 1
    assert progress.total == SIZE, f"Callback amounts sum to the object's size: {progress.amounts}"
