"""The REST-XML engine's pieces that S3's model does not exercise today (query lists and maps), held
to botocore's serializer on a synthetic model, so that a future S3 operation using them is right
the day it appears. Everything S3 does use is held to botocore by test_differential_all.py."""

from __future__ import annotations

from typing import Any

import pytest

from s3lite import _model
from s3lite._serialize import _query

botocore_model = pytest.importorskip("botocore.model")
botocore_serialize = pytest.importorskip("botocore.serialize")

SERVICE = {
    "metadata": {"protocol": "rest-xml", "apiVersion": "2006-03-01", "serviceId": "Test"},
    "operations": {"Op": {"name": "Op", "http": {"method": "GET", "requestUri": "/"}, "input": {"shape": "OpRequest"}}},
    "shapes": {
        "OpRequest": {
            "type": "structure",
            "members": {
                "Tags": {"shape": "Names", "location": "querystring", "locationName": "tag"},
                "Extra": {"shape": "Pairs", "location": "querystring"},
                "When": {"shape": "Stamps", "location": "querystring", "locationName": "when"},
            },
        },
        "Names": {"type": "list", "member": {"shape": "Name"}},
        "Stamps": {"type": "list", "member": {"shape": "Stamp"}},
        "Pairs": {"type": "map", "key": {"shape": "Name"}, "value": {"shape": "Name"}},
        "Name": {"type": "string"},
        "Stamp": {"type": "timestamp"},
    },
}


def _member(name: str, location_name: str, kind: str, item: str) -> _model.Member:
    shape = _model.Shape(name, kind)
    if kind == "list":
        shape.member = _model.Member("member", _model.Shape(item, item), "", "member", "", "")
    else:
        shape.key, shape.value = _model.Shape("Name", "string"), _model.Shape("Name", "string")
    return _model.Member(name, shape, "querystring", location_name, "", "")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Tags", ["a b", "c/d", "é&=", ""]),
        ("Extra", {"x y": "1/2", "k": "v&w"}),
        ("When", ["2024-02-29T23:59:58Z", 1700000000]),
    ],
)
def test_query_lists_repeat_and_maps_spread_as_botocore_encodes_them(name: str, value: Any) -> None:
    from botocore.utils import percent_encode_sequence

    model = botocore_model.ServiceModel(SERVICE)
    serialized = botocore_serialize.create_serializer("rest-xml", include_validation=False).serialize_to_request(
        {name: value}, model.operation_model("Op")
    )
    member = {
        "Tags": _member("Tags", "tag", "list", "string"),
        "Extra": _member("Extra", "", "map", ""),
        "When": _member("When", "when", "list", "timestamp"),
    }[name]
    assert "&".join(_query(member, value)) == percent_encode_sequence(serialized["query_string"])
