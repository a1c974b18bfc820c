"""STS for the credential chain (``s3lite._credentials._sts``) against botocore's nested STS client.

Requests: botocore's own fetchers (``AssumeRoleCredentialFetcher``,
``AssumeRoleWithWebIdentityCredentialFetcher``) over an STS client whose requests a ``before-send``
handler captures and answers, its signing clock and session-name clock frozen at s3lite's. Compared:
method, URL, body, and every header but ``User-Agent``, ``amz-sdk-invocation-id``, ``amz-sdk-request``
(s3lite sends none of them anywhere) and ``Content-Length`` (unsigned; s3lite's wire adds it).
Endpoints: the URL and signing region botocore's client uses for the same environment and config
file. Errors: the ``ClientError.response`` botocore makes of the same error response. End to end:
moto's STS on 127.0.0.1, through s3lite's own pool.
"""

from __future__ import annotations

import time
import types
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import botocore.auth
import botocore.credentials
import botocore.exceptions
import botocore.session
import pytest
from botocore import UNSIGNED
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from oracle import SETTINGS, SIGNING_EPOCH, RawBody, _without_aws_environment

from s3lite._credentials import Credentials
from s3lite._credentials._effects import Fetch, Fetching
from s3lite._credentials._perform import drive
from s3lite._credentials._settings import Settings, load_settings
from s3lite._credentials._sts import (
    assume_role,
    assume_role_with_web_identity,
    default_session_name,
    parse_credentials,
    sts_endpoint,
)
from s3lite._errors import ClientError, CredentialRetrievalError, EndpointConnectionError, ResponseParseError
from s3lite._flow import Sleep
from s3lite._http import HttpRequest, HttpResponse

SOURCE = Credentials("AKIDSOURCE", "source/secret+KEY", "source-session-token==")
WEB_TOKEN = "eyJhbGciOi.web-identity-token.SECRET"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzEXAMPLE"
TOKEN = "FwoGZXIvYXdzEJr//////////wEaDAssumedToken=="
#: botocore's unsigned extras (s3lite sends none) and the Content-Length it adds after signing
IGNORED = frozenset({"user-agent", "amz-sdk-invocation-id", "amz-sdk-request", "content-length"})


def success(operation: str, expiration: str = "2024-03-01T00:59:58Z") -> bytes:
    return (
        f'<{operation}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{operation}Result>'
        f"<Credentials><AccessKeyId>ASIAASSUMED</AccessKeyId><SecretAccessKey>{SECRET}</SecretAccessKey>"
        f"<SessionToken>{TOKEN}</SessionToken><Expiration>{expiration}</Expiration></Credentials>"
        f"<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>A:s</AssumedRoleId>"
        f"</AssumedRoleUser></{operation}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
        f"</{operation}Response>"
    ).encode()


def error_body(code: str, message: str = "Not authorized", kind: str = "Sender") -> bytes:
    return (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
        f"<Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>req-err</RequestId></ErrorResponse>"
    ).encode()


def settings_for(
    env: Mapping[str, str] | None = None, region: str = "us-east-1", clock: float = SIGNING_EPOCH, **profile: str
) -> Settings:
    return Settings(dict(env or {}), "default", {"default": dict(profile)}, {}, {}, region, lambda: clock)


# -- botocore's side ----------------------------------------------------------------------------


class Captured:
    """botocore's STS requests, each answered with ``status``/``body``."""

    def __init__(self, status: int = 200, body: bytes = b"", headers: Mapping[str, str] | None = None) -> None:
        self.status, self.body, self.headers = status, body, dict(headers or {})
        self.requests: list[AWSPreparedRequest] = []

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        self.requests.append(request)
        return AWSResponse(request.url, self.status, self.headers, RawBody(self.body))


