"""The fuzz harnesses (fuzz/) on a few hundred hypothesis-generated inputs each, a second or two in all.

The same targets that ``python -m fuzz`` runs under atheris for minutes: each input becomes a
response to decode, a params dict to serialize, or a request to sign, and the promise checked is the
same - a result or an S3LiteError, nothing else, plus each harness's own invariants. Crash
signatures in fuzz/known.py (bugs pinned by tests/test_fuzz_regressions.py) are skipped. Runs
without atheris installed; derandomized, so a failure here reproduces.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fuzz._driver import hypothesis_examples

EXAMPLES = {"parse": 300, "serialize": 400, "sigv4": 300, "eventstream": 300}


@pytest.mark.parametrize("harness", sorted(EXAMPLES))
def test_harness_holds_on_generated_inputs(harness: str) -> None:
    target = importlib.import_module(f"fuzz.fuzz_{harness}").target
    hypothesis_examples(target, max_examples=EXAMPLES[harness], derandomize=True, max_size=2048)


@pytest.mark.parametrize("harness", sorted(EXAMPLES))
def test_harness_is_deterministic(harness: str) -> None:
    """The same input takes the same path: what libFuzzer's coverage feedback and replaying a saved
    crash rely on."""
    target = importlib.import_module(f"fuzz.fuzz_{harness}").target
    for seed in (b"", b"\x00" * 64, bytes(range(256)), b"\xff\xfe" * 200):
        outcomes = []
        for _ in range(2):
            try:
                target(seed)
            except Exception as exc:  # noqa: BLE001 - known bugs included: only sameness is checked here
                outcomes.append(f"{type(exc).__name__}: {exc}")
            else:
                outcomes.append("ok")
        assert outcomes[0] == outcomes[1], (seed[:16], outcomes)
