"""Presigned URLs next to botocore's (issue 13, items 12 and 17), with both clocks frozen at one instant.

botocore's ``generate_presigned_url`` with ``signature_version='s3v4'`` is the oracle: its query
signer percent-encodes every auth value (``percent_encode_sequence``), so an access key such as
``test:tester`` (OpenStack Swift's form) goes out as ``test%3Atester``; and it signs any int
``ExpiresIn``, zero and negative included, writing it as given in ``X-Amz-Expires``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import botocore.auth
import botocore.session
import pytest
from botocore.config import Config
from oracle import SIGNING_EPOCH, SIGNING_TIME, UTC, _without_aws_environment

import s3lite

ENDPOINT = "http://127.0.0.1:9000"
REGION = "us-east-1"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

#: Access keys with characters that must be escaped in a query value: Swift's ``account:user``,
#: ``+`` (a space to form decoders), ``/`` (the credential scope's separator), and the rest of what
#: percent-encoding touches.
ACCESS_KEYS = ["AKIDEXAMPLE", "test:tester", "a+b", "a/b", "a b", "a=b&c", "100%", "k~._-"]

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("get_object", {"Bucket": "b", "Key": "k"}),
    ("get_object", {"Bucket": "b", "Key": "a b/é+", "VersionId": "v+1/2", "ResponseContentType": "text/x y"}),
    ("put_object", {"Bucket": "b", "Key": "k", "ContentType": "text/plain", "Metadata": {"m": "v"}}),
    # header names may hold token characters that percent-encoding escapes in X-Amz-SignedHeaders
    ("put_object", {"Bucket": "b", "Key": "k", "Metadata": {"a!b'*": "v"}}),
]


def botocore_url(
    access_key: str, method: str, params: Mapping[str, Any], expires_in: int, token: str | None = None
) -> str:
    """botocore's URL for the same call, signed at the oracle's instant."""
    with _without_aws_environment():
        client = botocore.session.get_session().create_client(
            "s3",
            region_name=REGION,
            endpoint_url=ENDPOINT,
            aws_access_key_id=access_key,
            aws_secret_access_key=SECRET,
            aws_session_token=token,
            config=Config(signature_version="s3v4"),
        )
    frozen = SIGNING_TIME.astimezone(UTC).replace(tzinfo=None)  # botocore's own clock is naive UTC
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda *_, **__: frozen):
        url: str = client.generate_presigned_url(method, Params=dict(params), ExpiresIn=expires_in)
    return url


def s3lite_url(
    kind: type[s3lite.Client | s3lite.AsyncClient],
    access_key: str,
    method: str,
    params: Mapping[str, Any],
    expires_in: int,
    token: str | None = None,
) -> str:
    client = kind(
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=access_key,
        aws_secret_access_key=SECRET,
        aws_session_token=token,
    )
    client._context.clock = lambda: SIGNING_EPOCH
    url = client.generate_presigned_url(method, Params=params, ExpiresIn=expires_in)
    if isinstance(client, s3lite.Client):
        client.close()
    return url


@pytest.mark.parametrize("kind", [s3lite.Client, s3lite.AsyncClient], ids=["sync", "async"])
@pytest.mark.parametrize("access_key", ACCESS_KEYS)
@pytest.mark.parametrize(("method", "params"), CALLS, ids=[f"{m}-{i}" for i, (m, _) in enumerate(CALLS)])
def test_presigned_url_is_botocores_for_any_access_key(
    kind: type[s3lite.Client | s3lite.AsyncClient], access_key: str, method: str, params: dict[str, Any]
) -> None:
    """Item 12: the whole URL, credential encoding and signature included, is botocore's."""
    expected = botocore_url(access_key, method, params, 300)
    assert s3lite_url(kind, access_key, method, params, 300) == expected


def test_swift_style_credential_is_percent_encoded() -> None:
    """Item 12, spelled out: the colon and the scope's slashes are escaped, and the value decodes back."""
    url = s3lite_url(s3lite.Client, "test:tester", "get_object", {"Bucket": "b", "Key": "k"}, 60)
    assert "&X-Amz-Credential=test%3Atester%2F20240229%2Fus-east-1%2Fs3%2Faws4_request&" in url
    assert parse_qs(urlsplit(url).query)["X-Amz-Credential"] == ["test:tester/20240229/us-east-1/s3/aws4_request"]


@pytest.mark.parametrize("expires_in", [0, -1, -3600, 1, 604800])
def test_zero_and_negative_expiry_are_signed_as_botocore_signs_them(expires_in: int) -> None:
    """Item 17: botocore signs ExpiresIn <= 0 (the URL is born expired, the server answers 403)."""
    params = {"Bucket": "b", "Key": "k"}
    expected = botocore_url("test:tester", "get_object", params, expires_in, token="T/+=")
    url = s3lite_url(s3lite.Client, "test:tester", "get_object", params, expires_in, token="T/+=")
    assert url == expected
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == [str(expires_in)]


@pytest.mark.parametrize("bad", [604801, 10**20, True, False, "60", 60.0, None])
def test_out_of_range_or_non_int_expiry_is_still_refused(bad: Any) -> None:
    """More than seven days S3 itself refuses (s3-spec.md §3); a bool, float or str is not an int."""
    with pytest.raises(s3lite.ParamValidationError, match="Invalid ExpiresIn"):
        s3lite_url(s3lite.Client, "AKID", "get_object", {"Bucket": "b", "Key": "k"}, bad)