def botocore_client(region: str, captured: Captured, attempts: int = 1, **kwargs: Any) -> Any:
    config = Config(retries={"total_max_attempts": attempts})
    if kwargs.pop("unsigned", False):
        config = config.merge(Config(signature_version=UNSIGNED))
    client = botocore.session.Session().create_client("sts", region_name=region, config=config, **kwargs)
    client.meta.events.register("before-send", captured)
    return client


def frozen_botocore(epoch: float) -> Any:
    """botocore's signing clock and the clock of its default session name, both at ``epoch``."""
    naive = datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)  # as get_current_datetime() gives it
    signing = mock.patch.object(botocore.auth, "get_current_datetime", lambda *_, **__: naive)
    clock = mock.patch.object(botocore.credentials, "time", types.SimpleNamespace(time=lambda: epoch))
    return signing, clock


def botocore_assume_role(region: str, role_arn: str, extra: dict[str, Any], epoch: float) -> AWSPreparedRequest:
    captured = Captured(body=success("AssumeRole"))
    sign_clock, name_clock = frozen_botocore(epoch)
    with _without_aws_environment(), sign_clock, name_clock:

        def creator(service: str, **kwargs: Any) -> Any:
            return botocore_client(region, captured, **kwargs)

        source = botocore.credentials.Credentials(SOURCE.access_key, SOURCE.secret_key, SOURCE.token)
        fetcher = botocore.credentials.AssumeRoleCredentialFetcher(creator, source, role_arn, extra_args=extra)
        fetcher.fetch_credentials()
    return captured.requests[-1]


def botocore_web_identity(region: str, role_arn: str, extra: dict[str, Any], epoch: float) -> AWSPreparedRequest:
    captured = Captured(body=success("AssumeRoleWithWebIdentity"))
    sign_clock, name_clock = frozen_botocore(epoch)
    with _without_aws_environment(), sign_clock, name_clock:

        def creator(service: str, config: Config) -> Any:
            assert config.signature_version is UNSIGNED
            return botocore_client(region, captured, unsigned=True)

        fetcher = botocore.credentials.AssumeRoleWithWebIdentityCredentialFetcher(
            creator, lambda: WEB_TOKEN, role_arn, extra_args=extra
        )
        fetcher.fetch_credentials()
    return captured.requests[-1]


def comparable(
    method: str, url: str, headers: Mapping[str, Any], body: bytes
) -> tuple[str, str, dict[str, str], bytes]:
    out = {}
    for name, value in headers.items():
        if name.lower() not in IGNORED:
            out[name.lower()] = value.decode() if isinstance(value, bytes) else value
    return method, url, out, body


def first_request(flow: Fetching[Credentials]) -> HttpRequest:
    effect = next(flow)
    assert isinstance(effect, Fetch)
    return effect.request


def ours(request: HttpRequest) -> tuple[str, str, dict[str, str], bytes]:
    assert isinstance(request.body, bytes)
    return comparable(request.method, request.url, request.headers, request.body)


def theirs(request: AWSPreparedRequest) -> tuple[str, str, dict[str, str], bytes]:
    body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
    return comparable(request.method, request.url, dict(request.headers), body)


# -- requests, s3lite against botocore ------------------------------------------------------------

REGIONS = ("us-east-1", "eu-west-3", "ap-east-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1", "il-central-1")
role_arns = st.from_regex(r"arn:aws:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_-]{1,40}", fullmatch=True)
session_names = st.from_regex(r"[A-Za-z0-9+=,.@_-]{2,64}", fullmatch=True)
external_ids = st.from_regex(r"[A-Za-z0-9+=,.@:/_-]{2,80}", fullmatch=True)
#: the clock: any second in 2001-2286, with a fraction (the default session name truncates it)
#: a botocore client per example is slow: fewer examples than the S3 suites' 200
FEWER = hypothesis_settings(SETTINGS, max_examples=100)
epochs = st.floats(min_value=1e9, max_value=9.9e9, allow_nan=False).map(lambda t: float(int(t)) + 0.5)


