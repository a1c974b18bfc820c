"""Section 5: moving a large object either way, s3lite against raw httpx, speed and peak memory.

The sink (``sink.py``) runs in its own process; every transfer runs in a fresh worker process
(``python -m tests.bench.bench_stream SPEC``) so that one measurement's peak memory cannot hide
another's. The worker imports and builds its client first, then resets the kernel's peak-RSS mark
(``/proc/self/clear_refs``), moves the bytes, and reports the time and the peak growth above the RSS
it started from.

Uploads, over http, one row per strategy (``upload_signing``, README "Large objects"): a file with the
default strategy (``hash-first``: the SHA-256 of the file in a first pass, then the file sent as it
is), the same file forced to ``aws-chunked`` (one pass, a SHA-256 and an HMAC per 256 KiB chunk), and
an iterator of 1 MiB pieces read from the file (``aws-chunked``, the only way to sign a stream read
once); raw httpx sends the file as it is, 64 KiB at a time (httpx's own chunk size for files; the
async baseline reads the same 64 KiB from an async generator).
Downloads: s3lite reads ``Body.iter_chunks(1 MiB)``; raw httpx is measured twice, taking the chunks
as they arrive (``iter_raw()``, no copy at all: the strictest bar) and in the same 1 MiB chunks
(``iter_raw(1 MiB)``: the same work asked of it).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._common import CREDENTIALS, Report, Sizes, mib
from .sink import PATTERN, RunningSink

ROOT = Path(__file__).resolve().parents[2]
READ_CHUNK = 1 << 20
#: httpx's chunk size when it streams a file (``httpx._content.IteratorByteStream.CHUNK_SIZE``)
FILE_CHUNK = 64 * 1024
#: the issue's targets: minimum speed ratio to raw httpx, maximum peak RSS growth
MIN_RATIO = {"upload": 0.35, "download": 0.8}
MAX_GROWTH_MIB = 64


#: s3lite's upload rows: (label, ``upload_signing``, body kind)
STRATEGIES = {
    "hash-first file": ("auto", "file"),
    "aws-chunked file": ("aws-chunked", "file"),
    "aws-chunked iterator": ("auto", "iterator"),
}


@dataclass(frozen=True)
class Transfer:
    """One row: a client moving the object one way (``chunk``: raw httpx's download chunking;
    ``strategy``: one of :data:`STRATEGIES` for an s3lite upload)."""

    client: str
    direction: str
    chunk: int | None = None
    strategy: str | None = None

    @property
    def label(self) -> str:
        if self.strategy is not None:
            return f"{self.client} {self.strategy}"
        if self.direction == "upload" or self.client.startswith("s3lite"):
            return self.client
        method = "aiter_raw" if "Async" in self.client else "iter_raw"
        return f"{self.client} {method}({'1 MiB' if self.chunk else ''})"


TRANSFERS = (
    *(Transfer("s3lite.Client", "upload", strategy=name) for name in STRATEGIES),
    Transfer("httpx.Client", "upload"),
    *(Transfer("s3lite.AsyncClient", "upload", strategy=name) for name in STRATEGIES),
    Transfer("httpx.AsyncClient", "upload"),
    Transfer("s3lite.Client", "download"),
    Transfer("httpx.Client", "download"),
    Transfer("httpx.Client", "download", READ_CHUNK),
    Transfer("s3lite.AsyncClient", "download"),
    Transfer("httpx.AsyncClient", "download"),
    Transfer("httpx.AsyncClient", "download", READ_CHUNK),
)


# --- in the worker process ------------------------------------------------------------------------------


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field))


def _reset_peak() -> int:
    """Set the peak-RSS mark (VmHWM) to the current RSS, and return that RSS in bytes."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return _status_kib("VmRSS:") * 1024


def _pieces(path: str) -> Iterator[bytes]:
    """The file as an iterator (a stream read once): 1 MiB pieces."""
    with open(path, "rb") as body:
        while chunk := body.read(READ_CHUNK):
            yield chunk


