"""The demo: start moto's S3 server on 127.0.0.1 (or use ``--endpoint-url``), then run the operations
people use daily - buckets, objects (SSE-KMS and SSE-C included), multipart uploads, managed transfers
with a progress bar, tagging, listings through a paginator, batch deletes - printing each call and its result."""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ._client import Client
from ._transfer.config import TransferConfig
from ._transfer.limits import MiB

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SSE_C_KEY = os.urandom(32)
REDACT = {"SSECustomerKey", "CopySourceSSECustomerKey"}


@contextmanager
def local_s3_server() -> Iterator[str]:
    """moto's S3 server on a free port of 127.0.0.1, stopped when the block ends."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        raise SystemExit("the demo needs moto's server: pip install 's3lite[demo]'") from None
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _shown(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: ("<hidden>" if k in REDACT else _shown(v)) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, bytes) and len(value) > 40:
        return f"<{len(value)} bytes>"
    return value


def _step(name: str, call: Callable[..., Mapping[str, Any]], **params: Any) -> Mapping[str, Any]:
    print(f"\n>>> client.{name}({', '.join(f'{k}={_shown({k: v})[k]!r}' for k, v in params.items())})")
    result = call(**params)
    status = result["ResponseMetadata"]["HTTPStatusCode"]
    print(f"<<< HTTP {status}: {_shown(result)}")
    return result


class ProgressBar:
    """A ``Callback`` for the managed transfers: s3lite calls it with each amount of bytes moved
    (negative when a retry takes some back), never twice at once, so it keeps a plain counter."""

    def __init__(self, label: str, size: int, width: int = 30) -> None:
        self._label, self._size, self._width = label, size, width
        self._done = 0

    def __call__(self, amount: int) -> None:
        self._done += amount
        if not (sys.stdout.isatty() or self._done >= self._size):
            return  # redrawn in place on a terminal only; elsewhere just the finished bar
        filled = min(max(self._width * self._done // max(self._size, 1), 0), self._width)
        print(
            f"\r    {self._label} [{'#' * filled}{'.' * (self._width - filled)}] "
            f"{self._done / MiB:5.1f}/{self._size / MiB:.1f} MiB",
            end="\n" if self._done >= self._size else "",
            flush=True,
            file=sys.stdout,
        )


def _transfers(s3: Client, bucket: str) -> bool:
    """upload_file and download_file of a 24 MiB file in 5 MiB parts, four at a time, with progress bars."""
    size = 24 * MiB
    config = TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=5 * MiB, max_concurrency=4)
    with tempfile.TemporaryDirectory() as directory:
        source, target = os.path.join(directory, "source.bin"), os.path.join(directory, "copy.bin")
        with open(source, "wb") as file:
            file.write(os.urandom(size))
        print(
            f"\n>>> client.upload_file({source!r}, {bucket!r}, 'transfer.bin', Config=..., Callback=ProgressBar(...))"
        )
        s3.upload_file(source, bucket, "transfer.bin", Config=config, Callback=ProgressBar("upload  ", size))
        print(
            f">>> client.download_file({bucket!r}, 'transfer.bin', {target!r}, Config=..., Callback=ProgressBar(...))"
        )
        s3.download_file(bucket, "transfer.bin", target, Config=config, Callback=ProgressBar("download", size))
        with open(source, "rb") as a, open(target, "rb") as b:
            same = hashlib.sha256(a.read()).digest() == hashlib.sha256(b.read()).digest()
    etag = s3.head_object(Bucket=bucket, Key="transfer.bin")["ETag"]
    print(f"    stored as a multipart object (ETag {etag}); downloaded copy {'identical' if same else 'DIFFERENT'}")
    return same


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m s3lite demo")
    parser.add_argument("--endpoint-url", help="use this S3 endpoint instead of starting moto's server")
    args = parser.parse_args(argv)
    if args.endpoint_url:
        return _run(args.endpoint_url)
    with local_s3_server() as endpoint_url:
        print(f"moto S3 server listening on {endpoint_url}")
        return _run(endpoint_url)


def _run(endpoint_url: str) -> int:
    bucket = f"demo-{uuid.uuid4().hex[:8]}"
    data = os.urandom(6 * 1024 * 1024)
    sse_c = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": SSE_C_KEY}
    with Client(
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    ) as s3:
        _step("create_bucket", s3.create_bucket, Bucket=bucket)
        _step(
            "put_bucket_tagging",
            s3.put_bucket_tagging,
            Bucket=bucket,
            Tagging={"TagSet": [{"Key": "team", "Value": "demo"}]},
        )
        _step("get_bucket_tagging", s3.get_bucket_tagging, Bucket=bucket)
        put = _step(
            "put_object",
            s3.put_object,
            Bucket=bucket,
            Key="docs/hello world.txt",
            Body=b"hello, s3lite\n",
            ContentType="text/plain",
            Metadata={"purpose": "demo"},
            ChecksumAlgorithm="SHA256",
        )
        got = _step("get_object", s3.get_object, Bucket=bucket, Key="docs/hello world.txt", Range="bytes=0-4")
        print(f"    Body.read() -> {got['Body'].read()!r}")
        _step("head_object", s3.head_object, Bucket=bucket, Key="docs/hello world.txt", IfMatch=put["ETag"])
        _step(
            "copy_object",
            s3.copy_object,
            Bucket=bucket,
            Key="docs/copy.txt",
            CopySource={"Bucket": bucket, "Key": "docs/hello world.txt"},
            MetadataDirective="REPLACE",
            Metadata={"copied": "yes"},
        )
        _step(
            "put_object",
            s3.put_object,
            Bucket=bucket,
            Key="secret/kms.txt",
            Body=b"kms protected",
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId="alias/demo-key",
        )
        _step(
            "put_object", s3.put_object, Bucket=bucket, Key="secret/sse-c.bin", Body=b"customer key protected", **sse_c
        )
        got = _step("get_object", s3.get_object, Bucket=bucket, Key="secret/sse-c.bin", **sse_c)
        print(f"    Body.read() -> {got['Body'].read()!r}")
        upload = _step("create_multipart_upload", s3.create_multipart_upload, Bucket=bucket, Key="big.bin")
        part1 = _step(
            "upload_part",
            s3.upload_part,
            Bucket=bucket,
            Key="big.bin",
            UploadId=upload["UploadId"],
            PartNumber=1,
            Body=data,
        )
        part2 = _step(
            "upload_part_copy",
            s3.upload_part_copy,
            Bucket=bucket,
            Key="big.bin",
            UploadId=upload["UploadId"],
            PartNumber=2,
            CopySource=f"{bucket}/docs/hello world.txt",
        )
        parts = [{"ETag": part1["ETag"], "PartNumber": 1}, {"ETag": part2["CopyPartResult"]["ETag"], "PartNumber": 2}]
        _step(
            "complete_multipart_upload",
            s3.complete_multipart_upload,
            Bucket=bucket,
            Key="big.bin",
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": parts},
        )
        whole = s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read()
        same = hashlib.sha256(whole).digest() == hashlib.sha256(data + b"hello, s3lite\n").digest()
        print(
            f"\nmultipart object read back: {len(whole)} bytes, {'identical' if same else 'DIFFERENT'} to what was sent"
        )
        transferred = _transfers(s3, bucket)
        _step("list_objects_v2", s3.list_objects_v2, Bucket=bucket, Prefix="docs/", Delimiter="/")
        keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        deleted = _step(
            "delete_objects", s3.delete_objects, Bucket=bucket, Delete={"Objects": [{"Key": key} for key in keys]}
        )
        _step("delete_bucket", s3.delete_bucket, Bucket=bucket)
        emptied = len(deleted.get("Deleted", [])) == len(keys)
        return 0 if same and emptied and transferred else 1