@st.composite
def extra_args(draw: st.DrawFn) -> dict[str, Any]:
    """AssumeRole's optional parameters, in the order botocore's AssumeRoleProvider builds them."""
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        extra["RoleSessionName"] = draw(session_names)
    if draw(st.booleans()):
        extra["ExternalId"] = draw(external_ids)
    if draw(st.booleans()):
        extra["DurationSeconds"] = draw(st.integers(900, 43200))
    return extra


@FEWER
@given(region=st.sampled_from(REGIONS), role_arn=role_arns, extra=extra_args(), epoch=epochs)
def test_assume_role_request_is_botocores(region: str, role_arn: str, extra: dict[str, Any], epoch: float) -> None:
    expected = botocore_assume_role(region, role_arn, extra, epoch)
    # botocore's fetcher adds RoleArn after the extra args, and the default session name after that
    request = first_request(
        assume_role(settings_for(region=region, clock=epoch), SOURCE, {**extra, "RoleArn": role_arn})
    )
    assert ours(request) == theirs(expected)


@FEWER
@given(region=st.sampled_from(REGIONS), role_arn=role_arns, name=st.none() | session_names, epoch=epochs)
def test_web_identity_request_is_botocores(region: str, role_arn: str, name: str | None, epoch: float) -> None:
    extra = {} if name is None else {"RoleSessionName": name}
    expected = botocore_web_identity(region, role_arn, extra, epoch)
    settings = settings_for(region=region, clock=epoch)
    request = first_request(assume_role_with_web_identity(settings, role_arn, WEB_TOKEN, name, {}))
    assert ours(request) == theirs(expected)
    assert "authorization" not in {name.lower() for name in request.headers}


def test_the_source_session_token_is_sent_and_signed() -> None:
    request = first_request(assume_role(settings_for(), SOURCE, {"RoleArn": "arn:aws:iam::1:role/r"}))
    assert request.headers["X-Amz-Security-Token"] == SOURCE.token
    assert "x-amz-security-token" in request.headers["Authorization"]
    assert "X-Amz-Content-SHA256" not in request.headers  # botocore adds it for S3 only


def test_default_session_name() -> None:
    """botocore-session-<int(time.time())>, when none or an empty one is given."""
    assert default_session_name(settings_for(clock=1700000000.99)) == "botocore-session-1700000000"
    request = first_request(
        assume_role(settings_for(clock=1700000000.99), SOURCE, {"RoleArn": "a", "RoleSessionName": ""})
    )
    assert request.body == b"Action=AssumeRole&Version=2011-06-15&RoleArn=a&RoleSessionName=botocore-session-1700000000"


# -- endpoints, s3lite against botocore -------------------------------------------------------------


def botocore_endpoint(env: Mapping[str, str], region: str) -> tuple[str, str]:
    """The URL and signing region of botocore's STS client for this environment (its files included)."""
    captured = Captured(body=success("AssumeRole"))
    with _without_aws_environment(), mock.patch.dict("os.environ", env):
        client = botocore_client(region, captured, aws_access_key_id="AKID", aws_secret_access_key="SECRET")
        client.assume_role(RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="session")
    request = captured.requests[-1]
    scope = request.headers["Authorization"].decode().split("Credential=", 1)[1].split("/")
    return request.url, scope[2]


def our_endpoint(env: Mapping[str, str], region: str) -> tuple[str, str]:
    settings = drive(load_settings({"AWS_CONFIG_FILE": "/nonexistent", **env}, region, time.time), unreachable)
    endpoint = sts_endpoint(settings)
    request = first_request(assume_role(settings, SOURCE, {"RoleArn": "arn:aws:iam::123456789012:role/r"}))
    assert request.url == endpoint.url("/")
    return endpoint.url("/"), endpoint.signing_region


def unreachable(request: HttpRequest, timeout: float) -> HttpResponse:
    raise AssertionError("no request is sent")


