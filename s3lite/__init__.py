"""s3lite: S3's object operations with boto3's shapes, without the SDK.

``import s3lite`` loads nothing but this file: every name is imported the first time it is used,
the I/O-free core with the first of its names, ``Client`` with its own HTTP/1.1 pool, and httpx only
with ``AsyncClient``, a transport passed in, or a proxy.
"""

from __future__ import annotations

# typing itself costs ~10 ms to import: this module needs nothing from it at run time, and mypy
# reads any name TYPE_CHECKING as true
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from ._async_client import AsyncClient
    from ._async_streaming import AsyncStreamingBody
    from ._client import Client
    from ._credentials import Credentials
    from ._endpoint import Endpoint
    from ._errors import (
        BodyClosedError,
        ChecksumMismatchError,
        ClientError,
        ConnectTimeoutError,
        CredentialRetrievalError,
        EndpointConnectionError,
        EventStreamError,
        HTTPClientError,
        IncompleteReadError,
        NoCredentialsError,
        OperationNotPageableError,
        PaginationError,
        ParamValidationError,
        PoolTimeoutError,
        PresignedUrlExpiryWarning,
        ReadTimeoutError,
        ResponseParseError,
        S3LiteError,
        UnseekableStreamError,
        WaiterError,
    )
    from ._eventstream import AsyncEventStream, EventStream
    from ._flow import CallContext, HashBody, ReadBody, Send, Sleep, operation_flow, run_to_completion
    from ._http import HttpRequest, HttpResponse, StreamBody
    from ._modeled_errors import (
        AccessDenied,
        AnnotationLimitExceeded,
        AnnotationNameTooLong,
        BucketAlreadyExists,
        BucketAlreadyOwnedByYou,
        EncryptionTypeMismatch,
        IdempotencyParameterMismatch,
        InvalidAnnotationName,
        InvalidObjectState,
        InvalidPrefix,
        InvalidRequest,
        InvalidWriteOffset,
        NoSuchAnnotation,
        NoSuchBucket,
        NoSuchKey,
        NoSuchUpload,
        ObjectAlreadyInActiveTierError,
        ObjectNotInActiveTierError,
        TooManyParts,
        UnsupportedMediaType,
    )
    from ._parse import parse, parse_error, parse_result
    from ._serialize import serialize
    from ._sigv4 import SigningKeyCache, presign, sign
    from ._streaming import StreamingBody
    from ._transfer.config import TransferConfig
from ._version import __version__

__all__ = [
    "AccessDenied",
    "AnnotationLimitExceeded",
    "AnnotationNameTooLong",
    "AsyncClient",
    "AsyncEventStream",
    "AsyncStreamingBody",
    "BodyClosedError",
    "BucketAlreadyExists",
    "BucketAlreadyOwnedByYou",
    "CallContext",
    "ChecksumMismatchError",
    "Client",
    "ClientError",
    "ConnectTimeoutError",
    "CredentialRetrievalError",
    "Credentials",
    "EncryptionTypeMismatch",
    "Endpoint",
    "EndpointConnectionError",
    "EventStream",
    "EventStreamError",
    "HTTPClientError",
    "HashBody",
    "HttpRequest",
    "HttpResponse",
    "IdempotencyParameterMismatch",
    "IncompleteReadError",
    "InvalidAnnotationName",
    "InvalidObjectState",
    "InvalidPrefix",
    "InvalidRequest",
    "InvalidWriteOffset",
    "NoCredentialsError",
    "NoSuchAnnotation",
    "NoSuchBucket",
    "NoSuchKey",
    "NoSuchUpload",
    "ObjectAlreadyInActiveTierError",
    "ObjectNotInActiveTierError",
    "OperationNotPageableError",
    "PaginationError",
    "ParamValidationError",
    "PoolTimeoutError",
    "PresignedUrlExpiryWarning",
    "ReadBody",
    "ReadTimeoutError",
    "ResponseParseError",
    "S3LiteError",
    "Send",
    "SigningKeyCache",
    "Sleep",
    "StreamBody",
    "StreamingBody",
    "TooManyParts",
    "TransferConfig",
    "UnseekableStreamError",
    "UnsupportedMediaType",
    "WaiterError",
    "__version__",
    "operation_flow",
    "parse",
    "parse_error",
    "parse_result",
    "presign",
    "run_to_completion",
    "serialize",
    "sign",
]

#: where each public name lives, imported at its first use (PEP 562)
_LAZY = {
    "Client": "._client",
    "AsyncClient": "._async_client",
    "StreamingBody": "._streaming",
    "AsyncStreamingBody": "._async_streaming",
    "EventStream": "._eventstream",
    "AsyncEventStream": "._eventstream",
    "TransferConfig": "._transfer.config",
    "Credentials": "._credentials",
    "Endpoint": "._endpoint",
    "HttpRequest": "._http",
    "HttpResponse": "._http",
    "StreamBody": "._http",
    "parse": "._parse",
    "parse_error": "._parse",
    "parse_result": "._parse",
    "serialize": "._serialize",
    "SigningKeyCache": "._sigv4",
    "presign": "._sigv4",
    "sign": "._sigv4",
    **dict.fromkeys(
        ("CallContext", "HashBody", "ReadBody", "Send", "Sleep", "operation_flow", "run_to_completion"), "._flow"
    ),
    **dict.fromkeys(
        (
            "BodyClosedError",
            "ChecksumMismatchError",
            "ClientError",
            "ConnectTimeoutError",
            "CredentialRetrievalError",
            "EndpointConnectionError",
            "EventStreamError",
            "HTTPClientError",
            "IncompleteReadError",
            "NoCredentialsError",
            "OperationNotPageableError",
            "PaginationError",
            "ParamValidationError",
            "PoolTimeoutError",
            "PresignedUrlExpiryWarning",
            "ReadTimeoutError",
            "ResponseParseError",
            "S3LiteError",
            "UnseekableStreamError",
            "WaiterError",
        ),
        "._errors",
    ),
    **dict.fromkeys(
        (
            "AccessDenied",
            "AnnotationLimitExceeded",
            "AnnotationNameTooLong",
            "BucketAlreadyExists",
            "BucketAlreadyOwnedByYou",
            "EncryptionTypeMismatch",
            "IdempotencyParameterMismatch",
            "InvalidAnnotationName",
            "InvalidObjectState",
            "InvalidPrefix",
            "InvalidRequest",
            "InvalidWriteOffset",
            "NoSuchAnnotation",
            "NoSuchBucket",
            "NoSuchKey",
            "NoSuchUpload",
            "ObjectAlreadyInActiveTierError",
            "ObjectNotInActiveTierError",
            "TooManyParts",
            "UnsupportedMediaType",
        ),
        "._modeled_errors",
    ),
}


def __getattr__(name: str) -> Any:
    """Each public name is imported at its first use: ``import s3lite`` costs next to nothing (issue
    14: a CLI or a Lambda handler that imports s3lite and does not call it pays nothing), and a
    ``Client`` on s3lite's own pool never imports httpx."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 's3lite' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
