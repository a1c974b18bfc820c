"""End to end against moto's S3 server on 127.0.0.1: every operation, both clients, asyncio and trio.

What was stored is checked byte for byte (sha256 of what was sent against what comes back), keys are
checked with botocore's ListObjectsV2, and HeadObject/GetObject results are compared with botocore's
for the same object. Expected values come from the data sent and from S3's documented rules
(ETag = MD5, multipart ETag = MD5 of the part MD5s + "-N", metadata names lower-cased by S3).

moto does not verify SigV4 signatures (the mock suite checks those with botocore's signer) and
ignores SSE-C: it neither requires the key on GET nor echoes the SSE-C headers, so there is no
SSE-C round trip to test here (the SSE-C headers are checked in tests/test_clients_mock.py).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import anyio.to_thread
import httpx
import pytest
from conftest import ACCESS_KEY, REGION, SECRET_KEY
from drivers import KINDS, Driver, async_chunks

import s3lite

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]

MIB = 1024 * 1024
#: moto enforces S3's minimum size for every part but the last
PART = 5 * MIB


@pytest.fixture(scope="module", params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=KINDS)
async def s3(
    request: pytest.FixtureRequest, client_options: dict[str, Any], anyio_backend: str
) -> AsyncIterator[Driver]:
    driver = Driver(request.param, **client_options)
    try:
        yield driver
    finally:
        await driver.aclose()


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
    key_id: str = kms.create_key(Description="s3lite e2e")["KeyMetadata"]["KeyId"]
    return key_id


def data_of(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def etag(data: bytes) -> str:
    """A single-part object's ETag: its quoted MD5."""
    return f'"{hashlib.md5(data).hexdigest()}"'