@pytest.mark.parametrize(
    "region",
    [*REGIONS, "aws-global", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1", "xx-new-1"],
)
@pytest.mark.parametrize("mode", [None, "regional", "legacy"])
def test_endpoint_by_region_and_mode(region: str, mode: str | None) -> None:
    env = {} if mode is None else {"AWS_STS_REGIONAL_ENDPOINTS": mode}
    assert our_endpoint(env, region) == botocore_endpoint(env, region)


CONFIG_CASES = {
    "legacy in the profile": ("[default]\nsts_regional_endpoints = legacy\n", {}),
    "env mode over the profile's": (
        "[default]\nsts_regional_endpoints = legacy\n",
        {"AWS_STS_REGIONAL_ENDPOINTS": "regional"},
    ),
    "service env var": ("", {"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:4566"}),
    "service env var over global": (
        "",
        {"AWS_ENDPOINT_URL_STS": "http://sts.local:1", "AWS_ENDPOINT_URL": "http://all.local:2"},
    ),
    "global env var": ("", {"AWS_ENDPOINT_URL": "https://all.local/prefix"}),
    "empty service env var passes on": ("", {"AWS_ENDPOINT_URL_STS": "", "AWS_ENDPOINT_URL": "http://all.local:2"}),
    "env over services section": (
        "[default]\nservices = dev\n[services dev]\nsts =\n  endpoint_url = http://svc.local:3\n",
        {"AWS_ENDPOINT_URL": "http://all.local:2"},
    ),
    "services section": (
        "[default]\nservices = dev\n[services dev]\nsts =\n  endpoint_url = http://svc.local:3/\n",
        {},
    ),
    "services section over profile endpoint_url": (
        "[default]\nendpoint_url = http://profile.local\nservices = dev\n[services dev]\nsts =\n  endpoint_url = http://svc.local:3\n",
        {},
    ),
    "services section for another service": (
        "[default]\nendpoint_url = http://profile.local\nservices = dev\n[services dev]\ns3 =\n  endpoint_url = http://s3.local\n",
        {},
    ),
    "profile endpoint_url": ("[default]\nendpoint_url = https://profile.local:8443\n", {}),
    "default https port": ("[default]\nendpoint_url = https://profile.local:443\n", {}),
    "ignored by env": (
        "[default]\nendpoint_url = http://profile.local\n",
        {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE", "AWS_ENDPOINT_URL_STS": "http://x"},
    ),
    "ignored by profile": (
        "[default]\nignore_configured_endpoint_urls = true\nendpoint_url = http://profile.local\n",
        {},
    ),
    "not ignored: env false over profile true": (
        "[default]\nignore_configured_endpoint_urls = true\nendpoint_url = http://profile.local\n",
        {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"},
    ),
    "legacy with endpoint url": (
        "[default]\nsts_regional_endpoints = legacy\nendpoint_url = http://profile.local\n",
        {},
    ),
}


@pytest.mark.parametrize("case", CONFIG_CASES)
@pytest.mark.parametrize("region", ["us-east-1", "cn-northwest-1"])
def test_endpoint_by_configuration(case: str, region: str, tmp_path: Path) -> None:
    text, env = CONFIG_CASES[case]
    (tmp_path / "config").write_text(text)
    env = {**env, "AWS_CONFIG_FILE": str(tmp_path / "config")}
    theirs_ = botocore_endpoint(env, region)
    if "https://profile.local:443" in text:  # botocore keeps the default port in the URL, signs without it
        theirs_ = (theirs_[0].replace(":443/", "/"), theirs_[1])
    assert our_endpoint(env, region) == theirs_


def test_endpoint_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(CredentialRetrievalError, match='"nope" services configuration does not exist'):
        sts_endpoint(settings_for(services="nope"))
    with pytest.raises(botocore.exceptions.InvalidConfigError, match='"nope" services configuration does not exist'):
        (tmp_path / "config").write_text("[default]\nservices = nope\n")
        botocore_endpoint({"AWS_CONFIG_FILE": str(tmp_path / "config")}, "us-east-1")
    with pytest.raises(CredentialRetrievalError, match="STS regional endpoints option global is invalid"):
        sts_endpoint(settings_for({"AWS_STS_REGIONAL_ENDPOINTS": "global"}))
    with pytest.raises(CredentialRetrievalError, match="You must specify a region"):
        sts_endpoint(settings_for(region=""))
    with pytest.raises(CredentialRetrievalError, match="doesn't match a supported format"):
        sts_endpoint(settings_for(region="evil.com/x"))
    with pytest.raises(CredentialRetrievalError, match="Invalid endpoint URL") as raised:
        sts_endpoint(settings_for({"AWS_ENDPOINT_URL_STS": "localhost:4566?secret=1"}))
    assert "secret" not in str(raised.value)


# -- responses -----------------------------------------------------------------------------------


def finish(flow: Fetching[Credentials], *responses: HttpResponse) -> Credentials:
    """Drive ``flow`` answering its Fetches with ``responses`` in turn (Sleeps with None)."""
    answers = iter(responses)
    effect = next(flow)
    try:
        while True:
            effect = flow.send(next(answers) if isinstance(effect, Fetch) else None)
    except StopIteration as done:
        result: Credentials = done.value
        return result


def role_flow(**settings: Any) -> Fetching[Credentials]:
    return assume_role(
        settings_for(**settings), SOURCE, {"RoleArn": "arn:aws:iam::123456789012:role/r"}, rand=lambda: 0.5
    )


def test_parse_success() -> None:
    got = finish(role_flow(), HttpResponse(200, {}, success("AssumeRole")))
    assert got == Credentials(
        "ASIAASSUMED", SECRET, TOKEN, datetime.fromisoformat("2024-03-01T00:59:58+00:00").timestamp()
    )


@pytest.mark.parametrize("expiration", ["2024-03-01T00:59:58.123Z", "2024-03-01T00:59:58+00:00"])
def test_parse_expiration_forms(expiration: str) -> None:
    got = parse_credentials(success("AssumeRole", expiration), "AssumeRole")
    assert got.expires_at is not None and int(got.expires_at) == 1709254798


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml",
        b"<AssumeRoleResponse/>",
        success("AssumeRoleWithWebIdentity"),  # another operation's result
        success("AssumeRole").replace(b"<SessionToken>", b"<Other>").replace(b"</SessionToken>", b"</Other>"),
        success("AssumeRole").replace(TOKEN.encode(), b""),
        success("AssumeRole", "not a date"),
        b'<!DOCTYPE x [<!ENTITY a "b">]>' + success("AssumeRole"),
        success("AssumeRole")[:-10],
    ],
)
def test_malformed_response_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ResponseParseError) as raised:
        finish(role_flow(), HttpResponse(200, {}, body))
    assert SECRET not in str(raised.value) and TOKEN not in str(raised.value)


