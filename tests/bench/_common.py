"""What the sections share: sizes, credentials, the canned S3 exchanges, timing and the report."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
BUCKET = "examplebucket"
KEY = "photos/2024/holiday.jpg"
#: A fixed signing time (epoch seconds) for the I/O-free measurements.
FIXED_NOW = 1369353600.0
CREDENTIALS: dict[str, Any] = {
    "region_name": REGION,
    "aws_access_key_id": ACCESS_KEY,
    "aws_secret_access_key": SECRET_KEY,
}


@dataclass(frozen=True)
class Sizes:
    """How much work each section does: ``--quick`` for a smoke check, the default for numbers."""

    calls: int
    repeats: int
    warmup: int
    subprocess_runs: int
    stream_mib: int
    fanout_requests: int
    fanout_in_flight: int
    #: calls per batch of the 1,000-key listing (a call costs milliseconds, botocore's tens of them)
    listing_calls: int
    #: the managed-transfer section: the file's size, and the fresh processes per row (medians taken)
    transfer_mib: int
    transfer_runs: int
    #: fresh processes per row of the cold-start section (medians taken)
    coldstart_runs: int


QUICK = Sizes(
    calls=100,
    repeats=3,
    warmup=20,
    subprocess_runs=3,
    stream_mib=64,
    fanout_requests=200,
    fanout_in_flight=50,
    listing_calls=5,
    transfer_mib=24,
    transfer_runs=1,
    coldstart_runs=3,
)
FULL = Sizes(
    calls=2000,
    repeats=7,
    warmup=300,
    subprocess_runs=7,
    stream_mib=1024,
    fanout_requests=1000,
    fanout_in_flight=100,
    listing_calls=40,
    transfer_mib=512,
    transfer_runs=3,
    coldstart_runs=10,
)


# --- canned S3 exchanges ------------------------------------------------------------------------

_COMMON = (
    ("x-amz-id-2", "LriYPLdmOdAiIfgSm/F1YsViT1LW94/xUQxMsF7xiEb1a0wiIOIxl+zbwZ163pt7"),
    ("x-amz-request-id", "0A49CE4060975EAC"),
    ("Date", "Wed, 12 Oct 2009 17:50:00 GMT"),
)
_SERVER = (("Server", "AmazonS3"),)
_ETAG = ("ETag", '"1b2cf535f27731c974343645a3985328"')
_SSE = ("x-amz-server-side-encryption", "AES256")
_OBJECT = (
    ("Last-Modified", "Wed, 12 Oct 2009 17:50:00 GMT"),
    _ETAG,
    ("x-amz-meta-color", "blue"),
    _SSE,
    ("Accept-Ranges", "bytes"),
    ("Content-Type", "text/plain"),
)
_XML = ("Content-Type", "application/xml")
_NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
_DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'
UPLOAD_ID = "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"
OBJECT_BODY = b"hello world"


@dataclass(frozen=True)
class Exchange:
    """One operation's typical call and the response S3 gives it (headers and XML as AWS documents them)."""

    operation: str
    method: str
    params: dict[str, Any]
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    #: Content-Length of a HEAD response (the object's size); otherwise the body's length
    head_length: int | None = None
    status: int = 200

    @property
    def response_headers(self) -> list[tuple[str, str]]:
        length = self.head_length if self.head_length is not None else len(self.body)
        return [*_COMMON, *self.headers, ("Content-Length", str(length)), *_SERVER]


