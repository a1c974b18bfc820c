"""Section 10: warm calls over a real socket (issue 14's "no regressions"), on the path users take.

Section 1 times every client over ``httpx.MockTransport``, which is httpx's path; since issue 14 a
``Client`` given no transport sends through its own HTTP/1.1 pool instead, and this section times that
path: HeadObject, GetObject (its body read) and PutObject against ``head_server.py`` on 127.0.0.1 (in
its own process, HTTP/1.1 keep-alive, checking nothing), each call on a kept-alive connection. Beside
it: the same ``Client`` over ``httpx.HTTPTransport()`` (the path before issue 14, and still the path of
a ``transport=``), the very request s3lite sent replayed through a bare ``httpx.Client`` (signed once:
no serializing, signing or parsing), and botocore's client. Cases interleaved batch by batch.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

import httpx

import s3lite

from ._common import BUCKET, CREDENTIALS, KEY, Case, Report, Sizes, per_call_us, us
from .head_server import BODY, serving

#: (operation, its client method, the parameters)
OPERATIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("HeadObject", "head_object", {"Bucket": BUCKET, "Key": KEY}),
    ("GetObject", "get_object", {"Bucket": BUCKET, "Key": KEY}),
    ("PutObject", "put_object", {"Bucket": BUCKET, "Key": KEY, "Body": BODY}),
)


class _LastRequest(httpx.HTTPTransport):
    """httpx's transport, keeping the last request (with its body read) to replay through bare httpx."""

    last: httpx.Request | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.last = request
        return super().handle_request(request)


def _call(client: Any, method: str, params: dict[str, Any]) -> Callable[[], object]:
    call = getattr(client, method)

    def once() -> object:
        result = call(**params)
        if "Body" in result:
            result["Body"].read()
        return result

    return once


def _replay(client: httpx.Client, request: httpx.Request) -> Callable[[], object]:
    def once() -> object:
        response = client.send(request)
        response.read()
        return response

    return once


def _botocore(url: str) -> Any:
    import botocore.config
    import botocore.session

    config = botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    return botocore.session.get_session().create_client("s3", endpoint_url=url, config=config, **CREDENTIALS)


def run(sizes: Sizes, report: Report) -> None:
    calls = max(sizes.calls // 10, 20)  # a call here is a round trip: ~10x one over MockTransport
    with serving(None, None) as (port, _):
        url = f"http://127.0.0.1:{port}"
        recorder = _LastRequest()
        own = s3lite.Client(endpoint_url=url, **CREDENTIALS)
        over_httpx = s3lite.Client(endpoint_url=url, transport=recorder, **CREDENTIALS)
        bare = httpx.Client()
        boto = _botocore(url) if importlib.util.find_spec("botocore") else None
        rows = []
        try:
            for operation, method, params in OPERATIONS:
                _call(over_httpx, method, params)()
                assert recorder.last is not None
                cases = [
                    Case("own pool", _call(own, method, params)),
                    Case("over httpx", _call(over_httpx, method, params)),
                    Case("bare httpx", _replay(bare, recorder.last)),
                ]
                if boto is not None:
                    cases.append(Case("botocore", _call(boto, method, params)))
                t = per_call_us(cases, sizes, calls)
                rows.append(
                    [
                        operation,
                        us(t["own pool"]),
                        us(t["over httpx"]),
                        us(t["bare httpx"]),
                        us(t["botocore"]) if boto else "-",
                        f"{t['own pool'] / t['over httpx']:.2f}x",
                        f"{t['own pool'] / t['bare httpx']:.2f}x",
                        f"{t['botocore'] / t['own pool']:.2f}x" if boto else "-",
                    ]
                )
                report.target(
                    f"{operation} over loopback: Client's own pool / Client over httpx",
                    t["own pool"] / t["over httpx"],
                    1.0,
                    "x",
                    at_most=True,
                )
        finally:
            own.close()
            over_httpx.close()
            bare.close()
    report.table(
        f"10. Warm calls over a socket on 127.0.0.1 (µs per call, median of {sizes.repeats} batches of {calls})",
        [
            "operation",
            "Client (own pool)",
            "Client over httpx",
            "bare httpx.Client",
            "botocore",
            "own / over httpx",
            "own / bare httpx",
            "botocore / own",
        ],
        rows,
        [
            "own pool = Client() with no transport; over httpx = Client(transport=httpx.HTTPTransport()).",
            "bare httpx.Client sends the very request s3lite sent, signed once; the server is head_server.py.",
        ],
    )
