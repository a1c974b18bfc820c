"""Section 4: import time, memory and client construction, in fresh interpreters where it matters.

Each import is timed in a new ``python -c`` (median of several runs, the cases interleaved), both as
the subprocess's wall time minus a bare ``python -c pass`` and as ``perf_counter`` around the import
statement inside it; memory is the child's peak RSS minus the bare interpreter's. s3lite is
byte-compiled first, as ``pip install`` does, since a PYTHONDONTWRITEBYTECODE environment would
otherwise time the compiler.
"""

from __future__ import annotations

import compileall
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

import s3lite

from ._common import ACCESS_KEY, CREDENTIALS, REGION, SECRET_KEY, Case, Report, Sizes, per_call_us, us

ROOT = Path(__file__).resolve().parents[2]
#: What must stay out of ``import s3lite`` (the I/O-free core): loaded lazily by the clients or SigV4a.
HEAVY = ("httpx", "anyio", "cryptography")

#: The child's peak RSS is read from VmHWM: ru_maxrss would include the parent's memory copied at fork.
_CHILD = """\
import sys, time
_t0 = time.perf_counter_ns()
{statement}
_t1 = time.perf_counter_ns()
with open("/proc/self/status") as _status:
    _rss = next(line.split()[1] for line in _status if line.startswith("VmHWM:"))
print(_t1 - _t0, _rss, *[int(m in sys.modules) for m in {heavy!r}])
"""

_BOTO_CLIENT = (
    f"import botocore.session; botocore.session.get_session().create_client('s3', region_name={REGION!r}, "
    f"aws_access_key_id={ACCESS_KEY!r}, aws_secret_access_key={SECRET_KEY!r})"
)

IMPORTS = {
    "python -c pass": "pass",
    "import s3lite": "import s3lite",
    "import s3lite; s3lite.Client": "import s3lite; s3lite.Client",
    "import httpx (for reference)": "import httpx",
    "import botocore.session": "import botocore.session",
    "botocore import + create_client('s3')": _BOTO_CLIENT,
}

#: Clients with their default transports, and the first calls, in a fresh interpreter: "name ns" lines.
_STARTUP = """\
import time
import s3lite, httpx
from tests.bench._common import CREDENTIALS, EXCHANGES, mock_transport
from tests.bench.bench_calls import botocore_client

def timed(label, action):
    start = time.perf_counter_ns()
    result = action()
    print(label, time.perf_counter_ns() - start)
    return result

s3lite.Client
timed("import httpcore (httpx defers it to the first transport; it imports trio when installed)",
      lambda: __import__("httpcore"))
timed("s3lite.Client(), default transport, first", lambda: s3lite.Client(**CREDENTIALS))
timed("s3lite.Client(), default transport, second", lambda: s3lite.Client(**CREDENTIALS))
timed("s3lite.AsyncClient(), default transport", lambda: s3lite.AsyncClient(**CREDENTIALS))
timed("httpx.Client(), first (for reference)", httpx.Client)
timed("httpx.Client(), second (for reference)", httpx.Client)
put = EXCHANGES[0]
client = s3lite.Client(transport=mock_transport(put), **CREDENTIALS)
timed("s3lite first put_object (mock transport)", lambda: client.put_object(**put.params))
timed("s3lite second put_object (mock transport)", lambda: client.put_object(**put.params))
import botocore.session, botocore.config, urllib3
boto = timed("botocore create_client('s3'), first", botocore_client)
timed("botocore first put_object (canned response)", lambda: boto.put_object(**put.params))
timed("botocore second put_object (canned response)", lambda: boto.put_object(**put.params))
"""


def _run(code: str) -> tuple[float, str]:
    start = time.perf_counter_ns()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return (time.perf_counter_ns() - start) / 1e6, done.stdout