EXCHANGES: tuple[Exchange, ...] = (
    Exchange(
        "PutObject",
        "put_object",
        {"Bucket": BUCKET, "Key": KEY, "Body": OBJECT_BODY, "ContentType": "text/plain", "Metadata": {"color": "blue"}},
        (_ETAG, _SSE),
    ),
    Exchange("GetObject", "get_object", {"Bucket": BUCKET, "Key": KEY}, _OBJECT, OBJECT_BODY),
    Exchange("HeadObject", "head_object", {"Bucket": BUCKET, "Key": KEY}, _OBJECT, head_length=len(OBJECT_BODY)),
    Exchange(
        "CopyObject",
        "copy_object",
        {"Bucket": BUCKET, "Key": KEY, "CopySource": f"{BUCKET}/photos/2023/holiday.jpg"},
        (_SSE, _XML),
        _DECL
        + f"<CopyObjectResult {_NS}><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
        f'<ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyObjectResult>'.encode(),
    ),
    Exchange(
        "CreateMultipartUpload",
        "create_multipart_upload",
        {"Bucket": BUCKET, "Key": KEY, "ContentType": "video/mp2t"},
        (_SSE, _XML),
        _DECL
        + f"<InitiateMultipartUploadResult {_NS}><Bucket>{BUCKET}</Bucket><Key>{KEY}</Key>"
        f"<UploadId>{UPLOAD_ID}</UploadId></InitiateMultipartUploadResult>".encode(),
    ),
    Exchange(
        "UploadPart",
        "upload_part",
        {"Bucket": BUCKET, "Key": KEY, "UploadId": UPLOAD_ID, "PartNumber": 1, "Body": b"part one data"},
        (_ETAG, _SSE),
    ),
    Exchange(
        "UploadPartCopy",
        "upload_part_copy",
        {"Bucket": BUCKET, "Key": KEY, "UploadId": UPLOAD_ID, "PartNumber": 2, "CopySource": f"{BUCKET}/big.bin"},
        (_SSE, _XML),
        _DECL
        + f"<CopyPartResult {_NS}><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
        f'<ETag>"b4b2cf535f27731c974343645a398532"</ETag></CopyPartResult>'.encode(),
    ),
    Exchange(
        "CompleteMultipartUpload",
        "complete_multipart_upload",
        {
            "Bucket": BUCKET,
            "Key": KEY,
            "UploadId": UPLOAD_ID,
            "MultipartUpload": {
                "Parts": [
                    {"ETag": '"1b2cf535f27731c974343645a3985328"', "PartNumber": 1},
                    {"ETag": '"b4b2cf535f27731c974343645a398532"', "PartNumber": 2},
                ]
            },
        },
        (_SSE, _XML),
        _DECL
        + f"<CompleteMultipartUploadResult {_NS}><Location>https://{BUCKET}.s3.amazonaws.com/{KEY}</Location>"
        f'<Bucket>{BUCKET}</Bucket><Key>{KEY}</Key><ETag>"3858f62230ac3c915f300c664312c11f-2"</ETag>'
        "</CompleteMultipartUploadResult>".encode(),
    ),
)


# --- a listing page, as S3 sends one -----------------------------------------------------------


