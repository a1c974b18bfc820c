"""What a buggy or hostile server can do on a real connection, against both clients: whitespace-only
200s, duplicate responses, trickled bodies, oversized bodies, unread bodies (issue "Reliability,
round two"). Every server here is a real socket on 127.0.0.1 (tests/hostile.py); nothing is mocked.
"""

from __future__ import annotations

import gc
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import anyio
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
