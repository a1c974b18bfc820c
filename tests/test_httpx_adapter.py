"""One test per private httpx/httpcore internal s3lite relies on (s3lite/_httpx_adapter.py): an httpx
or httpcore upgrade that moves one fails here, by name, rather than as a silent loss of a safety net."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest
from hostile import HostileServer, response

import s3lite
from s3lite import _deadline, _h1
from s3lite import _httpx_adapter as adapter


def test_exact_url_keeps_the_path_as_given() -> None:
    url = adapter.exact_url(httpx.URL("http://127.0.0.1:9000/"), "/b/a/./b/../c%2Bd//e", "x=%2B&uploads")
    assert url.raw_path == b"/b/a/./b/../c%2Bd//e?x=%2B&uploads"
    assert adapter.exact_url(httpx.URL("http://h/"), "/k", "").raw_path == b"/k"


def test_raw_headers_in_and_out() -> None:
    request = httpx.Request("GET", "http://h/")
    adapter.set_raw_headers(request, [(b"Host", b"host", b"h"), (b"X-Amz-Date", b"x-amz-date", b"20240101T000000Z")])
    assert request.headers["x-amz-date"] == "20240101T000000Z" and list(request.headers) == ["host", "x-amz-date"]
    got = httpx.Response(200, headers=[("X-Amz-Meta-Color", "red")])
    assert adapter.raw_headers(got)[0] == (b"X-Amz-Meta-Color", b"x-amz-meta-color", b"red")


def test_content_set_as_the_constructor_sets_it() -> None:
    request = httpx.Request("PUT", "http://h/", stream=httpx.ByteStream(b"body"))
    adapter.set_content(request, b"body")
    assert request.content == b"body"


def test_the_http11_connection_behind_a_response_is_found() -> None:
    with HostileServer(lambda _r: [response(200, b"ok")]) as server, httpx.HTTPTransport() as transport:
        got = transport.handle_request(httpx.Request("GET", server.url))
        assert adapter.http11_connection(got) is not None
        got.read()
        assert not adapter.retire_if_leftover(got)
        got.close()
    assert adapter.http11_connection(httpx.Response(200)) is None, "a mock's response has none"


def test_the_async_http11_connection_behind_a_response_is_found() -> None:
    async def main() -> None:
        with HostileServer(lambda _r: [response(200, b"ok")]) as server:
            async with httpx.AsyncHTTPTransport() as transport:
                got = await transport.handle_async_request(httpx.Request("GET", server.url))
                assert adapter.http11_connection(got) is not None
                await got.aread()
                await got.aclose()

    anyio.run(main)


@pytest.mark.parametrize("proxy", [None, "http://127.0.0.1:3128"])
def test_deadlines_reach_the_pools_network_backend(proxy: str | None) -> None:
    for transport in (httpx.HTTPTransport(proxy=proxy), httpx.AsyncHTTPTransport(proxy=proxy)):
        adapter.with_deadlines(transport)
        assert type(transport._pool._network_backend).__name__ in ("_Backend", "_AsyncBackend")  # type: ignore[union-attr]


def test_a_passed_deadline_stops_a_real_connection() -> None:
    """The wrapped backend is the one the pool really connects through (not a copy taken before)."""
    import time

    with HostileServer(lambda _r: [response(200, b"ok")]) as server:
        transport = httpx.HTTPTransport()
        adapter.with_deadlines(transport)
        with _deadline.attempt_deadline(time.monotonic() - 1), pytest.raises(httpx.ConnectTimeout):
            transport.handle_request(httpx.Request("GET", server.url))
        got = transport.handle_request(httpx.Request("GET", server.url))  # no deadline: as before
        assert got.read() == b"ok"
        transport.close()

        async def main() -> None:
            async with httpx.AsyncHTTPTransport() as atransport:
                adapter.with_deadlines(atransport)
                with _deadline.attempt_deadline(time.monotonic() - 1), pytest.raises(httpx.ConnectTimeout):
                    await atransport.handle_async_request(httpx.Request("GET", server.url))

        anyio.run(main)


def test_a_deadline_shortens_a_read_to_the_time_left() -> None:
    import time

    with _deadline.attempt_deadline(time.monotonic() + 0.25):
        left = _deadline.bounded(60.0, TimeoutError)
        assert left is not None and 0 < left <= 0.25
    assert _deadline.bounded(60.0, TimeoutError) == 60.0
    with _deadline.attempt_deadline(time.monotonic() - 1), pytest.raises(TimeoutError):
        _deadline.bounded(None, TimeoutError)


def test_socket_reads_grow_to_read_size_while_they_come_back_full() -> None:
    """httpcore asks its stream for 64 KiB; the default transport's stream asks for four times more
    after each full read, up to READ_SIZE, keeps it after a read short of it but above httpcore's
    size, and asks for httpcore's size again after a read below that."""
    asked: list[int] = []
    replies = [65536, 262144, 1048576, 300000, 1048576, 10, 65536]

    class Inner:
        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            asked.append(max_bytes)
            return b"x" * replies[len(asked) - 1]

    class AsyncInner:
        async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return Inner.read(self, max_bytes, timeout)  # type: ignore[arg-type]

    sync_inner: Any = Inner()
    stream = adapter._Stream(sync_inner)
    for _ in replies:
        stream.read(65536)
    assert asked == [65536, 262144, 1048576, 1048576, 1048576, 1048576, 65536]
    assert _h1.READ_SIZE == 1024 * 1024
    asked.clear()
    async_stream = adapter._AsyncStream(AsyncInner())  # type: ignore[arg-type]

    async def main() -> None:
        for _ in replies:
            await async_stream.read(65536)

    anyio.run(main)
    assert asked == [65536, 262144, 1048576, 1048576, 1048576, 1048576, 65536]


def test_an_httpx_without_transports_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    adapter.check_httpx()  # the httpx installed is fine
    monkeypatch.delattr(httpx, "HTTPTransport")
    keys = {"aws_access_key_id": "A", "aws_secret_access_key": "S", "region_name": "us-east-1"}
    with pytest.raises(s3lite.S3LiteError, match="needs httpx 0.28"):
        s3lite.AsyncClient(endpoint_url="http://127.0.0.1:9", **keys)
    with pytest.raises(s3lite.S3LiteError, match="needs httpx 0.28"):
        s3lite.Client(endpoint_url="http://127.0.0.1:9", proxy="http://127.0.0.1:3128", **keys)
    s3lite.Client(endpoint_url="http://127.0.0.1:9", **keys).close()  # its own pool needs no httpx
