"""SSO for the credential chain (``s3lite._credentials._sso``) against botocore's ``SSOProvider``.

A small fake portal (GetRoleCredentials) runs on 127.0.0.1 for each test; a temporary HOME holds
the config file and the token cache the AWS CLI writes. s3lite's provider (over s3lite's own pool)
and botocore's session, pointed at the same files and the same portal (``AWS_ENDPOINT_URL_SSO``),
must resolve the same keys, token and expiry, and fail with the same messages.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import botocore.credentials
import botocore.exceptions
import botocore.session
import botocore.tokens
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from oracle import _without_aws_environment

from s3lite._credentials import Credentials
from s3lite._credentials._effects import Fetch, ReadFile
from s3lite._credentials._perform import drive
from s3lite._credentials._settings import Settings, load_settings
from s3lite._credentials._sso import (
    UNAUTHORIZED,
    SsoProvider,
    cache_path,
    load_config,
    parse_role_credentials,
    portal_endpoint,
    provider,
)
from s3lite._errors import ClientError, CredentialRetrievalError, ResponseParseError
from s3lite._http import HttpRequest, HttpResponse

ACCESS_TOKEN = "aoaAAAAAGsecret-sso-access-token"
SECRET = "sso/secret+access+KEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEsso-session-token=="
START_URL = "https://d-1234567890.awsapps.com/start"
#: a millisecond expiry with a fraction of a second (botocore keeps it to the second below)
EXPIRATION_MS = 1893456000789

SESSION_CONFIG = f"""[profile dev]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Read Only/Role
region = eu-west-1

