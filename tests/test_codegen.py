"""The generated modules are what the committed generator makes of the pinned botocore's model."""

from __future__ import annotations

import pathlib

import pytest

pytest.importorskip("botocore")

from codegen import generate

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return generate()


def test_generated_files_are_up_to_date(generated: dict[str, str]) -> None:
    stale = [path for path, text in sorted(generated.items()) if (ROOT / path).read_text() != text]
    assert not stale, f"stale generated files (run `python -m tests.codegen`): {stale}"
