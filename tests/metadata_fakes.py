"""What the metadata-service provider tests share: a fake HTTP server on 127.0.0.1 whose answers a test
scripts, a blocking fetch over s3lite's own pool for ``_perform.drive``, and botocore set up in a clean
environment as the oracle.

The server records each request (method, path, headers) so that a test can hold the requests s3lite
sends to the ones botocore sends for the same scenario.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from s3lite._credentials import Credentials
from s3lite._credentials._effects import Fetching, T
from s3lite._credentials._perform import drive
from s3lite._credentials._settings import Settings, load_settings
from s3lite._deadline import attempt_deadline
from s3lite._errors import HTTPClientError
from s3lite._flow import Sleep
from s3lite._http import HttpRequest, HttpResponse
from s3lite._options import TransportOptions
from s3lite._streaming import OpenBodies
from s3lite._wire import Pool


class Seen(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names


class Answer(NamedTuple):
    status: int
    body: bytes = b""
    #: seconds the handler waits before it answers (longer than the client's timeout: a timeout)
    delay: float = 0.0


#: what the fake answers a request with; ``seen`` holds the earlier requests of this run
Script = Callable[[Seen, list[Seen]], Answer]


class FakeServer(ThreadingHTTPServer):
    # a handler still asleep past a client's timeout is waited for when the server closes: no test
    # leaves a thread behind (tests/test_transfer_faults.py counts the socketserver threads alive)
    daemon_threads = False
    block_on_close = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: Script = lambda request, seen: Answer(404)
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def run(self, script: Script) -> None:
        """Answer with ``script`` from now on, the record cleared."""
        with self.lock:
            self.script = script
            self.seen = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up: expected, not worth a traceback


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        request = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
        with self.server.lock:
            earlier = list(self.server.seen)
            self.server.seen.append(request)
            script = self.server.script
        answer = script(request, earlier)
        if answer.delay:
            time.sleep(answer.delay)
        self.send_response(answer.status)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Connection", "close")  # the handler thread ends with its answer
        self.end_headers()
        self.wfile.write(answer.body)
        self.close_connection = True

    do_GET = do_PUT = _answer


@contextmanager
def serving() -> Iterator[FakeServer]:
    server = FakeServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class PoolFetch:
    """``_perform.BlockingFetch`` over s3lite's own pool, as ``Client._send`` sends: the whole exchange
    within the effect's timeout (the attempt deadline), the body given as bytes."""

    def __init__(self) -> None:
        options = TransportOptions(timeout=30, max_connections=4, verify=True, proxy=None, trust_env=False)
        self.pool = Pool(options, OpenBodies())

    def __call__(self, request: HttpRequest, timeout: float) -> HttpResponse:
        assert isinstance(request.body, bytes)
        deadline = time.monotonic() + timeout
        with attempt_deadline(deadline):
            _, response = self.pool.send(request, request.body, deadline, False)
        return response

    def close(self) -> None:
        self.pool.close()


def without_sleeps(flow: Fetching[T], slept: list[float]) -> Fetching[T]:
    """``flow`` with each Sleep answered at once and recorded in ``slept`` (the tests need not wait)."""
    reply: Any = None
    error: HTTPClientError | None = None
    while True:
        try:
            effect = flow.throw(error) if error is not None else flow.send(reply)
        except StopIteration as done:
            result: T = done.value
            return result
        reply = error = None
        if isinstance(effect, Sleep):
            slept.append(effect.seconds)
            continue
        try:
            reply = yield effect
        except HTTPClientError as failed:
            error = failed


def clean_environment(monkeypatch: pytest.MonkeyPatch, home: Path, env: Mapping[str, str]) -> dict[str, str]:
    """os.environ with no AWS_ variable and no proxy but ``env``, HOME at ``home`` (no shared files but
    those a test writes there): what both botocore and s3lite then read. Returns the environment."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return dict(os.environ)


def our_settings(env: Mapping[str, str], fetch: PoolFetch, clock: Callable[[], float] = time.time) -> Settings:
    """The settings s3lite's chain reads for ``env``: the shared files parsed by ``load_settings``."""
    return drive(load_settings(env, "us-east-1", clock), fetch)


def botocore_provider(method: str) -> Any:
    """botocore's provider ``method`` (``iam-role``, ``container-role``) as its default chain builds it
    from os.environ and the shared files (``create_credential_resolver``)."""
    import botocore.credentials
    import botocore.session

    resolver = botocore.credentials.create_credential_resolver(botocore.session.Session())
    return resolver.get_provider(method)


class Found(NamedTuple):
    """What a provider resolved, compared across the two: keys, token, expiry (Unix seconds)."""

    access_key: str
    secret_key: str
    token: str | None
    expires_at: float | None


def found_by_botocore(credentials: Any) -> Found | None:
    if credentials is None:
        return None
    expiry = credentials._expiry_time  # RefreshableCredentials: an aware datetime
    return Found(credentials.access_key, credentials.secret_key, credentials.token, expiry.timestamp())


def found_by_us(credentials: Credentials | None) -> Found | None:
    return None if credentials is None else Found(*credentials)
