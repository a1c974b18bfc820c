"""The httpx boundary: exact paths on the wire, timeouts, connection limits, TLS sharing, proxies."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import s3lite
from s3lite import HttpRequest
from s3lite._options import Timeouts, shared_tls_context
from s3lite._transport import to_httpx

CREDENTIALS = {"aws_access_key_id": "AKID", "aws_secret_access_key": "SECRET", "region_name": "us-east-1"}


def test_path_is_sent_exactly_as_signed() -> None:
    """httpx would turn ``a/./b/../c`` into ``a/c``; S3 keys are opaque (this pins the httpx internals we use)."""
    request = HttpRequest("GET", "http", "127.0.0.1:9000", "/b/a/./b/../c%2Bd//e", "versionId=x%2By&uploads", {}, b"")
    built = to_httpx(request, b"", Timeouts(5.0, 5.0, 5.0, 5.0))
    assert built.url.raw_path == b"/b/a/./b/../c%2Bd//e?versionId=x%2By&uploads"
    assert built.headers["host"] == "127.0.0.1:9000"
    assert to_httpx(request, b"", Timeouts(5.0, 5.0, 5.0, 5.0)).url.raw_path == built.url.raw_path, (
        "cached origin reused"
    )


def _capture(requests: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, headers={"etag": '"e"'})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (None, {"connect": 60.0, "read": 60.0, "write": 60.0, "pool": 60.0}),
        (2.5, {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}),
        (httpx.Timeout(1.0, read=30.0), {"connect": 1.0, "read": 30.0, "write": 1.0, "pool": 1.0}),
    ],
)
def test_timeouts_reach_the_transport(timeout: Any, expected: dict[str, float]) -> None:
    seen: list[httpx.Request] = []
    client = s3lite.Client(
        endpoint_url="http://127.0.0.1:9000", transport=_capture(seen), timeout=timeout, **CREDENTIALS
    )
    client.head_object(Bucket="b", Key="k")
    assert seen[0].extensions["timeout"] == expected


def test_default_transport_limits_and_shared_tls_context() -> None:
    """Without a proxy, Client's own pool (no httpx) with the shared TLS context, made at first use;
    through a proxy, httpx's transport with the same context and limits."""
    first = s3lite.Client(endpoint_url="https://s3.example.com", max_connections=7, **CREDENTIALS)
    second = s3lite.Client(endpoint_url="https://s3.example.com", **CREDENTIALS)
    pool_first, pool_second = first._sender, second._sender  # type: ignore[attr-defined]
    assert type(pool_first).__name__ == "Pool" and pool_first._options.max_connections == 7
    assert pool_first._tls_context() is pool_second._tls_context() is shared_tls_context()
    assert shared_tls_context().verify_mode == ssl.CERT_REQUIRED and shared_tls_context().check_hostname
    first.close()
    second.close()
    proxied = s3lite.Client(
        endpoint_url="https://s3.example.com", proxy="http://127.0.0.1:3128", max_connections=7, **CREDENTIALS
    )
    pool = proxied._sender.transport._pool  # type: ignore[attr-defined]
    assert pool._max_connections == 7 and pool._ssl_context is shared_tls_context()
    proxied.close()


def test_invalid_client_options_are_refused() -> None:
    for options in (
        {"max_connections": 0},
        {"addressing_style": "sideways"},
        {"retry_mode": "eager"},
        {"max_attempts": 0},
    ):
        with pytest.raises(s3lite.ParamValidationError):
            s3lite.Client(endpoint_url="http://127.0.0.1:9000", **CREDENTIALS, **options)
    with pytest.raises(s3lite.ParamValidationError):
        s3lite.Client(endpoint_url="ftp://host", **CREDENTIALS)


class RecordingProxy:
    """A forward proxy on 127.0.0.1 that answers every request itself with 200 and records its request line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.lines.append(data.split(b"\r\n", 1)[0].decode())
                conn.sendall(b'HTTP/1.1 200 OK\r\nETag: "p"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    server = RecordingProxy()
    yield server
    server.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_explicit_proxy(proxy: RecordingProxy) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    with s3lite.Client(endpoint_url=endpoint, proxy=proxy.url, max_attempts=1, **CREDENTIALS) as client:
        assert client.head_object(Bucket="b", Key="k")["ETag"] == '"p"'
    assert proxy.lines == [f"HEAD {endpoint}/b/k HTTP/1.1"]


def test_proxy_from_environment_and_no_proxy(proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with s3lite.Client(endpoint_url=endpoint, max_attempts=1, **CREDENTIALS) as client:
        assert client.head_object(Bucket="b", Key="k")["ETag"] == '"p"'
    assert len(proxy.lines) == 1
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with (
        s3lite.Client(endpoint_url=endpoint, max_attempts=1, **CREDENTIALS) as client,
        pytest.raises(s3lite.EndpointConnectionError),
    ):
        client.head_object(Bucket="b", Key="k")
    with s3lite.Client(endpoint_url=endpoint, max_attempts=1, trust_env=False, **CREDENTIALS) as client:
        monkeypatch.delenv("NO_PROXY")
        with pytest.raises(s3lite.EndpointConnectionError):
            client.head_object(Bucket="b", Key="k")
    assert len(proxy.lines) == 1


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (httpx.ConnectError("refused"), s3lite.EndpointConnectionError),
        (httpx.ConnectTimeout("slow"), s3lite.ConnectTimeoutError),
        (httpx.ReadTimeout("slow"), s3lite.ReadTimeoutError),
        (httpx.RemoteProtocolError("reset"), s3lite.EndpointConnectionError),
        (httpx.ReadError("reset by peer"), s3lite.EndpointConnectionError),
    ],
)
def test_transport_errors_become_library_errors_with_cause(raised: Exception, expected: type[Exception]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise raised

    client = s3lite.Client(
        endpoint_url="http://127.0.0.1:9000", transport=httpx.MockTransport(handler), max_attempts=1, **CREDENTIALS
    )
    with pytest.raises(expected) as caught:
        client.get_object(Bucket="b", Key="k")
    assert isinstance(caught.value, s3lite.S3LiteError)
    assert caught.value.__cause__ is raised
