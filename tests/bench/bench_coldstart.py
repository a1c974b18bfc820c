"""Section 9: cold start (issue 14), from process start to the first answer, against boto3's.

What a Lambda or a CLI pays on every invocation: the interpreter, the imports, the client, one
``head_object`` against a server on 127.0.0.1 (``head_server.py``, in its own process), over http and
over https (a self-signed certificate made at the start; every client gets ``verify=`` a bundle of
certifi's CAs plus that certificate, so that it loads a full bundle as ``verify=True`` would). Each row
runs in a fresh ``python -c``; the rows are interleaved, their order rotated from run to run, medians
are taken; the child prints its phases (perf_counter around the import, the client, the first call)
and its peak RSS (VmHWM, read in the child at its end: ru_maxrss would include the parent's memory
copied at fork); the parent times the whole process.

The children's environment is the parent's without AWS_*, proxy and CA-bundle variables, with HOME in
a fresh directory (no ~/.aws files) and AWS_EC2_METADATA_DISABLED=true: boto3 then finds nothing to
read or probe, and s3lite gets the same. Everything the children import is byte-compiled first, as
``pip install`` does (the environment may set PYTHONDONTWRITEBYTECODE, which would otherwise time the
compiler). Then one more run under ``python -X importtime`` says where the s3lite http scenario's
import time goes, and every child reports which heavy modules it ended up loading.
"""

from __future__ import annotations

import compileall
import importlib.util
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import s3lite

from ._common import CREDENTIALS, Report, Sizes
from .head_server import BODY, ETAG, serving

ROOT = Path(__file__).resolve().parents[2]
#: The issue's targets: wall against boto3's (same scheme), peak RSS, import over a bare interpreter.
HTTP_RATIO = 0.25
HTTPS_RATIO = 0.30
MAX_RSS_MIB = 20.0
MAX_IMPORT_MS = 20.0
#: Modules whose presence at the end of a scenario says what its path pulled in.
HEAVY = ("httpx", "httpcore", "h11", "anyio", "ssl", "certifi", "urllib.request", "email", "typing")
#: What the children may import, byte-compiled before the first run (s3lite from this checkout).
PACKAGES = (
    "httpx",
    "httpcore",
    "h11",
    "anyio",
    "sniffio",
    "certifi",
    "idna",
    "defusedxml",
    "boto3",
    "botocore",
    "s3transfer",
    "urllib3",
    "dateutil",
    "jmespath",
    "six",
)
#: How many modules the import breakdown lists.
BREAKDOWN_ROWS = 12

_PROLOGUE = "import time\n_t0 = time.perf_counter_ns()\n"
#: Every child ends here: phases in ns (import, client, first call), VmHWM in KiB, the answer's check,
#: then the HEAVY modules present (1/0).
_EPILOGUE = """\
import sys
with open("/proc/self/status") as _status:
    _rss = next(line.split()[1] for line in _status if line.startswith("VmHWM:"))
print("t", _t1 - _t0, _t2 - _tc, _t3 - _t2)
print("rss", _rss)
print("ok", int(_result is None or (_result["ContentLength"] == {length} and _result["ETag"] == {etag!r})))
print("mods", *[int(name in sys.modules) for name in {heavy!r}])
"""


def _import_child(statement: str) -> str:
    return f"{_PROLOGUE}{statement}\n_t1 = _tc = _t2 = _t3 = time.perf_counter_ns()\n_result = None\n"


def _sync_child(module: str, build: str) -> str:
    return (
        f"{_PROLOGUE}import {module}\n_t1 = _tc = time.perf_counter_ns()\n_client = {build}\n"
        "_t2 = time.perf_counter_ns()\n_result = _client.head_object(Bucket='b', Key='k')\n"
        "_t3 = time.perf_counter_ns()\n"
    )


def _async_child(build: str) -> str:
    """The client and the first call timed inside ``asyncio.run``: the loop's set-up and teardown are in
    the wall time only."""
    return (
        f"{_PROLOGUE}import asyncio, s3lite\n_t1 = time.perf_counter_ns()\n"
        "async def _main():\n"
        "    global _tc, _t2, _t3\n"
        f"    _tc = time.perf_counter_ns()\n    _client = {build}\n    _t2 = time.perf_counter_ns()\n"
        "    _answer = await _client.head_object(Bucket='b', Key='k')\n    _t3 = time.perf_counter_ns()\n"
        "    return _answer\n"
        "_result = asyncio.run(_main())\n"
    )


@dataclass(frozen=True)
class Row:
    """One row of the table: a label, the scheme it compares within (None for the imports), the child."""

    label: str
    code: str
    scheme: str | None = None
    #: the boto3 row of the same scheme (or import) is the denominator of the ratios
    baseline: bool = False


