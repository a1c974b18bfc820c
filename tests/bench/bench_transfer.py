"""Section 8: managed transfers, ``upload_file`` and ``download_file`` of a large file, s3lite against
boto3 with the same TransferConfig (8 MiB parts, 10 at once), speed, CPU and peak memory.

The sink (``sink.py``, multipart-capable, one thread per connection) runs in its own process; every
transfer runs in a fresh worker process (``python -m tests.bench.bench_transfer --child SPEC``) that
imports, builds its client, warms it up with a small transfer the same way (imports done lazily,
the first connection, the credentials), then resets the kernel's peak-RSS mark and measures the
transfer alone: wall time, its own CPU time (``getrusage``: user + system, all its threads) and the
peak RSS growth. The benchmark asks the sink for its CPU time before and after, so the table says
where the machine's cores went.

Rows: ``raw sockets`` (10 threads, one connection each, the parts sent with ``sendfile`` or received
with ``recv_into`` + ``pwrite``: no hashing, no signing, no parsing; what the sink and the loopback
allow), boto3's ``client.upload_file`` / ``download_file`` (its defaults: the payload's SHA-256 signed
over http, and a CRC32 of every part since botocore 1.36), boto3 with
``request_checksum_calculation="when_required"`` (no CRC32: the same hashing as s3lite), and s3lite's
``Client`` and ``AsyncClient`` (asyncio).

Checked (fatal when wrong): every upload arrived whole (the sink's record: the parts 1..N listed in
CompleteMultipartUpload with their ETags, every byte counted, each part's first and last bytes those of
the file at its offset, no upload left open or aborted), every download is the object byte for byte
with nothing else left in its directory (no temporary file), no worker failed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ._common import CREDENTIALS, Report, Sizes, mib
from .bench_stream import _reset_peak, _status_kib
from .sink import BLOCK, PATTERN, RunningSink, sink_stats, stamp, write_object

ROOT = Path(__file__).resolve().parents[2]
MiB = 1 << 20
GiB = 1 << 30
#: the TransferConfig of every row (boto3's defaults, stated)
CHUNK_SIZE = 8 * MiB
THRESHOLD = 8 * MiB
CONCURRENCY = 10
#: the issue's targets: s3lite's throughput over boto3's, and s3lite's peak RSS growth
MIN_RATIO = 1.5
MAX_GROWTH = CHUNK_SIZE * CONCURRENCY + 32 * MiB
BUCKET = "bench"
#: the warm-up object: below the threshold, so one PutObject / GetObject
WARM_SIZE = 1024


@dataclass(frozen=True)
class Row:
    client: str
    direction: str

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.client} {self.direction}".lower()).strip("-")


RAW, BOTO3, BOTO3_REQUIRED, S3LITE, S3LITE_ASYNC = (
    "raw sockets",
    "boto3",
    "boto3 when_required",
    "s3lite.Client",
    "s3lite.AsyncClient",
)
ROWS = (
    *(Row(client, "upload") for client in (RAW, BOTO3, BOTO3_REQUIRED, S3LITE, S3LITE_ASYNC)),
    *(Row(client, "download") for client in (RAW, BOTO3, S3LITE, S3LITE_ASYNC)),
)


# --- in the worker process: raw sockets -----------------------------------------------------------------


class _Raw:
    """Bare HTTP/1.1 on one keep-alive socket: what a transfer costs with no client library at all."""

    def __init__(self, base: str) -> None:
        url = urlsplit(base)
        self.host = url.netloc
        self.sock = socket.create_connection((url.hostname or "127.0.0.1", url.port or 80))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = memoryview(bytearray(MiB))

    def exchange(
        self,
        method: str,
        target: str,
        headers: dict[str, str] | None = None,
        *,
        body: bytes = b"",
        send: tuple[int, int, int] | None = None,
        into: tuple[int, int] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request: ``body``, or ``send`` = (fd, offset, count) sent with sendfile; the response body
        returned, or with ``into`` = (fd, offset) written there with pwrite as it arrives."""
        length = send[2] if send else len(body)
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {length}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        if send:
            fd, offset, count = send
            while count:
                sent = os.sendfile(self.sock.fileno(), fd, offset, count)
                offset, count = offset + sent, count - sent
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the sink closed the connection")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        response_headers = {
            name.strip().lower(): value.strip() for name, _, value in (h.partition(":") for h in header_lines)
        }
        left = (0 if method == "HEAD" else int(response_headers.get("content-length", "0"))) - len(rest)
        if into is None:
            while left > 0:
                chunk = self.sock.recv(min(left, 65536))
                if not chunk:
                    raise ConnectionError("the sink closed the connection")
                rest += chunk
                left -= len(chunk)
            return int(status_line.split()[1]), response_headers, rest
        fd, position = into
        if rest:
            position += os.pwrite(fd, rest, position)
        while left > 0:
            got = self.sock.recv_into(self.buffer[: min(left, MiB)])
            if not got:
                raise ConnectionError("the sink closed the connection")
            position += os.pwrite(fd, self.buffer[:got], position)
            left -= got
        return int(status_line.split()[1]), response_headers, b""

    def close(self) -> None:
        self.sock.close()


