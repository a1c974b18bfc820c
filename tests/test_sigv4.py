"""SigV4 against fixed vectors: AWS's S3 documentation examples and the botocore captures of
reference/s3-spec.md Appendix A. Each vector drives the signer and is checked to the hex digit."""

from __future__ import annotations

import calendar
import hashlib
from datetime import datetime

import pytest

from s3lite import Credentials, Endpoint, HttpRequest, SigningKeyCache, presign, serialize, sign
from s3lite._checksums import AwsChunkedEncoder, aws_chunked_length
from s3lite._sigv4 import STREAMING_PAYLOAD, canonical_query, derive_signing_key

DOC_CREDENTIALS = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
CAPTURE_CREDENTIALS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
#: 20130524T000000Z, the instant of every vector
NOW = float(calendar.timegm(datetime(2013, 5, 24).timetuple()))
DOC_HOST = "examplebucket.s3.amazonaws.com"


def _signature(authorization: str) -> str:
    return authorization.rsplit("Signature=", 1)[1]


def _signed_headers(authorization: str) -> str:
    return authorization.split("SignedHeaders=", 1)[1].split(",", 1)[0]


def _sign(request: HttpRequest, payload: bytes | str, credentials: Credentials = DOC_CREDENTIALS) -> dict[str, str]:
    payload_hash = payload if isinstance(payload, str) else hashlib.sha256(payload).hexdigest()
    signed = sign(
        request, credentials=credentials, region="us-east-1", now=NOW, payload_hash=payload_hash, keys=SigningKeyCache()
    )
    return signed.request.headers


# AWS documentation, "Signature Calculations for the Authorization Header: Transferring Payload in a
# Single Chunk" - the four examples, as (method, host, path, query, extra headers, body, signed, signature).
DOC_HEADER_VECTORS = [
    pytest.param(
        "GET",
        DOC_HOST,
        "/test.txt",
        "",
        {"Range": "bytes=0-9"},
        b"",
        "host;range;x-amz-content-sha256;x-amz-date",
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        id="get-object",
    ),
    pytest.param(
        "PUT",
        DOC_HOST,
        "/test%24file.text",
        "",
        {"Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"},
        b"Welcome to Amazon S3.",
        "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        id="put-object",
    ),
    pytest.param(
        "GET",
        DOC_HOST,
        "/",
        "lifecycle",
        {},
        b"",
        "host;x-amz-content-sha256;x-amz-date",
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        id="get-bucket-lifecycle",
    ),
    pytest.param(
        "GET",
        DOC_HOST,
        "/",
        "max-keys=2&prefix=J",
        {},
        b"",
        "host;x-amz-content-sha256;x-amz-date",
        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        id="list-objects",
    ),
]


@pytest.mark.parametrize(
    ("method", "host", "path", "query", "headers", "body", "signed", "signature"), DOC_HEADER_VECTORS
)
def test_aws_documentation_header_vectors(
    method: str, host: str, path: str, query: str, headers: dict[str, str], body: bytes, signed: str, signature: str
) -> None:
    out = _sign(HttpRequest(method, "https", host, path, query, dict(headers), body), body)
    assert out["X-Amz-Date"] == "20130524T000000Z"
    assert _signed_headers(out["Authorization"]) == signed
    assert _signature(out["Authorization"]) == signature
    assert out["Authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
    )


def test_aws_documentation_presigned_url() -> None:
    request = HttpRequest("GET", "https", DOC_HOST, "/test.txt", "", {}, b"")
    url = presign(
        request, credentials=DOC_CREDENTIALS, region="us-east-1", now=NOW, expires_in=86400, keys=SigningKeyCache()
    )
    assert url == (
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    )


def test_aws_documentation_chunked_upload() -> None:
    """ "Signature Calculation: Transfer Payload in Multiple Chunks": 65 KiB of 'a' in 64 KiB chunks."""
    headers = {
        "Content-Encoding": "aws-chunked",
        "Content-Length": "66824",
        "x-amz-decoded-content-length": "66560",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
    }
    request = HttpRequest("PUT", "https", "s3.amazonaws.com", "/examplebucket/chunkObject.txt", "", headers, b"")
    signed = sign(
        request,
        credentials=DOC_CREDENTIALS,
        region="us-east-1",
        now=NOW,
        payload_hash=STREAMING_PAYLOAD,
        keys=SigningKeyCache(),
    )
    assert signed.signature == "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    assert aws_chunked_length(66560, 65536) == 66824

    encoder = AwsChunkedEncoder(
        signing_key=signed.signing_key,
        date_time=signed.date_time,
        scope=signed.scope,
        seed_signature=signed.signature,
        chunk_size=65536,
        length=66560,
    )
    # fed in uneven pieces: the encoder must still cut exact 64 KiB chunks
    body = encoder.feed(b"a" * 1000) + encoder.feed(b"a" * 65000) + encoder.feed(b"a" * 560) + encoder.finish()
    assert len(body) == 66824
    assert body.startswith(
        b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n"
    )
    assert b"\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" in body
    assert body.endswith(b"0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n")