[sso-session corp]
sso_start_url = {START_URL}
sso_region = eu-central-1
sso_registration_scopes = sso:account:access
"""
LEGACY_CONFIG = f"""[profile dev]
sso_start_url = {START_URL}
sso_region = us-east-2
sso_account_id = 123456789012
sso_role_name = ReadOnly
"""


@dataclass
class Portal:
    """What the fake portal answers: role credentials for :data:`ACCESS_TOKEN`, 401 otherwise (or
    ``status``/``body`` when set); every request is kept."""

    url: str = ""
    status: int | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.requests.append((path, headers))
        if self.status is not None:
            return self.status, self.headers, self.body
        if urlsplit(path).path != "/federation/credentials" or headers.get("x-amz-sso_bearer_token") != ACCESS_TOKEN:
            body = json.dumps({"message": "Session token not found or invalid"}).encode()
            return 401, {"x-amzn-errortype": "UnauthorizedException:http://internal", "x-amzn-requestid": "r-401"}, body
        credentials = {
            "accessKeyId": "ASIASSOEXAMPLE",
            "secretAccessKey": SECRET,
            "sessionToken": SESSION_TOKEN,
            "expiration": EXPIRATION_MS,
        }
        return 200, {"x-amzn-requestid": "r-200"}, json.dumps({"roleCredentials": credentials}).encode()


@pytest.fixture
def portal() -> Iterator[Portal]:
    state = Portal()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            status, headers, body = state.answer(self.path, {k.lower(): v for k, v in self.headers.items()})
            self.send_response(status)
            for name, value in {**headers, "content-type": "application/json"}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")  # no handler thread left waiting on a kept-alive socket
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Home:
    """A temporary HOME: the config file, the token cache, and the environment naming them."""

    root: Path
    env: dict[str, str]

    def write_config(self, text: str) -> None:
        (self.root / ".aws" / "config").write_text(text)

    def write_token(self, key: str, token: Mapping[str, Any] | bytes) -> None:
        data = token if isinstance(token, bytes) else json.dumps(token).encode()
        name = hashlib.sha1(key.encode()).hexdigest()
        (self.root / ".aws" / "sso" / "cache" / f"{name}.json").write_bytes(data)


@pytest.fixture
def home(tmp_path: Path, portal: Portal) -> Home:
    (tmp_path / ".aws" / "sso" / "cache").mkdir(parents=True)
    env = {
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PROFILE": "dev",
        "AWS_ENDPOINT_URL_SSO": portal.url,
    }
    return Home(tmp_path, env)


def valid_token(expires: str = "2099-01-01T00:00:00Z") -> dict[str, str]:
    return {"startUrl": START_URL, "region": "eu-central-1", "accessToken": ACCESS_TOKEN, "expiresAt": expires}


def settings_of(home: Home, now: float = 1.7e9) -> Settings:
    return drive(load_settings(home.env, "us-east-1", lambda: now), unreachable)


def unreachable(request: HttpRequest, timeout: float) -> HttpResponse:
    raise AssertionError("no request is sent while loading the settings")


def ours(home: Home, fetch: Callable[[HttpRequest, float], HttpResponse]) -> Credentials:
    found = provider(settings_of(home))
    assert found is not None and found.method == "sso"
    got = drive(found.fetch(), fetch)
    assert got is not None
    return got


def theirs(home: Home) -> Credentials:
    """botocore's session resolving credentials from the same HOME (its token cache directory is a
    class attribute computed at import, so it is pointed there too)."""
    cache = str(home.root / ".aws" / "sso" / "cache")
    with (
        _without_aws_environment(),
        mock.patch.dict(os.environ, home.env),
        mock.patch.object(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", cache),
        mock.patch.object(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", cache),
    ):
        credentials = botocore.session.Session().get_credentials()
        assert credentials is not None and credentials.method == "sso"
        frozen = credentials.get_frozen_credentials()
        expiry = credentials._expiry_time
    return Credentials(frozen.access_key, frozen.secret_key, frozen.token, expiry.timestamp())


# -- credentials, s3lite against botocore ------------------------------------------------------------


@pytest.mark.parametrize(("config", "cache_key"), [(SESSION_CONFIG, "corp"), (LEGACY_CONFIG, START_URL)])
def test_same_credentials_as_botocore(
    config: str, cache_key: str, home: Home, portal: Portal, pool_fetch: Callable[[HttpRequest, float], HttpResponse]
) -> None:
    home.write_config(config)
    home.write_token(cache_key, valid_token())
    got = ours(home, pool_fetch)
    assert got == theirs(home)
    assert got == Credentials("ASIASSOEXAMPLE", SECRET, SESSION_TOKEN, 1893456000.0)
    (path, headers), (botocore_path, botocore_headers) = portal.requests
    assert path == botocore_path  # the same path and query, in the same order and encoding
    assert dict(parse_qsl(urlsplit(path).query))["role_name"] == (
        "Read Only/Role" if cache_key == "corp" else "ReadOnly"
    )
    assert headers["x-amz-sso_bearer_token"] == botocore_headers["x-amz-sso_bearer_token"] == ACCESS_TOKEN


def test_cli_v1_expiry_format(home: Home, pool_fetch: Callable[[HttpRequest, float], HttpResponse]) -> None:
    home.write_config(LEGACY_CONFIG)
    home.write_token(START_URL, valid_token("2099-01-01T00:00:00UTC"))
    assert ours(home, pool_fetch) == theirs(home)


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1"])
def test_portal_endpoint_is_botocores(region: str) -> None:
    seen: list[str] = []

    def before_send(request: Any, **_: Any) -> Any:
        seen.append(request.url)
        raise botocore.exceptions.EndpointConnectionError(endpoint_url=request.url)

    with _without_aws_environment():
        client = botocore.session.Session().create_client(
            "sso", config=Config(signature_version=UNSIGNED, region_name=region, retries={"total_max_attempts": 1})
        )
        client.meta.events.register("before-send", before_send)
        with pytest.raises(botocore.exceptions.EndpointConnectionError):
            client.get_role_credentials(roleName="r", accountId="1", accessToken="t")
    config = load_config(settings_with(LEGACY_CONFIG.replace("us-east-2", region)))
    assert config is not None
    assert portal_endpoint(settings_with(""), config).url("/federation/credentials") == seen[0].split("?")[0]


def settings_with(config: str, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from a config file's text (read through the effects from a dict, not the disk)."""
    files = {"/home/config": config.encode()}
    flow = load_settings(
        {"AWS_CONFIG_FILE": "/home/config", "AWS_PROFILE": "dev", **(env or {})}, "us-east-1", lambda: 0
    )
    effect = next(flow)
    try:
        while True:
            assert isinstance(effect, ReadFile)
            effect = flow.send(files.get(effect.path))
    except StopIteration as done:
        settings: Settings = done.value
        return settings


# -- configuration errors, s3lite against botocore ----------------------------------------------------

CONFIG_ERRORS = {
    "legacy without a region": LEGACY_CONFIG.replace("sso_region = us-east-2\n", ""),
    "no role name": LEGACY_CONFIG.replace("sso_role_name = ReadOnly\n", ""),
    "only an account id": "[profile dev]\nsso_account_id = 1\n",
    "unknown session": SESSION_CONFIG.replace("sso_session = corp", "sso_session = other"),
    "session without a start url": SESSION_CONFIG.replace(f"sso_start_url = {START_URL}\n", ""),
    "inconsistent region": SESSION_CONFIG.replace("region = eu-west-1\n", "sso_region = us-west-2\n"),
}