def _spans(size: int) -> list[tuple[int, int, int]]:
    """(part number, offset, length) of every part."""
    return [(n + 1, offset, min(CHUNK_SIZE, size - offset)) for n, offset in enumerate(range(0, size, CHUNK_SIZE))]


def _raw_parallel(base: str, job: Callable[[_Raw, int, int, int], None], size: int) -> None:
    """``job(connection, number, offset, length)`` for every part, by 10 threads with a connection each."""
    local = threading.local()
    opened: list[_Raw] = []
    lock = threading.Lock()

    def run(span: tuple[int, int, int]) -> None:
        if not hasattr(local, "raw"):
            local.raw = _Raw(base)
            with lock:
                opened.append(local.raw)
        job(local.raw, *span)

    try:
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(run, _spans(size)))
    finally:
        for raw in opened:
            raw.close()


def _raw_upload(base: str, path: str, key: str) -> None:
    size = os.path.getsize(path)
    control = _Raw(base)
    try:
        status, _, body = control.exchange("POST", f"/{BUCKET}/{key}?uploads")
        found = re.search(rb"<UploadId>([^<]+)</UploadId>", body)
        if status != 200 or found is None:
            raise RuntimeError(f"CreateMultipartUpload: {status} {body[:200]!r}")
        upload_id = found.group(1).decode()
        etags: dict[int, str] = {}
        with open(path, "rb") as file:
            fd = file.fileno()

            def part(raw: _Raw, number: int, offset: int, length: int) -> None:
                target = f"/{BUCKET}/{key}?partNumber={number}&uploadId={upload_id}"
                status, headers, body = raw.exchange("PUT", target, send=(fd, offset, length))
                if status != 200:
                    raise RuntimeError(f"UploadPart {number}: {status} {body[:200]!r}")
                etags[number] = headers["etag"]

            _raw_parallel(base, part, size)
        listed = "".join(f"<Part><ETag>{etags[n]}</ETag><PartNumber>{n}</PartNumber></Part>" for n in sorted(etags))
        document = f"<CompleteMultipartUpload>{listed}</CompleteMultipartUpload>".encode()
        status, _, body = control.exchange("POST", f"/{BUCKET}/{key}?uploadId={upload_id}", body=document)
        if status != 200:
            raise RuntimeError(f"CompleteMultipartUpload: {status} {body[:200]!r}")
    finally:
        control.close()


def _raw_download(base: str, key: str, path: str) -> None:
    control = _Raw(base)
    try:
        status, headers, _ = control.exchange("HEAD", f"/{BUCKET}/{key}")
    finally:
        control.close()
    if status != 200:
        raise RuntimeError(f"HeadObject: {status}")
    size, etag = int(headers["content-length"]), headers["etag"]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:

        def part(raw: _Raw, number: int, offset: int, length: int) -> None:
            headers = {"Range": f"bytes={offset}-{offset + length - 1}", "If-Match": etag}
            status, _, _ = raw.exchange("GET", f"/{BUCKET}/{key}", headers, into=(fd, offset))
            if status != 206:
                raise RuntimeError(f"GetObject {headers['Range']}: {status}")

        _raw_parallel(base, part, size)
    finally:
        os.close(fd)


# --- in the worker process: the clients ---------------------------------------------------------------


def _boto3_client(base: str, checksums: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        s3={"addressing_style": "path"},
        max_pool_connections=CONCURRENCY,
        request_checksum_calculation=checksums,
        response_checksum_validation=checksums,
    )
    return boto3.client("s3", endpoint_url=base, config=config, **CREDENTIALS)


