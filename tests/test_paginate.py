"""Paginators against botocore's: the same pages in, the same requests, pages, full result and NextToken out.

Both sides are driven by the same canned pages (a fake ``_call`` for s3lite, a fake client method for
botocore's ``Paginator`` built from its model); s3lite is run through its three drivers (sync,
asyncio, trio), which share one core. Tokens are exchanged both ways (a NextToken of either SDK is a
StartingToken of the other), and the data the generator compiled is checked against botocore's own
reading of ``paginators-1.json``.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Mapping
from typing import Any

import anyio
import jmespath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("botocore")

import botocore.model
import botocore.session
from botocore.exceptions import PaginationError as BotoPaginationError
from botocore.paginate import Paginator as BotoPaginator
from botocore.paginate import TokenEncoder
from codegen import paging as codegen_paging

import s3lite
from s3lite._paginate import encode_token, search_any
from s3lite._paging_data import PAGINATORS
from s3lite._wait import AsyncPaging, SyncPaging

_LOADER = botocore.session.get_session().get_component("data_loader")
SERVICE = botocore.model.ServiceModel(_LOADER.load_service_model("s3", "service-2"), "s3")
BOTO_PAGINATION = _LOADER.load_service_model("s3", "paginators-1")["pagination"]
METHODS = sorted(PAGINATORS)
BACKENDS = ("sync", "asyncio", "trio")


# -- the two sides, over the same canned pages ------------------------------------------------------


class Script:
    """Answers call n with page n (a deep copy: both SDKs may change the dict they get), then ``{}``."""

    def __init__(self, pages: list[dict[str, Any]] | Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        self.pages = pages
        self.calls: list[dict[str, Any]] = []

    def answer(self, params: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append(copy.deepcopy(dict(params)))
        if callable(self.pages):
            return self.pages(dict(params))
        index = len(self.calls) - 1
        return copy.deepcopy(self.pages[index]) if index < len(self.pages) else {}


class FakeClient(SyncPaging):
    def __init__(self, script: Script, operation: str) -> None:
        self.script = script
        self.operation = operation

    def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        assert operation == self.operation
        return self.script.answer(params)


class FakeAsyncClient(AsyncPaging):
    def __init__(self, script: Script, operation: str) -> None:
        self.script = script
        self.operation = operation

    async def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        assert operation == self.operation
        await anyio.lowlevel.checkpoint()
        return self.script.answer(params)


def error_of(error: Exception) -> tuple[str, str]:
    return type(error).__name__, str(error)


def run_botocore(method: str, make: Callable[[], Script], params: dict[str, Any], config: dict[str, Any] | None) -> Any:
    """botocore's pages, requests, resume token (or error) and full result."""
    operation = PAGINATORS[method]["operation"]

    def paginator(script: Script) -> BotoPaginator:
        return BotoPaginator(
            lambda **kwargs: script.answer(kwargs), BOTO_PAGINATION[operation], SERVICE.operation_model(operation)
        )

    kwargs = {**copy.deepcopy(params), **({} if config is None else {"PaginationConfig": dict(config)})}
    script = make()
    iterator = paginator(script).paginate(**copy.deepcopy(kwargs))
    pages: list[Any] = []
    try:
        for page in iterator:
            pages.append(copy.deepcopy(page))
        iterated: Any = (pages, script.calls, iterator.resume_token)
    except BotoPaginationError as error:
        iterated = (pages, script.calls, error_of(error))
    try:
        full: Any = paginator(make()).paginate(**copy.deepcopy(kwargs)).build_full_result()
    except BotoPaginationError as error:
        full = error_of(error)
    return iterated, full


