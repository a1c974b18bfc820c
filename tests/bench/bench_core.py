"""Section 2: the I/O-free core alone, per operation (the seed ones, then the others of section 1):
serialize, sign, parse, and the whole flow.

No httpx object is built here: the canned response goes in as an ``s3lite.HttpResponse``. The flow
column is ``run_to_completion(operation_flow(...))``, i.e. everything a call does except the HTTP stack.
"""

from __future__ import annotations

import random
from typing import Any

import s3lite
from s3lite._model import operation as model_operation

from ._common import (
    ACCESS_KEY,
    ALL_EXCHANGES,
    EXCHANGES,
    FIXED_NOW,
    REGION,
    SECRET_KEY,
    Case,
    Exchange,
    Report,
    Sizes,
    per_call_us,
    us,
)

TARGET_US = 20.0


def canned_response(exchange: Exchange, *, streamed: bool) -> s3lite.HttpResponse:
    """The exchange's response as the core receives it: lower-cased header names, the body read
    (or left unread, ``b""``, when the flow asked for the body to be streamed)."""
    headers = {name.lower(): value for name, value in exchange.response_headers}
    return s3lite.HttpResponse(exchange.status, headers, b"" if streamed else exchange.body)


def context() -> s3lite.CallContext:
    return s3lite.CallContext(
        s3lite.Credentials(ACCESS_KEY, SECRET_KEY),
        REGION,
        s3lite.Endpoint.for_region(REGION),
        clock=lambda: FIXED_NOW,
        rand=random.random,
    )


def _cases(exchange: Exchange) -> list[Case]:
    ctx = context()
    operation, params = exchange.operation, exchange.params
    op = model_operation(operation)
    prepared = s3lite.serialize(operation, params, endpoint=ctx.endpoint)
    credentials = ctx.credentials
    assert credentials is not None
    keys = s3lite.SigningKeyCache()
    request, payload_hash = prepared.request, prepared.payload_hash
    assert payload_hash is not None  # bytes bodies are hashed by serialize (None: a stream hashed first)
    streamed = op.streaming_output
    response = canned_response(exchange, streamed=streamed)
    decode_keys = prepared.decode_keys  # ListObjectsV2: EncodingType=url was s3lite's, so keys are decoded

    def respond(effect: Any) -> Any:
        return response if isinstance(effect, s3lite.Send) else exchange.body

    return [
        Case("serialize", lambda: s3lite.serialize(operation, params, endpoint=ctx.endpoint)),
        Case(
            "sign",
            lambda: s3lite.sign(
                request, credentials=credentials, region=REGION, now=FIXED_NOW, payload_hash=payload_hash, keys=keys
            ),
        ),
        Case("parse", lambda: s3lite.parse_result(op, response, retry_attempts=0, decode_keys=decode_keys)),
        Case("flow", lambda: s3lite.run_to_completion(s3lite.operation_flow(ctx, operation, params), respond)),
    ]


def run(sizes: Sizes, report: Report) -> None:
    rows = []
    worst = 0.0
    for exchange in ALL_EXCHANGES:
        t = per_call_us(_cases(exchange), sizes, calls=sizes.calls * 5)
        parts = t["serialize"] + t["sign"] + t["parse"]
        if exchange in EXCHANGES:
            worst = max(worst, t["flow"])
        rows.append(
            [
                exchange.operation,
                us(t["serialize"]),
                us(t["sign"]),
                us(t["parse"]),
                us(parts),
                us(t["flow"]),
                "met" if t["flow"] <= TARGET_US else "MISSED",
            ]
        )
    report.table(
        "2. The I/O-free core alone (median µs per call)",
        ["operation", "serialize", "sign", "parse_result", "sum", "whole flow", f"flow <= {TARGET_US:g} µs"],
        rows,
        [
            (
                "whole flow = s3lite.run_to_completion(operation_flow(...)) answered with a canned HttpResponse "
                "(GetObject: headers only, body streamed)."
            ),
            "the eight seed operations first, then the others of section 1 (ListObjectsV2's keys url-decoded).",
            "sign reuses a warm SigningKeyCache, as every call of a client does but its first of the day.",
        ],
    )
    report.target("I/O-free core (whole flow), worst seed operation", worst, TARGET_US, "µs", at_most=True)
