"""The typed surface: every botocore operation is a method of both clients, named as boto3 names it, and
mypy checks a call's keyword arguments and result against the generated TypedDicts (issue 9, item 5).

The editor experience is shown by running ``mypy --strict`` once on a small program: the calls people
write daily type-check (nested ``Tagging.TagSet``, ``Delete.Objects``, CopySource as a dict, results
read with their types), and a misspelled keyword, a wrong enum value, a wrong type, a missing nested
member and a missing required argument are each reported, on their line and with mypy's code.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
import textwrap
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import s3lite
from s3lite import _operations, _types

botocore = pytest.importorskip("botocore")
from botocore.session import get_session  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
SERVICE = get_session().get_component("data_loader").load_service_model("s3", "service-2")
OPERATIONS: dict[str, Any] = SERVICE["operations"]
SHAPES: dict[str, Any] = SERVICE["shapes"]

#: Each line that must be an error ends with ``# E: <mypy code> <text the message must contain>``.
PROGRAM = """
from __future__ import annotations

from datetime import datetime
from typing import assert_type

import s3lite


def daily(client: s3lite.Client) -> None:
    page = client.list_objects_v2(Bucket="b", Prefix="logs/", MaxKeys=100, EncodingType="url", StartAfter="logs/a")
    for obj in page.get("Contents", []):
        assert_type(obj["Key"], str)
        assert_type(obj["LastModified"], datetime)
    assert_type(page.get("KeyCount"), int | None)
    assert_type(page.get("CommonPrefixes", [])[0].get("Prefix"), str | None)
    client.put_bucket_tagging(Bucket="b", Tagging={"TagSet": [{"Key": "env", "Value": "prod"}]})
    deleted = client.delete_objects(
        Bucket="b", Delete={"Objects": [{"Key": "a"}, {"Key": "b", "VersionId": "v1"}], "Quiet": True}
    )
    for error in deleted.get("Errors", []):
        assert_type(error.get("Code"), str | None)
    client.copy_object(Bucket="b", Key="k2", CopySource={"Bucket": "b", "Key": "k"}, ACL="private")
    assert_type(client.get_object(Bucket="b", Key="k")["Body"], s3lite.StreamingBody)
    assert_type(client.head_object(Bucket="b", Key="k").get("ExpiresString"), str | None)
    assert_type(client.delete_bucket(Bucket="b")["ResponseMetadata"]["HTTPStatusCode"], int)


async def asynchronous(client: s3lite.AsyncClient) -> None:
    page = await client.list_objects_v2(Bucket="b")
    assert_type(page["ResponseMetadata"]["RequestId"], str)
    assert_type((await client.get_object(Bucket="b", Key="k"))["Body"], s3lite.AsyncStreamingBody)


def mistakes(client: s3lite.Client) -> None:
    client.list_objects_v2(Bucket="b", Prefx="logs/")  # E: call-arg "Prefx"
    client.put_object(Bucket="b", Key="k", ACL="privat")  # E: arg-type "privat"
    client.list_objects_v2(Bucket="b", MaxKeys="100")  # E: arg-type "MaxKeys"
    client.put_bucket_tagging(Bucket="b", Tagging={"TagSet": [{"Key": "env"}]})  # E: typeddict-item "Value"
    client.delete_objects(Bucket="b")  # E: call-arg "Delete"


def constructors() -> None:
    s3lite.Client(endpoint_ur="http://127.0.0.1:9000")  # E: call-arg "endpoint_ur"
    s3lite.AsyncClient(addressing_style="virtual-hosted")  # E: arg-type "virtual-hosted"
    s3lite.Client(max_connections="10")  # E: arg-type "max_connections"