def run_s3lite(
    backend: str, method: str, make: Callable[[], Script], params: dict[str, Any], config: dict[str, Any] | None
) -> Any:
    """s3lite's, through one of its drivers."""
    operation = PAGINATORS[method]["operation"]
    kwargs = {**copy.deepcopy(params), **({} if config is None else {"PaginationConfig": dict(config)})}
    if backend == "sync":
        script = make()
        iterator = FakeClient(script, operation).get_paginator(method).paginate(**kwargs)
        pages: list[Any] = []
        try:
            for page in iterator:
                pages.append(copy.deepcopy(page))
            iterated: Any = (pages, script.calls, iterator.resume_token)
        except s3lite.PaginationError as error:
            iterated = (pages, script.calls, error_of(error))
        try:
            full: Any = FakeClient(make(), operation).get_paginator(method).paginate(**kwargs).build_full_result()
        except s3lite.PaginationError as error:
            full = error_of(error)
        return iterated, full

    async def main() -> Any:
        script = make()
        iterator = FakeAsyncClient(script, operation).get_paginator(method).paginate(**kwargs)
        pages: list[Any] = []
        try:
            async for page in iterator:
                pages.append(copy.deepcopy(page))
            iterated: Any = (pages, script.calls, iterator.resume_token)
        except s3lite.PaginationError as error:
            iterated = (pages, script.calls, error_of(error))
        try:
            paginator = FakeAsyncClient(make(), operation).get_paginator(method)
            full: Any = await paginator.paginate(**kwargs).build_full_result()
        except s3lite.PaginationError as error:
            full = error_of(error)
        return iterated, full

    return anyio.run(main, backend=backend)


# -- hypothesis: page sequences and PaginationConfig ------------------------------------------------

TOKENS = st.sampled_from(["t1", "t2", "t3", "a b", "", "None"])


def result_items(key: str) -> st.SearchStrategy[Any]:
    if key == "CommonPrefixes":
        return st.lists(st.fixed_dictionaries({"Prefix": st.sampled_from(["p/", "q/"])}), max_size=3)
    item = st.fixed_dictionaries({"Key": st.sampled_from(["a", "b", "c~", ""])}, optional={"Size": st.integers(0, 9)})
    return st.lists(item, max_size=5)


@st.composite
def page(draw: st.DrawFn, method: str) -> dict[str, Any]:
    spec = PAGINATORS[method]
    result: dict[str, Any] = {"ResponseMetadata": {"HTTPStatusCode": 200, "RetryAttempts": 0}}
    for key in spec["result_key"]:
        if draw(st.integers(0, 5)):
            result[key] = draw(result_items(key))
    for alternatives in spec["output_token"]:
        name = alternatives[0][0]
        if draw(st.booleans()):
            result[name] = draw(st.integers(0, 3) if name == "NextPartNumberMarker" else TOKENS)
    if spec["more_results"] is not None and draw(st.integers(0, 5)):
        result[spec["more_results"]] = draw(st.booleans())
    for key in spec["non_aggregate_keys"]:
        if draw(st.booleans()):
            result[key] = draw(st.sampled_from(["x", "requester"]) | st.fixed_dictionaries({"ID": st.just("o")}))
    return result


@st.composite
def starting_token(draw: st.DrawFn, method: str) -> str:
    inputs = PAGINATORS[method]["input_token"]
    if draw(st.booleans()):  # botocore's own encoding, as a NextToken of botocore's carries it
        token: dict[str, Any] = {name: draw(st.none() | TOKENS) for name in inputs}
        if draw(st.booleans()):
            token["boto_truncate_amount"] = draw(st.integers(0, 4))
        return TokenEncoder().encode(token)
    # botocore's deprecated forms: "a___b[___index]", or a raw service token
    parts = [draw(TOKENS.filter(lambda t: "___" not in t)) for _ in range(draw(st.integers(1, len(inputs))))]
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["0", "2", "x"])))
    return "___".join(parts)


@st.composite
def scenario(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]], dict[str, Any], dict[str, Any] | None]:
    method = draw(st.sampled_from(METHODS))
    pages = draw(st.lists(page(method), min_size=1, max_size=6))
    params: dict[str, Any] = {"Bucket": "b"}
    if draw(st.booleans()):  # a token already in the parameters: absent tokens must remove it
        params[PAGINATORS[method]["input_token"][0]] = "preset"
    config: dict[str, Any] | None = None
    if draw(st.integers(0, 3)):
        config = {}
        if draw(st.booleans()):
            config["MaxItems"] = draw(st.integers(-1, 12) | st.sampled_from(["3"]))
        if draw(st.booleans()):
            config["PageSize"] = draw(st.integers(1, 5) | st.sampled_from(["2"]))
        if draw(st.booleans()):
            config["StartingToken"] = draw(starting_token(method))
    return method, pages, params, config


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_pages_requests_full_result_and_next_token_are_botocores(
    case: tuple[str, list[dict[str, Any]], dict[str, Any], dict[str, Any] | None],
) -> None:
    method, pages, params, config = case
    expected = run_botocore(method, lambda: Script(pages), params, config)
    for backend in BACKENDS:
        assert run_s3lite(backend, method, lambda: Script(pages), params, config) == expected, backend


