"""The ``iam-role`` provider (``s3lite._credentials._imds``) against a fake instance metadata service,
and against botocore's InstanceMetadataProvider on the same fake: for each scenario both resolve the
same credentials (or both nothing, or both fail), after the same requests."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from metadata_fakes import (
    Answer,
    FakeServer,
    Found,
    PoolFetch,
    Seen,
    botocore_provider,
    clean_environment,
    found_by_botocore,
    found_by_us,
    our_settings,
    serving,
)

from s3lite import __version__
from s3lite._credentials import Credentials, _imds
from s3lite._credentials._perform import drive
from s3lite._credentials._settings import Settings
from s3lite._errors import CredentialRetrievalError
from s3lite._http import HttpResponse

ROLE_PATH = "/latest/meta-data/iam/security-credentials/"
ROLE = "app-role"
TOKEN = "AQAEAImdsSessionToken=="
ACCESS_KEY = "ASIAIMDSEXAMPLE"
SECRET = "imds/secret+key/EXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjImdsSessionTokenOfTheRole"
FUTURE = "2099-01-01T00:00:00Z"


def document(**changes: Any) -> bytes:
    fields: dict[str, Any] = {
        "Code": "Success",
        "LastUpdated": "2026-01-01T00:00:00Z",
        "Type": "AWS-HMAC",
        "AccessKeyId": ACCESS_KEY,
        "SecretAccessKey": SECRET,
        "Token": SESSION_TOKEN,
        "Expiration": FUTURE,
    }
    fields.update(changes)
    return json.dumps({k: v for k, v in fields.items() if v is not ...}).encode()


Route = Answer | list[Answer]


def _nth(route: Route, request: Seen, seen: list[Seen]) -> Answer:
    """A list answers the first request to its path with its first answer, and so on (the last repeats)."""
    if isinstance(route, Answer):
        return route
    earlier = sum(1 for s in seen if s.method == request.method and s.path == request.path)
    return route[min(earlier, len(route) - 1)]


ISSUED = Answer(200, TOKEN.encode())
NAMED = Answer(200, ROLE.encode())
GRANTED = Answer(200, document())


class Imds:
    """The service's three routes (under any prefix). A GET with a token other than the one issued is
    401, and so is one with none when ``v2_only`` (an instance that requires IMDSv2)."""

    def __init__(
        self, token: Route = ISSUED, role: Route = NAMED, credentials: Route = GRANTED, v2_only: bool = False
    ) -> None:
        self.routes = {"token": token, "role": role, "credentials": credentials}
        self.v2_only = v2_only

    def __call__(self, request: Seen, seen: list[Seen]) -> Answer:
        if request.method == "PUT" and request.path.endswith("/latest/api/token"):
            return _nth(self.routes["token"], request, seen)
        if request.method != "GET":
            return Answer(405)
        sent = request.headers.get("x-aws-ec2-metadata-token")
        if sent != TOKEN and (sent is not None or self.v2_only):
            return Answer(401)
        if request.path.endswith(ROLE_PATH):
            return _nth(self.routes["role"], request, seen)
        if request.path.endswith(ROLE_PATH + ROLE):
            return _nth(self.routes["credentials"], request, seen)
        return Answer(404)


SLOW = 1.6  # longer than the one-second default timeout

#: (scenario, environment, profile keys, the fake's script, what both find: "found", None or "error")
SCENARIOS: list[tuple[str, dict[str, str], str, Imds, str | None]] = [
    ("v2", {}, "", Imds(v2_only=True), "found"),
    ("put 403: v1", {}, "", Imds(token=Answer(403)), "found"),
    ("put 404: v1", {}, "", Imds(token=Answer(404)), "found"),
    ("put 405: v1", {}, "", Imds(token=Answer(405)), "found"),
    (
        "put 403, 2 attempts: v1 at once",
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
        "",
        Imds(token=Answer(403)),
        "found",
    ),
    ("put 400: nothing", {}, "", Imds(token=Answer(400)), None),
    (
        "put 400, 2 attempts: nothing at once",
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
        "",
        Imds(token=Answer(400)),
        None,
    ),
    ("put 500: v1 after the attempts", {}, "", Imds(token=Answer(500)), "found"),
    (
        "put 503 then 200: v2 on the 2nd attempt",
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
        "",
        Imds(token=[Answer(503), Answer(200, TOKEN.encode())]),
        "found",
    ),
    ("put timed out: v1", {}, "", Imds(token=Answer(200, TOKEN.encode(), delay=SLOW)), "found"),
    (
        "put timed out, 2 attempts: v1 at once",
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
        "",
        Imds(token=Answer(200, TOKEN.encode(), delay=SLOW)),
        "found",
    ),
    (
        "everything timed out: nothing",
        {},
        "",
        Imds(token=Answer(200, b"x", delay=SLOW), role=Answer(200, b"x", delay=SLOW)),
        None,
    ),
    ("no role (404): nothing", {}, "", Imds(role=Answer(404)), None),
    ("empty role name: nothing", {}, "", Imds(role=Answer(200, b"")), None),
    (
        "role 500 then ok, attempts from the profile",
        {},
        "metadata_service_num_attempts = 2\n",
        Imds(role=[Answer(500), Answer(200, ROLE.encode())]),
        "found",
    ),
    ("credentials 500: nothing", {}, "", Imds(credentials=Answer(500)), None),
    ("credentials not JSON: nothing", {}, "", Imds(credentials=Answer(200, b"{not json")), None),
    (
        "credentials not JSON then JSON",
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "3"},
        "",
        Imds(credentials=[Answer(200, b"<html>"), Answer(200, document())]),
        "found",
    ),
    ("credentials a JSON list: nothing", {}, "", Imds(credentials=Answer(200, b"[1, 2]")), None),
    (
        "an error document: nothing",
        {},
        "",
        Imds(credentials=Answer(200, b'{"Code": "AssumeRoleUnauthorizedAccess", "Message": "not trusted"}')),
        None,
    ),
    ("no Token key: nothing", {}, "", Imds(credentials=Answer(200, document(Token=...))), None),
    ("a Code other than Success is not read", {}, "", Imds(credentials=Answer(200, document(Code="Odd"))), "found"),
    ("v1 disabled, v2 works", {"AWS_EC2_METADATA_V1_DISABLED": "true"}, "", Imds(), "found"),
    ("v1 disabled, no token", {"AWS_EC2_METADATA_V1_DISABLED": "TRUE"}, "", Imds(token=Answer(403)), "error"),
    ("v1 disabled in the profile", {}, "ec2_metadata_v1_disabled = true\n", Imds(token=Answer(404)), "error"),
    ("v1 disabled 'false'", {"AWS_EC2_METADATA_V1_DISABLED": "false"}, "", Imds(token=Answer(404)), "found"),
    ("a token that is no header value", {}, "", Imds(token=Answer(200, b"tok\r\nX-Evil: 1")), "error"),
    ("an Expiration that is not a time", {}, "", Imds(credentials=Answer(200, document(Expiration="soon"))), "error"),
]


class Outcome(NamedTuple):
    found: Found | None
    failed: bool
    #: the requests, as the fake saw them: method, path, the token sent, the TTL asked
    requests: list[tuple[str, str, str | None, str | None]]


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with serving() as fake:
        yield fake


@pytest.fixture
def fetch() -> Iterator[PoolFetch]:
    pool_fetch = PoolFetch()
    yield pool_fetch
    pool_fetch.close()


def _requests(server: FakeServer) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (
            s.method,
            s.path,
            s.headers.get("x-aws-ec2-metadata-token"),
            s.headers.get("x-aws-ec2-metadata-token-ttl-seconds"),
        )
        for s in server.seen
    ]


def ours(server: FakeServer, fetch: PoolFetch, env: dict[str, str], script: Imds) -> Outcome:
    server.run(script)
    provider = _imds.provider(our_settings(env, fetch))
    assert provider is not None
    try:
        found, failed = found_by_us(drive(provider.fetch(), fetch)), False
    except CredentialRetrievalError as error:
        assert error.provider == "iam-role"
        found, failed = None, True
    return Outcome(found, failed, _requests(server))


def botocore(server: FakeServer, script: Imds) -> Outcome:
    server.run(script)
    try:
        found, failed = found_by_botocore(botocore_provider("iam-role").load()), False
    except Exception:  # noqa: BLE001  (MetadataRetrievalError, or the HTTP layer's refusal of a header)
        found, failed = None, True
    return Outcome(found, failed, _requests(server))


def both(
    server: FakeServer,
    fetch: PoolFetch,
    monkeypatch: pytest.MonkeyPatch,
    home: Path,
    env: dict[str, str],
    profile: str,
    script: Imds,
) -> tuple[Outcome, Outcome]:
    if profile:
        (home / "config").write_text("[default]\n" + profile)
    full_env = clean_environment(monkeypatch, home, {"AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url + "/", **env})
    return ours(server, fetch, full_env, script), botocore(server, script)


@pytest.mark.parametrize(("name", "env", "profile", "script", "expected"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_as_botocore(
    server: FakeServer,
    fetch: PoolFetch,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    name: str,
    env: dict[str, str],
    profile: str,
    script: Imds,
    expected: str | None,
) -> None:
    mine, theirs = both(server, fetch, monkeypatch, tmp_path, env, profile, script)
    assert mine.found == theirs.found
    assert mine.failed == theirs.failed == (expected == "error")
    assert (mine.found is not None) == (expected == "found")
    if mine.found is not None:
        assert mine.found == Found(ACCESS_KEY, SECRET, SESSION_TOKEN, datetime(2099, 1, 1, tzinfo=UTC).timestamp())
    # the same requests, in the same order, with the same token and TTL headers
    assert mine.requests == theirs.requests


def test_v2_requests(server: FakeServer, fetch: PoolFetch, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """IMDSv2's three requests, each with s3lite's user agent (botocore sends its own)."""
    mine, _ = both(server, fetch, monkeypatch, tmp_path, {}, "", Imds())
    assert mine.requests == [
        ("PUT", "/latest/api/token", None, "21600"),
        ("GET", ROLE_PATH, TOKEN, None),
        ("GET", ROLE_PATH + ROLE, TOKEN, None),
    ]
    server.run(Imds())
    env = clean_environment(monkeypatch, tmp_path, {"AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url})
    provider = _imds.provider(our_settings(env, fetch))
    assert provider is not None
    drive(provider.fetch(), fetch)
    assert {s.headers["user-agent"] for s in server.seen} == {f"s3lite/{__version__}"}


def test_endpoint_with_a_path_and_no_slash(
    server: FakeServer, fetch: PoolFetch, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``_construct_url``: a "/" is put between the endpoint and the path unless it ends with one."""
    env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url + "/imds"}
    mine, theirs = both(server, fetch, monkeypatch, tmp_path, env, "", Imds())
    assert mine.found == theirs.found is not None
    assert mine.requests == theirs.requests
    assert mine.requests[0][1] == "/imds/latest/api/token"


