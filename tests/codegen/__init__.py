"""The generator of s3lite's model data, TypedDicts, modeled errors, client methods, paginators and
waiters, from botocore's S3 model (the botocore pinned in the ``test`` extra).

It is a development tool, not part of the wheel: ``python -m tests.codegen`` rewrites the generated
modules in ``s3lite/``; ``tests/test_codegen.py`` regenerates into a temporary directory and fails
when the committed output differs (a stale file, or a hand edit).

Each part is one module with ``outputs(model: BotocoreModel) -> dict[str, str]`` (path relative to
the repository root -> file text); :data:`PARTS` lists them.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

#: modules of this package that contribute generated files
PARTS = ("model", "typed", "paging")


class BotocoreModel(NamedTuple):
    """botocore's S3 service model (with its sdk-extras merged), paginators and waiters, as JSON data."""

    service: dict[str, Any]
    paginators: dict[str, Any]
    waiters: dict[str, Any]


def load_botocore_model() -> BotocoreModel:
    """The installed botocore's S3 data, read through its loader (which merges the sdk-extras files)."""
    import botocore.session

    loader = botocore.session.get_session().get_component("data_loader")
    return BotocoreModel(
        service=loader.load_service_model("s3", "service-2"),
        paginators=loader.load_service_model("s3", "paginators-1"),
        waiters=loader.load_service_model("s3", "waiters-2"),
    )


def generate(model: BotocoreModel | None = None) -> dict[str, str]:
    """Every generated file: repository-relative path -> text."""
    model = load_botocore_model() if model is None else model
    files: dict[str, str] = {}
    for name in PARTS:
        files.update(importlib.import_module(f"{__package__}.{name}").outputs(model))
    return files