# -- fixed cases: each rule on its own, so a failure names it ---------------------------------------


def both(method: str, pages: list[dict[str, Any]], config: dict[str, Any] | None = None, **params: Any) -> Any:
    params.setdefault("Bucket", "b")
    expected = run_botocore(method, lambda: Script(pages), params, config)
    for backend in BACKENDS:
        assert run_s3lite(backend, method, lambda: Script(pages), params, config) == expected, backend
    return expected


def keys(*names: str) -> list[dict[str, Any]]:
    return [{"Key": name} for name in names]


def test_list_objects_falls_back_to_the_last_key_when_next_marker_is_absent() -> None:
    pages = [
        {"Contents": keys("a", "b"), "IsTruncated": True},
        {"Contents": keys("c"), "IsTruncated": True, "NextMarker": "m"},
        {"Contents": keys("d"), "IsTruncated": False},
    ]
    (_, calls, _), full = both("list_objects", pages)
    assert [call.get("Marker") for call in calls] == [None, "b", "m"]
    assert [item["Key"] for item in full["Contents"]] == ["a", "b", "c", "d"]


def test_two_tokens_of_list_object_versions_travel_together() -> None:
    pages = [
        {"Versions": keys("a"), "IsTruncated": True, "NextKeyMarker": "a", "NextVersionIdMarker": "v1"},
        {"Versions": keys("b"), "IsTruncated": True, "NextKeyMarker": "b"},  # no version marker: removed
        {"Versions": keys("c"), "DeleteMarkers": keys("c"), "IsTruncated": False},
    ]
    (_, calls, _), full = both("list_object_versions", pages, KeyMarker="start", VersionIdMarker="v0")
    assert [(c.get("KeyMarker"), c.get("VersionIdMarker")) for c in calls] == [
        ("start", "v0"),
        ("a", "v1"),
        ("b", None),
    ]
    assert full["DeleteMarkers"] == keys("c") and full["Prefix"] is None


def test_max_items_cuts_inside_a_page_and_the_token_resumes_there() -> None:
    pages = [
        {"Uploads": keys("a", "b"), "IsTruncated": True, "NextKeyMarker": "b", "NextUploadIdMarker": "u"},
        {"Uploads": keys("c", "d", "e"), "CommonPrefixes": [{"Prefix": "p/"}], "IsTruncated": False},
    ]
    (got, _, token), full = both("list_multipart_uploads", pages, {"MaxItems": 3})
    assert got[1]["Uploads"] == keys("c")
    assert json.loads(base64.b64decode(token)) == {"KeyMarker": "b", "UploadIdMarker": "u", "boto_truncate_amount": 1}
    assert full["NextToken"] == token
    (resumed, calls, end), _ = both("list_multipart_uploads", pages[1:], {"StartingToken": token})
    assert calls[0]["KeyMarker"] == "b" and resumed[0]["Uploads"] == keys("d", "e") and end is None
    assert resumed[0]["CommonPrefixes"] == []  # botocore empties the secondary result keys of a resumed page


def test_max_items_on_a_page_boundary_resumes_at_the_next_token() -> None:
    pages = [{"Parts": [{"PartNumber": 1}], "IsTruncated": True, "NextPartNumberMarker": 1}, {"Parts": []}]
    (_, calls, token), _ = both("list_parts", pages, {"MaxItems": 1, "PageSize": 1}, Key="k", UploadId="u")
    assert calls == [{"Bucket": "b", "Key": "k", "UploadId": "u", "MaxParts": 1}]
    assert json.loads(base64.b64decode(token)) == {"PartNumberMarker": 1}


def test_the_same_next_token_twice_is_a_pagination_error() -> None:
    page = {"Contents": keys("a"), "IsTruncated": True, "NextContinuationToken": "same"}
    (pages, _, error), full = both("list_objects_v2", [page, page, page])
    assert len(pages) == 2 and error == full
    message = "Error during pagination: The same next token was received twice: {'ContinuationToken': 'same'}"
    assert error == ("PaginationError", message)


def test_an_empty_or_falsy_token_ends_the_run() -> None:
    pages = [{"Parts": [{"PartNumber": 1}], "IsTruncated": True, "NextPartNumberMarker": 0}, {"Parts": []}]
    (got, calls, _), _ = both("list_parts", pages, Key="k", UploadId="u")
    assert len(calls) == 1 and len(got) == 1


