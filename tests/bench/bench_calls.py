"""Section 1: what one call costs, the eight seed operations and a few others (a small listing page, a
batch delete, bucket tagging, HEAD on a bucket), with the network replaced by a canned response.

Six ways to make the same call, every one answered by the same canned S3 response:

* ``s3lite.Client`` and ``s3lite.AsyncClient`` over ``httpx.MockTransport``;
* raw ``httpx.Client`` / ``httpx.AsyncClient`` sending the very request s3lite sends (captured once, so
  same URL, headers and body, already signed): the bar s3lite must meet;
* the transport alone, ``transport.handle_request(httpx.Request(...))`` and a read: the floor, what
  any httpx-based client pays before doing anything of its own;
* botocore, whose ``before-send`` event answers with the same canned response in a urllib3 response,
  exactly as botocore's own HTTP session would have wrapped it.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Sequence
from typing import Any

import httpx

import s3lite

from ._common import (
    ALL_EXCHANGES,
    CREDENTIALS,
    EXCHANGES,
    Case,
    Exchange,
    Report,
    Sizes,
    mock_transport,
    per_call_us,
    ratio,
    us,
)


def _result(result: dict[str, Any]) -> dict[str, Any]:
    """A result with its body read (as the benchmark reads it), for comparing s3lite with botocore."""
    out = dict(result)
    body = out.pop("Body", None)
    if body is not None:
        out["Body"] = body.read()
    return out


def call_once(exchange: Exchange, transport: httpx.BaseTransport) -> dict[str, Any]:
    """``exchange``'s call made once by a new s3lite.Client over ``transport``."""
    result: dict[str, Any] = getattr(s3lite.Client(transport=transport, **CREDENTIALS), exchange.method)(
        **exchange.params
    )
    return result