ERROR_CASES = {
    "access denied": (403, error_body("AccessDenied", "User is not authorized to perform: sts:AssumeRole")),
    "modeled": (400, error_body("ExpiredTokenException", "The security token included in the request is expired")),
    "empty message": (400, error_body("InvalidParameterValue", "")),
    "receiver": (400, error_body("RegionDisabledException", "STS is not activated", "Receiver")),
}


@pytest.mark.parametrize("case", ERROR_CASES)
def test_error_response_is_botocores(case: str) -> None:
    status, body = ERROR_CASES[case]
    headers = {"x-amzn-requestid": "req-err", "content-type": "text/xml"}
    captured = Captured(status, body, headers)
    with _without_aws_environment():
        client = botocore_client("us-east-1", captured, 3, aws_access_key_id="A", aws_secret_access_key="S")
        with pytest.raises(botocore.exceptions.ClientError) as expected:
            client.assume_role(RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="session")
    with pytest.raises(ClientError) as raised:
        finish(role_flow(), HttpResponse(status, headers, body))
    assert raised.value.response == expected.value.response
    assert raised.value.operation_name == "AssumeRole"
    assert str(raised.value) == str(expected.value)


def test_generic_5xx_is_retried_then_botocores_shape() -> None:
    flow = role_flow()
    html = HttpResponse(503, {}, b"<html><body>Service Unavailable</body></html>")
    with pytest.raises(ClientError) as raised:
        finish(flow, html, html, html)
    assert raised.value.response == {
        "Error": {"Code": "503", "Message": "Service Unavailable"},
        "ResponseMetadata": {"HTTPStatusCode": 503, "HTTPHeaders": {}, "RetryAttempts": 2, "MaxAttemptsReached": True},
    }


