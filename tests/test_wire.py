"""s3lite._wire, Client's own HTTP/1.1 pool, against real sockets: a scripted raw server on 127.0.0.1
(tests/hostile.py) per test. Keep-alive and when a connection is not reused, every body framing,
failures as s3lite's errors, the pool's limit, an early answer to an upload, TLS, close().

Already held elsewhere, and not repeated here: bytes past a response retire its connection, a clean one
is reused, and an exhausted pool fails promptly naming the open bodies (test_reliability.py)."""

from __future__ import annotations

import select
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile import CLOSE, HostileServer, Piece, Received, response

import s3lite
from s3lite import HttpRequest
from s3lite._h1 import MAX_HEAD, ProtocolError
from s3lite._options import TransportOptions
from s3lite._streaming import OpenBodies
from s3lite._wire import Connection, Pool, _host_and_port

CREDENTIALS = {"aws_access_key_id": "AKID", "aws_secret_access_key": "SECRET", "region_name": "us-east-1"}
ACCESS_DENIED = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("random.random", lambda: 0.0)


def client(url: str, **options: Any) -> s3lite.Client:
    made = s3lite.Client(endpoint_url=url, **{"max_attempts": 1, **CREDENTIALS, **options})
    assert isinstance(made._sender, Pool), "no transport and no proxy: s3lite's own pool"  # type: ignore[attr-defined]
    return made


def pool_of(made: s3lite.Client) -> Pool:
    pool: Pool = made._sender  # type: ignore[attr-defined]
    return pool


def idle(made: s3lite.Client) -> list[Connection]:
    return [connection for connections in pool_of(made)._idle.values() for connection in connections]


def options(**given: Any) -> TransportOptions:
    return TransportOptions(
        **{"timeout": 5.0, "max_connections": 1, "verify": True, "proxy": None, "trust_env": False, **given}
    )


def request_to(server: HostileServer, method: str = "GET") -> HttpRequest:
    return HttpRequest(method, "http", server.url.removeprefix("http://"), "/b/k", "", {}, b"")


def always(*pieces: Piece) -> Any:
    return lambda _request: list(pieces)


def cut_into(data: bytes, size: int) -> list[Piece]:
    """``data`` written in pieces of ``size``, each after a short pause (so that they arrive apart)."""
    return [(data[i : i + size], 0.002) for i in range(0, len(data), size)]


# -- keep-alive -------------------------------------------------------------------------------


def chunked(data: bytes, size: int) -> bytes:
    wire = b""
    for i in range(0, len(data), size):
        piece = data[i : i + size]
        wire += f"{len(piece):X};ext=1\r\n".encode() + piece + b"\r\n"
    return wire + b"0\r\nX-Trailer: t\r\n\r\n"


def by_framing(request: Received) -> Iterable[Piece]:
    data = b"0123456789" * 5000
    if request.method == "HEAD":  # a length for the body a GET would have had, and none sent
        return [b'HTTP/1.1 200 OK\r\nETag: "e"\r\nContent-Length: 50000\r\n\r\n']
    if request.target.endswith("/chunked"):
        head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        return cut_into(head + chunked(data, 7000), 3000)
    if request.method == "DELETE":
        return [b"HTTP/1.1 204 No Content\r\n\r\n"]
    return cut_into(response(200, data), 4096)


def test_one_connection_carries_every_framing_in_turn() -> None:
    """A HEAD's Content-Length has no body behind it, a chunked body ends at its last chunk and
    trailers, a 204 has none: after each, the next request goes out on the same connection."""
    with HostileServer(by_framing) as server, client(server.url) as s3:
        for _ in range(2):
            assert s3.head_object(Bucket="b", Key="k")["ContentLength"] == 50000
            assert s3.get_object(Bucket="b", Key="chunked")["Body"].read() == b"0123456789" * 5000
            assert s3.get_object(Bucket="b", Key="length")["Body"].read() == b"0123456789" * 5000
            s3.delete_object(Bucket="b", Key="k")
    assert len(server.received) == 8
    assert server.connections == 1