async def _apieces(path: str) -> AsyncIterator[bytes]:
    """:func:`_pieces` as an async iterator (page-cached reads in the loop, as the httpx baseline)."""
    for chunk in _pieces(path):
        yield chunk


def _s3lite_sync(client: Any, direction: str, path: str, size: int, kind: str) -> int:
    if direction == "upload":
        if kind == "iterator":
            result = client.put_object(Bucket="b", Key="k", Body=_pieces(path), ContentLength=size)
        else:
            with open(path, "rb") as body:
                result = client.put_object(Bucket="b", Key="k", Body=body)
        return int(result["ResponseMetadata"]["HTTPHeaders"]["x-sink-received"])
    moved = 0
    for chunk in client.get_object(Bucket="b", Key=str(size))["Body"].iter_chunks(READ_CHUNK):
        moved += len(chunk)
    return moved


async def _s3lite_async(client: Any, direction: str, path: str, size: int, kind: str) -> int:
    if direction == "upload":
        if kind == "iterator":
            result = await client.put_object(Bucket="b", Key="k", Body=_apieces(path), ContentLength=size)
        else:
            with open(path, "rb") as body:  # noqa: ASYNC230 - opening is instant; s3lite reads it in a worker thread
                result = await client.put_object(Bucket="b", Key="k", Body=body)
        return int(result["ResponseMetadata"]["HTTPHeaders"]["x-sink-received"])
    moved = 0
    async for chunk in (await client.get_object(Bucket="b", Key=str(size)))["Body"].iter_chunks(READ_CHUNK):
        moved += len(chunk)
    return moved


def _httpx_sync(client: Any, direction: str, url: str, path: str, chunk_size: int | None) -> int:
    if direction == "upload":
        with open(path, "rb") as body:
            return int(client.put(url, content=body).headers["x-sink-received"])
    moved = 0
    with client.stream("GET", url) as response:
        for chunk in response.iter_raw(chunk_size):
            moved += len(chunk)
    return moved


async def _file_chunks(path: str) -> AsyncIterator[bytes]:
    """The plain way to stream a file with httpx.AsyncClient (page-cached reads, no thread hops)."""
    with open(path, "rb") as body:  # noqa: ASYNC230
        while chunk := body.read(FILE_CHUNK):
            yield chunk


async def _httpx_async(client: Any, direction: str, url: str, path: str, size: int, chunk_size: int | None) -> int:
    if direction == "upload":
        response = await client.put(url, content=_file_chunks(path), headers={"Content-Length": str(size)})
        return int(response.headers["x-sink-received"])
    moved = 0
    async with client.stream("GET", url) as response:
        async for chunk in response.aiter_raw(chunk_size):
            moved += len(chunk)
    return moved


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """One transfer, measured: ``{"seconds", "growth", "moved"}`` (growth and moved in bytes)."""
    import httpx

    import s3lite

    impl, direction, base, path, size = spec["client"], spec["direction"], spec["base"], spec["path"], spec["size"]
    chunk_size = spec["chunk"]
    url = f"{base}/b/{size}"
    upload_signing, kind = STRATEGIES.get(spec["strategy"], ("auto", "file"))
    options = {"endpoint_url": base, "upload_signing": upload_signing, **CREDENTIALS}
    if impl == "s3lite.Client":
        with s3lite.Client(**options) as client:
            start_rss = _reset_peak()
            start = time.perf_counter()
            moved = _s3lite_sync(client, direction, path, size, kind)
    elif impl == "httpx.Client":
        with httpx.Client() as raw:
            start_rss = _reset_peak()
            start = time.perf_counter()
            moved = _httpx_sync(raw, direction, url, path, chunk_size)
    else:

        async def main() -> tuple[int, float, int]:
            if impl == "s3lite.AsyncClient":
                async with s3lite.AsyncClient(**options) as client:
                    start_rss = _reset_peak()
                    start = time.perf_counter()
                    return await _s3lite_async(client, direction, path, size, kind), start, start_rss
            async with httpx.AsyncClient() as raw:
                start_rss = _reset_peak()
                start = time.perf_counter()
                return await _httpx_async(raw, direction, url, path, size, chunk_size), start, start_rss

        moved, start, start_rss = asyncio.run(main())
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "growth": _status_kib("VmHWM:") * 1024 - start_rss, "moved": moved}