@pytest.mark.parametrize("case", CONFIG_ERRORS)
def test_configuration_errors_are_botocores(case: str, home: Home) -> None:
    home.write_config(CONFIG_ERRORS[case])
    with pytest.raises(botocore.exceptions.BotoCoreError) as expected:
        theirs(home)
    with pytest.raises(CredentialRetrievalError) as raised:
        provider(settings_of(home))
    assert raised.value.provider == "sso"
    assert str(raised.value) == f"Error when retrieving credentials from sso: {expected.value}"


def test_consistent_values_are_allowed(home: Home, pool_fetch: Callable[[HttpRequest, float], HttpResponse]) -> None:
    home.write_config(SESSION_CONFIG.replace("region = eu-west-1\n", "sso_region = eu-central-1\n"))
    home.write_token("corp", valid_token())
    assert ours(home, pool_fetch) == theirs(home)


def test_no_sso_settings_is_no_provider(home: Home) -> None:
    home.write_config("[profile dev]\nregion = eu-west-1\nsso_start_url = https://x\n")
    assert provider(settings_of(home)) is None


# -- token errors, s3lite against botocore --------------------------------------------------------------

TOKEN_ERRORS: dict[str, tuple[str, str, dict[str, str] | bytes | None]] = {
    "legacy: no cached token": (LEGACY_CONFIG, START_URL, None),
    "session: no cached token": (SESSION_CONFIG, "corp", None),
    "legacy: no accessToken": (LEGACY_CONFIG, START_URL, {"expiresAt": "2099-01-01T00:00:00Z"}),
    "session: no expiresAt": (SESSION_CONFIG, "corp", {"accessToken": ACCESS_TOKEN}),
    "legacy: expired": (LEGACY_CONFIG, START_URL, valid_token("2020-01-01T00:00:00Z")),
}


@pytest.mark.parametrize("case", TOKEN_ERRORS)
def test_token_errors_are_botocores(
    case: str, home: Home, portal: Portal, pool_fetch: Callable[[HttpRequest, float], HttpResponse]
) -> None:
    config, key, token = TOKEN_ERRORS[case]
    home.write_config(config)
    if token is not None:
        home.write_token(key, token)
    with pytest.raises(botocore.exceptions.BotoCoreError) as expected:
        theirs(home)
    with pytest.raises(CredentialRetrievalError) as raised:
        ours(home, pool_fetch)
    assert str(raised.value) == f"Error when retrieving credentials from sso: {expected.value}"
    assert not portal.requests  # neither asked the portal with a token it knew was no good


def test_expired_session_token_says_to_log_in(
    home: Home, pool_fetch: Callable[[HttpRequest, float], HttpResponse]
) -> None:
    """botocore would try SSO-OIDC's CreateToken first (s3lite does not), then fail the same way."""
    home.write_config(SESSION_CONFIG)
    home.write_token("corp", valid_token("2020-01-01T00:00:00Z"))
    with pytest.raises(botocore.exceptions.TokenRetrievalError, match="Token has expired and refresh failed"):
        theirs(home)
    with pytest.raises(CredentialRetrievalError, match="Token has expired and refresh failed.*run aws sso login"):
        ours(home, pool_fetch)


@pytest.mark.parametrize("data", [b"not json", b"[1, 2]", json.dumps(valid_token("not a date")).encode()])
def test_unreadable_token_is_invalid(data: bytes, home: Home) -> None:
    home.write_config(LEGACY_CONFIG)
    home.write_token(START_URL, data)
    with pytest.raises(CredentialRetrievalError, match=f"Token for {START_URL} is invalid"):
        ours(home, unreachable)


def test_revoked_token_is_botocores_unauthorized(
    home: Home, pool_fetch: Callable[[HttpRequest, float], HttpResponse]
) -> None:
    home.write_config(SESSION_CONFIG)
    home.write_token("corp", {**valid_token(), "accessToken": "revoked-token-value"})
    with pytest.raises(botocore.exceptions.UnauthorizedSSOTokenError) as expected:
        theirs(home)
    with pytest.raises(CredentialRetrievalError) as raised:
        ours(home, pool_fetch)
    assert str(raised.value) == f"Error when retrieving credentials from sso: {expected.value}"
    assert str(expected.value) == UNAUTHORIZED
    assert "revoked-token-value" not in str(raised.value)


