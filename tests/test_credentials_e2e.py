"""The chain end to end: both clients, built without keys in a clean environment and HOME, find them
by assuming roles with moto's STS on 127.0.0.1, and sign their S3 calls with them; the AssumeRole
that a profile makes is the request botocore's chain makes for the same profile; keys that are due
during a multipart upload are refreshed between its parts."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl

import anyio
import pytest
from loop_watch import watching_the_loop

import s3lite
from s3lite._credentials import Credentials
from s3lite._credentials._refresh import MANDATORY_WINDOW

ROLE = "arn:aws:iam::123456789012:role/e2e"
BASE = "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n"


@pytest.fixture
def home(tmp_path: Path, moto_endpoint: str) -> Iterator[dict[str, str]]:
    """A clean environment: HOME in a temporary directory, STS at moto, no metadata service."""
    (tmp_path / ".aws").mkdir()
    env = {
        "HOME": str(tmp_path),
        "PATH": os.environ["PATH"],
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_STS": moto_endpoint,
    }
    with mock.patch.dict(os.environ, env, clear=True):
        yield env


def _config(home: dict[str, str], text: str) -> None:
    Path(home["HOME"], ".aws", "config").write_text(text)


def _assumed(credentials: Credentials) -> None:
    """What moto's STS hands out for a role: temporary keys, not the source's."""
    assert credentials.access_key.startswith("ASIA") and credentials.access_key != "AKIDBASE"
    assert credentials.token and credentials.expires_at is not None and credentials.expires_at > time.time()


def _round_trip(client: s3lite.Client, bucket: str) -> None:
    client.put_object(Bucket=bucket, Key="k", Body=b"assumed")
    with client.get_object(Bucket=bucket, Key="k")["Body"] as body:
        assert body.read() == b"assumed"


def test_role_from_a_source_profile(home: dict[str, str], moto_endpoint: str, bucket: str) -> None:
    _config(home, f"[default]\nrole_arn = {ROLE}\nsource_profile = base\nrole_session_name = e2e\n{BASE}")
    with s3lite.Client(endpoint_url=moto_endpoint, region_name="us-east-1") as client:
        _round_trip(client, bucket)
        _assumed(client.get_credentials())


def test_chained_roles(home: dict[str, str], moto_endpoint: str, bucket: str) -> None:
    _config(
        home,
        f"[default]\nrole_arn = {ROLE}-2\nsource_profile = first\n"
        f"[profile first]\nrole_arn = {ROLE}-1\nsource_profile = base\n{BASE}",
    )
    with s3lite.Client(endpoint_url=moto_endpoint, region_name="us-east-1") as client:
        _round_trip(client, bucket)
        _assumed(client.get_credentials())


def test_chained_roles_call_sts_where_the_profile_in_use_says(
    home: dict[str, str], moto_endpoint: str, bucket: str
) -> None:
    """Each AssumeRole of a chain goes where the profile in use configures STS (its services section),
    not where the source profiles would: botocore's nested client is the session's."""
    del os.environ["AWS_ENDPOINT_URL_STS"]
    _config(
        home,
        f"[default]\nrole_arn = {ROLE}-2\nsource_profile = first\nservices = local\n"
        f"[services local]\nsts =\n  endpoint_url = {moto_endpoint}\n"
        f"[profile first]\nrole_arn = {ROLE}-1\nsource_profile = base\n{BASE}",
    )
    with s3lite.Client(endpoint_url=moto_endpoint, region_name="us-east-1") as client:
        _round_trip(client, bucket)
        _assumed(client.get_credentials())


def test_role_from_the_environment_as_credential_source(home: dict[str, str], moto_endpoint: str, bucket: str) -> None:
    os.environ.update(AWS_ACCESS_KEY_ID="AKIDENV", AWS_SECRET_ACCESS_KEY="env-secret", AWS_PROFILE="r")
    _config(home, f"[profile r]\nrole_arn = {ROLE}\ncredential_source = Environment\n")
    with s3lite.Client(endpoint_url=moto_endpoint, region_name="us-east-1") as client:
        # the environment's keys come first in the chain: the profile is not looked at...
        assert client.get_credentials().access_key == "AKIDENV"
    del os.environ["AWS_ACCESS_KEY_ID"]
    os.environ["AWS_SECRET_ACCESS_KEY"] = "x"
    _config(home, f"[profile r]\nrole_arn = {ROLE}\ncredential_source = Environment\n")
    missing = pytest.raises(s3lite.CredentialRetrievalError, match="No credentials found in credential_source")
    with s3lite.Client(endpoint_url=moto_endpoint, region_name="us-east-1") as client, missing:
        client.get_credentials()


def test_web_identity_from_the_environment(home: dict[str, str], moto_endpoint: str, bucket: str) -> None:
    token = Path(home["HOME"], "token")
    token.write_text("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
    os.environ.update(AWS_WEB_IDENTITY_TOKEN_FILE=str(token), AWS_ROLE_ARN=ROLE, AWS_ROLE_SESSION_NAME="pod")
    with s3lite.Client(endpoint_url=moto_endpoint, region_name="us-east-1") as client:
        _round_trip(client, bucket)
        _assumed(client.get_credentials())


def test_async_client_assumes_the_role_through_its_own_transport(
    home: dict[str, str], moto_endpoint: str, bucket: str
) -> None:
    _config(home, f"[default]\nrole_arn = {ROLE}\nsource_profile = base\n{BASE}")

    async def main() -> Credentials:
        async with s3lite.AsyncClient(endpoint_url=moto_endpoint, region_name="us-east-1") as client:
            await client.put_object(Bucket=bucket, Key="k", Body=b"assumed")
            got = await client.get_object(Bucket=bucket, Key="k")
            async with got["Body"] as body:
                assert await body.read() == b"assumed"
            return await client.get_credentials()

    _assumed(anyio.run(main))


# -- the request, against botocore's chain ---------------------------------------------------------

ANSWER = (
    b"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAX</AccessKeyId>"
    b"<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
    b"<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>"
)


def _botocore_assume_role_body(env: dict[str, str]) -> dict[str, str]:
    import botocore.session

    captured: dict[str, str] = {}

    def answer(request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        body = request.body
        captured.update(parse_qsl(body.decode() if isinstance(body, bytes) else body))
        captured["_url"] = request.url

        class Raw:
            def stream(self, **_: Any) -> Iterator[bytes]:
                yield ANSWER

        return AWSResponse(request.url, 200, {}, Raw())

    with mock.patch.dict(os.environ, env, clear=True):
        session = botocore.session.Session()
        session.register("before-send.sts.AssumeRole", answer)
        session.set_config_variable("region", "eu-west-1")
        session.create_client("s3", region_name="eu-west-1")
        session.get_credentials().get_frozen_credentials()
    return captured


def test_the_profiles_assume_role_is_botocores(tmp_path: Path) -> None:
    (tmp_path / ".aws").mkdir()
    Path(tmp_path, ".aws", "config").write_text(
        f"[default]\nrole_arn = {ROLE}\nsource_profile = base\nrole_session_name = session-1\nexternal_id = x-1\n"
        f"duration_seconds = 1800\n{BASE}"
    )
    env = {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true", "PATH": os.environ["PATH"]}
    theirs = _botocore_assume_role_body(env)
    ours: dict[str, str] = {}

    from s3lite._credentials._chain import Chain
    from s3lite._credentials._perform import drive
    from s3lite._http import HttpRequest, HttpResponse

    def fetch(request: HttpRequest, timeout: float) -> HttpResponse:
        assert isinstance(request.body, bytes)
        ours.update(parse_qsl(request.body.decode()))
        ours["_url"] = request.url
        return HttpResponse(200, {}, ANSWER)

    found = drive(Chain(env, "eu-west-1", time.time).fetch(), fetch)
    assert found is not None and found.access_key == "ASIAX"
    assert list(ours) == list(theirs) and ours == theirs


# -- refresh during a long upload ------------------------------------------------------------------


def test_keys_due_during_a_multipart_upload_are_refreshed_between_parts(
    moto_endpoint: str, bucket: str, tmp_path: Path
) -> None:
    """Keys handed out already inside the mandatory window are valid, but due at every call: each part
    is signed with keys fetched for it, and the upload completes."""
    fetched: list[str] = []

    def provider() -> Credentials:
        fetched.append(f"AKID{len(fetched)}")
        return Credentials(fetched[-1], "secret", "token", time.time() + MANDATORY_WINDOW - 30)

    source = tmp_path / "big"
    source.write_bytes(os.urandom(3 * 5 * 1024 * 1024 + 17))
    config = s3lite.TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    with s3lite.Client(endpoint_url=moto_endpoint, region_name="us-east-1", credentials_provider=provider) as client:
        client.upload_file(str(source), bucket, "big", Config=config)
        with client.get_object(Bucket=bucket, Key="big")["Body"] as body:
            assert body.read() == source.read_bytes()
    # CreateMultipartUpload, 4 parts, CompleteMultipartUpload, GetObject: each found its keys due
    assert len(fetched) >= 7


# -- AsyncClient: a slow credentials server does not stall the loop --------------------------------


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_300_ms_container_fetch_does_not_stall_the_loop(
    home: dict[str, str], moto_endpoint: str, bucket: str, backend: str
) -> None:
    """The container endpoint (a fake on 127.0.0.1) answers after 300 ms; meanwhile a 5 ms ticker on
    the same loop keeps ticking: the longest gap between its ticks is the loop's worst stall."""
    import json

    from metadata_fakes import Answer, serving

    document = json.dumps(
        {"AccessKeyId": "ASIACONTAINER", "SecretAccessKey": "s", "Token": "t", "Expiration": "2099-01-01T00:00:00Z"}
    ).encode()
    gaps: list[float] = []
    with serving() as server:
        server.run(lambda request, seen: Answer(200, document, delay=0.3))
        os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f"{server.url}/creds"

        async def main() -> str:
            # httpx's own first request on this loop backend (its lazy imports) is not what is measured
            keys = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "secret"}
            async with s3lite.AsyncClient(endpoint_url=moto_endpoint, region_name="us-east-1", **keys) as warm:
                await warm.head_bucket(Bucket=bucket)
            async with s3lite.AsyncClient(endpoint_url=moto_endpoint, region_name="us-east-1") as client:
                async with watching_the_loop() as watched:
                    await client.put_object(Bucket=bucket, Key="k", Body=b"x")  # finds the keys: 300 ms
                gaps.extend(watched)
                return (await client.get_credentials()).access_key

        assert anyio.run(main, backend=backend) == "ASIACONTAINER"
    assert sum(gaps) >= 0.3 and len(gaps) >= 20
    print(f"longest loop stall during the 300 ms fetch ({backend}): {max(gaps) * 1000:.1f} ms")
    assert max(gaps) < 0.05, max(gaps)