# --- in the benchmark process ------------------------------------------------------------------------------


def _measure(spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_stream", json.dumps(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _upload_file(size: int) -> str:
    handle, path = tempfile.mkstemp(prefix="s3lite-bench-", suffix=".bin")
    with os.fdopen(handle, "wb") as out:
        for offset in range(0, size, len(PATTERN)):
            out.write(PATTERN[: min(len(PATTERN), size - offset)])
    return path


def _baselines(transfer: Transfer) -> list[Transfer]:
    """The raw httpx rows an s3lite row is compared with: the same kind of client, same direction."""
    if not transfer.client.startswith("s3lite"):
        return []
    raw = transfer.client.replace("s3lite", "httpx")
    return [t for t in TRANSFERS if t.client == raw and t.direction == transfer.direction]


def run(sizes: Sizes, report: Report, stream_mib: int) -> None:
    size = stream_mib << 20
    path = _upload_file(size)
    results: dict[Transfer, dict[str, Any]] = {}
    try:
        with RunningSink() as base:
            for transfer in TRANSFERS:
                spec = {
                    "client": transfer.client,
                    "direction": transfer.direction,
                    "chunk": transfer.chunk,
                    "strategy": transfer.strategy,
                }
                result = results[transfer] = _measure({**spec, "base": base, "path": path, "size": size})
                moved = result["moved"]
                # aws-chunked framing: more than the object's bytes cross the wire
                framed = transfer.strategy is not None and transfer.strategy.startswith("aws-chunked")
                report.check(
                    f"{transfer.label} {transfer.direction} moved the whole object",
                    moved >= size if framed else moved == size,
                    f"{moved} bytes of {size}",
                )
    finally:
        os.unlink(path)

    rows = []
    for transfer in TRANSFERS:
        result = results[transfer]
        ratios = []
        for baseline in _baselines(transfer):
            speed_ratio = results[baseline]["seconds"] / result["seconds"]
            ratios.append(f"{speed_ratio:.2f}x")
            report.target(
                f"{transfer.label} {transfer.direction} vs {baseline.label}",
                speed_ratio,
                MIN_RATIO[transfer.direction],
                "x",
                at_most=False,
            )
        ratios += ["-"] * (2 - len(ratios))
        rows.append(
            [
                transfer.direction,
                transfer.label,
                f"{result['seconds']:.2f}",
                mib(size / result["seconds"]),
                *ratios,
                mib(result["growth"]),
            ]
        )
    worst = max(result["growth"] for transfer, result in results.items() if transfer.client.startswith("s3lite"))
    report.target("s3lite peak RSS growth, worst transfer", worst / (1 << 20), MAX_GROWTH_MIB, "MiB", at_most=True)
    report.table(
        f"5. Streaming a {stream_mib} MiB object through a local sink on 127.0.0.1 (one fresh process per row)",
        ["direction", "client", "seconds", "MiB/s", "vs raw httpx", "vs raw, 1 MiB", "peak RSS growth MiB"],
        rows,
        [
            "vs raw httpx: against the raw httpx client of the same kind (sync/async); for downloads, first against",
            "  iter_raw() (network chunks passed through, no copy), then against iter_raw(1 MiB) (same chunking as s3lite).",
            "upload: hash-first reads the file twice (SHA-256, then send); aws-chunked signs every 256 KiB chunk",
            "  (STREAMING-AWS4-HMAC-SHA256-PAYLOAD); httpx sends the file as is, unsigned.",
        ],
    )


if __name__ == "__main__":
    print(json.dumps(worker(json.loads(sys.argv[1]))))