def _imports(sizes: Sizes, report: Report) -> None:
    walls: dict[str, list[float]] = {label: [] for label in IMPORTS}
    inside: dict[str, list[float]] = {label: [] for label in IMPORTS}
    rss: dict[str, list[int]] = {label: [] for label in IMPORTS}
    loaded: dict[str, list[str]] = {}
    for _ in range(sizes.subprocess_runs):
        for label, statement in IMPORTS.items():
            wall, out = _run(_CHILD.format(statement=statement, heavy=HEAVY))
            ns, peak, *flags = out.split()
            walls[label].append(wall)
            inside[label].append(int(ns) / 1e6)
            rss[label].append(int(peak))
            loaded[label] = [name for name, flag in zip(HEAVY, flags) if flag == "1"]
    bare_wall = statistics.median(walls["python -c pass"])
    bare_rss = statistics.median(rss["python -c pass"])
    rows = []
    for label in IMPORTS:
        median_wall, kib = statistics.median(walls[label]), statistics.median(rss[label])
        rows.append(
            [
                label,
                f"{median_wall:.1f}",
                f"{median_wall - bare_wall:.1f}" if label != "python -c pass" else "-",
                f"{statistics.median(inside[label]):.1f}",
                f"{kib / 1024:.1f}",
                f"{(kib - bare_rss) / 1024:.1f}" if label != "python -c pass" else "-",
                ", ".join(loaded[label]) or "none",
            ]
        )
    report.table(
        f"4a. Imports in a fresh interpreter (median of {sizes.subprocess_runs} runs)",
        [
            "statement",
            "wall ms",
            "- bare ms",
            "import ms",
            "peak RSS MiB",
            "- bare MiB",
            "httpx/anyio/cryptography loaded",
        ],
        rows,
        ["wall = the whole subprocess; import ms = perf_counter around the statement inside it."],
    )
    report.check(
        "import s3lite loads none of httpx/anyio/cryptography",
        not loaded["import s3lite"],
        f"loaded: {loaded['import s3lite']}",
    )
    report.check(
        "s3lite.Client loads none of httpx/anyio/cryptography (its own HTTP/1.1 pool is the default path)",
        not loaded["import s3lite; s3lite.Client"],
        f"loaded: {loaded['import s3lite; s3lite.Client']}",
    )


def _construction(sizes: Sizes, report: Report) -> None:
    mock = httpx.MockTransport(lambda request: httpx.Response(200))
    cases = [
        Case("s3lite.Client(transport=...)", lambda: s3lite.Client(transport=mock, **CREDENTIALS)),
        Case("s3lite.AsyncClient(transport=...)", lambda: s3lite.AsyncClient(transport=mock, **CREDENTIALS)),
        Case("httpx.Client(transport=...) (for reference)", lambda: httpx.Client(transport=mock)),
    ]
    t = per_call_us(cases, sizes)
    rows = [[label, us(value)] for label, value in t.items()]

    samples: dict[str, list[float]] = {}
    for _ in range(sizes.subprocess_runs):
        _, out = _run(_STARTUP)
        for line in out.splitlines():
            step, _, ns = line.rpartition(" ")
            samples.setdefault(step, []).append(int(ns) / 1000)
    rows += [[f"fresh process: {step}", us(statistics.median(values))] for step, values in samples.items()]
    report.table(
        "4b. Construction and first calls (µs; in-process medians, then medians over fresh processes)",
        ["what", "µs"],
        rows,
        [
            "one TLS context per process, shared: Client makes it at its first https connection,"
            + " AsyncClient (httpx) at construction; the first to need it pays, the next ones not.",
            "botocore's first create_client includes loading its JSON models; its first call, the endpoint ruleset.",
        ],
    )
    first = statistics.median(samples["s3lite.Client(), default transport, first"])
    second = statistics.median(samples["s3lite.Client(), default transport, second"])
    report.check(
        "a second default Client is cheaper than the first (what the first loads is loaded once per process)",
        second < first,
        f"first {first:.0f} µs, second {second:.0f} µs",
    )


def run(sizes: Sizes, report: Report) -> None:
    compileall.compile_dir(Path(s3lite.__file__).parent, quiet=1)
    _imports(sizes, report)
    _construction(sizes, report)