def test_a_raw_service_token_is_a_starting_token() -> None:
    (_, calls, _), _ = both("list_objects_v2", [{"Contents": keys("z")}], {"StartingToken": "opaque-token"})
    assert calls[0]["ContinuationToken"] == "opaque-token"


# -- tokens: one SDK's NextToken resumes in the other -----------------------------------------------


def listing_server(method: str, items: list[str], *, delimiter_markers: bool) -> Callable[[dict[str, Any]], Any]:
    """A server holding ``items`` and answering the paginator's operation page by page."""
    spec = PAGINATORS[method]
    limit = spec["limit_key"]

    def answer(params: dict[str, Any]) -> dict[str, Any]:
        size = params.get(limit, 3)
        if method == "list_objects_v2":
            start = int(params.get("ContinuationToken", "c0")[1:])
        elif method == "list_objects":
            start = items.index(params["Marker"]) + 1 if "Marker" in params else 0
        else:  # list_object_versions: (key, version) pairs, both markers
            marker = (params.get("KeyMarker"), params.get("VersionIdMarker"))
            start = next((i + 1 for i, item in enumerate(items) if (item, f"v-{item}") == marker), 0)
        chunk = items[start : start + size]
        more = start + size < len(items)
        result: dict[str, Any] = {"IsTruncated": more, "Prefix": ""}
        if method == "list_object_versions":
            result["Versions"] = [{"Key": key, "VersionId": f"v-{key}"} for key in chunk]
            if more:
                result.update(NextKeyMarker=chunk[-1], NextVersionIdMarker=f"v-{chunk[-1]}")
        else:
            result["Contents"] = keys(*chunk)
            if more and method == "list_objects_v2":
                result["NextContinuationToken"] = f"c{start + size}"
            if more and method == "list_objects" and delimiter_markers:
                result["NextMarker"] = chunk[-1]
        return result

    return answer


def listed(method: str, pages: list[dict[str, Any]]) -> list[str]:
    key = "Versions" if method == "list_object_versions" else "Contents"
    return [item["Key"] for page in pages for item in page.get(key) or []]


@settings(max_examples=150, deadline=None)
@given(
    method=st.sampled_from(["list_objects_v2", "list_objects", "list_object_versions"]),
    count=st.integers(0, 25),
    page_size=st.integers(1, 6),
    max_items=st.integers(1, 9),
    markers=st.booleans(),
    s3lite_first=st.booleans(),
)
def test_a_next_token_resumes_in_the_other_sdk(
    method: str, count: int, page_size: int, max_items: int, markers: bool, s3lite_first: bool
) -> None:
    items = [f"k{i:02}" for i in range(count)]

    def make() -> Script:
        return Script(listing_server(method, items, delimiter_markers=markers))

    first = {"MaxItems": max_items, "PageSize": page_size}
    runners = [
        lambda config: run_s3lite("sync", method, make, {"Bucket": "b"}, config),
        lambda config: run_botocore(method, make, {"Bucket": "b"}, config),
    ]
    if not s3lite_first:
        runners.reverse()
    (pages, _, token), _ = runners[0](first)
    seen = listed(method, pages)
    while token is not None:
        (pages, _, token), _ = runners[1]({**first, "StartingToken": token})
        seen += listed(method, pages)
        runners.reverse()
    assert seen == items


def test_next_token_is_botocores_encoding() -> None:
    for token in ({"ContinuationToken": None, "boto_truncate_amount": 2}, {"KeyMarker": "é", "UploadIdMarker": "u"}):
        assert encode_token(token) == TokenEncoder().encode(token)
    with_bytes = {"Marker": b"\xff\x00", "boto_truncate_amount": 1}
    assert encode_token(with_bytes) == TokenEncoder().encode(with_bytes)


# -- the compiled expressions and the data ----------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-1, 2) | st.sampled_from(["", "k"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["Key", "NextMarker"]), inner),
    max_leaves=8,
)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "NextMarker": JSON_VALUES,
            "Contents": JSON_VALUES | st.lists(st.fixed_dictionaries({}, optional={"Key": JSON_VALUES})),
        },
    )
)
def test_the_or_expression_is_jmespaths(page: dict[str, Any]) -> None:
    (alternatives,) = PAGINATORS["list_objects"]["output_token"]
    assert search_any(page, alternatives) == jmespath.search("NextMarker || Contents[-1].Key", page)


