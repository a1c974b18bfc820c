"""The ``container-role`` provider (``s3lite._credentials._container``) against a fake container
credentials endpoint, and against botocore's ContainerProvider on the same fake: both resolve the same
credentials or both fail, after the same requests."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
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
    without_sleeps,
)

from s3lite._credentials import _container
from s3lite._credentials._effects import Fetch, Fetching, T
from s3lite._credentials._perform import drive
from s3lite._credentials._settings import Settings
from s3lite._errors import CredentialRetrievalError

PATH = "/v1/credentials"
AUTH = "Bearer pod-identity-token-EXAMPLE"
ACCESS_KEY = "ASIACONTAINEREXAMPLE"
SECRET = "container/secret+key/EXAMPLEKEY"
SESSION_TOKEN = "IQoJContainerSessionToken"
FUTURE = "2099-01-01T00:00:00Z"


def document(**changes: Any) -> bytes:
    fields: dict[str, Any] = {
        "AccessKeyId": ACCESS_KEY,
        "SecretAccessKey": SECRET,
        "Token": SESSION_TOKEN,
        "Expiration": FUTURE,
        "AccountId": "123456789012",
        "RoleArn": "arn:aws:iam::123456789012:role/app",
    }
    fields.update(changes)
    return json.dumps({k: v for k, v in fields.items() if v is not ...}).encode()


GRANTED = Answer(200, document())


class Agent:
    """The endpoint: ``answers`` in turn (the last repeats); 401 without the ``authorization`` expected."""

    def __init__(self, *answers: Answer, authorization: str | None = None) -> None:
        self.answers = answers or (GRANTED,)
        self.authorization = authorization

    def __call__(self, request: Seen, seen: list[Seen]) -> Answer:
        if request.path != PATH:
            return Answer(404)
        if self.authorization is not None and request.headers.get("authorization") != self.authorization:
            return Answer(401)
        return self.answers[min(len(seen), len(self.answers) - 1)]


SLOW = 2.5  # longer than botocore's fixed two-second timeout

#: (scenario, environment beside the full URI, the token file's bytes or None, the script, found?)
SCENARIOS: list[tuple[str, dict[str, str], bytes | None, Agent, bool]] = [
    ("ok", {}, None, Agent(), True),
    ("authorization token", {"AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH}, None, Agent(authorization=AUTH), True),
    ("empty authorization token", {"AWS_CONTAINER_AUTHORIZATION_TOKEN": ""}, None, Agent(authorization=""), True),
    ("no token, one required: 401", {}, None, Agent(authorization=AUTH), False),
    (
        "token file wins over the variable (EKS Pod Identity)",
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer other"},
        AUTH.encode(),
        Agent(authorization=AUTH),
        True,
    ),
    ("token file missing", {}, b"<missing>", Agent(), False),
    ("token file ends with a newline", {}, AUTH.encode() + b"\n", Agent(), False),
    ("token variable with a CR LF", {"AWS_CONTAINER_AUTHORIZATION_TOKEN": "a\r\nX-Evil: 1"}, None, Agent(), False),
    ("500 then ok", {}, None, Agent(Answer(500, b"busy"), GRANTED), True),
    ("500 twice then ok", {}, None, Agent(Answer(500), Answer(503), GRANTED), True),
    ("500 always", {}, None, Agent(Answer(500, SECRET.encode())), False),
    ("not JSON then ok", {}, None, Agent(Answer(200, b"<html>"), GRANTED), True),
    ("not JSON always", {}, None, Agent(Answer(200, b"{")), False),
    ("timed out then ok", {}, None, Agent(Answer(200, document(), delay=SLOW), GRANTED), True),
    ("a JSON list", {}, None, Agent(Answer(200, b"[]")), False),
    ("no Token key", {}, None, Agent(Answer(200, document(Token=...))), False),
    ("no Expiration key", {}, None, Agent(Answer(200, document(Expiration=...))), False),
    ("a Token of null", {}, None, Agent(Answer(200, document(Token=None))), True),
    (
        "an Expiration with an offset",
        {},
        None,
        Agent(Answer(200, document(Expiration="2099-01-01T01:00:00+01:00"))),
        True,
    ),
    ("an Expiration that is not a time", {}, None, Agent(Answer(200, document(Expiration="soon"))), False),
]


class Outcome(NamedTuple):
    found: Found | None
    failed: bool
    requests: list[tuple[str, str, str | None, str | None]]  # method, path, Accept, Authorization
    slept: list[float]


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
    return [(s.method, s.path, s.headers.get("accept"), s.headers.get("authorization")) for s in server.seen]


def ours(server: FakeServer, fetch: PoolFetch, env: dict[str, str], script: Agent) -> Outcome:
    server.run(script)
    provider = _container.provider(our_settings(env, fetch))
    assert provider is not None
    slept: list[float] = []
    try:
        found, failed = found_by_us(drive(without_sleeps(provider.fetch(), slept), fetch)), False
    except CredentialRetrievalError as error:
        assert error.provider == "container-role"
        found, failed = None, True
    return Outcome(found, failed, _requests(server), slept)


def botocore(server: FakeServer, script: Agent) -> Outcome:
    server.run(script)
    provider = botocore_provider("container-role")
    slept: list[float] = []
    provider._fetcher._sleep = slept.append
    try:
        found, failed = found_by_botocore(provider.load()), False
    except Exception:  # noqa: BLE001  (CredentialRetrievalError, KeyError, ValueError, OSError: botocore lets them out)
        found, failed = None, True
    return Outcome(found, failed, _requests(server), slept)


def both(
    server: FakeServer,
    fetch: PoolFetch,
    monkeypatch: pytest.MonkeyPatch,
    home: Path,
    env: dict[str, str],
    token_file: bytes | None,
    script: Agent,
) -> tuple[Outcome, Outcome]:
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + PATH, **env}
    if token_file is not None:
        path = home / "token"
        if token_file != b"<missing>":
            path.write_bytes(token_file)
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = str(path)
    full_env = clean_environment(monkeypatch, home, env)
    return ours(server, fetch, full_env, script), botocore(server, script)


@pytest.mark.parametrize(("name", "env", "token_file", "script", "found"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_as_botocore(
    server: FakeServer,
    fetch: PoolFetch,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    name: str,
    env: dict[str, str],
    token_file: bytes | None,
    script: Agent,
    found: bool,
) -> None:
    mine, theirs = both(server, fetch, monkeypatch, tmp_path, env, token_file, script)
    assert mine.found == theirs.found
    assert mine.failed == theirs.failed == (not found)
    assert mine.requests == theirs.requests
    if found:
        assert mine.found is not None
        assert (mine.found.access_key, mine.found.secret_key) == (ACCESS_KEY, SECRET)
        assert mine.found.expires_at == datetime(2099, 1, 1, tzinfo=UTC).timestamp()
    # a second between attempts; botocore sleeps after the last failed one too, s3lite does not
    assert mine.slept == [1.0] * max(len(mine.requests) - 1, 0)
    assert theirs.slept == mine.slept + ([1.0] if mine.failed and len(mine.requests) == 3 else [])


def test_every_request_asks_for_json(
    server: FakeServer, fetch: PoolFetch, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mine, _ = both(server, fetch, monkeypatch, tmp_path, {"AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH}, None, Agent())
    assert mine.requests == [("GET", PATH, "application/json", AUTH)]


def test_token_file_read_at_each_fetch(
    server: FakeServer, fetch: PoolFetch, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """EKS rotates the token in its file: a refresh sends the file's new content."""
    token_file = tmp_path / "token"
    token_file.write_text("first")
    env = clean_environment(
        monkeypatch,
        tmp_path,
        {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + PATH,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token_file),
        },
    )
    provider = _container.provider(our_settings(env, fetch))
    assert provider is not None
    server.run(Agent())
    drive(provider.fetch(), fetch)
    token_file.write_text("second")
    drive(provider.fetch(), fetch)
    assert [s.headers["authorization"] for s in server.seen] == ["first", "second"]


