"""Waiters against botocore's: for the same answers, the same attempts, sleeps and outcome.

A fake ``_call`` answers each attempt with a result dict or raises ``s3lite.ClientError`` (404 and
friends); botocore's ``Waiter``, built from its model, gets the same answers from a fake operation
(raising botocore's ``ClientError``) and sleeps into a list. s3lite runs through its three drivers
(sync ``time.sleep``, asyncio and trio ``anyio.sleep``), which share one core. The last tests drive a
real ``Client`` / ``AsyncClient`` over ``httpx.MockTransport`` (HeadObject exists today).
"""

from __future__ import annotations

import copy
import time
import types
from collections.abc import Mapping
from typing import Any
from unittest import mock

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("botocore")

import botocore.session
import botocore.waiter
from botocore.exceptions import ClientError as BotoClientError
from botocore.exceptions import WaiterError as BotoWaiterError
from codegen import paging as codegen_paging

import s3lite
import s3lite._paginate
from s3lite._paging_data import WAITERS
from s3lite._wait import AsyncPaging, SyncPaging

BOTO_WAITERS = botocore.session.get_session().get_component("data_loader").load_service_model("s3", "waiters-2")
BACKENDS = ("sync", "asyncio", "trio")
PARAMS = {"Bucket": "b", "Key": "k"}

#: an attempt's answer: (HTTP status, error code or None for a result without Error, has ResponseMetadata)
Answer = tuple[int, str | None, bool]


def response_of(answer: Answer) -> dict[str, Any]:
    status, code, metadata = answer
    response: dict[str, Any] = {"ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": 0}} if metadata else {}
    if status >= 300:
        response["Error"] = {"Message": "Not Found"} if code is None else {"Code": code, "Message": "Not Found"}
    return response


