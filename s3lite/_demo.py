"""The demo: start moto's S3 server on 127.0.0.1 (or use ``--endpoint-url``), then run the operations
people use daily - buckets, objects (SSE-KMS and SSE-C included), multipart uploads, tagging,
listings through a paginator, batch deletes - printing each call and its result."""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ._client import Client

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
        _step("list_objects_v2", s3.list_objects_v2, Bucket=bucket, Prefix="docs/", Delimiter="/")
        keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        deleted = _step(
            "delete_objects", s3.delete_objects, Bucket=bucket, Delete={"Objects": [{"Key": key} for key in keys]}
        )
        _step("delete_bucket", s3.delete_bucket, Bucket=bucket)
        emptied = len(deleted.get("Deleted", [])) == len(keys)
        return 0 if same and emptied else 1