# -- where it may go --------------------------------------------------------------------------------


def _settings(env: dict[str, str]) -> Settings:
    return Settings(env, "default", {}, {}, {}, "us-east-1", lambda: 0.0)


def _first_effect(flow: Fetching[T]) -> Any:
    return next(flow)


def test_relative_uri_is_on_the_ecs_agent() -> None:
    """``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` is a path on 169.254.170.2, and wins over the full URI."""
    provider = _container.provider(
        _settings(
            {
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/a-b?x=1",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://localhost/other",
            }
        )
    )
    assert provider is not None and provider.method == "container-role"
    effect = _first_effect(provider.fetch())
    assert isinstance(effect, Fetch)
    assert effect.request.url == "http://169.254.170.2/v2/credentials/a-b?x=1"
    assert effect.request.headers == {"Accept": "application/json"}
    assert effect.timeout == 2.0


def test_neither_variable_no_provider() -> None:
    assert _container.provider(_settings({"AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH})) is None
    # set at all is enough: botocore tests ``in os.environ``
    assert _container.provider(_settings({"AWS_CONTAINER_CREDENTIALS_FULL_URI": ""})) is not None


URLS = [
    "http://127.0.0.1:8080/creds",
    "http://127.1.2.3/creds",
    "http://[::1]:80/creds",
    "http://localhost/creds",
    "http://LOCALHOST:9/creds",
    "http://169.254.170.2/v2/credentials/x",
    "http://169.254.170.23/v1/credentials",
    "http://[fd00:ec2::23]/v1/credentials",
    "http://[FD00:EC2::23]/v1/credentials",
    "http://[fd00:ec2:0::23]/v1/credentials",  # the same address, written otherwise: compared as text
    "http://localhost.localdomain/creds",  # a name is never resolved
    "http://2130706433/creds",
    "http://0x7f000001/creds",
    "http://[::ffff:127.0.0.1]/creds",
    "http://example.com/creds",
    "http://169.254.170.2.evil.example/creds",
    "http://169.254.170.2@evil.example/creds",
    "http://169.254.170.2foo",  # a relative URI without its leading "/"
    "https://example.com/creds",
    "HTTPS://example.com/creds",
    "http:///creds",
    "",
    "http://[::1/creds",
]


@pytest.mark.parametrize("url", URLS)
def test_allowed_hosts_as_botocore(url: str) -> None:
    from botocore.utils import ContainerMetadataFetcher

    try:
        ContainerMetadataFetcher()._validate_allowed_url(url)
        allowed = True
    except ValueError:
        allowed = False
    assert (_container.refused_host(url) is None) == allowed


@pytest.mark.parametrize(
    "env",
    [
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds"},
        {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "@evil.example/creds"},
    ],
)
def test_refused_before_anything_is_done(env: dict[str, str], tmp_path: Path) -> None:
    """A refused URL is an error at once: no request, and the token file is not even read."""
    env = {**env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(tmp_path / "token")}
    provider = _container.provider(_settings(env))
    assert provider is not None
    with pytest.raises(
        CredentialRetrievalError, match="Unsupported host 'evil.example'|Unsupported host 'example.com'"
    ):
        _first_effect(provider.fetch())


def test_a_scheme_that_is_no_http(tmp_path: Path) -> None:
    provider = _container.provider(_settings({"AWS_CONTAINER_CREDENTIALS_FULL_URI": "ftp://127.0.0.1/creds"}))
    assert provider is not None
    with pytest.raises(CredentialRetrievalError, match="neither http nor https"):
        _first_effect(provider.fetch())


# -- secrets --------------------------------------------------------------------------------------


def test_no_secret_in_reprs_errors_or_logs(
    server: FakeServer,
    fetch: PoolFetch,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Neither the authorization token nor the response body (which holds the secret key) is shown:
    not in the provider's repr, the credentials' repr, an error, or a log line."""
    caplog.set_level(logging.DEBUG)
    shown = ""
    for token, script in (
        (AUTH, Agent()),
        (AUTH, Agent(Answer(500, SECRET.encode() + b" " + SESSION_TOKEN.encode()))),
        (AUTH, Agent(Answer(200, document(Expiration=SECRET)))),
        (AUTH, Agent(Answer(200, b'{"secret": "' + SECRET.encode() + b'"'))),
        (AUTH + "\n", Agent()),
    ):
        env = clean_environment(
            monkeypatch,
            tmp_path,
            {"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + PATH, "AWS_CONTAINER_AUTHORIZATION_TOKEN": token},
        )
        provider = _container.provider(our_settings(env, fetch))
        assert provider is not None
        shown += repr(provider)
        server.run(script)
        try:
            shown += repr(drive(without_sleeps(provider.fetch(), []), fetch))
        except CredentialRetrievalError as error:
            shown += str(error) + repr(error)
    assert "Error when retrieving credentials from container-role" in shown  # the errors were raised
    shown += caplog.text
    for secret in (AUTH, SECRET, SESSION_TOKEN, "pod-identity-token"):
        assert secret not in shown