# -- proxies: the credential servers are reached as their own host says ---------------------------


def test_no_proxy_keeps_the_credential_server_direct_while_s3_is_proxied(home: dict[str, str]) -> None:
    """``HTTP_PROXY`` for S3, ``NO_PROXY`` for the metadata server (the usual corporate EC2 set-up):
    the credentials come straight from the server; the proxy (dead here) is never asked for them."""
    import json

    from metadata_fakes import Answer, serving

    document = json.dumps(
        {"AccessKeyId": "ASIADIRECT", "SecretAccessKey": "s", "Token": "t", "Expiration": "2099-01-01T00:00:00Z"}
    ).encode()
    with serving() as server:
        server.run(lambda request, seen: Answer(200, document))
        os.environ.update(
            HTTP_PROXY="http://127.0.0.1:9",
            NO_PROXY="127.0.0.1",
            AWS_CONTAINER_CREDENTIALS_FULL_URI=f"{server.url}/creds",
        )
        options: dict[str, Any] = {"endpoint_url": "http://s3.example.invalid", "region_name": "us-east-1"}
        with s3lite.Client(**options) as client:
            assert client.get_credentials().access_key == "ASIADIRECT"

        async def main() -> str:
            async with s3lite.AsyncClient(**options) as client:
                return (await client.get_credentials()).access_key

        assert anyio.run(main) == "ASIADIRECT"
        assert len(server.seen) == 2