def test_an_idle_connection_the_server_closed_is_replaced_without_a_retry() -> None:
    with HostileServer(always(response(200, headers={"ETag": '"e"'}), CLOSE)) as server:
        with client(server.url, max_attempts=3) as s3:
            s3.head_object(Bucket="b", Key="k")
            (kept,) = idle(s3)
            assert select.select([kept.sock], [], [], 5)[0], "the server's close reached the client"
            second = s3.head_object(Bucket="b", Key="k")
            assert kept.sock.fileno() == -1, "the closed connection was dropped"
        assert second["ResponseMetadata"]["RetryAttempts"] == 0, "found closed before use, not by a failure"
        assert server.connections == 2


def test_an_idle_connection_expires() -> None:
    with HostileServer(always(response(200, headers={"ETag": '"e"'}))) as server, client(server.url) as s3:
        s3.head_object(Bucket="b", Key="k")
        (kept,) = idle(s3)
        assert kept.expires > time.monotonic() + 4, "kept for the keep-alive expiry, 5 s"
        s3.head_object(Bucket="b", Key="k")
        assert server.connections == 1
        (kept,) = idle(s3)
        kept.expires = time.monotonic()  # its 5 s are up
        s3.head_object(Bucket="b", Key="k")
        assert kept.sock.fileno() == -1, "the expired connection was closed"
        assert server.connections == 2


@pytest.mark.parametrize(
    "head",
    [
        b'HTTP/1.1 200 OK\r\nConnection: close\r\nETag: "e"\r\nContent-Length: 2\r\n\r\nok',
        b'HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nETag: "e"\r\nContent-Length: 2\r\n\r\nok',
        b'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nETag: "e"\r\nContent-Length: 2\r\n\r\nok',
        b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nETag: "e"\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    ],
)
def test_a_connection_the_response_ends_is_not_reused_even_left_open(head: bytes) -> None:
    """The server keeps the socket open: only the response's own words close it (RFC 9112 §9.3, §6.3)."""
    with HostileServer(always(head)) as server, client(server.url) as s3:
        assert s3.get_object(Bucket="b", Key="k")["Body"].read() == b"ok"
        assert idle(s3) == []
        assert s3.get_object(Bucket="b", Key="k")["Body"].read() == b"ok"
    assert [request.connection for request in server.received] == [1, 2]


def test_a_body_without_framing_runs_to_the_close() -> None:
    data = b"x" * 300_000
    answer = always(b'HTTP/1.1 200 OK\r\nETag: "e"\r\n\r\n', *cut_into(data, 65536), CLOSE)
    with HostileServer(answer) as server, client(server.url) as s3:
        assert s3.get_object(Bucket="b", Key="k")["Body"].read() == data
        assert s3.get_object(Bucket="b", Key="k")["Body"].read() == data
    assert server.connections == 2


def test_interim_responses_are_skipped_and_a_protocol_switch_refused() -> None:
    interim = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
    with HostileServer(always(interim + response(200, headers={"ETag": '"e"'}))) as server, client(server.url) as s3:
        assert s3.put_object(Bucket="b", Key="k", Body=b"abc")["ETag"] == '"e"'
        assert s3.put_object(Bucket="b", Key="k", Body=b"abc")["ETag"] == '"e"'
        assert server.connections == 1
    switch = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"
    with HostileServer(always(switch)) as server, client(server.url) as s3:
        with pytest.raises(s3lite.EndpointConnectionError) as caught:
            s3.put_object(Bucket="b", Key="k", Body=b"abc")
        assert isinstance(caught.value.__cause__, ProtocolError)


# -- failures are s3lite's errors -------------------------------------------------------------