@dataclass
class Samples:
    walls: list[float] = field(default_factory=list)
    phases: list[tuple[float, float, float]] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wrong: int = 0

    def median_phase(self, index: int) -> float:
        return statistics.median(phase[index] for phase in self.phases)


def _rows(http_url: str, https_url: str | None, cert: str | None, boto3: bool = True) -> list[Row]:
    """The table's rows; without ``boto3`` (not installed), no boto3 rows and no ratios."""
    credentials = ", ".join(f"{name}={value!r}" for name, value in CREDENTIALS.items())
    rows = [
        Row("python -c pass", _import_child("pass")),
        Row("import s3lite", _import_child("import s3lite")),
        Row("import httpx", _import_child("import httpx")),
    ]
    if boto3:
        rows.append(Row("import boto3", _import_child("import boto3"), baseline=True))
    schemes = [("http", http_url, "")] + ([("https", https_url, f", verify={cert!r}")] if https_url else [])
    for scheme, url, verify in schemes:
        options = f"endpoint_url={url!r}, {credentials}{verify}"
        rows += [
            Row(f"{scheme}: s3lite Client", _sync_child("s3lite", f"s3lite.Client({options})"), scheme),
            Row(f"{scheme}: s3lite AsyncClient", _async_child(f"s3lite.AsyncClient({options})"), scheme),
        ]
        if boto3:
            child = _sync_child("boto3", f"boto3.client('s3', {options})")
            rows.append(Row(f"{scheme}: boto3", child, scheme, baseline=True))
    return rows


#: CA-bundle variables botocore (REQUESTS_CA_BUNDLE) or httpx (SSL_CERT_*) would read instead of certifi's.
_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


def clean_env(home: str) -> dict[str, str]:
    """The parent's environment minus what would make boto3 (or s3lite) read or probe anything: AWS_*
    (AWS_CA_BUNDLE, AWS_CONFIG_FILE...), proxies (127.0.0.1 must be reached directly), CA-bundle paths."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.upper().startswith("AWS_")
        and not name.lower().endswith("_proxy")
        and name.upper() not in _BUNDLE_VARIABLES
    }
    env["HOME"] = home
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def _compile() -> None:
    """Byte-compile s3lite and what the children import (quietly: an unwritable site-packages is
    measured as it is)."""
    compileall.compile_dir(Path(s3lite.__file__).parent, quiet=1)
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            for location in spec.submodule_search_locations:
                compileall.compile_dir(location, quiet=2)
        elif spec is not None and spec.origin:
            compileall.compile_file(spec.origin, quiet=2)


# --- the certificate and the server -------------------------------------------------------------------


def _certificate(directory: Path) -> tuple[str, str, str] | None:
    """A self-signed EC certificate for 127.0.0.1 (IP SAN): (cert, key, how it was made), or None."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    openssl = shutil.which("openssl")
    if openssl:
        made = subprocess.run(
            [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            + ["-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"]
            + ["-addext", "subjectAltName=IP:127.0.0.1"],
            capture_output=True,
            check=False,
        )
        if made.returncode == 0:
            return str(cert), str(key), "openssl"
    return _cryptography_certificate(cert, key)


def _cryptography_certificate(cert: Path, key: Path) -> tuple[str, str, str] | None:
    try:
        import datetime
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        return None
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert), str(key), "cryptography"


def _bundle(cert: str, directory: Path) -> tuple[str, str]:
    """A CA bundle as a real https endpoint needs one (certifi's, which boto3 and httpx load by default,
    else the system's), with the self-signed certificate appended: so the https rows pay for loading a
    full bundle, as they would with ``verify=True``, and not for one certificate (cheaper than http's
    default context). Returns (path, where the bundle came from)."""
    spec = importlib.util.find_spec("certifi")  # found, not imported: the parent's imports stay as they are
    candidates = [Path(location) / "cacert.pem" for location in (spec.submodule_search_locations or [])] if spec else []
    candidates.append(Path(ssl.get_default_verify_paths().openssl_cafile))
    source = next((path for path in candidates if path.is_file()), None)
    if source is None:
        return cert, "the certificate alone (no certifi or system bundle found)"
    bundle = directory / "bundle.pem"
    bundle.write_bytes(source.read_bytes().rstrip(b"\n") + b"\n" + Path(cert).read_bytes())
    return str(bundle), f"{source} + the certificate"


# --- running the children -----------------------------------------------------------------------------


def _child_code(row: Row) -> str:
    return row.code + _EPILOGUE.format(length=len(BODY), etag=ETAG, heavy=HEAVY)


