"""Section 3: SigV4 signing alone, s3lite against botocore (and awscrt's signer when it is installed).

The request is a typical PutObject (metadata, content type, a small body), serialized by s3lite; botocore
signs an ``AWSRequest`` with the same method, URL, headers and body. Both signatures are first checked
to be equal at a fixed time, so the two sides provably do the same work.
"""

from __future__ import annotations

import datetime
import importlib.util
from typing import Any
from unittest import mock

import s3lite

from ._common import ACCESS_KEY, EXCHANGES, FIXED_NOW, REGION, SECRET_KEY, Case, Report, Sizes, per_call_us, ratio, us
from .bench_core import context

TARGET_US = 15.0


def _botocore_request(request: s3lite.HttpRequest) -> Any:
    from botocore.awsrequest import AWSRequest

    assert isinstance(request.body, bytes)
    return AWSRequest(method=request.method, url=request.url, headers=dict(request.headers), data=request.body)


def run(sizes: Sizes, report: Report) -> None:
    import botocore.auth
    import botocore.credentials

    put = next(exchange for exchange in EXCHANGES if exchange.operation == "PutObject")
    ctx = context()
    credentials = ctx.credentials
    assert credentials is not None
    prepared = s3lite.serialize(put.operation, put.params, endpoint=ctx.endpoint)
    request, payload_hash = prepared.request, prepared.payload_hash
    assert payload_hash is not None  # bytes bodies are hashed by serialize (None: a stream hashed first)
    assert isinstance(request.body, bytes)
    warm = s3lite.SigningKeyCache()

    def ours(keys: s3lite.SigningKeyCache) -> s3lite.HttpRequest:
        signed = s3lite.sign(
            request, credentials=credentials, region=REGION, now=FIXED_NOW, payload_hash=payload_hash, keys=keys
        )
        return signed.request

    signer = botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION)
    theirs = _botocore_request(request)

    fixed = datetime.datetime.fromtimestamp(FIXED_NOW, datetime.UTC)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=fixed):
        signer.add_auth(theirs)
    our_auth = ours(warm).headers["Authorization"]
    report.check(
        "s3lite's PutObject signature equals botocore's",
        our_auth == theirs.headers["Authorization"],
        f"{our_auth} != {theirs.headers['Authorization']}",
    )

    cases = [
        Case("s3lite warm", lambda: ours(warm)),
        Case("s3lite cold", lambda: ours(s3lite.SigningKeyCache())),
        Case("botocore", lambda: signer.add_auth(theirs)),
    ]
    t = per_call_us(cases, sizes, calls=sizes.calls * 5)
    rows = [
        ["s3lite.sign, warm signing-key cache", us(t["s3lite warm"]), "1.00x"],
        ["s3lite.sign, cold cache (4 more HMACs)", us(t["s3lite cold"]), ratio(t["s3lite cold"], t["s3lite warm"])],
        ["botocore S3SigV4Auth.add_auth", us(t["botocore"]), ratio(t["botocore"], t["s3lite warm"])],
    ]
    notes = [
        (
            f"request: PUT {request.url}, {len(request.headers)} headers, {len(request.body)} B body (s3lite hashes "
            "the body in serialize, botocore in add_auth: a few hundred ns at this size)."
        ),
        "botocore re-signs one AWSRequest in place; s3lite returns a new HttpRequest each time.",
    ]
    if importlib.util.find_spec("awscrt") is None:
        notes.append("awscrt is not installed: its signer (botocore.crt.auth.CrtS3SigV4Auth) was not measured.")
    else:
        from botocore.crt.auth import CrtS3SigV4Auth

        crt = CrtS3SigV4Auth(botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION)
        crt_request = _botocore_request(request)
        crt_us = per_call_us([Case("awscrt", lambda: crt.add_auth(crt_request))], sizes, calls=sizes.calls * 5)[
            "awscrt"
        ]
        rows.append(["awscrt via botocore CrtS3SigV4Auth.add_auth", us(crt_us), ratio(crt_us, t["s3lite warm"])])
    report.table(
        "3. SigV4 signing of a typical PutObject (median µs per signature)",
        ["signer", "µs", "vs s3lite warm"],
        rows,
        notes,
    )
    report.target("s3lite.sign (warm key cache)", t["s3lite warm"], TARGET_US, "µs", at_most=True)
