"""s3lite: S3's object operations with boto3's shapes, without the SDK.

``import s3lite`` loads the I/O-free core only; ``Client`` and ``AsyncClient`` (and with them httpx)
are imported the first time they are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._credentials import Credentials
from ._endpoint import Endpoint
from ._errors import (
    BodyClosedError,
    ChecksumMismatchError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    EventStreamError,
    HTTPClientError,
    IncompleteReadError,
    NoCredentialsError,
    OperationNotPageableError,
    PaginationError,
    ParamValidationError,
    PoolTimeoutError,
    ReadTimeoutError,
    ResponseParseError,
    S3LiteError,
    UnseekableStreamError,
    WaiterError,
)
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
from ._version import __version__

if TYPE_CHECKING:
    from ._async_client import AsyncClient
    from ._client import Client
    from ._eventstream import AsyncEventStream, EventStream
    from ._streaming import AsyncStreamingBody, StreamingBody
    from ._transfer.config import TransferConfig

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

_LAZY = {
    "Client": "._client",
    "AsyncClient": "._async_client",
    "StreamingBody": "._streaming",
    "AsyncStreamingBody": "._streaming",
    "EventStream": "._eventstream",
    "AsyncEventStream": "._eventstream",
    "TransferConfig": "._transfer.config",
}


def __getattr__(name: str) -> Any:
    """Build the clients (and import httpx) only when first asked for."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 's3lite' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module_name, __name__), name)
    globals()[name] = value
    return value
