"""s3lite's decoded model against botocore's installed S3 model, both ways: every operation and shape
botocore has is in ours with the same binding, and nothing is in ours that botocore lacks."""

from __future__ import annotations

from typing import Any

import pytest

from s3lite import _model
from s3lite._http import REDACTED_HEADERS

botocore_session = pytest.importorskip("botocore.session")


@pytest.fixture(scope="module")
def service_model() -> Any:
    return botocore_session.get_session().get_service_model("s3")


def test_the_same_operations_and_shapes(service_model: Any) -> None:
    from s3lite import _model_data

    assert list(_model.operation_names()) == list(service_model.operation_names)
    assert set(_model_data.SHAPES) == set(service_model.shape_names)


def _namespace(serialization: dict[str, Any]) -> tuple[str, str] | None:
    namespace = serialization.get("xmlNamespace")
    if namespace is None:
        return None
    if isinstance(namespace, str):
        return ("", namespace)
    return (namespace.get("prefix", ""), namespace["uri"])


def _check_shape(ours: _model.Shape, theirs: Any, seen: set[str]) -> None:
    if ours.name in seen:
        return
    seen.add(ours.name)
    assert ours.type == theirs.type_name, ours.name
    if ours.type == "structure":
        assert list(ours.members) == list(theirs.members), ours.name
        assert ours.required == frozenset(theirs.required_members), ours.name
        assert ours.payload == theirs.serialization.get("payload", ""), ours.name
        assert ours.event_stream == bool(theirs.serialization.get("eventstream")), ours.name
        for name, member in ours.members.items():
            their_member = theirs.members[name]
            serialization = their_member.serialization
            where = f"{ours.name}.{name}"
            assert member.location == serialization.get("location", ""), where
            assert member.wire == serialization.get("name", name), where
            assert member.attribute == bool(serialization.get("xmlAttribute")), where
            assert member.flattened == bool(serialization.get("flattened")), where
            assert member.namespace == _namespace(serialization), where
            assert member.host_label == bool(serialization.get("hostLabel")), where
            assert member.streaming == bool(their_member.serialization.get("streaming") or
                                            getattr(their_member, "metadata", {}).get("streaming")), where  # fmt: skip
            _check_shape(member.shape, their_member, seen)
    elif ours.type == "list":
        assert ours.member is not None
        assert ours.member.wire == theirs.member.serialization.get("name", "member"), ours.name
        _check_shape(ours.member.shape, theirs.member, seen)
    elif ours.type == "map":
        assert ours.key is not None and ours.value is not None
        assert ours.key_name == theirs.key.serialization.get("name", "key"), ours.name
        assert ours.value_name == theirs.value.serialization.get("name", "value"), ours.name
        _check_shape(ours.key, theirs.key, seen)
        _check_shape(ours.value, theirs.value, seen)
    else:
        assert ours.timestamp_format == theirs.serialization.get("timestampFormat", ""), ours.name
        assert ours.minimum == theirs.metadata.get("min"), ours.name
        assert ours.sensitive == bool(theirs.metadata.get("sensitive")), ours.name


def test_every_operation_binding_matches_botocore(service_model: Any) -> None:
    for name in service_model.operation_names:
        ours, theirs = _model.operation(name), service_model.operation_model(name)
        uri = theirs.http["requestUri"]
        path, _, query = uri.partition("?")
        assert ours.method == theirs.http["method"], name
        assert ours.static_query == query, name
        assert ours.request_uri == (path.removeprefix("/{Bucket}")), name
        assert set(ours.errors) == {shape.name for shape in theirs.error_shapes}, name
        checksum = theirs.http_checksum or {}
        assert ours.checksum_required == bool(theirs.http_checksum_required or checksum.get("requestChecksumRequired"))
        assert ours.algorithm_member == checksum.get("requestAlgorithmMember", ""), name
        assert ours.host_prefix == (theirs.endpoint or {}).get("hostPrefix", ""), name
        assert ours.streaming_input == theirs.has_streaming_input, name
        assert ours.streaming_output == (theirs.has_streaming_output or theirs.has_event_stream_output), name
        seen: set[str] = set()
        if theirs.input_shape is not None:
            _check_shape(ours.input, theirs.input_shape, seen)
        assert (ours.output is None) == (theirs.output_shape is None), name
        if ours.output is not None:
            _check_shape(ours.output, theirs.output_shape, seen)


def test_every_sensitive_header_is_redacted(service_model: Any) -> None:
    """``_http.REDACTED_HEADERS`` is written out so that the model need not be loaded to redact; it
    must hold every header member the model marks sensitive (SSE-C keys, KMS ids and contexts)."""
    sensitive = {
        member.serialization["name"].lower()
        for name in service_model.shape_names
        if (shape := service_model.shape_for(name)).type_name == "structure"
        for member in shape.members.values()
        if member.serialization.get("location") == "header" and member.metadata.get("sensitive")
    }
    assert sensitive
    assert sensitive | {"authorization", "x-amz-security-token", "x-amz-sso_bearer_token"} == set(REDACTED_HEADERS)


def test_a_made_up_operation_is_refused() -> None:
    with pytest.raises(Exception, match="Unknown operation 'PutObjectt'"):
        _model.operation("PutObjectt")