def test_no_service_listening(fetch: PoolFetch, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A refused connection (a laptop): nothing, as botocore, and at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before it is used: nothing listens there
    env = clean_environment(monkeypatch, tmp_path, {"AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://127.0.0.1:{port}/"})
    provider = _imds.provider(our_settings(env, fetch))
    assert provider is not None
    started = time.monotonic()
    assert drive(provider.fetch(), fetch) is None
    assert time.monotonic() - started < 1
    assert botocore_provider("iam-role").load() is None


def test_expired_credentials_are_extended(
    server: FakeServer, fetch: PoolFetch, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Static stability: credentials IMDS still serves after they expired are taken to last 15 minutes
    and a jitter of 2 to 10 more from now (s3lite's clock), as botocore extends them."""
    script = Imds(credentials=Answer(200, document(Expiration="2020-01-01T00:00:00Z")))
    before = int(time.time())
    mine, theirs = both(server, fetch, monkeypatch, tmp_path, {}, "", script)
    after = time.time()
    assert mine.found is not None and theirs.found is not None
    for found in (mine.found, theirs.found):
        assert found.expires_at is not None
        assert before + 900 + 120 <= found.expires_at <= after + 900 + 600
        assert found.expires_at == int(found.expires_at)  # whole seconds, as botocore's strftime leaves it
    assert mine.found._replace(expires_at=None) == theirs.found._replace(expires_at=None)


def test_expiry_extension_uses_the_settings_clock() -> None:
    now = 1_900_000_000.0
    assert _imds.stable_expiry(now + 3600, now) == now + 3600  # an hour left: as it is
    assert _imds.stable_expiry(now + 900 + 601, now) == now + 900 + 601  # past any jitter: as it is
    for expires_at in (now - 86400, now, now + 900 + 119):  # expired, expiring, within the window
        extended = _imds.stable_expiry(expires_at, now)
        assert now + 900 + 120 <= extended <= now + 900 + 600
    # through fetch: the settings' clock, not the system's (it says 2090, a minute before they expire)
    expiration = datetime(2090, 1, 1, 0, 10, tzinfo=UTC).timestamp()
    found = _fetch_in_memory(clock=lambda: expiration - 60, expiration="2090-01-01T00:10:00Z")
    assert found is not None and found.expires_at is not None
    assert expiration - 60 + 1020 <= found.expires_at <= expiration - 60 + 1500


def _fetch_in_memory(clock: Callable[[], float], expiration: str) -> Credentials | None:
    """One v2 fetch, its effects answered by hand (no server)."""
    provider = _imds.InstanceMetadata(_imds.ImdsConfig(_imds.IPV4_ENDPOINT, 1, 1, False), clock)
    flow = provider.fetch()
    answers = [TOKEN.encode(), ROLE.encode(), document(Expiration=expiration)]
    urls = []
    effect = next(flow)
    try:
        for body in answers:
            urls.append(effect.request.url)
            effect = flow.send(HttpResponse(200, {}, body))
    except StopIteration as done:
        assert urls == [
            "http://169.254.169.254/latest/api/token",
            "http://169.254.169.254" + ROLE_PATH,
            "http://169.254.169.254" + ROLE_PATH + ROLE,
        ]
        found: Credentials | None = done.value
        return found
    raise AssertionError("the flow asked for more than three requests")


# -- settings, each against the fetcher botocore builds from the same environment and profile ---------

CONFIGS: list[tuple[dict[str, str], str]] = [
    ({}, ""),
    ({"AWS_METADATA_SERVICE_TIMEOUT": "3", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "4"}, ""),
    ({}, "metadata_service_timeout = 5\nmetadata_service_num_attempts = 2\n"),
    ({"AWS_METADATA_SERVICE_TIMEOUT": "2"}, "metadata_service_timeout = 5\n"),  # the variable wins
    ({"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"}, ""),
    ({"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv4"}, "ec2_metadata_service_endpoint_mode = IPv6\n"),
    ({}, "ec2_metadata_service_endpoint_mode = IPv6\n"),
    ({"AWS_IMDS_USE_IPV6": "true"}, ""),
    ({"AWS_IMDS_USE_IPV6": "true", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv4"}, ""),
    ({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://10.0.0.1:8080/x"}, "ec2_metadata_service_endpoint_mode = IPv6\n"),
    ({}, "ec2_metadata_service_endpoint = https://imds.example.com\n"),
    ({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://[fd00:ec2::254]:80/"}, ""),
    ({"AWS_EC2_METADATA_V1_DISABLED": "True"}, ""),
    ({"AWS_EC2_METADATA_V1_DISABLED": "1"}, ""),  # only "true" is true
    ({}, "ec2_metadata_v1_disabled = true\n"),
    # what botocore cannot build its chain with
    ({"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv5"}, ""),
    ({"AWS_METADATA_SERVICE_TIMEOUT": "1.5"}, ""),
    ({}, "metadata_service_num_attempts = many\n"),
    ({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://bad_host/"}, ""),
    ({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://ho\tst/"}, ""),
    ({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "not a url"}, ""),
]


@pytest.mark.parametrize(("env", "profile"), CONFIGS)
def test_config_as_botocore(
    fetch: PoolFetch, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], profile: str
) -> None:
    if profile:
        (tmp_path / "config").write_text("[default]\n" + profile)
    full_env = clean_environment(monkeypatch, tmp_path, env)
    try:
        fetcher = botocore_provider("iam-role")._role_fetcher
    except Exception:  # noqa: BLE001  (botocore raises ValueError or its own errors while it builds the chain)
        with pytest.raises(CredentialRetrievalError) as raised:
            _imds.provider(our_settings(full_env, fetch))
        assert raised.value.provider == "iam-role"
        return
    provider = _imds.provider(our_settings(full_env, fetch))
    assert provider is not None
    assert provider.config == _imds.ImdsConfig(
        fetcher._base_url, fetcher._timeout, fetcher._num_attempts, fetcher._imds_v1_disabled
    )


@pytest.mark.parametrize("value", ["true", "TRUE", "True", "false", "1", "yes", ""])
def test_disabled_as_botocore(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fetch: PoolFetch, value: str) -> None:
    """``AWS_EC2_METADATA_DISABLED``: ``true`` in any case, the environment only; then no provider at all."""
    env = clean_environment(monkeypatch, tmp_path, {"AWS_EC2_METADATA_DISABLED": value})
    disabled = botocore_provider("iam-role")._role_fetcher._disabled
    assert (_imds.provider(our_settings(env, fetch)) is None) == disabled == (value.lower() == "true")


def test_disabled_in_the_profile_is_not_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fetch: PoolFetch) -> None:
    (tmp_path / "config").write_text("[default]\nec2_metadata_disabled = true\n")
    env = clean_environment(monkeypatch, tmp_path, {})
    assert _imds.provider(our_settings(env, fetch)) is not None


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/",
        "http://[fd00:ec2::254]/",
        "http://[fe80::1%25eth0]/",
        "http://localhost:1338",
        "https://imds.example.com./x",
        "http://a-b.c/",
        "http://-a.c/",
        "http://a_b/",
        "http://" + "a" * 64 + "/",
        "http://" + ".".join(["a" * 63] * 5) + "/",
        "http://[::1/",
        "http:///path",
        "http://ho\nst/",
        "169.254.169.254",
        "",
    ],
)
def test_valid_endpoint_as_botocore(url: str) -> None:
    from botocore.utils import is_valid_uri

    assert _imds.valid_endpoint(url) == bool(_botocore_valid(is_valid_uri, url))


def _botocore_valid(is_valid_uri: Any, url: str) -> bool:
    try:
        return bool(is_valid_uri(url))
    except ValueError:
        return False


# -- secrets --------------------------------------------------------------------------------------


def test_no_secret_in_reprs_errors_or_logs(
    server: FakeServer,
    fetch: PoolFetch,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    env = clean_environment(monkeypatch, tmp_path, {"AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url})
    provider = _imds.provider(our_settings(env, fetch))
    assert provider is not None
    server.run(Imds())
    found = drive(provider.fetch(), fetch)
    assert found is not None and found.secret_key == SECRET
    shown = repr(found) + repr(provider)
    # a token the service sent that cannot be a header, and a document that cannot be read
    for script in (
        Imds(token=Answer(200, (TOKEN + "\n").encode())),
        Imds(credentials=Answer(200, document(Expiration=SECRET))),
    ):
        server.run(script)
        with pytest.raises(CredentialRetrievalError) as raised:
            drive(provider.fetch(), fetch)
        shown += str(raised.value) + repr(raised.value)
    shown += caplog.text
    for secret in (TOKEN, SECRET, SESSION_TOKEN):
        assert secret not in shown


def test_provider_from_settings_alone() -> None:
    """The provider is built from the settings alone, with botocore's defaults: no I/O until fetch."""
    settings = Settings({}, "default", {}, {}, {}, "us-east-1", time.time)
    provider = _imds.provider(settings)
    assert provider is not None and provider.method == "iam-role"
    assert provider.config == _imds.ImdsConfig("http://169.254.169.254/", 1, 1, False)