def listing_keys(count: int, prefix: str = "data/") -> list[str]:
    """``count`` keys as people name them: mostly plain, one in three with characters that S3
    url-encodes under ``EncodingType=url`` (spaces, ``+``, ``&``, non-ASCII, a ``%``)."""
    awkward = ("report {i:04d} (final).csv", "café/menu+{i}.pdf", "a&b=c/{i}%done.txt", "日本/写真 {i}.jpg")
    keys = []
    for i in range(count):
        name = (
            awkward[(i // 3) % len(awkward)].format(i=i)
            if i % 3 == 0
            else f"2024/{i % 12 + 1:02d}/part-{i:05d}.parquet"
        )
        keys.append(f"{prefix}{name}")
    return keys


def s3_url_encode(text: str) -> str:
    """What S3 sends for ``text`` under ``EncodingType=url``: percent-encoded, ``/`` kept, as the
    ``unquote_plus`` of botocore's ``decode_list_object`` reads it back."""
    return quote(text, safe="/")


def list_objects_v2_page(keys: Sequence[str], prefixes: Sequence[str], *, prefix: str = "data/") -> bytes:
    """A ListObjectsV2 response body for ``keys`` and ``prefixes`` (``Delimiter=/``, ``FetchOwner=true``,
    ``EncodingType=url``), element for element as S3 writes one: ETags in ``&quot;``, a CRC64NVME
    checksum per object, the owner of each."""
    contents = "".join(
        f"<Contents><Key>{s3_url_encode(key)}</Key><LastModified>2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}T"
        f"{i % 24:02d}:{i % 60:02d}:{(7 * i) % 60:02d}.000Z</LastModified>"
        f"<ETag>&quot;{hashlib.md5(key.encode()).hexdigest()}&quot;</ETag>"
        "<ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType>"
        f"<Size>{(i * 7919) % 50_000_000}</Size><StorageClass>{'STANDARD' if i % 10 else 'STANDARD_IA'}</StorageClass>"
        "<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>"
        "<DisplayName>mtd</DisplayName></Owner></Contents>"
        for i, key in enumerate(keys)
    )
    common = "".join(f"<CommonPrefixes><Prefix>{s3_url_encode(p)}</Prefix></CommonPrefixes>" for p in prefixes)
    count = len(keys) + len(prefixes)
    return (
        _DECL
        + f"<ListBucketResult {_NS}><Name>{BUCKET}</Name><Prefix>{s3_url_encode(prefix)}</Prefix>"
        f"<KeyCount>{count}</KeyCount><MaxKeys>{count}</MaxKeys><Delimiter>/</Delimiter>"
        f"<IsTruncated>false</IsTruncated>{contents}{common}<EncodingType>url</EncodingType>"
        "</ListBucketResult>".encode()
    )


def listing_exchange(keys: Sequence[str], prefixes: Sequence[str]) -> Exchange:
    """``list_objects_v2(Bucket, Prefix="data/", Delimiter="/", FetchOwner=True)`` answered with one page
    of ``keys`` and ``prefixes``; s3lite and botocore both add ``EncodingType=url`` and decode the keys."""
    return Exchange(
        "ListObjectsV2",
        "list_objects_v2",
        {"Bucket": BUCKET, "Prefix": "data/", "Delimiter": "/", "FetchOwner": True},
        (_XML,),
        list_objects_v2_page(keys, prefixes),
    )


_DELETED = [f"logs/2024/12/{i:02d}/app server.log" for i in range(10)]
_TAGS = [{"Key": "project", "Value": "blue"}, {"Key": "cost-center", "Value": "4711"}, {"Key": "env", "Value": "prod"}]
_TAG_XML = "".join(f"<Tag><Key>{tag['Key']}</Key><Value>{tag['Value']}</Value></Tag>" for tag in _TAGS)

#: Operations beyond the eight seed ones, common in daily use: a small listing page, a batch delete,
#: bucket tagging and HEAD on a bucket (the per-call sections print them after the seed rows).
NEW_EXCHANGES: tuple[Exchange, ...] = (
    listing_exchange(listing_keys(8), ["data/archive/", "data/tmp files/"]),
    Exchange(
        "DeleteObjects",
        "delete_objects",
        {"Bucket": BUCKET, "Delete": {"Objects": [{"Key": key} for key in _DELETED]}},
        (_XML,),
        _DECL
        + f"<DeleteResult {_NS}>{''.join(f'<Deleted><Key>{key}</Key></Deleted>' for key in _DELETED)}"
        "</DeleteResult>".encode(),
    ),
    Exchange(
        "PutBucketTagging", "put_bucket_tagging", {"Bucket": BUCKET, "Tagging": {"TagSet": _TAGS}}, (), status=204
    ),
    Exchange(
        "GetBucketTagging",
        "get_bucket_tagging",
        {"Bucket": BUCKET},
        (_XML,),
        _DECL + f"<Tagging {_NS}><TagSet>{_TAG_XML}</TagSet></Tagging>".encode(),
    ),
    Exchange(
        "HeadBucket",
        "head_bucket",
        {"Bucket": BUCKET},
        (("x-amz-bucket-region", REGION), ("x-amz-access-point-alias", "false"), _XML),
        head_length=0,
    ),
)
ALL_EXCHANGES = EXCHANGES + NEW_EXCHANGES


class CannedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body delivered as a network stream would be (not preloaded), for both clients."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        if self._body:
            yield self._body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._body:
            yield self._body


def mock_transport(exchange: Exchange) -> httpx.MockTransport:
    """A transport answering every request with ``exchange``'s response (it reads the request body)."""
    headers = exchange.response_headers
    body, status = exchange.body, exchange.status
    return httpx.MockTransport(lambda request: httpx.Response(status, headers=headers, stream=CannedStream(body)))


# --- timing ---------------------------------------------------------------------------------------


@dataclass
class Case:
    """One thing to time: a synchronous ``call`` or an ``acall`` run inside one long-lived event loop."""

    label: str
    call: Callable[[], object] | None = None
    acall: Callable[[], Awaitable[object]] | None = None


def _sync_batch(call: Callable[[], object], n: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(n):
        call()
    return (time.perf_counter_ns() - start) / n / 1000


async def _async_batch(acall: Callable[[], Awaitable[object]], n: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(n):
        await acall()
    return (time.perf_counter_ns() - start) / n / 1000


def per_call_us(cases: Sequence[Case], sizes: Sizes, calls: int | None = None) -> dict[str, float]:
    """Median µs per call of each case: a warm-up, then ``repeats`` batches of ``calls`` calls, the cases
    interleaved batch by batch so that a noisy neighbour slows all of them alike."""
    n = calls or sizes.calls
    loop = asyncio.new_event_loop()
    try:

        def batch(case: Case, count: int) -> float:
            if case.call is not None:
                return _sync_batch(case.call, count)
            assert case.acall is not None
            return loop.run_until_complete(_async_batch(case.acall, count))

        for case in cases:
            batch(case, sizes.warmup)
        samples: dict[str, list[float]] = {case.label: [] for case in cases}
        for _ in range(sizes.repeats):
            for case in cases:
                gc.collect()
                samples[case.label].append(batch(case, n))
    finally:
        loop.close()
    return {label: statistics.median(values) for label, values in samples.items()}


# --- the report -------------------------------------------------------------------------------------


def us(value: float) -> str:
    return f"{value:,.1f}"


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator else "-"


def mib(value: float) -> str:
    return f"{value / (1 << 20):,.1f}"


@dataclass
class Target:
    name: str
    measured: float
    bound: float
    unit: str
    at_most: bool

    @property
    def met(self) -> bool:
        return self.measured <= self.bound if self.at_most else self.measured >= self.bound


@dataclass
class Report:
    """Tables as they are measured, then one summary of the issue's targets and of the sanity checks."""

    targets: list[Target] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def table(
        self, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], notes: Sequence[str] = ()
    ) -> None:
        widths = [max(len(str(row[i])) for row in [columns, *rows]) for i in range(len(columns))]

        def line(cells: Sequence[str]) -> str:
            first, *rest = (str(c) for c in cells)
            return "  ".join([first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:]))])

        print(f"\n## {title}\n")
        print(line(columns))
        print("  ".join("-" * w for w in widths))
        for row in rows:
            print(line(row))
        for note in notes:
            print(f"  {note}")
        sys.stdout.flush()

    def target(self, name: str, measured: float, bound: float, unit: str, *, at_most: bool) -> None:
        self.targets.append(Target(name, measured, bound, unit, at_most))

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        """A correctness check (not a speed target): a failure makes the run exit non-zero."""
        if not ok:
            self.failures.append(f"{name}: {detail}" if detail else name)
        return ok

    def summary(self) -> None:
        rows = [
            [
                t.name,
                f"{t.measured:,.2f} {t.unit}",
                f"{'<=' if t.at_most else '>='} {t.bound:g} {t.unit}",
                "met" if t.met else "MISSED",
            ]
            for t in self.targets
        ]
        self.table("Summary: the issue's targets", ["target", "measured", "goal", "result"], rows)
        if self.failures:
            print("\nCorrectness checks that FAILED:")
            for failure in self.failures:
                print(f"  - {failure}")
        else:
            print("\nAll correctness checks passed.")
