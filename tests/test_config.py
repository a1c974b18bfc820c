"""Where credentials, region and endpoint come from, and how a bucket is addressed (s3-spec.md §2.9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import s3lite
from s3lite import Endpoint
from s3lite._credentials import Credentials
from s3lite._credentials._chain import Chain
from s3lite._credentials._lookup import given_credentials, resolve_region
from s3lite._credentials._perform import drive
from s3lite._http import HttpRequest, HttpResponse

#: no metadata service is asked in these tests (the chain's last link; tests/test_credentials_imds.py has it)
NO_IMDS = {"AWS_EC2_METADATA_DISABLED": "true"}


def _no_network(request: HttpRequest, timeout: float) -> HttpResponse:
    raise AssertionError(f"unexpected request to {request.host}")


def found(env: dict[str, str]) -> Credentials | None:
    """What the chain finds in ``env`` (files named by it), without any network."""
    return drive(Chain({**NO_IMDS, **env}, "us-east-1", lambda: 1e9).fetch(), _no_network)


def test_credentials_from_arguments_environment_and_files(tmp_path: Path) -> None:
    given = given_credentials("A", "S", "T")
    assert given is not None and (given.access_key, given.secret_key, given.token) == ("A", "S", "T")
    env = {"AWS_ACCESS_KEY_ID": "EA", "AWS_SECRET_ACCESS_KEY": "ES", "AWS_SESSION_TOKEN": "ET"}
    from_env = found(env)
    assert from_env is not None and (from_env.access_key, from_env.secret_key, from_env.token) == ("EA", "ES", "ET")

    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[default]\naws_access_key_id = FA\naws_secret_access_key = FS\n[work]\naws_access_key_id = WA\naws_secret_access_key = WS\naws_session_token = WT\n"
    )
    config = tmp_path / "config"
    config.write_text("[profile cfg]\naws_access_key_id = CA\naws_secret_access_key = CS\nregion = eu-central-1\n")
    files = {"AWS_SHARED_CREDENTIALS_FILE": str(credentials), "AWS_CONFIG_FILE": str(config), "HOME": str(tmp_path)}
    assert (default := found(files)) is not None and default.access_key == "FA"
    work = found({**files, "AWS_PROFILE": "work"})
    assert work is not None and (work.access_key, work.token) == ("WA", "WT")
    assert (cfg := found({**files, "AWS_PROFILE": "cfg"})) is not None and cfg.access_key == "CA"
    assert resolve_region(None, {**files, "AWS_PROFILE": "cfg"}) == "eu-central-1"
    with pytest.raises(s3lite.CredentialRetrievalError, match="could not be found"):
        found({**files, "AWS_PROFILE": "nobody"})
    assert given_credentials("A", None, None) is None


def test_broken_credentials_file_is_treated_as_missing(tmp_path: Path) -> None:
    broken = tmp_path / "credentials"
    broken.write_bytes(b"\xff\xfe[default\naws_secret_access_key = SHOULD-NOT-LEAK\n")
    env = {"AWS_SHARED_CREDENTIALS_FILE": str(broken), "AWS_CONFIG_FILE": str(broken), "HOME": str(tmp_path)}
    assert found(env) is None
    with pytest.raises(s3lite.NoCredentialsError) as caught:
        _client_credentials(env)
    assert "SHOULD-NOT-LEAK" not in str(caught.value)
    assert "looked in: env, assume-role" in str(caught.value)


def _client_credentials(env: dict[str, str]) -> Credentials:
    import os
    from unittest import mock

    with mock.patch.dict(os.environ, {**NO_IMDS, **env}, clear=True):
        return s3lite.Client(region_name="us-east-1").get_credentials()


def test_region_order() -> None:
    assert resolve_region("ap-south-1", {"AWS_REGION": "x"}) == "ap-south-1"
    assert resolve_region(None, {"AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": "x"}) == "eu-west-3"
    assert resolve_region(None, {"AWS_DEFAULT_REGION": "eu-west-2", "AWS_CONFIG_FILE": "/nonexistent"}) == "eu-west-2"
    assert resolve_region(None, {"AWS_CONFIG_FILE": "/nonexistent"}) == "us-east-1"


@pytest.mark.parametrize(
    ("endpoint", "bucket", "host", "prefix"),
    [
        (Endpoint.for_region("us-west-2"), "mybucket", "mybucket.s3.us-west-2.amazonaws.com", ""),
        (Endpoint.for_region("us-west-2"), "my.bucket", "s3.us-west-2.amazonaws.com", "/my.bucket"),
        (Endpoint.for_region("us-west-2"), "My-Bucket", "s3.us-west-2.amazonaws.com", "/My-Bucket"),
        (Endpoint.for_region("us-west-2"), "my_bucket", "s3.us-west-2.amazonaws.com", "/my_bucket"),
        (Endpoint.for_region("us-west-2"), "ab", "s3.us-west-2.amazonaws.com", "/ab"),
        (Endpoint.for_region("us-west-2"), "192.168.1.1", "s3.us-west-2.amazonaws.com", "/192.168.1.1"),
        (Endpoint.for_region("us-west-2"), "bucket-", "s3.us-west-2.amazonaws.com", "/bucket-"),
        (
            Endpoint.for_region("us-west-2", addressing_style="path"),
            "mybucket",
            "s3.us-west-2.amazonaws.com",
            "/mybucket",
        ),
        (Endpoint.for_region("cn-north-1"), "mybucket", "mybucket.s3.cn-north-1.amazonaws.com.cn", ""),
        (Endpoint.from_url("http://localhost:9000"), "mybucket", "localhost:9000", "/mybucket"),
        (Endpoint.from_url("https://minio.example.com/pre/"), "mybucket", "minio.example.com", "/pre/mybucket"),
        (
            Endpoint.from_url("http://localhost:9000", addressing_style="virtual"),
            "mybucket",
            "mybucket.localhost:9000",
            "",
        ),
        (
            Endpoint.from_url("http://localhost:9000", addressing_style="virtual"),
            "my.bucket",
            "my.bucket.localhost:9000",
            "",
        ),
        (
            Endpoint.from_url("https://s3.example.com", addressing_style="virtual"),
            "my.bucket",
            "s3.example.com",
            "/my.bucket",
        ),
        (
            Endpoint.from_url("http://127.0.0.1:9000", addressing_style="virtual"),
            "mybucket",
            "127.0.0.1:9000",
            "/mybucket",
        ),
        (Endpoint.from_url("https://Example.COM:443"), "b", "example.com", "/b"),
        (Endpoint.from_url("http://[::1]:9000"), "b", "[::1]:9000", "/b"),
    ],
)
def test_bucket_addressing(endpoint: Endpoint, bucket: str, host: str, prefix: str) -> None:
    assert endpoint.locate(bucket) == (host, prefix)


@pytest.mark.parametrize("url", ["localhost:9000", "ftp://h", "http://", "http://h:99999", "http://h/?q=1"])
def test_bad_endpoint_urls_are_refused(url: str) -> None:
    with pytest.raises(s3lite.ParamValidationError):
        Endpoint.from_url(url)


def test_presigned_url_rules() -> None:
    client = s3lite.Client(
        endpoint_url="http://127.0.0.1:9000", region_name="us-east-1", aws_access_key_id="A", aws_secret_access_key="S"
    )
    url = client.generate_presigned_url(
        "put_object", Params={"Bucket": "b", "Key": "a b", "ContentType": "text/plain"}, ExpiresIn=60
    )
    assert url.startswith("http://127.0.0.1:9000/b/a%20b?X-Amz-Algorithm=AWS4-HMAC-SHA256&")
    assert "X-Amz-SignedHeaders=content-type%3Bhost&" in url and "&X-Amz-Expires=60&" in url
    for bad in (604801, True, "60"):  # 0 and negatives are signed: tests/test_presign.py
        with pytest.raises(s3lite.ParamValidationError):
            client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=bad)  # type: ignore[arg-type]
    with pytest.raises(s3lite.ParamValidationError):
        client.generate_presigned_url("delete_buckets", Params={"Bucket": "b"})
    client.close()


@pytest.mark.parametrize(
    ("url", "style", "operation", "params", "path"),
    [
        ("http://h:9000/prefix/", "path", "ListBuckets", {}, "/prefix/"),
        ("http://h:9000/prefix", "path", "ListBuckets", {}, "/prefix"),
        ("http://h:9000", "path", "ListBuckets", {}, "/"),
        ("http://h:9000/prefix/", "virtual", "GetBucketTagging", {"Bucket": "bkt"}, "/prefix/"),
        ("http://h:9000/prefix/", "virtual", "GetObject", {"Bucket": "bkt", "Key": "a/b"}, "/prefix/a/b"),
        ("http://h:9000/prefix/", "path", "GetObject", {"Bucket": "bkt", "Key": "a/b"}, "/prefix/bkt/a/b"),
        ("http://h:9000/prefix/", "path", "ListObjectsV2", {"Bucket": "bkt"}, "/prefix/bkt"),
    ],
)
def test_an_endpoint_path_is_joined_as_botocore_joins_it(
    url: str, style: str, operation: str, params: dict[str, Any], path: str
) -> None:
    """botocore's ``_urljoin``: a request whose own path is empty or ``/`` takes the endpoint's path as
    given, its trailing slash included (a proxy mounted at ``/prefix/`` must see ``/prefix/``)."""
    endpoint = s3lite.Endpoint.from_url(url, addressing_style=style)
    assert s3lite.serialize(operation, params, endpoint=endpoint).request.path == path