def multipart_etag(parts: list[bytes]) -> str:
    """S3's multipart ETag: MD5 of the concatenated binary part MD5s, then "-<number of parts>"."""
    digest = hashlib.md5(b"".join(hashlib.md5(part).digest() for part in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def streamed_sha256(s3: Driver, body: Any, chunk_size: int) -> tuple[str, int]:
    """Hash a GetObject body chunk by chunk, checking iter_chunks' sizes on the way; (hex, length)."""
    hasher = hashlib.sha256()
    sizes = []
    async for chunk in s3.iterate(body, "iter_chunks", chunk_size=chunk_size):
        hasher.update(chunk)
        sizes.append(len(chunk))
    assert all(size == chunk_size for size in sizes[:-1]) and 0 < sizes[-1] <= chunk_size
    return hasher.hexdigest(), sum(sizes)


def without_metadata(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k not in ("ResponseMetadata", "Body")}


# -- single objects -------------------------------------------------------------------------------


async def test_put_get_head_round_trip(s3: Driver, bucket: str) -> None:
    data = data_of(100_000)
    metadata = {"color": "blue", "Owner-Id": "42"}
    put = await s3.call(
        "put_object", Bucket=bucket, Key="obj", Body=data, Metadata=metadata, ContentType="application/x-test"
    )
    assert put["ETag"] == etag(data)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200

    got, body = await s3.download(Bucket=bucket, Key="obj")
    assert body == data
    # S3 stores metadata names lower-cased
    expected_metadata = {k.lower(): v for k, v in metadata.items()}
    assert got["Metadata"] == expected_metadata
    assert (got["ETag"], got["ContentLength"], got["ContentType"]) == (etag(data), len(data), "application/x-test")

    head = await s3.call("head_object", Bucket=bucket, Key="obj")
    assert head["Metadata"] == expected_metadata
    assert (head["ETag"], head["ContentLength"]) == (etag(data), len(data))
    assert head["LastModified"] == got["LastModified"]


async def test_results_equal_botocore(s3: Driver, bucket: str, botocore_client: Any) -> None:
    data = data_of(1000)
    await s3.call("put_object", Bucket=bucket, Key="same", Body=data, Metadata={"m": "v"}, CacheControl="no-cache")
    for method, extra in (("head_object", {}), ("get_object", {"Range": "bytes=10-19"})):
        ours = await s3.call(method, Bucket=bucket, Key="same", **extra)
        theirs = getattr(botocore_client, method)(Bucket=bucket, Key="same", **extra)
        if "Body" in ours:
            assert await s3.read(ours["Body"]) == theirs["Body"].read() == data[10:20]
        assert without_metadata(ours) == without_metadata(theirs)
        assert ours["ResponseMetadata"]["HTTPStatusCode"] == theirs["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize(
    ("range_", "start", "stop"), [("bytes=2-5", 2, 6), ("bytes=-3", 997, 1000), ("bytes=990-", 990, 1000)]
)
async def test_ranges(s3: Driver, bucket: str, range_: str, start: int, stop: int) -> None:
    data = data_of(1000, seed=1)
    await s3.call("put_object", Bucket=bucket, Key="ranged", Body=data)
    got, body = await s3.download(Bucket=bucket, Key="ranged", Range=range_)
    assert body == data[start:stop]
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["ContentRange"] == f"bytes {start}-{stop - 1}/{len(data)}"
    assert got["ContentLength"] == stop - start


async def test_conditional_reads(s3: Driver, bucket: str) -> None:
    data = b"conditional"
    tag = (await s3.call("put_object", Bucket=bucket, Key="cond", Body=data))["ETag"]

    _, body = await s3.download(Bucket=bucket, Key="cond", IfMatch=tag)
    assert body == data
    for method in ("get_object", "head_object"):
        with pytest.raises(s3lite.ClientError) as not_modified:
            await s3.call(method, Bucket=bucket, Key="cond", IfNoneMatch=tag)
        assert not_modified.value.response["Error"]["Code"] == "304"
        assert not_modified.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304

    with pytest.raises(s3lite.ClientError) as failed:
        await s3.call("get_object", Bucket=bucket, Key="cond", IfMatch='"00000000000000000000000000000000"')
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert failed.value.response["Error"]["Code"] == "PreconditionFailed"
    with pytest.raises(s3lite.ClientError) as head_failed:
        await s3.call("head_object", Bucket=bucket, Key="cond", IfMatch='"00000000000000000000000000000000"')
    assert head_failed.value.response["Error"]["Code"] == "412", "HEAD errors have no body: the code is the status"


async def test_missing_objects(s3: Driver, bucket: str) -> None:
    with pytest.raises(s3lite.NoSuchKey) as caught:
        await s3.call("get_object", Bucket=bucket, Key="missing")
    assert caught.value.response["Error"]["Code"] == "NoSuchKey"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(s3lite.ClientError) as head:
        await s3.call("head_object", Bucket=bucket, Key="missing")
    assert type(head.value) is s3lite.ClientError
    assert head.value.response["Error"] == {"Code": "404", "Message": "Not Found"}
    with pytest.raises(s3lite.NoSuchBucket):
        await s3.call("get_object", Bucket=f"{bucket}-absent", Key="k")


async def test_copy_object(s3: Driver, bucket: str) -> None:
    data = data_of(5000, seed=2)
    await s3.call("put_object", Bucket=bucket, Key="src", Body=data, Metadata={"a": "1"}, ContentType="text/plain")

    kept = await s3.call("copy_object", Bucket=bucket, Key="kept", CopySource={"Bucket": bucket, "Key": "src"})
    assert kept["CopyObjectResult"]["ETag"] == etag(data)
    head = await s3.call("head_object", Bucket=bucket, Key="kept")
    assert (head["Metadata"], head["ContentType"]) == ({"a": "1"}, "text/plain")

    replaced = await s3.call(
        "copy_object",
        Bucket=bucket,
        Key="replaced",
        CopySource=f"{bucket}/src",
        MetadataDirective="REPLACE",
        Metadata={"b": "2"},
        ContentType="application/json",
    )
    assert replaced["CopyObjectResult"]["ETag"] == etag(data)
    head = await s3.call("head_object", Bucket=bucket, Key="replaced")
    assert (head["Metadata"], head["ContentType"]) == ({"b": "2"}, "application/json")
    assert (await s3.download(Bucket=bucket, Key="replaced"))[1] == data


async def test_sse_kms(s3: Driver, bucket: str, kms_key_id: str) -> None:
    data = data_of(2000, seed=3)
    sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id}
    put = await s3.call("put_object", Bucket=bucket, Key="kms", Body=data, **sse)
    assert {k: put[k] for k in sse} == sse
    head = await s3.call("head_object", Bucket=bucket, Key="kms")
    assert {k: head[k] for k in sse} == sse
    got, body = await s3.download(Bucket=bucket, Key="kms")
    assert {k: got[k] for k in sse} == sse
    assert body == data

    upload = await s3.call("create_multipart_upload", Bucket=bucket, Key="kms-mp", **sse)
    assert {k: upload[k] for k in sse} == sse
    part = await s3.call(
        "upload_part", Bucket=bucket, Key="kms-mp", UploadId=upload["UploadId"], PartNumber=1, Body=data
    )
    done = await s3.call(
        "complete_multipart_upload",
        Bucket=bucket,
        Key="kms-mp",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
    )
    assert {k: done[k] for k in sse} == sse
    assert (await s3.download(Bucket=bucket, Key="kms-mp"))[1] == data


# -- multipart --------------------------------------------------------------------------------------


async def test_multipart_upload_with_a_copied_part(s3: Driver, bucket: str) -> None:
    """Part 1 uploaded, part 2 copied from a range of another object; the object is their concatenation."""
    source = data_of(2 * MIB, seed=4)
    await s3.call("put_object", Bucket=bucket, Key="source", Body=source)
    first = data_of(PART, seed=5)
    copied = source[1000 : 1000 + MIB]

    upload = await s3.call("create_multipart_upload", Bucket=bucket, Key="assembled", ContentType="x/y")
    assert (upload["Bucket"], upload["Key"]) == (bucket, "assembled")
    upload_id = upload["UploadId"]
    part1 = await s3.call("upload_part", Bucket=bucket, Key="assembled", UploadId=upload_id, PartNumber=1, Body=first)
    assert part1["ETag"] == etag(first)
    part2 = await s3.call(
        "upload_part_copy",
        Bucket=bucket,
        Key="assembled",
        UploadId=upload_id,
        PartNumber=2,
        CopySource={"Bucket": bucket, "Key": "source"},
        CopySourceRange=f"bytes=1000-{1000 + MIB - 1}",
    )
    assert part2["CopyPartResult"]["ETag"] == etag(copied)
    parts = [{"ETag": part1["ETag"], "PartNumber": 1}, {"ETag": part2["CopyPartResult"]["ETag"], "PartNumber": 2}]
    done = await s3.call(
        "complete_multipart_upload",
        Bucket=bucket,
        Key="assembled",
        UploadId=upload_id,
        MultipartUpload={"Parts": parts},
    )
    assert (done["Bucket"], done["Key"], done["ETag"]) == (bucket, "assembled", multipart_etag([first, copied]))

    got, body = await s3.download(Bucket=bucket, Key="assembled")
    assert sha256(body) == sha256(first + copied)
    assert (got["ContentLength"], got["ContentType"]) == (len(first) + len(copied), "x/y")


async def test_multipart_parts_uploaded_concurrently(s3: Driver, bucket: str) -> None:
    parts = [data_of(PART, seed=6), data_of(PART, seed=7), data_of(MIB, seed=8)]
    upload_id = (await s3.call("create_multipart_upload", Bucket=bucket, Key="parallel"))["UploadId"]
    etags: dict[int, str] = {}

    async def upload(number: int, data: bytes) -> None:
        result = await s3.call(
            "upload_part", Bucket=bucket, Key="parallel", UploadId=upload_id, PartNumber=number, Body=data
        )
        etags[number] = result["ETag"]

    async with anyio.create_task_group() as group:
        for number, data in enumerate(parts, 1):
            group.start_soon(upload, number, data)
    done = await s3.call(
        "complete_multipart_upload",
        Bucket=bucket,
        Key="parallel",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"ETag": etags[n], "PartNumber": n} for n in sorted(etags)]},
    )
    assert done["ETag"] == multipart_etag(parts)
    body = (await s3.call("get_object", Bucket=bucket, Key="parallel"))["Body"]
    assert await streamed_sha256(s3, body, MIB) == (sha256(b"".join(parts)), sum(map(len, parts)))


