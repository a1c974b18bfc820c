"""``python -m fuzz --minutes N [--jobs J] [--strict] [parse serialize sigv4 eventstream]``: fuzz for N minutes each.

Each harness runs under atheris at low priority (``nice``) with its corpus in fuzz/corpus-<name>/
(kept between runs, never committed) and its findings in fuzz/crash-<name>/: a ``.txt``
traceback and ``.bin`` input per new crash signature (``--keep-going``), libFuzzer artifacts
(``crash-*``, ``timeout-*``, ``oom-*``), and ``fuzz.log``. A harness that stops early (a timeout,
an out-of-memory) is started again for the time left. At the end: executions, time and the
crash signatures each harness hit.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from fuzz.known import KNOWN

FUZZ_DIR = Path(__file__).resolve().parent
HARNESSES = ("parse", "serialize", "sigv4", "eventstream")
#: libFuzzer settings: a slow input is a finding (quadratic parsing, entity expansion), not a hang
LIBFUZZER_FLAGS = ("-timeout=20", "-rss_limit_mb=2048", "-max_len=8192", "-print_final_stats=1")


@dataclass
class Outcome:
    """What one harness did in this run."""

    name: str
    seconds: float = 0.0
    executions: int = 0
    restarts: int = 0
    signatures: dict[str, int] = field(default_factory=dict)


def run_harness(name: str, seconds: int, strict: bool) -> Outcome:
    corpus = FUZZ_DIR / f"corpus-{name}"
    reports = FUZZ_DIR / f"crash-{name}"
    corpus.mkdir(exist_ok=True)
    reports.mkdir(exist_ok=True)
    outcome = Outcome(name)
    started = time.monotonic()
    with (reports / "fuzz.log").open("a") as log:
        while (left := seconds - (time.monotonic() - started)) > 5:
            command = [
                "nice", "-n", "10", sys.executable, str(FUZZ_DIR / f"fuzz_{name}.py"), "--keep-going",
                *(["--strict"] if strict else []), str(corpus), f"-max_total_time={int(left)}",
                f"-artifact_prefix={reports}/", *LIBFUZZER_FLAGS,
            ]  # fmt: skip
            log.write(f"\n$ {' '.join(command)}\n")
            log.flush()
            offset = log.tell()
            child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=FUZZ_DIR.parent)
            child.wait()
            outcome.executions += _executions(reports / "fuzz.log", offset)
            _merge(outcome.signatures, reports / f"signatures-{child.pid}.json")
            if child.returncode != 0:
                outcome.restarts += 1
    outcome.seconds = time.monotonic() - started
    return outcome


def _executions(log: Path, offset: int) -> int:
    """The executions of the libFuzzer process whose output starts at ``offset`` of the log: its
    final stats, or when it died without them (a timeout), the last ``#N`` status line."""
    with log.open("rb") as f:
        f.seek(offset)
        text = f.read().decode(errors="replace")
    found = re.findall(r"stat::number_of_executed_units: (\d+)", text) or re.findall(r"^#(\d+)\s", text, re.MULTILINE)
    return int(found[-1]) if found else 0


def _merge(into: dict[str, int], path: Path) -> None:
    if path.exists():
        for sig, count in json.loads(path.read_text()).items():
            into[sig] = into.get(sig, 0) + count


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("harness", nargs="*", help=f"any of {', '.join(HARNESSES)} (default: all)")
    parser.add_argument("--minutes", type=float, default=10.0, help="per harness (default 10)")
    parser.add_argument("--jobs", type=int, default=1, help="harnesses run at once (default 1)")
    parser.add_argument("--strict", action="store_true", help="also report the known signatures of fuzz/known.py")
    args = parser.parse_args()
    names = args.harness or list(HARNESSES)
    unknown = set(names) - set(HARNESSES)
    if unknown:
        parser.error(f"unknown harness {', '.join(sorted(unknown))}: choose from {', '.join(HARNESSES)}")
    seconds = int(args.minutes * 60)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = list(pool.map(lambda name: run_harness(name, seconds, args.strict), names))
    for outcome in outcomes:
        corpus = sum(1 for _ in (FUZZ_DIR / f"corpus-{outcome.name}").iterdir())
        rate = outcome.executions / outcome.seconds if outcome.seconds else 0.0
        print(
            f"{outcome.name}: {outcome.executions} executions in {outcome.seconds:.0f} s ({rate:.0f}/s,"
            f" {outcome.restarts} restarts), corpus {corpus} inputs, findings in fuzz/crash-{outcome.name}/"
        )
        for sig, count in sorted(outcome.signatures.items()):
            status = "known" if sig in KNOWN else "NEW"
            print(f"  {status:5} {sig}: at least {count} inputs")


if __name__ == "__main__":
    main()
