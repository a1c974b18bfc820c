"""The static operation table against botocore's installed S3 model: same members, same places."""

from __future__ import annotations

from typing import Any

import pytest

from s3lite._model import HEADER, HEADER_MAP, OPERATIONS, PAYLOAD, QUERY, SHAPES, URI, XML, Member

botocore_session = pytest.importorskip("botocore.session")

_LOCATIONS = {"header": HEADER, "headers": HEADER_MAP, "querystring": QUERY, "uri": URI}


@pytest.fixture(scope="module")
def service_model() -> Any:
    return botocore_session.get_session().get_service_model("s3")


def _location(name: str, member: Any, *, payload: str | None) -> str:
    location = member.serialization.get("location")
    if location:
        return _LOCATIONS[location]
    return PAYLOAD if name == payload else XML


def _check_members(ours: dict[str, Member], shape: Any) -> None:
    payload = shape.serialization.get("payload")
    for name, member_shape in shape.members.items():
        assert name in ours, f"{shape.name}.{name} missing from s3lite's model"
        mine = ours[name]
        assert mine.location == _location(name, member_shape, payload=payload), f"{shape.name}.{name} location"
        if mine.location in (HEADER, HEADER_MAP, QUERY):
            assert mine.wire == member_shape.serialization["name"], f"{shape.name}.{name} wire name"
        if mine.location == XML:
            assert mine.wire == member_shape.serialization.get("name", name), f"{shape.name}.{name} element"
        if member_shape.type_name != "structure":
            assert mine.type == member_shape.type_name, f"{shape.name}.{name} type"
        if member_shape.type_name == "timestamp" and "timestampFormat" in member_shape.serialization:
            assert mine.timestamp_format == member_shape.serialization["timestampFormat"], f"{shape.name}.{name}"


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_operation_binding_matches_botocore(operation: str, service_model: Any) -> None:
    ours = OPERATIONS[operation]
    theirs = service_model.operation_model(operation)
    assert ours.method == theirs.http["method"]
    assert ours.static_query == (theirs.http["requestUri"].split("?", 1)[1] if "?" in theirs.http["requestUri"] else "")
    assert ours.required == frozenset(theirs.input_shape.required_members)
    _check_members(ours.inputs, theirs.input_shape)
    _check_members({m.name: m for m in ours.outputs}, theirs.output_shape)
    assert ours.streaming_input == ("requestAlgorithmMember" in (theirs.http_checksum or {}))


@pytest.mark.parametrize("shape_name", sorted(SHAPES))
def test_nested_shapes_match_botocore(shape_name: str, service_model: Any) -> None:
    theirs = service_model.shape_for(shape_name)
    assert {m.name for m in SHAPES[shape_name]} == set(theirs.members)
    for member in SHAPES[shape_name]:
        assert member.wire == theirs.members[member.name].serialization.get("name", member.name)


def test_sensitive_members_are_marked() -> None:
    """The members whose values must never be logged (s3-spec.md §1.1, "Sensitive")."""
    sensitive = {m.name for op in OPERATIONS.values() for m in op.inputs.values() if m.sensitive}
    assert sensitive == {
        "SSECustomerKey",
        "CopySourceSSECustomerKey",
        "SSEKMSKeyId",
        "SSEKMSEncryptionContext",
    }


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_modeled_errors(service_model: Any, name: str) -> None:
    """They decide which 429s are retried (botocore 1.44's ThrottlingStatusCodeChecker)."""
    theirs = {shape.name for shape in service_model.operation_model(name).error_shapes}
    assert set(OPERATIONS[name].modeled_errors) == theirs


def test_every_sensitive_member_is_redacted() -> None:
    from s3lite._http import REDACTED_HEADERS

    for op in OPERATIONS.values():
        for member in op.inputs.values():
            if member.sensitive or member.wire.lower().endswith("customer-key"):
                assert member.wire.lower() in REDACTED_HEADERS, member.name
