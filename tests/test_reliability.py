"""What a buggy or hostile server can do on a real connection, against both clients: whitespace-only
200s, duplicate responses, trickled bodies, oversized bodies, unread bodies (issue "Reliability,
round two"). Every server here is a real socket on 127.0.0.1 (tests/hostile.py); nothing is mocked.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from drivers import KINDS, Driver
from hostile import CLOSE, HostileServer, Piece, Received, response

import s3lite

pytestmark = pytest.mark.anyio

CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "AKID", "aws_secret_access_key": "SECRET"}
COMPLETE = {
    "Bucket": "b",
    "Key": "k",
    "UploadId": "u",
    "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": '"e"'}]},
}
#: S3's keep-alive whitespace: what a CompleteMultipartUpload sends before its document
WHITESPACE = b" \n \n   \n"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def driver(kind: str, url: str, **options: Any) -> Driver:
    s3 = Driver(kind, endpoint_url=url, **CREDENTIALS, **options)  # type: ignore[arg-type]
    s3.client._context.rand = lambda: 0.0  # retries without waiting
    return s3


def always(*pieces: Piece) -> Any:
    def answer(_request: Received) -> Iterable[Piece]:
        return pieces

    return answer


# -- 1. a 200 whose body is only whitespace is not a success -------------------------------------


@pytest.mark.parametrize("framing", ["content-length", "close-delimited"])
@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("complete_multipart_upload", COMPLETE),
        ("copy_object", {"Bucket": "b", "Key": "k", "CopySource": "src/key"}),
        ("upload_part_copy", {"Bucket": "b", "Key": "k", "CopySource": "src/key", "PartNumber": 1, "UploadId": "u"}),
    ],
)
async def test_whitespace_only_200_is_retried_then_raised(
    kind: str, framing: str, method: str, params: dict[str, Any]
) -> None:
    if framing == "content-length":
        answer = always(response(200, WHITESPACE))
    else:
        answer = always(response(200, WHITESPACE, length=False), CLOSE)
    with HostileServer(answer) as server:
        s3 = await driver(kind, server.url)
        with pytest.raises(s3lite.ClientError) as caught:
            await s3.call(method, **params)
        await s3.aclose()
    # botocore: a present body that does not parse makes the 200 a 500: retried, then raised
    assert caught.value.response["Error"]["Code"] == "500"
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(server.received) == 3


# -- 2. a response is never matched to the wrong request -----------------------------------------


def duplicating_server() -> HostileServer:
    """The first answer comes with a stray duplicate '200 OK' right behind it (one write, so both land
    in the client's buffer); the server's real answer to the next request is a 500, then a 200."""
    count = 0

    def answer(_request: Received) -> Iterable[Piece]:
        nonlocal count
        count += 1
        if count == 1:
            return [response(200, headers={"ETag": '"one"'}) + response(200, headers={"ETag": '"stale"'})]
        if count == 2:
            return [response(500, b"<Error><Code>InternalError</Code><Message>m</Message></Error>")]
        return [response(200, headers={"ETag": f'"{count}"'})]

    return HostileServer(answer)


async def test_bytes_left_after_a_response_retire_the_connection(kind: str) -> None:
    with duplicating_server() as server:
        s3 = await driver(kind, server.url)
        first = await s3.call("put_object", Bucket="b", Key="k", Body=b"1")
        second = await s3.call("put_object", Bucket="b", Key="k", Body=b"2")
        await s3.aclose()
    assert first["ETag"] == '"one"'
    # never the stale duplicate: the server's real answer (500), retried, then its success
    assert second["ETag"] == '"3"'
    assert second["ResponseMetadata"]["RetryAttempts"] == 1
    assert [r.connection for r in server.received] == [1, 2, 2]


async def test_a_clean_connection_is_still_reused(kind: str) -> None:
    with HostileServer(always(response(200, headers={"ETag": '"e"'}))) as server:
        s3 = await driver(kind, server.url)
        for _ in range(3):
            await s3.call("put_object", Bucket="b", Key="k", Body=b"x")
        await s3.aclose()
    assert server.connections == 1


# -- 4. an unread GetObject Body does not hold its connection for ever ---------------------------


@pytest.fixture
def object_key(botocore_client: Any, bucket: str) -> str:
    botocore_client.put_object(Bucket=bucket, Key="big", Body=b"x" * 300_000)  # more than socket buffers
    return "big"


async def test_dropped_bodies_release_their_connections(
    kind: str, client_options: dict[str, Any], bucket: str, object_key: str
) -> None:
    s3 = Driver(kind, max_connections=2, timeout=httpx.Timeout(10.0, pool=1.0), **client_options)  # type: ignore[arg-type]
    for _ in range(6):  # an existence check that never touches Body, three times the pool's size
        result = await s3.call("get_object", Bucket=bucket, Key=object_key)
        assert result["ContentLength"] == 300_000
        del result
    await s3.aclose()


async def test_pool_exhaustion_is_prompt_not_retried_and_names_the_cause(
    kind: str, client_options: dict[str, Any], bucket: str, object_key: str
) -> None:
    s3 = Driver(kind, max_connections=2, timeout=httpx.Timeout(10.0, pool=0.5), **client_options)  # type: ignore[arg-type]
    kept = [await s3.call("get_object", Bucket=bucket, Key=object_key) for _ in range(2)]
    started = time.monotonic()
    with pytest.raises(s3lite.PoolTimeoutError) as caught:
        await s3.call("head_object", Bucket=bucket, Key=object_key)
    assert time.monotonic() - started < 1.4, "one wait for the pool, not three"
    assert "2 GetObject bodies" in str(caught.value) and "close" in str(caught.value)
    for result in kept:
        await s3.close_body(result["Body"])
    assert (await s3.call("head_object", Bucket=bucket, Key=object_key))["ContentLength"] == 300_000
    await s3.aclose()


# -- 5. a failed sync upload from a file keeps no thread alive -----------------------------------


def test_failed_file_uploads_leave_no_worker_thread(tmp_path: Any) -> None:
    import threading

    path = tmp_path / "big"
    path.write_bytes(b"y" * (4 << 20))
    kept: list[BaseException] = []
    with HostileServer(always(CLOSE), head_only=True) as server:  # hangs up on every upload mid-body
        # aws-chunked: the strategy that reads and signs the file in a worker thread (a file sent as
        # it is, the default, has no worker at all)
        client = s3lite.Client(
            endpoint_url=server.url,
            max_attempts=1,
            upload_signing="aws-chunked",
            **CREDENTIALS,  # type: ignore[arg-type]
        )
        for _ in range(20):
            with open(path, "rb") as file, pytest.raises(s3lite.HTTPClientError) as caught:
                client.put_object(Bucket="b", Key="k", Body=file)
            kept.append(caught.value)  # as an application keeps a failure (a log, a retry queue)
        client.close()
    for worker in [t for t in threading.enumerate() if t.name.startswith("s3lite-upload")]:
        worker.join(2)  # a worker ends as soon as its last read returns (the call does not wait for it)
    workers = [t for t in threading.enumerate() if t.name.startswith("s3lite-upload")]
    assert workers == [], f"{len(workers)} upload threads outlived their calls"


def test_a_failed_upload_does_not_wait_for_a_stalled_stream() -> None:
    import os
    import threading

    read_end, write_end = os.pipe()
    stall = threading.Event()
    hung_up = threading.Event()

    def hang_up(_request: object) -> list[object]:
        hung_up.set()
        return [CLOSE]

    def produce() -> None:
        """600 KB; once the server has hung up, 600 KB more (whose sending fails however slowly the
        server's thread got to its close: on a loaded machine the first 600 KB can all fit in the
        socket buffers before it does), then nothing until the test is over."""
        os.write(write_end, b"p" * 600_000)
        hung_up.wait(10)
        time.sleep(0.1)
        try:
            os.write(write_end, b"p" * 600_000)
        except BrokenPipeError:
            pass  # the call failed already (as it mostly does) and closed its end of the pipe
        stall.wait(30)
        os.close(write_end)

    producer = threading.Thread(target=produce)
    producer.start()
    try:
        with HostileServer(hang_up, head_only=True) as server, open(read_end, "rb", buffering=0) as pipe:
            client = s3lite.Client(endpoint_url=server.url, max_attempts=1, **CREDENTIALS)  # type: ignore[arg-type]
            started = time.monotonic()
            with pytest.raises(s3lite.S3LiteError):
                client.put_object(Bucket="b", Key="k", Body=pipe, ContentLength=64 << 20)
            elapsed = time.monotonic() - started
            client.close()
            stall.set()
    finally:
        stall.set()
        producer.join(10)
    assert elapsed < 3, f"the call waited {elapsed:.1f} s for the stalled producer"


# -- 6. an async upload that fails or is cancelled closes the caller's generator -----------------


class Generated:
    """An async generator body that records whether it was closed."""

    def __init__(self) -> None:
        self.closed = False
        self.yielded = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            while True:
                self.yielded += 1
                yield b"z" * 65536
                await anyio.lowlevel.checkpoint()
        finally:
            self.closed = True


async def test_failed_async_upload_closes_its_generator() -> None:
    body = Generated()
    with HostileServer(always(CLOSE), head_only=True) as server:
        async with s3lite.AsyncClient(endpoint_url=server.url, **CREDENTIALS) as s3:  # type: ignore[arg-type]
            with pytest.raises(s3lite.S3LiteError):
                await s3.put_object(Bucket="b", Key="k", Body=body.chunks(), ContentLength=64 << 20)
            assert body.closed, "closed before the exception left put_object"


async def test_cancelled_async_upload_closes_its_generator() -> None:
    body = Generated()
    # a server that reads nothing and never answers: the upload stalls once the socket buffers fill
    with HostileServer(always((b"", 30.0)), head_only=True) as server:
        async with s3lite.AsyncClient(endpoint_url=server.url, **CREDENTIALS) as s3:  # type: ignore[arg-type]
            with anyio.move_on_after(0.5):
                await s3.put_object(Bucket="b", Key="k", Body=body.chunks(), ContentLength=256 << 20)
            assert body.yielded > 0 and body.closed


# -- 8. a deadline for the whole attempt ---------------------------------------------------------


def trickled(data: bytes, pause: float) -> Any:
    return always(*((data[i : i + 1], pause) for i in range(len(data))))


async def test_attempt_timeout_bounds_a_trickling_server(kind: str) -> None:
    # every byte comes within the read timeout, so only a deadline for the whole attempt ends it
    slow = response(200, b"<CopyObjectResult><ETag>e</ETag></CopyObjectResult>")
    with HostileServer(trickled(slow, 0.2)) as server:
        s3 = await driver(kind, server.url, timeout=1.0, attempt_timeout=1.0, max_attempts=1)
        started = time.monotonic()
        with pytest.raises(s3lite.ReadTimeoutError, match="attempt_timeout"):
            await s3.call("copy_object", Bucket="b", Key="k", CopySource="s/k")
        elapsed = time.monotonic() - started
        await s3.aclose()
    assert 0.9 < elapsed < 1.8


async def test_attempt_timeout_is_per_attempt_and_retried(kind: str) -> None:
    count = 0

    def answer(_request: Received) -> Iterable[Piece]:
        nonlocal count
        count += 1
        if count == 1:
            return [(b"H", 5.0)]
        return [response(200, headers={"ETag": '"e"'})]

    with HostileServer(answer) as server:
        s3 = await driver(kind, server.url, attempt_timeout=0.5)
        result = await s3.call("put_object", Bucket="b", Key="k", Body=b"x")
        await s3.aclose()
    assert result["ResponseMetadata"]["RetryAttempts"] == 1


async def test_attempt_timeout_bounds_the_wait_for_a_pooled_connection(
    kind: str, client_options: dict[str, Any], bucket: str, object_key: str
) -> None:
    s3 = Driver(kind, max_connections=1, attempt_timeout=0.5, timeout=httpx.Timeout(10.0), **client_options)  # type: ignore[arg-type]
    held = await s3.call("get_object", Bucket=bucket, Key=object_key)  # the one connection, held
    started = time.monotonic()
    with pytest.raises(s3lite.PoolTimeoutError):
        await s3.call("head_object", Bucket=bucket, Key=object_key)
    assert time.monotonic() - started < 2, "the pool's 10 s, not the attempt's 0.5 s"
    await s3.close_body(held["Body"])
    await s3.aclose()


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), "5", True])
def test_bad_attempt_timeout_is_refused(value: Any) -> None:
    with pytest.raises(s3lite.ParamValidationError, match="attempt_timeout"):
        s3lite.Client(endpoint_url="http://127.0.0.1:9", attempt_timeout=value, **CREDENTIALS)  # type: ignore[arg-type]


# -- 9. bounded reads of non-streamed bodies -----------------------------------------------------


class Huge:
    """A response whose body is ``size`` bytes, written 1 MiB at a time; ``written`` counts the MiB that
    left the server before the client hung up."""

    def __init__(self, status: int, size: int, head: bytes, then: bytes | None = None) -> None:
        self.status, self.size, self.head, self.then = status, size, head, then
        self.written = 0
        self.answered = 0

    def __call__(self, _request: Received) -> Iterator[Piece]:
        self.answered += 1
        if self.then is not None and self.answered > 1:
            yield self.then
            return
        yield response(self.status, b"", {"Content-Length": str(self.size)}, length=False) + self.head
        for _ in range(self.size // (1 << 20)):
            yield b" " * (1 << 20)
            self.written += 1


async def test_an_oversized_result_is_refused_unread(kind: str) -> None:
    huge = Huge(200, 128 << 20, b"<CopyObjectResult>")
    with HostileServer(huge) as server:
        s3 = await driver(kind, server.url)
        with pytest.raises(s3lite.ResponseParseError, match="larger than the 8192 KiB"):
            await s3.call("copy_object", Bucket="b", Key="k", CopySource="s/k")
        await s3.aclose()
    assert huge.answered == 1, "not retried"
    assert huge.written < 32, f"{huge.written} MiB of 128 left the server: the body was read on"


async def test_an_oversized_error_is_read_no_further_and_still_retried(kind: str) -> None:
    # a load balancer's 128 MiB 503 page: its status still decides (retried), its body is not read
    huge = Huge(503, 128 << 20, b"<html>", then=response(200, headers={"ETag": '"e"'}))
    with HostileServer(huge) as server:
        s3 = await driver(kind, server.url)
        result = await s3.call("put_object", Bucket="b", Key="k", Body=b"x")
        await s3.aclose()
    assert result["ResponseMetadata"]["RetryAttempts"] == 1
    assert huge.written < 32, f"{huge.written} MiB of 128 left the server: the body was read on"


async def test_an_oversized_error_keeps_its_status(kind: str) -> None:
    huge = Huge(404, 128 << 20, b"<Error><Code>NoSuchKey</Code>")
    with HostileServer(huge) as server:
        s3 = await driver(kind, server.url)
        with pytest.raises(s3lite.ClientError) as caught:
            await s3.call("put_object", Bucket="b", Key="k", Body=b"x")
        await s3.aclose()
    assert caught.value.response["Error"]["Code"] == "404"
    assert huge.written < 32


# -- 10. no secret in an error message; what the wire allows is sent ------------------------------


async def test_header_values_with_surrounding_whitespace_are_sent(kind: str) -> None:
    with HostileServer(always(response(200, headers={"ETag": '"e"'}))) as server:
        s3 = await driver(kind, server.url)
        s3.client._context.credentials = s3lite.Credentials("AKID", "SECRET", "  TOKEN-VALUE ")
        await s3.call(
            "put_object", Bucket="b", Key="k", Body=b"x", SSEKMSKeyId=" key-id\t", ServerSideEncryption="aws:kms"
        )
        await s3.aclose()
    sent = server.received[0].headers
    assert sent["x-amz-security-token"] == "TOKEN-VALUE"
    assert sent["x-amz-server-side-encryption-aws-kms-key-id"] == "key-id"


async def test_a_request_the_http_layer_refuses_is_not_retried_nor_quoted(kind: str) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.LocalProtocolError("Illegal header value b'SECRET-TOKEN '")

    transport: Any = httpx.MockTransport(handler)
    s3 = Driver(kind, transport=transport, endpoint_url="http://s3.test", **CREDENTIALS)  # type: ignore[arg-type]
    with pytest.raises(s3lite.ParamValidationError) as caught:
        await s3.call("put_object", Bucket="b", Key="k", Body=b"x")
    await s3.aclose()
    assert calls == 1
    assert "SECRET-TOKEN" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_proxy_password_is_not_in_the_client_repr() -> None:
    client = s3lite.Client(endpoint_url="http://127.0.0.1:9", proxy="http://user:hunter2@127.0.0.1:3128", **CREDENTIALS)  # type: ignore[arg-type]
    assert "hunter2" not in repr(vars(client)) and "user:***@127.0.0.1:3128" in repr(vars(client))
    client.close()


# -- 11. every bad option is an s3lite error at build time ---------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"timeout": -1},
        {"timeout": 0},
        {"timeout": float("nan")},
        {"timeout": float("inf")},
        {"timeout": "5"},
        {"timeout": httpx.Timeout(5.0, read=-1.0)},
        {"verify": "/nonexistent/ca.pem"},
        {"verify": 3},
        {"proxy": "ftp://127.0.0.1:21"},
        {"proxy": "127.0.0.1:3128"},
    ],
)
@pytest.mark.parametrize("client_class", [s3lite.Client, s3lite.AsyncClient])
def test_bad_options_are_refused_when_the_client_is_built(options: dict[str, Any], client_class: Any) -> None:
    with pytest.raises(s3lite.ParamValidationError):
        client_class(endpoint_url="https://127.0.0.1:9", **CREDENTIALS, **options)


@pytest.mark.parametrize(
    "proxy",
    ["http://user:hunter/2@127.0.0.1:3128", "http://user:hunter2@127.0.0.1:notaport", "socks5://127.0.0.1:1080"],
)
def test_an_unusable_proxy_is_refused_without_its_password(proxy: str) -> None:
    with pytest.raises(s3lite.ParamValidationError) as caught:
        s3lite.Client(endpoint_url="http://127.0.0.1:9", proxy=proxy, **CREDENTIALS)  # type: ignore[arg-type]
    assert "hunter" not in str(caught.value) and caught.value.__cause__ is None


def test_a_schemeless_proxy_from_the_environment_is_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "127.0.0.1:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = s3lite.Client(endpoint_url="https://s3.example.com", **CREDENTIALS)  # type: ignore[arg-type]
    assert client._proxy() == "http://127.0.0.1:3128"
    client.close()


def test_a_bad_proxy_from_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "ftp://127.0.0.1:21")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(s3lite.ParamValidationError, match="HTTPS_PROXY"):
        s3lite.Client(endpoint_url="https://s3.example.com", **CREDENTIALS)  # type: ignore[arg-type]
