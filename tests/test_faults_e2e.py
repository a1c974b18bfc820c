"""Faults on a real connection: a TCP proxy between the clients and moto's server cuts connections in
the middle of a body. Uploads must be retried and stored byte for byte; a cut download must raise a
library error when read, never return a short object."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

import s3lite

pytestmark = pytest.mark.e2e


class CuttingProxy:
    """Forwards 127.0.0.1 TCP to ``upstream``; the first ``cuts`` connections on which more than ``after``
    bytes go in the chosen direction ("up": client to server, "down": back) are closed right there."""

    def __init__(self, upstream: str, *, cuts: int, after: int, direction: str) -> None:
        host, port = upstream.rsplit("//", 1)[1].split(":")
        self._upstream = (host, int(port))
        self._cuts, self._after, self._direction = cuts, after, direction
        self._lock = threading.Lock()
        self.cut = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._upstream)
            for source, sink, direction in ((client, upstream, "up"), (upstream, client, "down")):
                watched = direction == self._direction
                threading.Thread(target=self._pump, args=(source, sink, watched, client, upstream), daemon=True).start()

    def _take_cut(self) -> bool:
        with self._lock:
            if self.cut < self._cuts:
                self.cut += 1
                return True
            return False

    def _pump(self, source: socket.socket, sink: socket.socket, watched: bool, *both: socket.socket) -> None:
        moved = 0
        try:
            while chunk := source.recv(65536):
                if watched and moved + len(chunk) > self._after and self._take_cut():
                    sink.sendall(chunk[: max(self._after - moved, 0)])
                    break
                sink.sendall(chunk)
                moved += len(chunk)
        except OSError:
            pass
        for sock in both:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self) -> None:
        self._server.close()


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("random.random", lambda: 0.0)


@pytest.fixture
def cut_uploads(moto_endpoint: str) -> Iterator[CuttingProxy]:
    proxy = CuttingProxy(moto_endpoint, cuts=1, after=300_000, direction="up")
    yield proxy
    proxy.close()


def _stored(botocore_client: Any, bucket: str, key: str) -> bytes:
    return bytes(botocore_client.get_object(Bucket=bucket, Key=key)["Body"].read())


BODIES = {
    "bytes": lambda data: data,
    "file": lambda data: io.BytesIO(data),
}


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_sync_upload_cut_mid_body_is_retried_and_stored_whole(
    kind: str, cut_uploads: CuttingProxy, client_options: dict[str, Any], bucket: str, botocore_client: Any
) -> None:
    data = os.urandom(2 * 1024 * 1024)
    options = {**client_options, "endpoint_url": cut_uploads.url}
    with s3lite.Client(**options) as client:
        result = client.put_object(Bucket=bucket, Key=f"cut-{kind}", Body=BODIES[kind](data))
    assert cut_uploads.cut == 1
    assert result["ResponseMetadata"]["RetryAttempts"] == 1
    assert hashlib.sha256(_stored(botocore_client, bucket, f"cut-{kind}")).digest() == hashlib.sha256(data).digest()


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_async_upload_part_cut_mid_body_is_retried_and_stored_whole(
    kind: str, cut_uploads: CuttingProxy, client_options: dict[str, Any], bucket: str, botocore_client: Any
) -> None:
    data = os.urandom(6 * 1024 * 1024)
    tail = b"tail"

    async def main() -> None:
        async with s3lite.AsyncClient(**{**client_options, "endpoint_url": cut_uploads.url}) as client:
            upload = await client.create_multipart_upload(Bucket=bucket, Key="mp")
            first = await client.upload_part(
                Bucket=bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=BODIES[kind](data)
            )
            assert first["ResponseMetadata"]["RetryAttempts"] == 1
            second = await client.upload_part(
                Bucket=bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=2, Body=tail
            )
            parts = [{"ETag": first["ETag"], "PartNumber": 1}, {"ETag": second["ETag"], "PartNumber": 2}]
            await client.complete_multipart_upload(
                Bucket=bucket, Key="mp", UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
            )

    anyio.run(main)
    assert cut_uploads.cut == 1
    assert _stored(botocore_client, bucket, "mp") == data + tail


def test_unrewindable_upload_cut_mid_body_fails_clearly(
    cut_uploads: CuttingProxy, client_options: dict[str, Any], bucket: str, botocore_client: Any
) -> None:
    data = os.urandom(1024 * 1024)
    chunks = (data[i : i + 65536] for i in range(0, len(data), 65536))
    with (
        s3lite.Client(**{**client_options, "endpoint_url": cut_uploads.url}) as client,
        pytest.raises(s3lite.UnseekableStreamError),
    ):
        client.put_object(Bucket=bucket, Key="gen", Body=chunks, ContentLength=len(data))
    listed = botocore_client.list_objects_v2(Bucket=bucket).get("Contents", [])
    assert [o["Key"] for o in listed] == [], "nothing half-written is left behind"


def test_download_cut_mid_body_raises_when_read(
    moto_endpoint: str, client_options: dict[str, Any], bucket: str
) -> None:
    data = os.urandom(3 * 1024 * 1024)
    with s3lite.Client(**client_options) as client:
        client.put_object(Bucket=bucket, Key="big", Body=data)
    proxy = CuttingProxy(moto_endpoint, cuts=1, after=1024 * 1024, direction="down")
    try:
        with s3lite.Client(**{**client_options, "endpoint_url": proxy.url}) as client:
            body = client.get_object(Bucket=bucket, Key="big")["Body"]
            with pytest.raises(s3lite.S3LiteError) as caught:
                body.read()
            assert isinstance(caught.value, (s3lite.IncompleteReadError, s3lite.HTTPClientError))
            # the next call gets a fresh connection and the whole object
            assert client.get_object(Bucket=bucket, Key="big")["Body"].read() == data
    finally:
        proxy.close()
