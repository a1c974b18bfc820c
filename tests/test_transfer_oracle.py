"""s3transfer is the oracle for which requests a managed transfer makes: for the same call, ExtraArgs
and TransferConfig, s3lite's ``upload_file``, ``download_file`` and ``copy`` make the same operations
with the same parameters as boto3's (against moto's server), up to what the README documents:
boto3's default CRC32 checksum is turned off on its side (s3lite adds checksums only when asked),
and s3lite's AbortMultipartUpload (not exercised here) carries RequestPayer and ExpectedBucketOwner.

Parameters that differ by nature are normalised: upload ids, the ETags of two uploads of the same
bytes made by two clients are compared as present or absent, bodies by length.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import s3lite

pytestmark = pytest.mark.e2e

MiB = 1024 * 1024
#: the raw key, as boto3 takes it (both libraries base64 it and add its MD5)
SSE_C = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": "k" * 32}

Recorded = list[tuple[str, dict[str, Any]]]


def _normalised(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        if operation in ("PutObject", "UploadPart") and name.startswith("Checksum") and name != "ChecksumAlgorithm":
            continue  # s3lite passes the part's checksum it computed; botocore computes it after this point
        if name in ("UploadId", "IfMatch", "CopySourceIfMatch"):
            out[name] = "<present>"
        elif name == "CopySource" and isinstance(value, dict):
            # botocore's handle_copy_source_param turns the dict into its string before this point
            out[name] = f"{value['Bucket']}/{value['Key']}" + (
                f"?versionId={value['VersionId']}" if "VersionId" in value else ""
            )
        elif name == "Body":
            out["Body"] = "<body>"
        elif name == "SSECustomerKeyMD5":
            continue  # botocore adds it (and base64s the key) in a handler before this point; s3lite later
        elif name == "SSECustomerKey":
            out[name] = "<sse-c>"
        elif name == "MultipartUpload":
            out[name] = [{k: ("<etag>" if k == "ETag" else v) for k, v in p.items()} for p in value["Parts"]]
        elif name == "ContentLength" and "Body" in params:
            continue  # s3lite passes a part's length; botocore takes it from the body: same header
        else:
            out[name] = value
    return out


def _sorted(calls: Recorded) -> list[tuple[str, str]]:
    return sorted((operation, repr(sorted(_normalised(operation, params).items()))) for operation, params in calls)


@pytest.fixture
def boto3_client(moto_endpoint: str) -> Iterator[tuple[Any, Recorded]]:
    """boto3's client with its default request checksums off, and the (operation, params) it sends.
    Response validation stays botocore's default, ``when_supported``: it is what makes s3transfer
    download with a HeadObject first; the ``ChecksumMode`` it adds to each GET is left out of the
    comparison (s3lite adds checksums only when asked, README)."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=moto_endpoint,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=Config(request_checksum_calculation="when_required"),
    )
    calls: Recorded = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, {k: v for k, v in params.items() if k != "ChecksumMode"}))

    client.meta.events.register("before-parameter-build.s3", record)
    yield client, calls


@pytest.fixture
def s3lite_client(client_options: dict[str, Any]) -> Iterator[tuple[s3lite.Client, Recorded]]:
    client = s3lite.Client(**client_options)
    calls: Recorded = []
    inner = client._call

    def record(operation: str, params: Any) -> Any:
        calls.append((operation, dict(params)))
        return inner(operation, params)

    client._call = record  # type: ignore[method-assign]
    with client:
        yield client, calls


def _both(
    boto3_client: tuple[Any, Recorded],
    s3lite_client: tuple[s3lite.Client, Recorded],
    run: Callable[[Any, Any, dict[str, Any]], None],
    extra: dict[str, Any],
) -> None:
    from boto3.s3.transfer import TransferConfig as Boto3Config

    config = {"multipart_threshold": 5 * MiB, "multipart_chunksize": 5 * MiB, "max_concurrency": 4}
    theirs, their_calls = boto3_client
    ours, our_calls = s3lite_client
    run(theirs, Boto3Config(**config), extra)
    run(ours, s3lite.TransferConfig(**config), extra)
    assert _sorted(our_calls) == _sorted(their_calls)
    assert our_calls, "nothing was recorded"


UPLOAD_EXTRA = [
    {},
    {"ContentType": "text/plain", "Metadata": {"a": "1"}, "CacheControl": "no-cache", "StorageClass": "STANDARD_IA"},
    {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "key-1", "Tagging": "a=1&b=2", "ACL": "private"},
    {"ChecksumAlgorithm": "SHA256", "RequestPayer": "requester"},
    SSE_C,
]


@pytest.mark.parametrize("size", [3 * MiB, 12 * MiB + 5])
@pytest.mark.parametrize("extra", UPLOAD_EXTRA)
def test_upload_file_makes_the_requests_boto3_makes(
    boto3_client: tuple[Any, Recorded],
    s3lite_client: tuple[s3lite.Client, Recorded],
    bucket: str,
    tmp_path: Path,
    size: int,
    extra: dict[str, Any],
) -> None:
    source = tmp_path / "source"
    source.write_bytes(os.urandom(size))

    def run(client: Any, config: Any, extra_args: dict[str, Any]) -> None:
        client.upload_file(str(source), bucket, "k", ExtraArgs=extra_args, Config=config)

    _both(boto3_client, s3lite_client, run, extra)


@pytest.mark.parametrize("size", [3 * MiB, 12 * MiB + 5])
@pytest.mark.parametrize("versioned", [False, True])
@pytest.mark.parametrize("sse_c", [False, True])
def test_download_file_makes_the_requests_boto3_makes(
    boto3_client: tuple[Any, Recorded],
    s3lite_client: tuple[s3lite.Client, Recorded],
    botocore_client: Any,
    bucket: str,
    tmp_path: Path,
    size: int,
    versioned: bool,
    sse_c: bool,
) -> None:
    data = os.urandom(size)
    if versioned:
        botocore_client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    encryption = SSE_C if sse_c else {}
    put = botocore_client.put_object(Bucket=bucket, Key="k", Body=data, **encryption)
    extra = {"VersionId": put["VersionId"], **encryption} if versioned else dict(encryption)

    def run(client: Any, config: Any, extra_args: dict[str, Any]) -> None:
        target = tmp_path / type(client).__name__
        client.download_file(bucket, "k", str(target), ExtraArgs=extra_args, Config=config)
        assert target.read_bytes() == data

    _both(boto3_client, s3lite_client, run, extra)


@pytest.mark.parametrize("size", [3 * MiB, 12 * MiB + 5])
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"MetadataDirective": "REPLACE", "Metadata": {"new": "yes"}, "ContentType": "text/x-new"},
        {"TaggingDirective": "COPY"},
        {"TaggingDirective": "REPLACE", "Tagging": "t=2"},
    ],
)
def test_copy_makes_the_requests_boto3_makes(
    boto3_client: tuple[Any, Recorded],
    s3lite_client: tuple[s3lite.Client, Recorded],
    botocore_client: Any,
    bucket: str,
    size: int,
    extra: dict[str, Any],
) -> None:
    botocore_client.put_object(
        Bucket=bucket, Key="src", Body=os.urandom(size), ContentType="image/png", Metadata={"m": "1"}, Tagging="s=1"
    )

    def run(client: Any, config: Any, extra_args: dict[str, Any]) -> None:
        client.copy({"Bucket": bucket, "Key": "src"}, bucket, "dst", ExtraArgs=extra_args, Config=config)

    _both(boto3_client, s3lite_client, run, extra)