class Answers:
    """Answers attempt n with answer n (the last one repeated); records the calls."""

    def __init__(self, answers: list[Answer]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def next(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append((operation, dict(params)))
        return response_of(self.answers[min(len(self.calls), len(self.answers)) - 1])


class FakeClient(SyncPaging):
    def __init__(self, answers: Answers) -> None:
        self.answers = answers

    def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        response = self.answers.next(operation, params)
        if "Error" in response:
            raise s3lite.ClientError(response, operation)
        return response


class FakeAsyncClient(AsyncPaging):
    def __init__(self, answers: Answers) -> None:
        self.answers = answers

    async def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        await anyio.lowlevel.checkpoint()
        return FakeClient._call(self, operation, params)  # type: ignore[arg-type]


def outcome_of(error: BaseException | None) -> Any:
    if error is None:
        return None
    assert type(error).__name__ == "WaiterError"
    return str(error), error.last_response  # type: ignore[attr-defined]


def run_botocore(name: str, answers: list[Answer], config: dict[str, Any] | None) -> Any:
    camel = WAITERS[name]["name"]
    recorded = Answers(answers)

    def operation(**params: Any) -> dict[str, Any]:
        response = recorded.next(WAITERS[name]["operation"], params)
        if "Error" in response:
            raise BotoClientError(copy.deepcopy(response), WAITERS[name]["operation"])
        return response

    waiter = botocore.waiter.Waiter(
        camel,
        botocore.waiter.SingleWaiterConfig(BOTO_WAITERS["waiters"][camel]),
        botocore.waiter.NormalizedOperationMethod(operation),
    )
    sleeps: list[float] = []
    with mock.patch.object(botocore.waiter, "time", types.SimpleNamespace(sleep=sleeps.append)):
        try:
            waiter.wait(**PARAMS, **({} if config is None else {"WaiterConfig": config}))
            error = None
        except BotoWaiterError as caught:
            error = caught
    return recorded.calls, sleeps, outcome_of(error)


def run_s3lite(backend: str, name: str, answers: list[Answer], config: dict[str, Any] | None) -> Any:
    recorded = Answers(answers)
    sleeps: list[float] = []
    kwargs = {**PARAMS, **({} if config is None else {"WaiterConfig": config})}
    error: BaseException | None = None
    if backend == "sync":
        with mock.patch.object(s3lite._paginate, "time", types.SimpleNamespace(sleep=sleeps.append)):
            try:
                FakeClient(recorded).get_waiter(name).wait(**kwargs)
            except s3lite.WaiterError as caught:
                error = caught
        return recorded.calls, sleeps, outcome_of(error)

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await anyio.lowlevel.checkpoint()

    async def main() -> BaseException | None:
        try:
            await FakeAsyncClient(recorded).get_waiter(name).wait(**kwargs)
        except s3lite.WaiterError as caught:
            return caught
        return None

    with mock.patch.object(anyio, "sleep", sleep):  # _paginate imports anyio where it sleeps
        error = anyio.run(main, backend=backend)
    return recorded.calls, sleeps, outcome_of(error)


ANSWERS = st.tuples(
    st.sampled_from([200, 202, 301, 403, 404, 500]),
    st.sampled_from(["404", "403", "NoSuchKey", "InternalError"]) | st.none(),
    st.integers(0, 5).map(bool),
)
CONFIGS = st.none() | st.fixed_dictionaries(
    {}, optional={"Delay": st.sampled_from([0, 0.25, 3]), "MaxAttempts": st.integers(0, 5)}
)


@settings(max_examples=250, deadline=None)
@given(name=st.sampled_from(sorted(WAITERS)), answers=st.lists(ANSWERS, min_size=1, max_size=6), config=CONFIGS)
def test_attempts_sleeps_and_outcome_are_botocores(
    name: str, answers: list[Answer], config: dict[str, Any] | None
) -> None:
    expected = run_botocore(name, answers, config)
    for backend in BACKENDS:
        assert run_s3lite(backend, name, answers, config) == expected, backend


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("name", "answers", "attempts", "message"),
    [
        ("bucket_exists", [(404, "404", True), (403, "403", True)], 2, None),  # 403: it exists, not ours
        ("bucket_exists", [(301, "301", True)], 1, None),
        ("bucket_not_exists", [(200, None, True), (404, "404", True)], 2, None),
        ("object_exists", [(404, "404", True)], 3, ("Waiter ObjectExists failed: Max attempts exceeded. "
         "Previously accepted state: Matched expected HTTP status code: 404")),
        ("object_exists", [(500, "InternalError", True)], 1, ("Waiter ObjectExists failed: An error occurred "
         "(InternalError): Not Found")),
        ("object_not_exists", [(200, None, True)], 3, "Waiter ObjectNotExists failed: Max attempts exceeded"),
    ],
)  # fmt: skip
def test_each_s3_waiter(backend: str, name: str, answers: list[Answer], attempts: int, message: str | None) -> None:
    config = {"Delay": 2, "MaxAttempts": 3}
    calls, sleeps, outcome = expected = run_botocore(name, answers, config)
    assert run_s3lite(backend, name, answers, config) == expected
    assert len(calls) == attempts and sleeps == [2] * (attempts - 1)
    assert calls[0] == (WAITERS[name]["operation"], PARAMS)
    assert (outcome and outcome[0]) == message


def test_the_waiters_default_delay_and_attempts_are_botocores() -> None:
    calls, sleeps, _ = expected = run_botocore("object_exists", [(404, "404", True)], None)
    assert run_s3lite("sync", "object_exists", [(404, "404", True)], None) == expected
    assert len(calls) == 20 and set(sleeps) == {5}


def test_waiter_error_is_an_s3lite_error_with_the_last_response() -> None:
    no_sleep = types.SimpleNamespace(sleep=lambda seconds: None)
    with mock.patch.object(s3lite._paginate, "time", no_sleep), pytest.raises(s3lite.WaiterError) as caught:
        FakeClient(Answers([(404, "404", True)])).get_waiter("object_exists").wait(Bucket="b", Key="k")
    assert isinstance(caught.value, s3lite.S3LiteError)
    assert caught.value.last_response == response_of((404, "404", True))
    assert caught.value.name == "ObjectExists"


def test_bad_names_and_config_are_s3lite_errors() -> None:
    client = FakeClient(Answers([(200, None, True)]))
    assert client.waiter_names == ["bucket_exists", "bucket_not_exists", "object_exists", "object_not_exists"]
    with pytest.raises(s3lite.ParamValidationError, match="Waiter does not exist: object_there"):
        client.get_waiter("object_there")
    waiter = client.get_waiter("object_exists")
    for config in ({"delay": 1}, {"Delay": "1"}, {"Delay": -1}, {"MaxAttempts": 2.5}, [1]):
        with pytest.raises(s3lite.ParamValidationError):
            waiter.wait(Bucket="b", Key="k", WaiterConfig=config)  # type: ignore[arg-type]
    assert client.answers.calls == []


def test_the_generator_refuses_matchers_it_does_not_implement() -> None:
    config = copy.deepcopy(BOTO_WAITERS)
    config["waiters"]["ObjectExists"]["acceptors"].append(
        {"matcher": "path", "argument": "ContentLength", "expected": 0, "state": "failure"}
    )
    with pytest.raises(ValueError, match="matcher 'path' is not implemented by s3lite"):
        codegen_paging.waiters({"operations": {"HeadObject": {}, "HeadBucket": {}}}, config)


# -- the real clients, over httpx.MockTransport -----------------------------------------------------

OPTIONS = {
    "region_name": "us-east-1",
    "aws_access_key_id": "AKIDEXAMPLE",
    "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "endpoint_url": "http://s3.test",
}


def head_server(statuses: list[int]) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    requests: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(statuses[min(len(requests), len(statuses)) - 1], headers={"x-amz-request-id": "r"})

    return httpx.MockTransport(handle), requests


@pytest.mark.parametrize("backend", BACKENDS)
def test_object_waiters_on_the_real_clients(backend: str) -> None:
    config = {"Delay": 0, "MaxAttempts": 4}
    if backend == "sync":
        transport, requests = head_server([404, 404, 200])
        with s3lite.Client(transport=transport, **OPTIONS) as client:
            client.get_waiter("object_exists").wait(Bucket="b", Key="k", WaiterConfig=config)
            with pytest.raises(s3lite.WaiterError, match="Waiter ObjectNotExists failed: Max attempts exceeded"):
                client.get_waiter("object_not_exists").wait(Bucket="b", Key="k", WaiterConfig=config)
    else:
        atransport, requests = head_server([404, 404, 200])

        async def main() -> None:
            async with s3lite.AsyncClient(transport=atransport, **OPTIONS) as client:
                await client.get_waiter("object_exists").wait(Bucket="b", Key="k", WaiterConfig=config)
                with pytest.raises(s3lite.WaiterError, match="Waiter ObjectNotExists failed: Max attempts exceeded"):
                    await client.get_waiter("object_not_exists").wait(Bucket="b", Key="k", WaiterConfig=config)

        anyio.run(main, backend=backend)
    assert [(r.method, r.url.path) for r in requests] == [("HEAD", "/b/k")] * 7


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_the_async_waiter_sleeps_without_blocking_the_loop(backend: str) -> None:
    transport, _ = head_server([404, 404, 200])
    ticks: list[float] = []

    async def main() -> float:
        async def tick() -> None:
            while True:
                ticks.append(time.monotonic())
                await anyio.sleep(0.01)

        async with s3lite.AsyncClient(transport=transport, **OPTIONS) as client, anyio.create_task_group() as group:
            group.start_soon(tick)
            started = time.monotonic()
            await client.get_waiter("object_exists").wait(Bucket="b", Key="k", WaiterConfig={"Delay": 0.1})
            group.cancel_scope.cancel()
            return time.monotonic() - started

    elapsed = anyio.run(main, backend=backend)
    assert elapsed >= 0.2  # two real sleeps of Delay
    assert len(ticks) >= 10  # the loop ran other tasks meanwhile