def _s3lite_cases(exchange: Exchange) -> tuple[Case, Case, httpx.Request]:
    """Client and AsyncClient calls, and the request s3lite sent (for the raw httpx baselines)."""
    captured: list[httpx.Request] = []
    mock = mock_transport(exchange)

    def capture(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return mock.handle_request(request)

    params = exchange.params
    call_once(exchange, httpx.MockTransport(capture))
    client = s3lite.Client(transport=mock_transport(exchange), **CREDENTIALS)
    aclient = s3lite.AsyncClient(transport=mock_transport(exchange), **CREDENTIALS)
    method = getattr(client, exchange.method)
    amethod = getattr(aclient, exchange.method)
    if exchange.operation == "GetObject":

        def call() -> object:
            return method(**params)["Body"].read()

        async def acall() -> object:
            return await (await amethod(**params))["Body"].read()

    else:

        def call() -> object:
            return method(**params)

        async def acall() -> object:
            return await amethod(**params)

    return Case("s3lite.Client", call), Case("s3lite.AsyncClient", acall=acall), captured[0]


def _httpx_cases(exchange: Exchange, sent: httpx.Request) -> list[Case]:
    method, url, body = sent.method, str(sent.url), sent.content
    headers = sent.headers.multi_items()
    client = httpx.Client(transport=mock_transport(exchange))
    aclient = httpx.AsyncClient(transport=mock_transport(exchange))
    transport = mock_transport(exchange)

    def floor() -> object:
        response = transport.handle_request(httpx.Request(method, url, headers=headers, content=body))
        try:
            return response.read()
        finally:
            response.close()

    return [
        Case("httpx.Client", lambda: client.request(method, url, headers=headers, content=body)),
        Case("httpx.AsyncClient", acall=lambda: aclient.request(method, url, headers=headers, content=body)),
        Case("transport", floor),
    ]


def botocore_client(exchanges: Sequence[Exchange] = ALL_EXCHANGES) -> Any:
    """A botocore S3 client (checksums only when required, as s3lite) whose network is replaced: each
    operation is answered with its exchange's response, wrapped as botocore's ``URLLib3Session.send`` does."""
    import botocore.session
    import urllib3
    from botocore.awsrequest import AWSResponse
    from botocore.config import Config

    client = botocore.session.get_session().create_client(
        "s3",
        **CREDENTIALS,
        config=Config(request_checksum_calculation="when_required", response_checksum_validation="when_required"),
    )

    def responder(exchange: Exchange) -> Any:
        headers = exchange.response_headers

        def send(request: Any, **_: Any) -> AWSResponse:
            raw = urllib3.HTTPResponse(
                body=io.BytesIO(exchange.body),
                headers=dict(headers),
                status=exchange.status,
                preload_content=False,
                decode_content=False,
                enforce_content_length=False,
            )
            response = AWSResponse(request.url, raw.status, raw.headers, raw)
            if not request.stream_output:
                response.content  # noqa: B018 - botocore reads non-streamed bodies right here
            return response

        return send

    for exchange in exchanges:
        client.meta.events.register(f"before-send.s3.{exchange.operation}", responder(exchange))
    return client


def _botocore_case(client: Any, exchange: Exchange) -> Case:
    method = getattr(client, exchange.method)
    params = exchange.params
    if exchange.operation == "GetObject":
        return Case("botocore", lambda: method(**params)["Body"].read())
    return Case("botocore", lambda: method(**params))


def _geometric_means(label: str, *ratios: list[float]) -> list[str]:
    return [label, "", "", "", "", "", "", *(f"{statistics.geometric_mean(r):.2f}x" for r in ratios), ""]


def run(sizes: Sizes, report: Report) -> None:
    columns = [
        "operation (µs/call)",
        "Client",
        "AsyncClient",
        "httpx.Client",
        "httpx.Async",
        "transport",
        "botocore",
        "Client/httpx",
        "Async/httpx.Async",
        "botocore/Client",
        "same dict",
    ]
    rows = []
    sync_ratios: list[float] = []
    async_ratios: list[float] = []
    boto_ratios: list[float] = []
    boto = botocore_client()
    seed = len(EXCHANGES)
    for exchange in ALL_EXCHANGES:
        sync_case, async_case, sent = _s3lite_cases(exchange)
        boto_case = _botocore_case(boto, exchange)
        ours = _result(call_once(exchange, mock_transport(exchange)))
        theirs = _result(getattr(boto, exchange.method)(**exchange.params))
        same = report.check(
            f"{exchange.operation}: s3lite's result equals botocore's", ours == theirs, f"{ours!r} != {theirs!r}"
        )
        t = per_call_us([sync_case, async_case, *_httpx_cases(exchange, sent), boto_case], sizes)
        sync_ratios.append(t["s3lite.Client"] / t["httpx.Client"])
        async_ratios.append(t["s3lite.AsyncClient"] / t["httpx.AsyncClient"])
        boto_ratios.append(t["botocore"] / t["s3lite.Client"])
        rows.append(
            [
                exchange.operation,
                us(t["s3lite.Client"]),
                us(t["s3lite.AsyncClient"]),
                us(t["httpx.Client"]),
                us(t["httpx.AsyncClient"]),
                us(t["transport"]),
                us(t["botocore"]),
                ratio(t["s3lite.Client"], t["httpx.Client"]),
                ratio(t["s3lite.AsyncClient"], t["httpx.AsyncClient"]),
                ratio(t["botocore"], t["s3lite.Client"]),
                "yes" if same else "NO",
            ]
        )
        if len(rows) == seed:
            rows.append(_geometric_means("geometric mean, seed operations", sync_ratios, async_ratios, boto_ratios))
    rows.append(_geometric_means("geometric mean, all operations", sync_ratios, async_ratios, boto_ratios))
    report.table(
        "1. Per-operation call cost over httpx.MockTransport (median µs per call)",
        columns,
        rows,
        [
            (
                f"{sizes.repeats} batches of {sizes.calls} calls after {sizes.warmup} warm-up calls, all columns "
                "interleaved; GetObject reads its body."
            ),
            (
                f"the eight seed operations first, then {len(ALL_EXCHANGES) - seed} others (ListObjectsV2: a page "
                "of 8 keys and 2 common prefixes; DeleteObjects: 10 keys)."
            ),
            "httpx.* send the request s3lite sent (captured, already signed): no serializing, signing or parsing.",
            "transport = MockTransport.handle_request(httpx.Request(...)) + read: the floor of any httpx-based client.",
            "same dict = s3lite's result (Body read) equals botocore's for the same canned response.",
        ],
    )
    # the performance issue's targets, on the operations they were set for
    report.target("Client/httpx.Client, worst seed operation", max(sync_ratios[:seed]), 1.0, "x", at_most=True)
    report.target(
        "AsyncClient/httpx.AsyncClient, worst seed operation", max(async_ratios[:seed]), 1.0, "x", at_most=True
    )