def _transfer_config(kind: str) -> Any:
    """The same TransferConfig, boto3's or s3lite's."""
    if kind == "boto3":
        from boto3.s3.transfer import TransferConfig as Boto3Config

        return Boto3Config(multipart_threshold=THRESHOLD, multipart_chunksize=CHUNK_SIZE, max_concurrency=CONCURRENCY)
    import s3lite

    return s3lite.TransferConfig(
        multipart_threshold=THRESHOLD, multipart_chunksize=CHUNK_SIZE, max_concurrency=CONCURRENCY
    )


def _machine_cpu() -> float:
    """CPU seconds the whole machine has spent busy since boot (all processes, and what the hypervisor
    took: ``steal``), from ``/proc/stat``."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in stat.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class _Meter:
    """Wall time, this process's CPU (``getrusage``: user + system, all threads), the machine's busy CPU,
    and the peak RSS growth (the kernel's mark reset at the start) of what runs between start and stop."""

    def start(self) -> None:
        self._rss = _reset_peak()
        self._machine = _machine_cpu()
        self._usage = resource.getrusage(resource.RUSAGE_SELF)
        self._wall = time.perf_counter()

    def stop(self) -> dict[str, float]:
        seconds = time.perf_counter() - self._wall
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime - self._usage.ru_utime - self._usage.ru_stime
        return {
            "seconds": seconds,
            "cpu": cpu,
            "machine_cpu": _machine_cpu() - self._machine,
            "growth": _status_kib("VmHWM:") * 1024 - self._rss,
        }


def _measured(move: Callable[[], None]) -> dict[str, float]:
    """Run ``move`` once, measured (:class:`_Meter`)."""
    meter = _Meter()
    meter.start()
    move()
    return meter.stop()


async def _measured_async(move: Callable[[], Any]) -> dict[str, float]:
    """:func:`_measured` for a coroutine function, inside the running loop."""
    meter = _Meter()
    meter.start()
    await move()
    return meter.stop()


def worker(spec: dict[str, Any]) -> dict[str, float]:
    """One transfer in this fresh process, after a warm-up of the same kind (see the module's docstring)."""
    client, direction, base, path, key = spec["client"], spec["direction"], spec["base"], spec["path"], spec["key"]
    warm_file, warm_key = spec["warm_file"], str(WARM_SIZE)
    warm_target = f"{path}.warm"
    upload = direction == "upload"
    if client == RAW:
        if upload:
            return _measured(lambda: _raw_upload(base, path, key))
        return _measured(lambda: _raw_download(base, key, path))
    if client == S3LITE_ASYNC:
        import s3lite

        async def main() -> dict[str, float]:
            config = _transfer_config("s3lite")
            options = {"endpoint_url": base, "addressing_style": "path", "max_connections": CONCURRENCY}
            async with s3lite.AsyncClient(**options, **CREDENTIALS) as s3:
                if upload:
                    await s3.upload_file(warm_file, BUCKET, f"{key}-warm", Config=config)
                    return await _measured_async(lambda: s3.upload_file(path, BUCKET, key, Config=config))
                await s3.download_file(BUCKET, warm_key, warm_target, Config=config)
                os.unlink(warm_target)
                return await _measured_async(lambda: s3.download_file(BUCKET, key, path, Config=config))

        return asyncio.run(main())
    if client == S3LITE:
        import s3lite

        config = _transfer_config("s3lite")
        s3: Any = s3lite.Client(endpoint_url=base, addressing_style="path", max_connections=CONCURRENCY, **CREDENTIALS)
    else:
        config = _transfer_config("boto3")
        s3 = _boto3_client(base, "when_required" if client == BOTO3_REQUIRED else "when_supported")
    try:
        if upload:
            s3.upload_file(warm_file, BUCKET, f"{key}-warm", Config=config)
            return _measured(lambda: s3.upload_file(path, BUCKET, key, Config=config))
        s3.download_file(BUCKET, warm_key, warm_target, Config=config)
        os.unlink(warm_target)
        return _measured(lambda: s3.download_file(BUCKET, key, path, Config=config))
    finally:
        s3.close()


# --- in the benchmark process --------------------------------------------------------------------------


def floors(seconds: float = 0.5) -> dict[str, float]:
    """CPU seconds per GiB of SHA-256 and of CRC32 (zlib) on one core of this machine, 16 MiB at a time
    (CPU time, not wall time: comparable with the transfers' CPU, whatever else the machine runs)."""
    data = os.urandom(16 * MiB)
    result = {}
    for name, digest in (("sha256", lambda: hashlib.sha256(data).digest()), ("crc32", lambda: zlib.crc32(data))):
        digest()
        rounds, start = 0, time.process_time()
        while (elapsed := time.process_time() - start) < seconds or rounds < 4:
            digest()
            rounds += 1
        result[name] = elapsed / (rounds * len(data) / GiB)
    return result


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def file_floors(source: Path, size: int) -> dict[str, float]:
    """Write the file to upload, then warm the page cache, and return the CPU seconds per GiB of
    reading the file (``pread``, 1 MiB at a time, page-cached) and of writing a new one (``pwrite``).

    The warm-up writes and deletes a file of twice the size first: the memory a new file's pages take
    costs far more the first time this machine touches it (a VM's memory is backed on first touch: 2 to
    4 s/GiB here, against under 1 s/GiB for memory touched before), and only the first download would
    pay for it."""
    write_object(source, size)
    scratch = source.with_name("scratch.bin")
    for length in (2 * size, size):
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            start = _cpu()
            for offset in range(0, length, BLOCK):
                os.pwrite(fd, PATTERN, offset)
            write = _cpu() - start
        finally:
            os.close(fd)
            scratch.unlink()
    with open(source, "rb") as file:
        start = _cpu()
        for offset in range(0, size, BLOCK):
            os.pread(file.fileno(), BLOCK, offset)
        read = _cpu() - start
    return {"read": read / (size / GiB), "write": write / (size / GiB)}


def _run_worker(spec: dict[str, Any]) -> tuple[dict[str, float] | None, str]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_transfer", "--child", json.dumps(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        return None, (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result, ""


def _check_upload(report: Report, name: str, record: dict[str, Any] | None, source: str, size: int) -> None:
    if not report.check(f"{name}: the object was completed", record is not None and record["parts"] is not None):
        return
    assert record is not None
    parts = record["parts"]
    numbers = [part["number"] for part in parts]
    report.check(f"{name}: every byte arrived", record["size"] == size, f"{record['size']} bytes of {size}")
    report.check(
        f"{name}: parts 1..N, all listed with their ETags",
        numbers == list(range(1, len(parts) + 1)) and record["listed"] == numbers and record["etags_ok"],
        f"uploaded {numbers[:5]}..., listed {record['listed'][:5]}..., ETags right: {record['etags_ok']}",
    )
    wrong = []
    offset = 0
    with open(source, "rb") as file:
        fd = file.fileno()
        for part in parts:
            head = os.pread(fd, min(16, part["size"]), offset)
            tail = os.pread(fd, min(16, part["size"]), offset + part["size"] - min(16, part["size"]))
            if bytes.fromhex(part["head"]) != head or bytes.fromhex(part["tail"]) != tail:
                wrong.append(part["number"])
            offset += part["size"]
    report.check(f"{name}: each part holds the file's bytes at its offset", not wrong, f"parts {wrong[:10]}")


def _check_download(report: Report, name: str, directory: Path, size: int) -> None:
    entries = sorted(os.listdir(directory))
    report.check(f"{name}: only the file is left in its directory", entries == ["object.bin"], f"found {entries}")
    target = directory / "object.bin"
    if not target.exists():
        return
    actual = target.stat().st_size
    bad: list[int] = []
    with open(target, "rb") as file:
        index = 0
        while data := file.read(BLOCK):
            if data[:8] != stamp(index)[: len(data)] or data[8:] != PATTERN[8 : len(data)]:
                bad.append(index)
            index += 1
    report.check(f"{name}: the object's size", actual == size, f"{actual} bytes of {size}")
    report.check(f"{name}: the object's bytes", not bad, f"MiB {bad[:10]} differ")


@dataclass
class Measured:
    """One run's figures (seconds of wall and CPU time; growth in bytes)."""

    seconds: float
    cpu: float
    machine_cpu: float
    growth: float
    sink_cpu: float


def _measure_all(sizes: Sizes, report: Report, size: int, source: Path) -> dict[Row, list[Measured]]:
    workdir = source.parent
    warm = workdir / "warm.bin"
    write_object(warm, WARM_SIZE)
    results: dict[Row, list[Measured]] = {row: [] for row in ROWS}
    with RunningSink() as base:
        for run in range(sizes.transfer_runs):
            for row in ROWS:  # interleaved, so that a noisy neighbour slows every row alike
                name = f"{row.client} {row.direction} (run {run + 1})"
                key = f"{row.slug}-{run}"
                directory = workdir / key
                if row.direction == "upload":
                    path = str(source)
                else:
                    directory.mkdir()
                    path, key = str(directory / "object.bin"), str(size)
                spec = {"client": row.client, "direction": row.direction, "base": base, "path": path, "key": key}
                sink_before = sink_stats(base)
                result, error = _run_worker({**spec, "warm_file": str(warm)})
                sink_after = sink_stats(base, key if row.direction == "upload" else None)
                if not report.check(f"{name}: no failure", result is not None, error):
                    continue
                assert result is not None
                if row.direction == "upload":
                    _check_upload(report, name, sink_after["object"], str(source), size)
                    report.check(
                        f"{name}: no upload left open or aborted",
                        sink_after["open_uploads"] == 0 and sink_after["aborted"] == sink_before["aborted"],
                        f"{sink_after['open_uploads']} open, {sink_after['aborted'] - sink_before['aborted']} aborted",
                    )
                else:
                    _check_download(report, name, directory, size)
                    shutil.rmtree(directory)
                results[row].append(Measured(**result, sink_cpu=sink_after["cpu"] - sink_before["cpu"]))
    return results


def _median(runs: list[Measured]) -> Measured:
    """The median of each figure, but the worst peak RSS growth."""
    return Measured(
        statistics.median(r.seconds for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(r.machine_cpu for r in runs),
        max(r.growth for r in runs),
        statistics.median(r.sink_cpu for r in runs),
    )


def _bound(measured: Measured, raw: Measured | None, hashing: float, gib: float, cores: int) -> str:
    """What holds a row back, read from its figures: the machine's cores (whoever used them), the sink
    and the loopback (raw sockets are hardly faster), or the client's own work, and how much of that
    the hashing it must do would take at this machine's floor."""
    per_second = {name: getattr(measured, name) / measured.seconds for name in ("cpu", "machine_cpu", "sink_cpu")}
    others = max(0.0, per_second["machine_cpu"] - per_second["cpu"] - per_second["sink_cpu"])
    if per_second["machine_cpu"] >= 0.85 * cores:
        why = (
            f"the CPU, {per_second['machine_cpu']:.1f} of {cores} cores busy (client {per_second['cpu']:.1f}, "
            f"sink {per_second['sink_cpu']:.1f}, others {others:.1f})"
        )
    elif raw is not None and raw.seconds >= 0.75 * measured.seconds:
        why = f"the sink and the loopback (raw sockets: {raw.seconds:.2f} s)"
    else:
        why = f"the client's own work ({per_second['cpu']:.1f} cores; {cores - per_second['machine_cpu']:.1f} idle)"
    if hashing:
        why += f"; its hashing at the floor: {hashing / (measured.cpu / gib):.0%} of its CPU"
    return why


def run(sizes: Sizes, report: Report, transfer_mib: int | None = None) -> None:
    size = (transfer_mib or sizes.transfer_mib) * MiB
    floor = floors()
    cores = os.cpu_count() or 1
    workdir = Path(tempfile.mkdtemp(prefix="s3lite-bench-transfer-"))
    try:
        source = workdir / "source.bin"
        floor.update(file_floors(source, size))
        results = _measure_all(sizes, report, size, source)
    finally:
        shutil.rmtree(workdir)

    gib = size / GiB
    medians = {row: _median(runs) for row, runs in results.items() if runs}
    #: the hashing each upload must do per GiB: the payload's SHA-256 (signed over http), and boto3's CRC32
    hashing = {
        BOTO3: floor["sha256"] + floor["crc32"],
        BOTO3_REQUIRED: floor["sha256"],
        S3LITE: floor["sha256"],
        S3LITE_ASYNC: floor["sha256"],
    }
    rows, bounds = [], []
    for row in ROWS:
        measured = medians.get(row)
        if measured is None:
            rows.append([row.direction, row.client, "failed", *["-"] * 9])
            continue
        baseline = medians.get(Row(BOTO3, row.direction))
        speedup = thrift = None
        if baseline is not None and row.client.startswith("s3lite"):
            speedup, thrift = baseline.seconds / measured.seconds, baseline.cpu / measured.cpu
        if speedup is not None:
            report.target(f"{row.client} {row.direction}_file vs boto3", speedup, MIN_RATIO, "x", at_most=False)
        must_hash = hashing.get(row.client, 0.0) if row.direction == "upload" else 0.0
        rows.append(
            [
                row.direction,
                row.client,
                f"{measured.seconds:.2f}",
                mib(size / measured.seconds),
                "-" if speedup is None else f"{speedup:.2f}x",
                f"{measured.cpu / gib:.2f}",
                "-" if thrift is None else f"{thrift:.2f}x",
                f"{must_hash:.2f}" if must_hash else "-",
                f"{measured.sink_cpu / gib:.2f}",
                f"{(measured.cpu + measured.sink_cpu) / measured.seconds:.2f}",
                f"{measured.machine_cpu / measured.seconds:.2f}",
                mib(measured.growth),
            ]
        )
        if row.client != RAW:
            why = _bound(measured, medians.get(Row(RAW, row.direction)), must_hash, gib, cores)
            bounds.append(f"  {row.client} {row.direction}: {why}.")
    s3lite_growth = [m.growth for row, m in medians.items() if row.client.startswith("s3lite")]
    if s3lite_growth:
        report.target(
            "s3lite transfer peak RSS growth, worst run",
            max(s3lite_growth) / MiB,
            MAX_GROWTH / MiB,
            "MiB",
            at_most=True,
        )
    runs = sizes.transfer_runs
    report.table(
        f"8. upload_file / download_file of a {size // MiB} MiB file through the local sink, "
        "TransferConfig(multipart_threshold=8 MiB, multipart_chunksize=8 MiB, max_concurrency=10) "
        f"(a fresh process per run, {'median of ' + str(runs) if runs > 1 else 'one run'})",
        [
            "direction",
            "client",
            "seconds",
            "MiB/s",
            "vs boto3",
            "CPU s/GiB",
            "CPU vs boto3",
            "must hash s/GiB",
            "sink CPU s/GiB",
            "client+sink cores",
            "machine cores",
            "peak RSS growth MiB",
        ],
        rows,
        [
            (
                f"Floors of this machine (CPU s/GiB, one core): SHA-256 {floor['sha256']:.2f}, CRC32 (zlib) "
                f"{floor['crc32']:.2f}; reading the file"
            ),
            f"  (pread, page-cached) {floor['read']:.2f}, writing a new one (pwrite) {floor['write']:.2f}; {cores} cores.",
            "  A download writes the whole file into new page-cache pages: on a VM, memory touched for the first",
            "  time costs 2-4 s/GiB more (the host backs it then), on whichever run gets such pages (the raw",
            "  sockets row of the same runs pays it too); the write floor above is for memory touched before.",
            "must hash: what the row's hashing costs at those floors. Over http both clients sign every part's",
            "  SHA-256; boto3 also sends a CRC32 of every part by default (botocore >= 1.36), hence the",
            "  'boto3 when_required' row (request_checksum_calculation='when_required': SHA-256 only, as s3lite).",
            "  Downloads hash nothing: the sink sends no checksum (S3 has none for a range of a multipart object).",
            "CPU: user + system time of the client's process during the transfer (all threads); sink CPU: the",
            "  sink's over the same time; cores = CPU seconds / wall seconds; machine cores: every process's",
            "  (and the hypervisor's steal), from /proc/stat: the sink shares this machine's cores with the client.",
            "vs boto3: boto3's seconds over s3lite's (the target); CPU vs boto3: boto3's CPU over s3lite's, the",
            "  throughput ratio to expect where the cores are the bound (a busy machine, a small one).",
            "raw sockets: 10 threads with a connection each, sendfile / recv_into + pwrite, no hashing or signing:",
            "  what the sink and the loopback allow. What bounds each row (others: other processes, the kernel):",
            *bounds,
            (
                "peak RSS growth: the worst run; the target for s3lite: chunksize x concurrency + 32 MiB = "
                f"{MAX_GROWTH // MiB} MiB."
            ),
        ],
    )


if __name__ == "__main__":
    if sys.argv[1:2] != ["--child"]:
        sys.exit("usage: python -m tests.bench.bench_transfer --child SPEC  (the benchmark runs it)")
    print(json.dumps(worker(json.loads(sys.argv[2]))))
