"""Packaging rules (issue 13, item 14): the version is written once, and what s3lite imports is declared.

The version lives in ``s3lite/_version.py`` only: hatchling reads it from there for the
distribution's metadata (``dynamic = ["version"]``, ``[tool.hatch.version]``), and
``s3lite.__version__`` and the ``User-Agent`` header import it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

import s3lite
from s3lite import Endpoint, serialize

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "s3lite"
#: The pattern hatchling's ``regex`` version source looks for by default.
VERSION_LINE = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def test_version_is_written_in_one_place() -> None:
    project = pyproject()
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    source = ROOT / project["tool"]["hatch"]["version"]["path"]
    assert source == PACKAGE / "_version.py"
    (declared,) = VERSION_LINE.findall(source.read_text())
    assert declared == s3lite.__version__
    quoted = re.compile(rf"""["']{re.escape(declared)}["']""")
    elsewhere = [
        path.relative_to(ROOT).as_posix()
        for path in [ROOT / "pyproject.toml", *PACKAGE.rglob("*.py")]
        if path != source and quoted.search(path.read_text())
    ]
    assert elsewhere == []


def test_user_agent_carries_the_version() -> None:
    request = serialize(
        "HeadObject", {"Bucket": "b", "Key": "k"}, endpoint=Endpoint.from_url("http://127.0.0.1")
    ).request
    assert request.headers["User-Agent"] == f"s3lite/{s3lite.__version__}"


def test_installed_metadata_has_the_version() -> None:
    """Where this tree is the installed s3lite (CI installs it editable), its metadata agrees."""
    try:
        distribution = importlib.metadata.distribution("s3lite")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("s3lite is not installed")
    url = json.loads(distribution.read_text("direct_url.json") or "{}").get("url", "")
    if url.removeprefix("file://") != ROOT.as_posix():
        pytest.skip(f"the installed s3lite is not this tree ({url or 'not a local install'})")
    assert distribution.version == s3lite.__version__


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower() for requirement in requirements}


def _third_party_imports() -> dict[str, bool]:
    """Each non-stdlib top-level module s3lite imports -> whether some module imports it at load time
    (a module-level import), as opposed to only inside a function (an optional feature)."""
    found: dict[str, bool] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        at_load = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top not in sys.stdlib_module_names and top != "s3lite":
                    found[top] = found.get(top, False) or id(node) in at_load
    return found


def test_every_imported_distribution_is_declared() -> None:
    """A module imported when s3lite's modules load is a dependency; one imported only inside a
    function is a dependency or an extra's (``cryptography`` for SigV4a, ``moto`` for the demo)."""
    project = pyproject()["project"]
    required = _requirement_names(project["dependencies"])
    optional = set().union(*map(_requirement_names, project["optional-dependencies"].values()))
    distributions = importlib.metadata.packages_distributions()
    imports = _third_party_imports()
    assert {"httpx", "anyio", "defusedxml"} <= imports.keys()
    for module, at_load in sorted(imports.items()):
        names = {name.lower() for name in distributions.get(module, [module])}
        assert names & (required if at_load else required | optional), f"{module} is imported but not declared"


def test_build_backend_is_one_that_can_build_it() -> None:
    """hatchling 1.21-1.25 refuse this pyproject (``license-files``), 1.26 writes Metadata-Version
    2.3 with a bare ``License:``; 1.27 is the first to write PEP 639's ``License-Expression``."""
    (requirement,) = pyproject()["build-system"]["requires"]
    assert requirement == "hatchling>=1.27"


def test_the_package_stays_small() -> None:
    """The wheel holds ``s3lite/`` (the generated model included, ~137 KB of source): zipped as a wheel
    zips it, it must stay under 250 KB (issue 9: the model's data is kept compact; the credential
    chain of issue 11 took it from ~195 to ~230 KB)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path in sorted((ROOT / "s3lite").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                wheel.write(path, path.relative_to(ROOT))
    assert len(buffer.getvalue()) < 250 * 1024, len(buffer.getvalue())
