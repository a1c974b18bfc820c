"""Refreshing temporary credentials: botocore's advisory (15 min) and mandatory (10 min) windows, one
refresh in flight however many threads or tasks ask, a failed advisory refresh keeping the valid
keys, and an AsyncClient whose credential fetch never stalls its event loop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest
from loop_watch import watching_the_loop

import s3lite
from s3lite._credentials import Credentials
from s3lite._credentials._aperform import AsyncCredentials
from s3lite._credentials._effects import CallProvider, Fetching
from s3lite._credentials._lookup import CallerProvider
from s3lite._credentials._perform import BlockingCredentials
from s3lite._credentials._refresh import ADVISORY_WINDOW, MANDATORY_WINDOW, Held
from s3lite._endpoint import Endpoint
from s3lite._flow import CallContext
from s3lite._http import HttpRequest, HttpResponse


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class Counting:
    """A provider that hands out numbered temporary keys, ``lifetime`` seconds long, slowly if asked."""

    method = "counting"

    def __init__(self, clock: Clock, lifetime: float, *, delay: float = 0.0) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.delay = delay
        self.fetches = 0
        self.fail: Exception | None = None
        self._lock = threading.Lock()

    def _make(self) -> Credentials:
        if self.delay:
            time.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        with self._lock:
            self.fetches += 1
            number = self.fetches
        return Credentials(f"AK{number}", f"SK{number}", f"T{number}", self.clock() + self.lifetime)

    def fetch(self) -> Fetching[Credentials | None]:
        return (yield CallProvider(self._make))  # type: ignore[no-any-return]


def _unused(request: HttpRequest, timeout: float) -> HttpResponse:
    raise AssertionError("no request expected")


def held(provider: Any, clock: Clock) -> tuple[Held, CallContext]:
    context = CallContext(None, "us-east-1", Endpoint.for_region("us-east-1"), clock=clock, rand=lambda: 0.5)
    return Held(context, provider), context


def test_windows() -> None:
    clock = Clock()
    provider = Counting(clock, 3600)
    state, context = held(provider, clock)
    credentials = BlockingCredentials(state, _unused)
    assert credentials.current().access_key == "AK1"  # found at the first need
    assert context.credentials is not None and context.credentials.access_key == "AK1"
    clock.now += 3600 - ADVISORY_WINDOW - 1
    assert credentials.current().access_key == "AK1"  # still outside both windows
    clock.now += 2
    assert credentials.current().access_key == "AK2"  # advisory: refreshed
    clock.now += 3600 - MANDATORY_WINDOW + 1
    assert credentials.current().access_key == "AK3"  # mandatory


def test_failed_advisory_refresh_keeps_the_valid_keys_and_a_failed_mandatory_one_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    provider = Counting(clock, 3600)
    state, _ = held(provider, clock)
    credentials = BlockingCredentials(state, _unused)
    credentials.current()
    provider.fail = s3lite.CredentialRetrievalError("counting", "down")
    clock.now += 3600 - ADVISORY_WINDOW + 60
    assert credentials.current().access_key == "AK1"
    assert "advisory refresh period" in caplog.text and "down" in caplog.text
    clock.now += 5 * 60
    with pytest.raises(s3lite.CredentialRetrievalError, match="down"):
        credentials.current()
    provider.fail = None
    assert credentials.current().access_key == "AK2"


def test_credentials_refreshed_but_already_expired_are_an_error() -> None:
    clock = Clock()
    state, _ = held(Counting(clock, -1), clock)
    with pytest.raises(s3lite.CredentialRetrievalError, match="still expired"):
        BlockingCredentials(state, _unused).current()


def test_keys_without_expiry_are_fetched_once() -> None:
    clock = Clock()
    calls: list[int] = []

    def provider() -> Credentials:
        calls.append(1)
        return Credentials("A", "S")

    state, _ = held(CallerProvider(provider), clock)
    credentials = BlockingCredentials(state, _unused)
    for _ in range(3):
        assert credentials.current() == Credentials("A", "S")
        clock.now += 10**6
    assert len(calls) == 1


def test_the_callers_provider_is_not_shown_with_what_it_closes_over() -> None:
    from functools import partial

    def make(secret: str) -> Credentials:
        return Credentials("A", secret)

    client = s3lite.Client(region_name="us-east-1", credentials_provider=partial(make, "TOPSECRET"))
    assert "TOPSECRET" not in repr(client._held)


@pytest.mark.parametrize("window", ["mandatory", "advisory"])
def test_sixteen_threads_one_refresh(window: str) -> None:
    clock = Clock()
    provider = Counting(clock, 3600, delay=0.2)
    state, _ = held(provider, clock)
    credentials = BlockingCredentials(state, _unused)
    credentials.current()
    clock.now += 3600 - (MANDATORY_WINDOW if window == "mandatory" else ADVISORY_WINDOW) + 30
    barrier = threading.Barrier(16)
    seen: list[str] = []

    def ask() -> None:
        barrier.wait()
        seen.append(credentials.current().access_key)

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert provider.fetches == 2  # the first, and exactly one refresh
    if window == "mandatory":
        assert seen == ["AK2"] * 16  # every thread waited for the new keys
    else:
        assert "AK2" in seen and set(seen) <= {"AK1", "AK2"}  # the others went on with the valid ones


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_sixteen_tasks_one_refresh_and_the_loop_keeps_running(backend: str) -> None:
    """A fetch that takes 300 ms (the caller's provider, run in a worker thread) does not stall the
    loop: the longest gap between ticks of a 5 ms ticker stays far under 50 ms."""
    clock = Clock()
    provider = Counting(clock, 3600, delay=0.3)
    state, _ = held(provider, clock)
    credentials = AsyncCredentials(state, _unused_async)
    gaps: list[float] = []
    seen: list[str] = []

    async def main() -> None:
        async def ask() -> None:
            seen.append((await credentials.current()).access_key)

        async with watching_the_loop() as watched, anyio.create_task_group() as askers:
            for _ in range(16):
                askers.start_soon(ask)
        gaps.extend(watched)

    anyio.run(main, backend=backend)
    assert provider.fetches == 1
    assert seen == ["AK1"] * 16
    assert len(gaps) >= 20  # the ticker ran all along the 300 ms
    assert max(gaps) < 0.05, max(gaps)


async def _unused_async(request: HttpRequest, timeout: float) -> HttpResponse:
    raise AssertionError("no request expected")


# -- through the clients --------------------------------------------------------------------------


def _recording_transport(keys: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        authorization = request.headers["authorization"]
        keys.append(authorization.split("Credential=")[1].split("/")[0])
        return httpx.Response(200, headers={"ETag": '"e"'})

    return httpx.MockTransport(handler)


def _expiring_provider(lifetime: float, calls: list[int]) -> Callable[[], Credentials]:
    def provider() -> Credentials:
        calls.append(1)
        n = len(calls)
        return Credentials(f"AK{n}", f"SK{n}", f"T{n}", time.time() + lifetime)

    return provider


def test_calls_sign_with_the_refreshed_keys() -> None:
    keys: list[str] = []
    calls: list[int] = []
    client = s3lite.Client(
        region_name="us-east-1",
        transport=_recording_transport(keys),
        credentials_provider=_expiring_provider(MANDATORY_WINDOW + 0.3, calls),
    )
    client.put_object(Bucket="b", Key="k", Body=b"x")
    time.sleep(0.4)  # now inside the mandatory window
    client.put_object(Bucket="b", Key="k", Body=b"x")
    assert keys == ["AK1", "AK2"]


def test_async_calls_sign_with_the_refreshed_keys() -> None:
    keys: list[str] = []
    calls: list[int] = []

    async def main() -> None:
        async with s3lite.AsyncClient(
            region_name="us-east-1",
            transport=_recording_transport(keys),
            credentials_provider=_expiring_provider(MANDATORY_WINDOW + 0.3, calls),
        ) as client:
            await client.put_object(Bucket="b", Key="k", Body=b"x")
            await anyio.sleep(0.4)
            await client.put_object(Bucket="b", Key="k", Body=b"x")

    anyio.run(main)
    assert keys == ["AK1", "AK2"]


def test_presigning_with_keys_that_expire_first_warns() -> None:
    client = s3lite.Client(
        region_name="us-east-1", credentials_provider=_expiring_provider(3600, []), endpoint_url="http://127.0.0.1:9"
    )
    with pytest.warns(s3lite.PresignedUrlExpiryWarning, match="outlives the temporary credentials"):
        client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=7200)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        url = client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=600)
    assert "X-Amz-Security-Token=T1" in url


def test_async_presigning_uses_the_keys_held(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "EA")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "ES")
    client = s3lite.AsyncClient(region_name="us-east-1")
    # the environment's keys need no I/O: presigning (not a coroutine) finds them itself
    assert "EA%2F" in client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})

    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    (tmp_path / "credentials").write_text("[default]\naws_access_key_id = FA\naws_secret_access_key = FS\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    files = s3lite.AsyncClient(region_name="us-east-1")
    with pytest.raises(s3lite.CredentialRetrievalError, match="await client.get_credentials"):
        files.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})

    async def main() -> None:
        assert (await files.get_credentials()).access_key == "FA"

    anyio.run(main)
    assert "FA%2F" in files.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_async_windows_and_a_failed_advisory_refresh(backend: str, caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    provider = Counting(clock, 3600)
    state, _ = held(provider, clock)
    credentials = AsyncCredentials(state, _unused_async)

    async def main() -> None:
        assert (await credentials.current()).access_key == "AK1"
        clock.now += 3600 - ADVISORY_WINDOW + 60
        provider.fail = s3lite.CredentialRetrievalError("counting", "down")
        assert (await credentials.current()).access_key == "AK1"  # advisory: the valid keys, logged
        clock.now += 5 * 60
        with pytest.raises(s3lite.CredentialRetrievalError, match="down"):
            await credentials.current()  # mandatory: raised
        provider.fail = None
        assert (await credentials.current()).access_key == "AK2"

    anyio.run(main, backend=backend)
    assert "advisory refresh period" in caplog.text