@pytest.mark.parametrize(
    "pieces",
    [
        [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", b"x" * 40, CLOSE],
        [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n", b"x" * 40, CLOSE],
        [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n28\r\n" + b"x" * 40 + b"\r\n", CLOSE],
        [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", b"x" * 40, CLOSE],
    ],
    ids=["length", "mid-chunk", "no-last-chunk", "bad-chunk-size"],
)
def test_a_body_cut_short_or_malformed_is_an_s3lite_error(pieces: list[Piece]) -> None:
    with HostileServer(always(*pieces)) as server, client(server.url) as s3:
        body = s3.get_object(Bucket="b", Key="k")["Body"]
        with pytest.raises(s3lite.HTTPClientError) as caught:
            body.read()
        assert isinstance(caught.value.__cause__, (ProtocolError, s3lite.HTTPClientError))
        assert pool_of(s3)._open == 0, "the broken connection was closed"
        with pytest.raises(s3lite.EndpointConnectionError) as failed:  # a response read whole by the pool
            s3.put_object(Bucket="b", Key="k", Body=b"abc")
        assert isinstance(failed.value.__cause__, ProtocolError)


@pytest.mark.parametrize(
    "reply",
    [
        b"",  # closed before answering
        b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: \xb2\r\n\r\n",  # a digit to str.isdigit(), not to int()
        b"HTTP/1.1 \xb200 OK\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nBad : field\r\nContent-Length: 0\r\n\r\n",
    ],
)
def test_a_response_that_cannot_be_read_is_a_connection_error(reply: bytes) -> None:
    with HostileServer(always(reply, CLOSE)) as server, client(server.url) as s3:
        with pytest.raises(s3lite.EndpointConnectionError) as caught:
            s3.head_object(Bucket="b", Key="k")
        assert isinstance(caught.value.__cause__, ProtocolError)
        assert pool_of(s3)._open == 0


def test_a_head_that_never_ends_is_refused_before_the_read_timeout() -> None:
    endless = [
        b"HTTP/1.1 200 OK\r\n",
        *(b"X-Pad: " + b"p" * 1000 + b"\r\n" for _ in range(2 * MAX_HEAD // 1000)),
        (b"", 5),
    ]
    with HostileServer(always(*endless)) as server, client(server.url, timeout=5) as s3:
        started = time.monotonic()
        with pytest.raises(s3lite.EndpointConnectionError) as caught:
            s3.head_object(Bucket="b", Key="k")
        assert time.monotonic() - started < 4
        assert "longer than 64 KiB" in str(caught.value)


def test_a_whole_head_longer_than_the_limit_is_refused_however_it_arrives() -> None:
    """MAX_HEAD is the longest head read: one that ends past it is refused even when its end came in
    the same read as its 64th KiB (which made the limit depend on how TCP cut the stream)."""
    fields = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"p" * 1000) for i in range(MAX_HEAD // 1000 + 10))
    big = b"HTTP/1.1 200 OK\r\n" + fields + b"Content-Length: 0\r\n\r\n"
    with (
        HostileServer(always(big)) as server,
        client(server.url) as s3,
        pytest.raises(s3lite.EndpointConnectionError, match="longer than 64 KiB"),
    ):
        s3.head_object(Bucket="b", Key="k")


def test_a_silent_server_is_a_read_timeout() -> None:
    with HostileServer(always((b"", 10))) as server, client(server.url, timeout=0.3) as s3:
        started = time.monotonic()
        with pytest.raises(s3lite.ReadTimeoutError) as caught:
            s3.head_object(Bucket="b", Key="k")
        assert 0.25 < time.monotonic() - started < 3
        assert isinstance(caught.value.__cause__, TimeoutError)


def test_a_refused_connection_is_a_connection_error_not_a_timeout() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with client(f"http://127.0.0.1:{port}") as s3, pytest.raises(s3lite.EndpointConnectionError) as caught:
        s3.head_object(Bucket="b", Key="k")
    assert not isinstance(caught.value, s3lite.ConnectTimeoutError)
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)


def test_a_connect_that_hangs_is_a_connect_timeout() -> None:
    """A listener whose accept queue is full drops new SYNs (Linux): the connect never completes."""
    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener:
        port = listener.getsockname()[1]
        with (
            socket.create_connection(("127.0.0.1", port)),  # fills the queue
            client(f"http://127.0.0.1:{port}", timeout=0.3) as s3,
        ):
            started = time.monotonic()
            with pytest.raises(s3lite.ConnectTimeoutError) as caught:
                s3.head_object(Bucket="b", Key="k")
            assert time.monotonic() - started < 3
            assert pool_of(s3)._open == 0, "the failed connect gave its place back"
    assert isinstance(caught.value.__cause__, TimeoutError)


def test_a_header_that_would_split_the_head_is_never_sent() -> None:
    with HostileServer(always(response(200))) as server:
        pool = Pool(options(), OpenBodies())
        request = request_to(server)._replace(headers={"X-Amz-Security-Token": "secret\r\nX-Injected: 1"})
        with pytest.raises(s3lite.ParamValidationError) as caught:
            pool.send(request, b"", None, False)
        assert "secret" not in str(caught.value) and caught.value.__cause__ is None
        assert repr(pool) == "<s3lite Pool 0 open, 0 idle>"
    assert server.connections == 0


# -- the pool's limit -------------------------------------------------------------------------


def test_a_request_waits_for_a_busy_connection_then_gets_it() -> None:
    with HostileServer(always(response(200, b"body"))) as server:
        pool = Pool(options(), OpenBodies())
        held, _ = pool.send(request_to(server), b"", None, True)
        assert held is not None
        timer = threading.Timer(0.2, held.read_whole)
        timer.start()
        started = time.monotonic()
        _, second = pool.send(request_to(server), b"", None, False)
        waited = time.monotonic() - started
        assert 0.15 < waited < 2, "it waited for the first response to be read, and was woken by its release"
        assert second.body == b"body"
        timer.join()
        pool.close()
    assert server.connections == 1, "the freed connection was handed over, not a new one made"


def test_a_request_that_finds_no_free_connection_fails_after_the_pool_timeout() -> None:
    with HostileServer(always(response(200, b"body"))) as server:
        bodies = OpenBodies()
        pool = Pool(options(timeout=0.3), bodies)
        held, _ = pool.send(request_to(server), b"", None, True)
        started = time.monotonic()
        with pytest.raises(s3lite.PoolTimeoutError):
            pool.send(request_to(server), b"", None, False)
        assert 0.25 < time.monotonic() - started < 3
        assert held is not None and held.read_whole() == b"body"
        assert pool.send(request_to(server), b"", None, False)[1].body == b"body"
        pool.close()
    assert server.connections == 1


def test_another_origins_idle_connection_makes_room() -> None:
    with HostileServer(always(response(200))) as one, HostileServer(always(response(200))) as other:
        pool = Pool(options(timeout=0.3), OpenBodies())
        pool.send(request_to(one), b"", None, False)
        pool.send(request_to(other), b"", None, False)
        pool.send(request_to(one), b"", None, False)
        assert repr(pool) == "<s3lite Pool 1 open, 1 idle>"
        pool.close()
    assert (one.connections, other.connections) == (2, 1)


# -- uploads ----------------------------------------------------------------------------------


def test_an_early_answer_to_an_upload_is_read_not_a_broken_pipe() -> None:
    """The server answers 403 from the head alone and closes without reading the body (8 MiB: far more
    than the socket buffers): its answer is the error, not the write that failed."""
    answer = always(response(403, ACCESS_DENIED, {"Connection": "close"}), CLOSE)
    with HostileServer(answer, head_only=True) as server, client(server.url) as s3:
        for body in (b"x" * (8 << 20), iter([b"x" * (1 << 20)] * 8)):
            extra = {} if isinstance(body, bytes) else {"ContentLength": 8 << 20}
            with pytest.raises(s3lite.ClientError) as caught:
                s3.put_object(Bucket="b", Key="k", Body=body, **extra)
            assert caught.value.response["Error"]["Code"] == "AccessDenied"


@pytest.mark.parametrize("chunks", [[b"abc"], [b"abcdef", b"ghijkl"]], ids=["short", "long"])
def test_a_stream_that_does_not_yield_its_content_length_is_refused(chunks: list[bytes]) -> None:
    with HostileServer(always(response(200)), head_only=True) as server:
        pool = Pool(options(), OpenBodies())
        request = request_to(server, "PUT")._replace(headers={"Content-Length": "10"})
        with pytest.raises(s3lite.ParamValidationError, match="yielded .* bytes where its Content-Length is 10"):
            pool.send(request, iter(chunks), None, False)
        assert repr(pool) == "<s3lite Pool 0 open, 0 idle>", "the half-sent connection was closed"


# -- TLS --------------------------------------------------------------------------------------


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """The test certificate's, offering h2 before http/1.1 (as S3 does) so that the client's ALPN shows."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    context.set_alpn_protocols(["h2", "http/1.1"])
    return context


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[HostileServer]:
    with HostileServer(always(response(200, headers={"ETag": '"tls"'})), tls=server_context(certificate)) as server:
        yield server


def test_tls_verified_against_the_certificate_given(tls_server: HostileServer, certificate: tuple[Path, Path]) -> None:
    with client(tls_server.url, verify=str(certificate[0])) as s3:
        for _ in range(2):
            assert s3.head_object(Bucket="b", Key="k")["ETag"] == '"tls"'
        (kept,) = idle(s3)
        assert isinstance(kept.sock, ssl.SSLSocket) and kept.sock.selected_alpn_protocol() == "http/1.1"
    assert tls_server.connections == 1


def test_tls_unverified_with_verify_false(tls_server: HostileServer) -> None:
    with client(tls_server.url, verify=False) as s3:
        assert s3.head_object(Bucket="b", Key="k")["ETag"] == '"tls"'


def test_an_unknown_certificate_is_a_connection_error(
    tls_server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with client(tls_server.url) as s3:
        with pytest.raises(s3lite.EndpointConnectionError) as caught:
            s3.head_object(Bucket="b", Key="k")
        assert pool_of(s3)._open == 0
    assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)


def test_a_certificate_for_another_name_is_a_connection_error(
    tls_server: HostileServer, certificate: tuple[Path, Path]
) -> None:
    url = tls_server.url.replace("127.0.0.1", "localhost")
    with client(url, verify=str(certificate[0])) as s3, pytest.raises(s3lite.EndpointConnectionError) as caught:
        s3.head_object(Bucket="b", Key="k")
    assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)


# -- close ------------------------------------------------------------------------------------


def test_close_closes_idle_connections_and_those_in_use_as_they_end() -> None:
    with HostileServer(always(response(200, b"body", {"ETag": '"e"'}))) as server:
        s3 = client(server.url)
        first = s3.get_object(Bucket="b", Key="k")["Body"]
        second = s3.get_object(Bucket="b", Key="k")["Body"]
        assert second.read() == b"body"
        (kept,) = idle(s3)
        s3.close()
        assert kept.sock.fileno() == -1
        assert repr(pool_of(s3)) == "<s3lite Pool 1 open, 0 idle>"
        assert first.read() == b"body"  # read to its end after close(): closed, not kept
        assert repr(pool_of(s3)) == "<s3lite Pool 0 open, 0 idle>"
    assert server.connections == 2


class WatchedSocket:
    """A connection's socket whose ``close`` first notes how many connections its pool then counts."""

    def __init__(self, sock: socket.socket, note: Any) -> None:
        self._sock, self._note = sock, note

    def close(self) -> None:
        self._note()
        self._sock.close()


def test_a_released_connection_is_closed_before_its_place_is_freed() -> None:
    """Else a request waiting for a place opens its connection while the old one is still open:
    max_connections + 1 sockets for a moment."""
    with HostileServer(always(response(200, b"body"))) as server:
        pool = Pool(options(), OpenBodies())
        exchange, _ = pool.send(request_to(server), b"", None, True)
        assert exchange is not None and exchange._connection is not None
        counted: list[int] = []
        exchange._connection.sock = WatchedSocket(exchange._connection.sock, lambda: counted.append(pool._open))  # type: ignore[assignment]
        exchange.close()  # before its body is read: the connection is closed, not kept
        assert counted == [1], "still counted while it closed"
        assert repr(pool) == "<s3lite Pool 0 open, 0 idle>"


def test_a_connection_released_while_the_pool_closes_is_closed_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """close() runs in another thread at the moment release() stamps the connection's expiry: the
    connection must end up closed, not idle in a closed pool (release decides under the pool's lock)."""
    real = time.monotonic
    closer: threading.Thread | None = None

    def monotonic() -> float:
        nonlocal closer
        if closer is None and sys._getframe(1).f_code.co_name == "release":
            closer = threading.Thread(target=pool.close)
            closer.start()
            closer.join(0.2)  # close() runs now - or waits for release's lock, with the fix
        return real()

    with HostileServer(always(response(200, b"body"))) as server:
        pool = Pool(options(), OpenBodies())
        exchange, _ = pool.send(request_to(server), b"", None, True)
        assert exchange is not None
        monkeypatch.setattr(time, "monotonic", monotonic)
        assert b"".join(exchange.chunks()) == b"body"  # read to its end: released as reusable
        monkeypatch.undo()
        assert closer is not None
        closer.join(5)
        assert repr(pool) == "<s3lite Pool 0 open, 0 idle>"


@pytest.mark.parametrize(
    ("host", "scheme", "expected"),
    [
        ("s3.example.com", "https", ("s3.example.com", 443)),
        ("s3.example.com", "http", ("s3.example.com", 80)),
        ("127.0.0.1:9000", "http", ("127.0.0.1", 9000)),
        ("[::1]:9000", "https", ("::1", 9000)),
        ("[::1]", "https", ("::1", 443)),
        ("[fe80::1%25eth0]:80", "http", ("fe80::1%25eth0", 80)),
    ],
)
def test_host_and_port_from_the_host_header(host: str, scheme: str, expected: tuple[str, int]) -> None:
    assert _host_and_port(host, scheme) == expected


# -- what the review of the pool found (each test fails with the fix taken out) ----------------


def test_a_head_with_bare_lf_line_ends_is_read() -> None:
    """RFC 9112 §2.2: a recipient may take a bare LF for a line's end; h11, under httpx, does."""
    reply = b'HTTP/1.1 200 OK\nETag: "e"\nContent-Length: 2\n\nab'
    with HostileServer(always(reply)) as server, client(server.url, timeout=2) as s3:
        assert s3.get_object(Bucket="b", Key="k")["Body"].read() == b"ab"
        assert s3.get_object(Bucket="b", Key="k")["Body"].read() == b"ab"
    assert server.connections == 1


class SlowReader:
    """Reads a request 64 KiB at a time, 2 ms apart (a slow but live link, its receive buffer kept
    small so that the client's writes wait for it), then answers 200; over TLS with ``tls``."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._tls = tls
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(1)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self._listener.getsockname()[1]}"
        self.received = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            sock, _ = self._listener.accept()
            if self._tls is not None:
                sock = self._tls.wrap_socket(sock, server_side=True)
        except OSError:  # closed before a client came
            return
        with sock:
            head = b""
            while b"\r\n\r\n" not in head:
                head += sock.recv(1)
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            while self.received < length:
                cycle = 0
                while cycle < 64 * 1024 and self.received + cycle < length:  # a TLS read gives one record
                    cycle += len(sock.recv(64 * 1024 - cycle))
                self.received += cycle
                time.sleep(0.002)
            sock.sendall(response(200, headers={"ETag": '"e"'}))

    def close(self) -> None:
        try:  # wakes an accept() still waiting (closing the socket alone does not)
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self._thread.join(10)


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_the_write_timeout_bounds_each_write_not_the_whole_body(tls: bool, certificate: tuple[Path, Path]) -> None:
    """32 MiB to a server that keeps reading, slowly (over a second in all): each write waits far less
    than the timeout, the body as a whole far more, and the upload succeeds, as through httpcore -
    over TLS too, where one ``SSLSocket.send`` of the whole body would have one timeout for all of it."""
    server = SlowReader(server_context(certificate) if tls else None)
    try:
        with client(server.url, timeout=0.5, verify=str(certificate[0])) as s3:
            started = time.monotonic()
            assert s3.put_object(Bucket="b", Key="k", Body=b"x" * (32 << 20))["ETag"] == '"e"'
            assert time.monotonic() - started > 0.5, "the test's premise: the body took longer than the timeout"
        assert server.received == 32 << 20
    finally:
        server.close()


def test_a_connection_whose_request_was_cut_short_is_not_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server answered from the head alone, keep-alive, and the body's write failed: the server has
    the rest of a request it may still read as the next one, so the connection is closed, not kept."""
    sent = Connection.send

    def head_only(self: Connection, data: bytes, timeout: float | None) -> None:
        if data.startswith(b"PUT "):
            return sent(self, data, timeout)
        raise BrokenPipeError("the server stopped reading")

    monkeypatch.setattr(Connection, "send", head_only)
    answer = always(response(200, headers={"ETag": '"e"'}))
    with HostileServer(answer, head_only=True) as server, client(server.url) as s3:
        put = s3.put_object(Bucket="b", Key="k", Body=iter([b"x" * 1000]), ContentLength=1000)
        assert put["ETag"] == '"e"', "the server's answer is the result"
        assert idle(s3) == [] and pool_of(s3)._open == 0


def test_the_callers_stream_error_is_raised_as_it_is_and_at_once() -> None:
    """An OSError from the caller's own iterator (a pipe it relays, reset) is theirs: raised as it is,
    not taken for a server that stopped reading (which would wait for an answer until the read
    timeout, then report a timeout)."""

    def relayed() -> Iterator[bytes]:
        yield b"x" * 1000
        raise ConnectionResetError("the upstream source was reset")

    with HostileServer(always((b"", 10)), head_only=True) as server, client(server.url, timeout=5) as s3:
        started = time.monotonic()
        with pytest.raises(ConnectionResetError, match="upstream source"):
            s3.put_object(Bucket="b", Key="k", Body=relayed(), ContentLength=5000)
        assert time.monotonic() - started < 2
        assert repr(pool_of(s3)) == "<s3lite Pool 0 open, 0 idle>"


def test_idle_connections_are_checked_with_select_where_there_is_no_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no select.poll: the reuse check falls back to select() (and still sees a close)."""
    monkeypatch.delattr(select, "poll")
    with HostileServer(always(response(200, headers={"ETag": '"e"'}), CLOSE)) as server, client(server.url) as s3:
        s3.head_object(Bucket="b", Key="k")
        (kept,) = idle(s3)
        assert select.select([kept.sock], [], [], 5)[0]
        assert s3.head_object(Bucket="b", Key="k")["ResponseMetadata"]["RetryAttempts"] == 0
    assert server.connections == 2


@pytest.mark.parametrize("host", ["a..example.com", "x" * 64 + ".example.com"])
def test_a_host_name_no_resolver_takes_is_a_connection_error(host: str) -> None:
    """An empty or 64-character label: not a name (the IDNA codec, never used, would raise UnicodeError)."""
    with client(f"http://{host}:9") as s3, pytest.raises(s3lite.EndpointConnectionError) as caught:
        s3.head_object(Bucket="b", Key="k")
    assert isinstance(caught.value.__cause__, OSError)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_connecting_loads_no_idna_codec(scheme: str, tls_server: HostileServer, certificate: tuple[Path, Path]) -> None:
    """The resolver and TLS get the host as ASCII bytes: the IDNA codec costs 1.3 MiB of a cold start
    (``ssl`` runs a str host name through it, an IP address too)."""
    url = tls_server.url if scheme == "https" else "http://localhost:9"
    code = (
        "import sys, s3lite\n"
        f"c = s3lite.Client(endpoint_url={url!r}, region_name='us-east-1', aws_access_key_id='a',"
        f" aws_secret_access_key='b', max_attempts=1, verify={str(certificate[0])!r})\n"
        "try:\n    c.head_object(Bucket='b', Key='k')\nexcept s3lite.EndpointConnectionError:\n    pass\n"
        "print('encodings.idna' in sys.modules, 'stringprep' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split() == ["False", "False"]
    if scheme == "https":
        assert tls_server.received, "the https request reached the server"