def test_non_xml_4xx_is_a_parse_error() -> None:
    with pytest.raises(ResponseParseError):
        finish(role_flow(), HttpResponse(400, {}, b"Bad Request"))


def attempts(flow: Fetching[Credentials], replies: list[HttpResponse | Exception]) -> list[Any]:
    """Every effect the flow yields, answering Fetches from ``replies`` (an exception is thrown in)."""
    effects = [next(flow)]
    try:
        while True:
            if isinstance(effects[-1], Fetch):
                reply = replies.pop(0)
                effects.append(flow.throw(reply) if isinstance(reply, Exception) else flow.send(reply))
            else:
                effects.append(flow.send(None))
    except StopIteration:
        return effects


def test_throttling_is_retried_with_backoff_and_signed_anew() -> None:
    clock = iter([SIGNING_EPOCH, SIGNING_EPOCH + 5, SIGNING_EPOCH + 10])
    settings = settings_for()._replace(clock=lambda: next(clock))
    flow = assume_role(settings, SOURCE, {"RoleArn": "a", "RoleSessionName": "ss"}, rand=lambda: 0.5)
    throttled = HttpResponse(400, {}, error_body("Throttling", "Rate exceeded"))
    effects = attempts(flow, [throttled, throttled, HttpResponse(200, {}, success("AssumeRole"))])
    kinds = [type(effect).__name__ for effect in effects]
    assert kinds == ["Fetch", "Sleep", "Fetch", "Sleep", "Fetch"]
    assert [effect.seconds for effect in effects if isinstance(effect, Sleep)] == [0.5, 1.0]
    dates = [effect.request.headers["X-Amz-Date"] for effect in effects if isinstance(effect, Fetch)]
    assert len(set(dates)) == 3
    assert all(effect.timeout == 120.0 for effect in effects if isinstance(effect, Fetch))


def test_backoff_of_other_errors_and_retry_after() -> None:
    """botocore 1.44: 50 ms scale for errors that are not throttling, ``x-amz-retry-after`` (ms)
    raising the delay to at most 5 s past it; IDPCommunicationError retried for STS."""
    unavailable = HttpResponse(503, {}, b"")
    effects = attempts(role_flow(), [unavailable, unavailable, HttpResponse(200, {}, success("AssumeRole"))])
    assert [effect.seconds for effect in effects if isinstance(effect, Sleep)] == [0.025, 0.05]
    later = HttpResponse(503, {"x-amz-retry-after": "60000"}, b"")
    effects = attempts(role_flow(), [later, HttpResponse(200, {}, success("AssumeRole"))])
    assert [effect.seconds for effect in effects if isinstance(effect, Sleep)] == [5.025]
    idp = HttpResponse(400, {}, error_body("IDPCommunicationError", "try again"))
    flow = assume_role_with_web_identity(settings_for(), "a", WEB_TOKEN, None, {}, rand=lambda: 0.5)
    effects = attempts(flow, [idp, HttpResponse(200, {}, success("AssumeRoleWithWebIdentity"))])
    assert [type(effect).__name__ for effect in effects] == ["Fetch", "Sleep", "Fetch"]