def test_other_portal_errors_are_botocores_client_error(
    home: Home, portal: Portal, pool_fetch: Callable[[HttpRequest, float], HttpResponse]
) -> None:
    home.write_config(LEGACY_CONFIG)
    home.write_token(START_URL, valid_token())
    portal.status, portal.headers = 403, {"x-amzn-errortype": "ForbiddenException", "x-amzn-requestid": "r-403"}
    portal.body = json.dumps({"message": "No access"}).encode()
    with pytest.raises(botocore.exceptions.ClientError) as expected:
        theirs(home)
    with pytest.raises(ClientError) as raised:
        ours(home, pool_fetch)
    ignore = {"HTTPHeaders"}  # the server's Date differs between the two responses
    assert raised.value.response["Error"] == expected.value.response["Error"]
    assert {k: v for k, v in raised.value.response["ResponseMetadata"].items() if k not in ignore} == {
        k: v for k, v in expected.value.response["ResponseMetadata"].items() if k not in ignore
    }
    assert str(raised.value) == str(expected.value)


def test_throttled_portal_is_retried(home: Home) -> None:
    home.write_config(LEGACY_CONFIG)
    home.write_token(START_URL, valid_token())
    found = provider(settings_of(home))
    assert isinstance(found, SsoProvider)
    flow = found.fetch()
    effects = [next(flow), flow.send(valid_token_bytes())]
    assert isinstance(effects[-1], Fetch)
    throttled = HttpResponse(429, {"x-amzn-errortype": "TooManyRequestsException"}, b'{"message": "slow down"}')
    effects.append(flow.send(throttled))
    assert type(effects[-1]).__name__ == "Sleep"
    assert isinstance(flow.send(None), Fetch)


def valid_token_bytes() -> bytes:
    return json.dumps(valid_token()).encode()


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"nope",
        b"[]",
        b'{"roleCredentials": null}',
        b'{"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S", "sessionToken": "T"}}',
        b'{"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S", "expiration": 1}}',
        b'{"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S", "sessionToken": "T", "expiration": "1"}}',
        b'{"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S", "sessionToken": "T", "expiration": true}}',
    ],
)
def test_malformed_portal_response_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ResponseParseError) as raised:
        parse_role_credentials(body)
    assert '"S"' not in str(raised.value)


# -- secrets and files -------------------------------------------------------------------------------


def test_no_secret_in_reprs_or_requests(home: Home) -> None:
    home.write_config(LEGACY_CONFIG)
    found = provider(settings_of(home))
    assert found is not None
    flow = found.fetch()
    read = next(flow)
    assert isinstance(read, ReadFile)
    fetch = flow.send(valid_token_bytes())
    assert isinstance(fetch, Fetch)
    assert fetch.request.headers["x-amz-sso_bearer_token"] == ACCESS_TOKEN
    for text in (repr(found), repr(fetch), repr(fetch.request), repr(settings_of(home))):
        assert ACCESS_TOKEN not in text
    got = parse_role_credentials(json.dumps({"roleCredentials": {
        "accessKeyId": "A", "secretAccessKey": SECRET, "sessionToken": SESSION_TOKEN, "expiration": 1000,
    }}).encode())  # fmt: skip
    assert SECRET not in repr(got) and SESSION_TOKEN not in repr(got)


def test_cache_path_is_under_the_settings_home(home: Home) -> None:
    home.write_config(SESSION_CONFIG)
    config = load_config(settings_of(home))
    assert config is not None
    expected = home.root / ".aws" / "sso" / "cache" / f"{hashlib.sha1(b'corp').hexdigest()}.json"
    assert cache_path(settings_of(home), config) == str(expected)


def test_endpoint_overrides(home: Home) -> None:
    config = load_config(settings_with(LEGACY_CONFIG))
    assert config is not None
    services = LEGACY_CONFIG + "services = dev\n[services dev]\nsso =\n  endpoint_url = http://svc.local:1/base/\n"
    cases = {
        (LEGACY_CONFIG, ()): "https://portal.sso.us-east-2.amazonaws.com/federation/credentials",
        (LEGACY_CONFIG, (("AWS_ENDPOINT_URL", "http://all.local"),)): "http://all.local/federation/credentials",
        (services, ()): "http://svc.local:1/base/federation/credentials",
        (services, (("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),)): (
            "https://portal.sso.us-east-2.amazonaws.com/federation/credentials"
        ),
    }
    for (text, env), url in cases.items():
        assert portal_endpoint(settings_with(text, dict(env)), config).url("/federation/credentials") == url