"""

MYPY_LINE = re.compile(r"^[^:]+:(\d+): error: (.*)  \[([a-z-]+)\]$")


def test_mypy_checks_calls_against_the_generated_typeddicts(tmp_path: Path) -> None:
    source = tmp_path / "editor.py"
    source.write_text(textwrap.dedent(PROGRAM).lstrip())
    expected = {}
    for number, line in enumerate(source.read_text().splitlines(), 1):
        if (marker := re.search(r'# E: ([a-z-]+) "([^"]+)"$', line)) is not None:
            expected[number] = (marker.group(1), marker.group(2))
    # cwd: mypy looks in the current directory first, so it checks this tree's s3lite
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--hide-error-context", str(source)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPY_FORCE_COLOR": "0"},
        timeout=300,
    )
    errors: dict[int, list[tuple[str, str]]] = {}
    for line in result.stdout.splitlines():
        if (match := MYPY_LINE.match(line)) is not None:
            errors.setdefault(int(match.group(1)), []).append((match.group(3), match.group(2)))
    assert result.returncode == 1, result.stdout + result.stderr
    assert set(errors) == set(expected), result.stdout
    for number, (code, text) in expected.items():
        assert any(c == code and (f'"{text}"' in m or f"'{text}'" in m) for c, m in errors[number]), errors[number]


def test_every_operation_is_a_method_of_both_clients_named_as_boto3_names_it() -> None:
    methods = {botocore.xform_name(op): op for op in OPERATIONS}
    assert len(methods) == len(OPERATIONS) == 116
    assert _operations.METHODS == methods
    for method, op in methods.items():
        sync, asynchronous = getattr(s3lite.Client, method), getattr(s3lite.AsyncClient, method)
        assert sync is getattr(_operations.SyncOperations, method), f"Client shadows {method}"
        assert asynchronous is getattr(_operations.AsyncOperations, method), f"AsyncClient shadows {method}"
        assert not inspect.iscoroutinefunction(sync) and inspect.iscoroutinefunction(asynchronous), method
        assert sync.__doc__ and asynchronous.__doc__ == sync.__doc__, method
        hints = sync.__annotations__
        assert hints["params"] == f"Unpack[{op}Request]" and hints["return"].startswith(f"{op}Output"), method


def test_a_method_hands_its_operation_and_keywords_to_the_client() -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    class Recorder(_operations.SyncOperations):
        def _call(self, operation: str, params: Any) -> Any:
            calls.append((operation, dict(params)))
            return {"ResponseMetadata": {}}

    result = Recorder().list_objects_v2(Bucket="b", Prefix="p")
    assert calls == [("ListObjectsV2", {"Bucket": "b", "Prefix": "p"})] and result == {"ResponseMetadata": {}}


def _members(shape: str) -> tuple[set[str], set[str]]:
    model = SHAPES[shape]
    return set(model.get("members", {})), set(model.get("required", ()))


def _keys(typed_dict: Any) -> tuple[set[str], set[str]]:
    """A TypedDict's keys and its ``Required`` ones (read from the hints: with postponed annotations
    ``__required_keys__`` cannot see ``Required[...]`` at run time)."""
    hints = typing.get_type_hints(typed_dict, include_extras=True)
    required = {k for k, hint in hints.items() if typing.get_origin(hint) is typing.Required}
    return set(hints), required | (set(hints) if typed_dict.__total__ else set())


def test_the_typeddicts_have_exactly_the_models_members() -> None:
    """Two-way: nothing botocore's shapes lack, nothing they have left out; ``Required`` as the model says."""
    for op, model in OPERATIONS.items():
        assert _keys(getattr(_types, f"{op}Request")) == _members(model["input"]["shape"]), op
        members, required = _members(model["output"]["shape"]) if "output" in model else (set(), set())
        if "Expires" in members:  # botocore's handle_expires_header adds the raw header
            members.add("ExpiresString")
        assert _keys(getattr(_types, f"{op}Output")) == (
            members | {"ResponseMetadata"},
            required | {"ResponseMetadata"},
        )


def test_nested_shapes_and_enums_are_typed_from_the_model() -> None:
    tag = typing.get_type_hints(_types.PutBucketTaggingRequest)["Tagging"]
    assert typing.get_type_hints(tag)["TagSet"] == Sequence[_types.Tag]
    assert typing.get_args(_types.ObjectCannedACLType) == tuple(SHAPES["ObjectCannedACL"]["enum"])
    # a shape whose output form differs (lists are list[...] there) has an Output twin
    rule, rule_output = _types.LifecycleRule, _types.LifecycleRuleOutput
    assert typing.get_type_hints(rule)["Transitions"] == Sequence[_types.Transition]
    assert typing.get_type_hints(rule_output)["Transitions"] == list[_types.TransitionOutput]


def test_building_a_client_does_not_import_the_typeddicts() -> None:
    """``_types`` builds ~400 classes (tens of ms): only type checkers import it."""
    code = (
        "import sys, s3lite; s3lite.Client(region_name='us-east-1', aws_access_key_id='a', "
        "aws_secret_access_key='b'); s3lite.AsyncClient(region_name='us-east-1', aws_access_key_id='a', "
        "aws_secret_access_key='b'); print('s3lite._types' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.strip() == "False", result.stderr
