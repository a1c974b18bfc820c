"""Crash signatures already reported, each with an xfail regression test in tests/test_fuzz_regressions.py.

The harnesses skip these (unless run with ``--strict``) so that a long run keeps finding new bugs
instead of the same one. When the lead fixes a bug, its regression test XPASSes (strict xfail):
remove the xfail marker and the entries here together. tests/test_fuzz_regressions.py checks that
every entry names one of its tests.
"""

from __future__ import annotations

#: signature (see fuzz/_driver.signature) -> the regression test that pins it
KNOWN: dict[str, str] = {
    "Invariant:host": "test_host_prefix_on_an_ipv6_endpoint",
}