# -- streaming ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A 20 MiB file and its sha256, written once for the module."""
    data = data_of(20 * MIB, seed=9)
    path = tmp_path_factory.mktemp("e2e") / "big.bin"
    path.write_bytes(data)
    return path, sha256(data)


async def test_stream_in_from_file_and_out_in_chunks(s3: Driver, bucket: str, big_file: tuple[Path, str]) -> None:
    path, digest = big_file
    with path.open("rb") as file:
        await s3.call("put_object", Bucket=bucket, Key="big", Body=file)
    assert (await s3.call("head_object", Bucket=bucket, Key="big"))["ContentLength"] == 20 * MIB
    body = (await s3.call("get_object", Bucket=bucket, Key="big"))["Body"]
    assert await streamed_sha256(s3, body, 1024 * 1024 - 1) == (digest, 20 * MIB)


def pieces(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_stream_in_from_generator(s3: Driver, bucket: str) -> None:
    data = data_of(3 * MIB + 17, seed=10)
    put = await s3.call("put_object", Bucket=bucket, Key="gen", Body=pieces(data, 100_003), ContentLength=len(data))
    assert put["ETag"] == etag(data)
    body = (await s3.call("get_object", Bucket=bucket, Key="gen"))["Body"]
    assert await streamed_sha256(s3, body, 65536) == (sha256(data), len(data))


async def test_stream_in_from_async_generator(client_options: dict[str, Any], bucket: str, anyio_backend: str) -> None:
    """AsyncClient only (the sync client refuses async iterators before sending anything)."""
    data = data_of(MIB + 1, seed=11)
    s3 = Driver("async", **client_options)
    try:
        put = await s3.call(
            "put_object", Bucket=bucket, Key="agen", Body=async_chunks(pieces(data, 70_000)), ContentLength=len(data)
        )
        assert put["ETag"] == etag(data)
        assert (await s3.download(Bucket=bucket, Key="agen"))[1] == data
    finally:
        await s3.aclose()


# -- concurrency ------------------------------------------------------------------------------------


async def test_concurrent_puts_then_gets(s3: Driver, bucket: str) -> None:
    objects = {f"concurrent/{i:02d}": data_of(50_000 + i, seed=100 + i) for i in range(24)}
    etags: dict[str, str] = {}
    received: dict[str, bytes] = {}

    async def put(key: str, data: bytes) -> None:
        etags[key] = (await s3.call("put_object", Bucket=bucket, Key=key, Body=data))["ETag"]

    async def get(key: str) -> None:
        received[key] = (await s3.download(Bucket=bucket, Key=key))[1]

    async with anyio.create_task_group() as group:
        for key, data in objects.items():
            group.start_soon(put, key, data)
    assert etags == {key: etag(data) for key, data in objects.items()}
    async with anyio.create_task_group() as group:
        for key in objects:
            group.start_soon(get, key)
    assert received == objects


# -- keys -------------------------------------------------------------------------------------------

KEYS = [
    "with space",
    "plus+sign",
    "unicodé/中文/😀",
    "a/./b/../c",
    "a//b",
    "//leading",
    "literal%2Bescape",
    "tilde~(parens)!*'",
]


@pytest.mark.parametrize("key", KEYS)
async def test_keys_round_trip(s3: Driver, bucket: str, botocore_client: Any, key: str) -> None:
    """The key in the path (and in x-amz-copy-source) reaches the server exactly: the stored names are
    the ones given, as botocore's ListObjectsV2 reads them back."""
    data = key.encode() * 3
    await s3.call("put_object", Bucket=bucket, Key=key, Body=data)
    assert (await s3.download(Bucket=bucket, Key=key))[1] == data
    assert (await s3.call("head_object", Bucket=bucket, Key=key))["ContentLength"] == len(data)
    await s3.call("copy_object", Bucket=bucket, Key=key + ".copy", CopySource={"Bucket": bucket, "Key": key})
    upload_id = (await s3.call("create_multipart_upload", Bucket=bucket, Key=key + ".mp"))["UploadId"]
    part = await s3.call(
        "upload_part_copy",
        Bucket=bucket,
        Key=key + ".mp",
        UploadId=upload_id,
        PartNumber=1,
        CopySource=f"{bucket}/{key}",
    )
    await s3.call(
        "complete_multipart_upload",
        Bucket=bucket,
        Key=key + ".mp",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"ETag": part["CopyPartResult"]["ETag"], "PartNumber": 1}]},
    )
    listed = botocore_client.list_objects_v2(Bucket=bucket)
    assert sorted(item["Key"] for item in listed["Contents"]) == sorted([key, key + ".copy", key + ".mp"])
    for name in (key + ".copy", key + ".mp"):
        assert (await s3.download(Bucket=bucket, Key=name))[1] == data