def test_access_denied_is_not_retried() -> None:
    with pytest.raises(ClientError) as raised:
        attempts(role_flow(), [HttpResponse(403, {}, error_body("AccessDenied"))])
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert "MaxAttemptsReached" not in raised.value.response["ResponseMetadata"]


def test_connection_errors_are_retried_then_raised() -> None:
    error = EndpointConnectionError("refused")
    with pytest.raises(EndpointConnectionError):
        attempts(role_flow(), [error, error, error])
    effects = attempts(role_flow(), [error, HttpResponse(200, {}, success("AssumeRole"))])
    assert [type(effect).__name__ for effect in effects] == ["Fetch", "Sleep", "Fetch"]


def test_max_attempts_from_the_environment() -> None:
    throttled = HttpResponse(503, {}, b"")
    with pytest.raises(ClientError) as raised:
        attempts(role_flow(env={"AWS_MAX_ATTEMPTS": "5"}), [throttled] * 5)
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 4


# -- secrets -------------------------------------------------------------------------------------


def test_no_secret_in_reprs_or_errors() -> None:
    request = first_request(assume_role(settings_for(), SOURCE, {"RoleArn": "a", "TokenCode": "123456"}))
    web = first_request(assume_role_with_web_identity(settings_for(), "a", WEB_TOKEN, None, {}))
    for text in (repr(request), repr(web)):
        for secret in (SOURCE.secret_key, SOURCE.token or "", WEB_TOKEN, "123456"):
            assert secret not in text
    got = parse_credentials(success("AssumeRole"), "AssumeRole")
    assert SECRET not in repr(got) and TOKEN not in repr(got)
    assert SECRET not in repr(settings_for())
    broken = success("AssumeRole").replace(b"<Expiration>", b"<X>").replace(b"</Expiration>", b"</X>")
    with pytest.raises(ResponseParseError) as raised:
        parse_credentials(broken, "AssumeRole")
    assert SECRET not in str(raised.value) and TOKEN not in str(raised.value)


# -- end to end: moto's STS ----------------------------------------------------------------------


def test_moto_assume_role(moto_endpoint: str, pool_fetch: Callable[[HttpRequest, float], HttpResponse]) -> None:
    settings = settings_for({"AWS_ENDPOINT_URL_STS": moto_endpoint}, clock=time.time())
    params = {"RoleArn": "arn:aws:iam::123456789012:role/moto", "RoleSessionName": "e2e", "DurationSeconds": 1800}
    got = drive(assume_role(settings, SOURCE, params), pool_fetch)
    assert got.access_key and got.secret_key and got.token
    assert got.expires_at is not None and 1700 < got.expires_at - time.time() <= 1800


def test_moto_assume_role_with_web_identity(
    moto_endpoint: str, pool_fetch: Callable[[HttpRequest, float], HttpResponse]
) -> None:
    settings = settings_for({"AWS_ENDPOINT_URL_STS": moto_endpoint}, clock=time.time())
    flow = assume_role_with_web_identity(settings, "arn:aws:iam::123456789012:role/web", WEB_TOKEN, None, {})
    got = drive(flow, pool_fetch)
    assert got.access_key and got.secret_key and got.token
    assert got.expires_at is not None and got.expires_at > time.time()


def test_moto_endpoint_path_is_kept(moto_endpoint: str) -> None:
    """The request goes to the configured endpoint as botocore joins it (no path: ``/``)."""
    settings = settings_for({"AWS_ENDPOINT_URL_STS": moto_endpoint})
    request = first_request(assume_role(settings, SOURCE, {"RoleArn": "a"}))
    assert urlsplit(request.url)._replace(path="").geturl() == moto_endpoint and request.path == "/"
