"""``python -m tests.bench``: measure everything in one run and print the tables, then a summary.

Sections (``--only`` takes the name or the number):

1. calls   per-operation call cost: Client, AsyncClient, raw httpx, the transport floor, botocore
2. core    the I/O-free core alone: serialize, sign, parse_result, the whole flow
3. sign    SigV4 signing: s3lite against botocore (and awscrt when installed)
4. import  import time and memory in fresh interpreters, client construction, first calls
5. stream  a large object up and down through a local sink: speed and peak RSS against raw httpx
6. fanout  AsyncClient fan-out of small GETs: time, errors, connection-pool hygiene
7. listing a 1,000-key ListObjectsV2 page parsed (and url-decoded) by s3lite and by botocore
8. transfers upload_file / download_file of a large file against boto3's, same TransferConfig: speed, CPU, memory
9. coldstart fresh processes: import, client, one head_object over http and https against boto3's; import breakdown
10. loopback warm calls over a socket on 127.0.0.1: Client's own pool, Client over httpx, bare httpx, botocore

Speed targets that are missed are reported, not fatal (the machine may be busy); the exit status is 1
only when a correctness check fails (a wrong result, a lost byte, a leaked connection, a heavy import).
"""

from __future__ import annotations

import argparse
import platform
import shlex
import sys
import time
from importlib.metadata import version

from . import (
    bench_calls,
    bench_coldstart,
    bench_core,
    bench_fanout,
    bench_import,
    bench_listing,
    bench_loopback,
    bench_sign,
    bench_stream,
    bench_transfer,
)
from ._common import FULL, QUICK, Report, Sizes

SECTIONS = ("calls", "core", "sign", "import", "stream", "fanout", "listing", "transfers", "coldstart", "loopback")


def _section(name: str) -> str:
    if name.isdigit() and 1 <= int(name) <= len(SECTIONS):
        return SECTIONS[int(name) - 1]
    if name in SECTIONS:
        return name
    raise argparse.ArgumentTypeError(f"unknown section {name!r}: one of {', '.join(SECTIONS)} or 1-{len(SECTIONS)}")


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description="s3lite's benchmarks: one run, tables with ratios against raw httpx and botocore.",
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="small sizes and few iterations: a smoke check (< 60 s)")
    parser.add_argument(
        "--only",
        type=_section,
        metavar="SECTION",
        help=f"run one section: {', '.join(SECTIONS)} (or 1-{len(SECTIONS)})",
    )
    parser.add_argument(
        "--stream-size",
        type=int,
        metavar="MiB",
        help=f"object size of the streaming section (default {FULL.stream_mib}, {QUICK.stream_mib} with --quick)",
    )
    parser.add_argument(
        "--transfer-size",
        type=int,
        metavar="MiB",
        help=f"file size of the transfers section (default {FULL.transfer_mib}, {QUICK.transfer_mib} with --quick)",
    )
    return parser.parse_args(argv)


def _header(sizes: Sizes, stream_mib: int, transfer_mib: int, argv: list[str]) -> None:
    versions = ", ".join(f"{name} {version(name)}" for name in ("s3lite", "httpx", "httpcore", "botocore", "anyio"))
    print(f"# s3lite benchmarks: {shlex.join(['python', '-m', 'tests.bench', *argv])}")
    print(
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}; Python {platform.python_version()} on {platform.platform()}; {versions}"
    )
    print(f"sizes: {sizes}, streamed object {stream_mib} MiB, transferred file {transfer_mib} MiB")


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    sizes = QUICK if args.quick else FULL
    stream_mib = args.stream_size or sizes.stream_mib
    transfer_mib = args.transfer_size or sizes.transfer_mib
    _header(sizes, stream_mib, transfer_mib, argv)
    report = Report()
    started = time.perf_counter()
    runners = {
        "calls": lambda: bench_calls.run(sizes, report),
        "core": lambda: bench_core.run(sizes, report),
        "sign": lambda: bench_sign.run(sizes, report),
        "import": lambda: bench_import.run(sizes, report),
        "stream": lambda: bench_stream.run(sizes, report, stream_mib),
        "fanout": lambda: bench_fanout.run(sizes, report),
        "listing": lambda: bench_listing.run(sizes, report),
        "transfers": lambda: bench_transfer.run(sizes, report, transfer_mib),
        "coldstart": lambda: bench_coldstart.run(sizes, report),
        "loopback": lambda: bench_loopback.run(sizes, report),
    }
    for name in (args.only,) if args.only else SECTIONS:
        runners[name]()
    report.summary()
    print(f"\nTotal time: {time.perf_counter() - started:.1f} s")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