# -- presigned URLs -------------------------------------------------------------------------------


def check_presigned_signature(url: str) -> None:
    """moto does not check signatures: botocore's query signer recomputes this one from the URL
    (canonical query = every parameter but X-Amz-Signature, payload UNSIGNED-PAYLOAD, host signed)."""
    from botocore.auth import S3SigV4QueryAuth  # type: ignore[import-untyped]
    from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
    from botocore.credentials import Credentials  # type: ignore[import-untyped]

    unsigned, _, signature = url.rpartition("&X-Amz-Signature=")
    aws = AWSRequest(method="GET", url=unsigned, headers={"host": urlsplit(url).netloc})
    aws.context["timestamp"] = parse_qs(urlsplit(url).query)["X-Amz-Date"][0]
    signer = S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION, expires=60)
    assert signature == signer.signature(signer.string_to_sign(aws, signer.canonical_request(aws)), aws)


async def test_presigned_get(s3: Driver, bucket: str) -> None:
    key = "pre signed+key é"
    data = data_of(3000, seed=12)
    await s3.call("put_object", Bucket=bucket, Key=key, Body=data)
    url = s3.client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60)
    parts = urlsplit(url)
    assert parts.path == f"/{bucket}/pre%20signed%2Bkey%20%C3%A9"
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert len(query["X-Amz-Signature"][0]) == 64
    check_presigned_signature(url)
    response = await anyio.to_thread.run_sync(httpx.get, url)
    assert response.status_code == 200
    assert response.content == data