def test_the_data_is_botocores_paginators() -> None:
    from botocore import xform_name

    assert sorted(PAGINATORS) == sorted(xform_name(name) for name in BOTO_PAGINATION)
    for method, spec in PAGINATORS.items():
        config = BOTO_PAGINATION[spec["operation"]]
        boto = BotoPaginator(None, config, SERVICE.operation_model(spec["operation"]))
        assert list(spec["input_token"]) == boto._input_token
        assert [key.expression for key in boto.result_keys] == list(spec["result_key"])
        assert [key.expression for key in boto._non_aggregate_keys] == list(spec["non_aggregate_keys"])
        assert spec["limit_key"] == boto._limit_key, method
        assert spec["more_results"] == (boto._more_results and boto._more_results.expression)
        rebuilt = [
            " || ".join("".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path)[1:] for path in alts)
            for alts in spec["output_token"]
        ]
        assert rebuilt == [token.expression.replace("||", " || ").replace("  ", " ") for token in boto._output_token]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("output_token", "Contents[].Key"),
        ("output_token", "Foo.Bar | Baz"),
        ("result_key", "Contents.Key"),
        ("non_aggregate_keys", ["Owner.ID"]),
        ("more_results", "length(Contents)"),
    ],
)
def test_the_generator_refuses_expressions_it_cannot_compile(field: str, value: Any) -> None:
    config = {"pagination": {"ListObjectsV2": {**BOTO_PAGINATION["ListObjectsV2"], field: value}}}
    with pytest.raises(ValueError, match="s3lite"):
        codegen_paging.paginators(SERVICE._service_description, config)


# -- the clients, the errors ------------------------------------------------------------------------


OPTIONS = {"region_name": "us-east-1", "aws_access_key_id": "AKID", "aws_secret_access_key": "secret"}


def test_both_clients_expose_the_paginators() -> None:
    client = s3lite.Client(**OPTIONS)
    pages = [{"Contents": keys("a"), "IsTruncated": True, "NextContinuationToken": "t"}, {"Contents": keys("b")}]
    script = Script(pages)
    client._call = lambda operation, params: script.answer(params)  # type: ignore[method-assign]
    assert client.can_paginate("list_objects_v2") and not client.can_paginate("put_object")
    assert not client.can_paginate("no_such_method")
    assert listed("list_objects_v2", list(client.get_paginator("list_objects_v2").paginate(Bucket="b"))) == ["a", "b"]
    client.close()

    async def main() -> list[str]:
        async with s3lite.AsyncClient(**OPTIONS) as aclient:
            script = Script(pages)

            async def call(operation: str, params: Mapping[str, Any]) -> Any:
                return script.answer(params)

            aclient._call = call  # type: ignore[method-assign]
            return listed(
                "list_objects_v2",
                [page async for page in aclient.get_paginator("list_objects_v2").paginate(Bucket="b")],
            )

    assert anyio.run(main) == ["a", "b"]


def test_unknown_paginator_and_bad_config_are_s3lite_errors() -> None:
    client = FakeClient(Script([]), "ListObjectsV2")
    with pytest.raises(s3lite.OperationNotPageableError, match="Operation cannot be paginated: put_object"):
        client.get_paginator("put_object")
    paginator = client.get_paginator("list_objects_v2")
    for config in ({"MaxItem": 3}, {"MaxItems": "many"}, {"PageSize": None, "StartingToken": 3}, "x"):
        with pytest.raises(s3lite.ParamValidationError):
            paginator.paginate(Bucket="b", PaginationConfig=config)  # type: ignore[arg-type]
    bad = base64.b64encode(json.dumps({"Marker": "x"}).encode()).decode()
    with pytest.raises(s3lite.ParamValidationError, match="bad starting token"):
        paginator.paginate(Bucket="b", PaginationConfig={"StartingToken": bad})


def test_an_error_of_a_page_leaves_the_iterator() -> None:
    class Failing(SyncPaging):
        def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
            raise s3lite.NoSuchBucket({"Error": {"Code": "NoSuchBucket", "Message": "gone"}}, operation)

    with pytest.raises(s3lite.NoSuchBucket):
        Failing().get_paginator("list_objects_v2").paginate(Bucket="b").build_full_result()