def test_capture_trailer_put_with_sse_c() -> None:
    """Appendix A: botocore's trailer PUT, re-signed from its headers (the signer alone)."""
    headers = {
        "x-amz-server-side-encryption-customer-algorithm": "AES256",
        "x-amz-server-side-encryption-customer-key": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        "x-amz-server-side-encryption-customer-key-MD5": "hRasmdxgYDKV3nvbahU1MA==",
        "User-Agent": "Botocore/1.43.117",
        "Expect": "100-continue",
        "Transfer-Encoding": "chunked",
        "Content-Encoding": "aws-chunked",
        "X-Amz-Trailer": "x-amz-checksum-crc32",
        "X-Amz-Decoded-Content-Length": "11",
        "x-amz-sdk-checksum-algorithm": "CRC32",
    }
    request = HttpRequest("PUT", "https", "examplebucket.s3.us-east-1.amazonaws.com", "/k", "", headers, b"")
    out = _sign(request, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", CAPTURE_CREDENTIALS)
    assert _signature(out["Authorization"]) == "e1da98a5d5337bd29acc4d8842421746d511b837e3c20e5017479d7e0e9fa1c2"


def test_capture_get_object_serialized_and_signed() -> None:
    """Appendix A: GetObject with an awkward key, Range and VersionId, from params to signature."""
    prepared = serialize(
        "GetObject",
        {
            "Bucket": "examplebucket",
            "Key": "photos/a b+c~.jpg",
            "Range": "bytes=0-9",
            "VersionId": "3/L4kqtJl40Nr8X8gdRQBpUMLUo",
            "ChecksumMode": "ENABLED",
        },
        endpoint=Endpoint.for_region("us-east-1"),
    )
    assert prepared.request.url == (
        "https://examplebucket.s3.us-east-1.amazonaws.com/photos/a%20b%2Bc~.jpg?versionId=3%2FL4kqtJl40Nr8X8gdRQBpUMLUo"
    )
    out = _sign(prepared.request, prepared.payload_hash, CAPTURE_CREDENTIALS)
    assert _signed_headers(out["Authorization"]) == "host;range;x-amz-checksum-mode;x-amz-content-sha256;x-amz-date"
    assert _signature(out["Authorization"]) == "8cec394b0eb2e94d4f9b6c5c9d282b987b0df86d03c764e875c58540f5e562fd"


def test_capture_complete_multipart_upload() -> None:
    prepared = serialize(
        "CompleteMultipartUpload",
        {
            "Bucket": "examplebucket",
            "Key": "k",
            "UploadId": "abc",
            "MultipartUpload": {"Parts": [{"ETag": '"e1"', "PartNumber": 1}]},
        },
        endpoint=Endpoint.for_region("us-east-1"),
    )
    assert prepared.request.body == (
        b'<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>"e1"</ETag>'
        b"<PartNumber>1</PartNumber></Part></CompleteMultipartUpload>"
    )
    assert prepared.payload_hash == "e9d34aeddef49bb8dd616216f382f82cb41e7a29df5fd43155524bd8830aa022"
    out = _sign(prepared.request, prepared.payload_hash, CAPTURE_CREDENTIALS)
    assert _signed_headers(out["Authorization"]) == "host;x-amz-content-sha256;x-amz-date"
    assert _signature(out["Authorization"]) == "d1e6d80bc2f417e3f8c017e5e2578e4a25c8ae9ee2782c43859c5c5614efbbe0"


def test_canonical_query_sorts_encoded_pairs_and_fills_missing_values() -> None:
    # "missing = => empty value: uploads -> uploads=" and sorting by encoded (key, value) (§3 step 4)
    assert (
        canonical_query("uploadId=VXBsb2FkIElE%2B%2F%3D&partNumber=1") == "partNumber=1&uploadId=VXBsb2FkIElE%2B%2F%3D"
    )
    assert canonical_query("uploads") == "uploads="
    assert canonical_query("b=2&a=2&a=1") == "a=1&a=2&b=2"


def test_signing_key_cache_matches_derivation_and_keeps_secret_out_of_repr() -> None:
    cache = SigningKeyCache()
    key = cache.get(DOC_CREDENTIALS.secret_key, "20130524", "us-east-1", "s3")
    assert key == derive_signing_key(DOC_CREDENTIALS.secret_key, "20130524", "us-east-1", "s3")
    assert cache.get(DOC_CREDENTIALS.secret_key, "20130524", "us-east-1", "s3") is key
    assert DOC_CREDENTIALS.secret_key not in repr(cache)
    assert cache.get(DOC_CREDENTIALS.secret_key, "20130525", "us-east-1", "s3") != key


def test_session_token_is_signed_header_and_presign_query() -> None:
    credentials = Credentials("AKID", "SECRET", "TOKEN/with+chars=")
    request = HttpRequest("GET", "https", DOC_HOST, "/k", "", {}, b"")
    out = _sign(request, b"", credentials)
    assert out["X-Amz-Security-Token"] == "TOKEN/with+chars="
    assert "x-amz-security-token" in _signed_headers(out["Authorization"]).split(";")
    url = presign(request, credentials=credentials, region="us-east-1", now=NOW, expires_in=60, keys=SigningKeyCache())
    assert "&X-Amz-Security-Token=TOKEN%2Fwith%2Bchars%3D&" in url
    assert url.index("X-Amz-Signature=") > url.index("X-Amz-Security-Token=")