def _run(row: Row, env: Mapping[str, str], samples: Samples) -> None:
    start = time.perf_counter_ns()
    done = subprocess.run(
        [sys.executable, "-c", _child_code(row)], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    wall = (time.perf_counter_ns() - start) / 1e6
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        samples.errors.append(lines[-1] if lines else f"exit status {done.returncode}")
        return
    fields = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines() if line.strip()}
    import_ns, client_ns, call_ns = (int(value) / 1e6 for value in fields["t"])
    samples.walls.append(wall)
    samples.phases.append((import_ns, client_ns, call_ns))
    samples.rss_kib.append(int(fields["rss"][0]))
    samples.loaded = [name for name, flag in zip(HEAVY, fields["mods"], strict=True) if flag == "1"]
    samples.wrong += fields["ok"] != ["1"]


def _importtime(code: str, env: Mapping[str, str]) -> list[tuple[int, str, int, int]]:
    """``python -X importtime -c code``: (depth, module, self µs, cumulative µs) in the order printed."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    entries = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|", 2)
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        entries.append((depth, name.strip(), int(own), int(cumulative)))
    return entries


# --- the tables -----------------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _table(sizes: Sizes, report: Report, rows: list[Row], samples: dict[str, Samples], notes: list[str]) -> None:
    measured = {row.label: samples[row.label] for row in rows if samples[row.label].walls}
    wall = {label: statistics.median(s.walls) for label, s in measured.items()}
    rss = {label: statistics.median(s.rss_kib) / 1024 for label, s in measured.items()}
    bare = wall.get("python -c pass")
    baselines = {row.scheme: row.label for row in rows if row.baseline}
    lines = []
    for row in rows:
        s = samples[row.label]
        if row.label not in measured:
            lines.append([row.label, "failed", *["-"] * 7])
            continue
        base = baselines.get(row.scheme)
        compared = base is not None and base in measured and base != row.label and row.label != "python -c pass"
        scenario = row.scheme is not None
        lines.append(
            [
                row.label,
                _ms(wall[row.label]),
                _ms(wall[row.label] - bare) if bare is not None and row.label != "python -c pass" else "-",
                _ms(s.median_phase(0)) if row.label != "python -c pass" else "-",
                _ms(s.median_phase(1)) if scenario else "-",
                _ms(s.median_phase(2)) if scenario else "-",
                f"{rss[row.label]:.1f}",
                f"{wall[row.label] / wall[base]:.2f}x" if compared and base else "-",
                f"{rss[row.label] / rss[base]:.2f}x" if compared and base else "-",
            ]
        )
    report.table(
        f"9. Cold start in fresh processes: import, client, one head_object (median of {sizes.coldstart_runs} runs)",
        [
            "case",
            "wall ms",
            "- bare ms",
            "import ms",
            "client ms",
            "1st call ms",
            "peak RSS MiB",
            "wall/boto3",
            "RSS/boto3",
        ],
        lines,
        notes,
    )
    for row in rows:
        s = samples[row.label]
        report.check(f"cold start: {row.label} ran", not s.errors, f"{len(s.errors)} failed runs: {s.errors[:1]}")
        report.check(f"cold start: {row.label} got the HEAD answer", not s.wrong, f"{s.wrong} wrong answers")
    if bare is not None and "import s3lite" in wall:
        report.target(
            "import s3lite over python -c pass", wall["import s3lite"] - bare, MAX_IMPORT_MS, "ms", at_most=True
        )
    for scheme, bound in (("http", HTTP_RATIO), ("https", HTTPS_RATIO)):
        label, base = f"{scheme}: s3lite Client", f"{scheme}: boto3"
        if label in wall and base in wall:
            report.target(
                f"cold start, s3lite Client / boto3, {scheme}", wall[label] / wall[base], bound, "x", at_most=True
            )
        if label in rss:
            report.target(f"cold start peak RSS, s3lite Client, {scheme}", rss[label], MAX_RSS_MIB, "MiB", at_most=True)


@dataclass
class Package:
    """A top-level package's share of an import run."""

    modules: int = 0
    own_us: int = 0
    #: cumulative µs of its outermost entries (those with no ancestor in the same package)
    cumulative_us: int = 0
    importer: str = ""


def packages(entries: list[tuple[int, str, int, int]]) -> dict[str, Package]:
    """Group ``-X importtime`` entries by top-level package. importtime prints a module after what it
    imports (post-order), so walking the entries backwards meets every importer before its imports."""
    found: dict[str, Package] = {}
    ancestors: list[tuple[int, str]] = []
    for depth, name, own, cumulative in reversed(entries):
        while ancestors and ancestors[-1][0] >= depth:
            ancestors.pop()
        top = name.split(".")[0]
        package = found.setdefault(top, Package())
        package.modules += 1
        package.own_us += own
        if all(ancestor.split(".")[0] != top for _, ancestor in ancestors):
            package.cumulative_us += cumulative
            # walking backwards, the last one assigned is the first in time
            package.importer = ancestors[-1][1] if ancestors else "(the scenario's code)"
        ancestors.append((depth, name))
    return found


def _breakdown(report: Report, env: Mapping[str, str], code: str) -> None:
    """Where the s3lite http scenario's import time goes, by top-level package; the total is the sum of
    the self times (cumulative times overlap) of what the bare interpreter does not import."""
    startup = {name for _, name, _, _ in _importtime("pass", env)}
    entries = [entry for entry in _importtime(code, env) if entry[1] not in startup]
    if not entries:
        print("\n(python -X importtime printed nothing: no import breakdown)")
        return
    found = packages(entries)
    top = sorted(found.items(), key=lambda item: -item[1].cumulative_us)[:BREAKDOWN_ROWS]
    rows = [[name, str(p.modules), _ms(p.cumulative_us / 1000), _ms(p.own_us / 1000), p.importer] for name, p in top]
    total = sum(own for _, _, own, _ in entries)
    rows.append([f"total ({len(found)} packages)", str(len(entries)), "", _ms(total / 1000), ""])
    report.table(
        "9b. Import breakdown of the s3lite Client http scenario (python -X importtime, one run), by package",
        ["package", "modules", "cumulative ms", "self ms", "first imported by"],
        rows,
        [
            "cumulative = its outermost imports, with what they import (so the rows overlap); self = its own modules only.",
            "only what python -c pass does not import; importtime's own overhead inflates all of it.",
        ],
    )


def _loaded(report: Report, rows: list[Row], samples: dict[str, Samples]) -> None:
    lines = [
        [row.label, *("yes" if name in samples[row.label].loaded else "-" for name in HEAVY)]
        for row in rows
        if row.label != "python -c pass" and samples[row.label].walls
    ]
    report.table("9c. Heavy modules in sys.modules at the end of each child", ["case", *HEAVY], lines)


def _notes(how: str | None, bundled: str) -> list[str]:
    """The table's notes; what is installed alongside matters (httpcore imports trio when it is there)."""
    present = [name for name in ("trio", "cryptography", "awscrt") if importlib.util.find_spec(name)]
    https = (
        f"https: a self-signed P-256 certificate for IP 127.0.0.1 ({how}); every client gets verify=<bundle>, "
        f"the bundle being {bundled}."
        if how
        else "https rows SKIPPED: neither the openssl command nor cryptography could make a certificate."
    )
    notes = [
        "wall = the whole process (parent's clock); the phases are the child's perf_counter; peak RSS = VmHWM.",
        "rows interleaved, their order rotated from run to run (a process right after a heavier one is slower).",
        "ratios: against boto3 for the same scheme (import rows: against import boto3).",
        "children's env: no AWS_*, *_proxy, REQUESTS_CA_BUNDLE or SSL_CERT_* variables, HOME = an empty temp "
        + "dir (no ~/.aws), AWS_EC2_METADATA_DISABLED=true (no IMDS probe).",
        "server: head_server.py on 127.0.0.1 in its own process (HTTP/1.1 keep-alive); "
        + f"s3lite from {Path(s3lite.__file__).parent}.",
        https,
        "AsyncClient rows: client and first call timed inside asyncio.run (the loop's set-up is in wall only).",
        f"installed alongside: {', '.join(present)} (httpcore imports trio when it is installed)."
        if present
        else "installed alongside: none of trio, cryptography, awscrt.",
    ]
    if importlib.util.find_spec("boto3") is None:
        notes.append("boto3 rows SKIPPED: boto3 is not installed (no ratios).")
    return notes


def run(sizes: Sizes, report: Report) -> None:
    started = time.perf_counter()
    _compile()
    with tempfile.TemporaryDirectory(prefix="s3lite-coldstart-") as home:
        env = clean_env(home)
        made = _certificate(Path(home))
        cert, key, how = made if made else (None, None, "")
        bundle, bundled = _bundle(cert, Path(home)) if cert else (None, "")
        with serving(cert, key) as (http_port, https_port):
            https_url = f"https://127.0.0.1:{https_port}" if https_port else None
            boto3 = importlib.util.find_spec("boto3") is not None
            rows = _rows(f"http://127.0.0.1:{http_port}", https_url, bundle, boto3)
            samples = {row.label: Samples() for row in rows}
            for turn in range(sizes.coldstart_runs):
                # rotated each run: a process right after a heavier one runs ~10% slower here, so every
                # row takes every place in turn
                for row in rows[turn % len(rows) :] + rows[: turn % len(rows)]:
                    _run(row, env, samples[row.label])
            _table(sizes, report, rows, samples, _notes(how, bundled) if https_url else _notes(None, ""))
            _breakdown(report, env, _child_code(next(row for row in rows if row.label == "http: s3lite Client")))
            _loaded(report, rows, samples)
    print(f"\n(section 9 took {time.perf_counter() - started:.1f} s)")
