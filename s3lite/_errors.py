"""The exception hierarchy: one base, local errors (bad input, raised before I/O) apart from remote ones.

Every exception that leaves s3lite is an :class:`S3LiteError`, so ``except s3lite.S3LiteError`` is
enough to catch anything the library raises on purpose. Messages never carry secrets: the code that
builds them only ever names parameters, never echoes values of sensitive members.
"""

from __future__ import annotations

from typing import Any


class S3LiteError(Exception):
    """Base of every exception s3lite raises."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the exception is, not as its ``__init__`` would rebuild it.

        Exception's own reduce replays ``cls(*self.args)``, which fails for every class whose
        ``__init__`` takes other arguments than its message (ClientError, NoCredentialsError,
        IncompleteReadError: a ``multiprocessing.Pool`` worker raising NoSuchKey made ``map`` hang
        for ever) and doubles ParamValidationError's prefix. Here ``__init__`` is not called: the
        instance is made by ``cls.__new__(cls, *args)`` (which sets ``args``, hence ``str()``) and its
        ``__dict__`` (``response``, ``report``, ``actual_bytes`` ..., notes) is restored as it was, so
        one rule serves every subclass, present or future (issue 13, item 7).
        """
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type[S3LiteError], args: tuple[Any, ...], state: dict[str, Any]) -> S3LiteError:
    """The unpickler of :meth:`S3LiteError.__reduce__`: ``cls`` with these ``args`` and ``__dict__``."""
    error = cls.__new__(cls, *args)
    error.__dict__.update(state)
    return error


# -- local: the caller's input or environment, detected before any byte is sent ----------------


class ParamValidationError(S3LiteError, ValueError):
    """A parameter is missing, unknown, of the wrong type or has a value S3 cannot accept."""

    def __init__(self, report: str) -> None:
        super().__init__(f"Parameter validation failed:\n{report}")
        self.report = report


class NoCredentialsError(S3LiteError):
    """No credentials were given and none of the chain's providers found any.

    ``tried`` names the providers looked at, in order (botocore's method names: ``env``,
    ``shared-credentials-file``, ``iam-role`` ...), so that the message says where s3lite looked.
    """

    def __init__(self, tried: tuple[str, ...] = ()) -> None:
        where = f" (looked in: {', '.join(tried)})" if tried else ""
        super().__init__(f"Unable to locate credentials{where}")
        self.tried = tried


class CredentialRetrievalError(S3LiteError):
    """A provider of the chain applies (its settings are there) but could not produce credentials:
    a process that failed, a metadata service that answered badly, a token that expired, a profile
    configured inconsistently. ``provider`` is its botocore method name; the message never quotes
    a secret: of a process's output only its stderr is quoted (as botocore does), never its stdout."""

    def __init__(self, provider: str, reason: str) -> None:
        super().__init__(f"Error when retrieving credentials from {provider}: {reason}")
        self.provider = provider


class PresignedUrlExpiryWarning(UserWarning):
    """A presigned URL's ``ExpiresIn`` outlives the temporary credentials it is signed with."""


class UnseekableStreamError(S3LiteError):
    """A request must be sent again (retry, redirect) but its body cannot be rewound."""


class ChecksumMismatchError(S3LiteError):
    """The body read did not match the checksum the server declared for it."""


class BodyClosedError(S3LiteError, ValueError):
    """A GetObject ``Body`` was read after ``close()`` (as reading a closed file is a ValueError)."""


# -- transport: the connection failed, the response never arrived whole ------------------------


class HTTPClientError(S3LiteError):
    """The request could not be sent or its response could not be read; ``__cause__`` is the
    underlying error (an OSError of the socket, or httpx's error under an httpx transport)."""


class EndpointConnectionError(HTTPClientError):
    """The connection could not be made, or was closed or reset by the peer."""


class ConnectTimeoutError(EndpointConnectionError):
    """Connecting took longer than the connect timeout."""


class ReadTimeoutError(HTTPClientError):
    """The server did not answer within the read timeout."""


class PoolTimeoutError(HTTPClientError):
    """Every pooled connection stayed busy for the whole pool timeout - most often because GetObject
    bodies were neither read to the end nor closed. Not retried: waiting again would not free one."""


def pool_timeout(open_bodies: int) -> PoolTimeoutError:
    """The pool ran dry: said with the most likely cause, this client's GetObject bodies left open."""
    return PoolTimeoutError(
        "No connection became free in the pool within the pool timeout: "
        f"{open_bodies} GetObject bodies of this client are open, each holding a connection. "
        "Read each Body to its end or close it (with obj['Body'] as body: ...)"
    )


def not_sendable() -> ParamValidationError:
    """A request HTTP/1.1 cannot carry (a CR or LF in a header value, a name that is no token).

    The lower layer's message is never used: it quotes the offending header, value and all (a
    session token, an SSE-C key); and sending the same bytes again could only fail again, so the
    flow does not retry it."""
    return ParamValidationError("The request could not be sent: HTTP/1.1 does not allow a header or the URL as built")


class IncompleteReadError(HTTPClientError):
    """A response body ended before the length its ``Content-Length`` announced."""

    def __init__(self, *, actual_bytes: int, expected_bytes: int) -> None:
        super().__init__(f"{actual_bytes} read, but total bytes expected is {expected_bytes}.")
        self.actual_bytes = actual_bytes
        self.expected_bytes = expected_bytes


# -- remote: the server answered, and the answer is an error or is not understood -------------


class ResponseParseError(S3LiteError):
    """The server's response could not be decoded (malformed XML, header or number)."""


class ClientError(S3LiteError):
    """S3 answered with an error. ``response`` has botocore's shape: ``Error`` and ``ResponseMetadata``.

    The modeled errors (``NoSuchKey`` ...) are its subclasses, generated into ``_modeled_errors``.
    """

    def __init__(self, error_response: dict[str, Any], operation_name: str) -> None:
        error = error_response.get("Error", {})
        retry_info = ""
        metadata = error_response.get("ResponseMetadata", {})
        if metadata.get("MaxAttemptsReached"):
            retry_info = f" (reached max retries: {metadata.get('RetryAttempts', 0)})"
        super().__init__(
            f"An error occurred ({error.get('Code', 'Unknown')}) when calling the "
            f"{operation_name} operation{retry_info}: {error.get('Message', 'Unknown')}"
        )
        self.response = error_response
        self.operation_name = operation_name


class EventStreamError(ClientError):
    """An error or exception event in an event stream (SelectObjectContent's ``Payload``): raised while
    iterating, with botocore's ``response`` (``{"Error": {"Code": ..., "Message": ...}}``, no
    ``ResponseMetadata``: the HTTP response was a 200 long before), as botocore's ``EventStreamError``."""


def client_error(error_response: dict[str, Any], operation_name: str) -> ClientError:
    """The exception for an error response: the modeled subclass for its code, else ClientError."""
    from ._modeled_errors import MODELED_ERRORS  # here: the generated classes subclass ClientError above

    code = error_response.get("Error", {}).get("Code", "")
    modeled = MODELED_ERRORS.get(code) if isinstance(code, str) else None
    return (modeled or ClientError)(error_response, operation_name)


# -- paginators and waiters (``_paginate.py``, ``_wait.py``) ---------------------------------------


class PaginationError(S3LiteError):
    """A paginator cannot go on: the server sent the same next token twice, or PageSize has no limit key.

    botocore's ``PaginationError``, with its message shape (``Error during pagination: ...``).
    """

    def __init__(self, message: str) -> None:
        super().__init__(f"Error during pagination: {message}")
        self.message = message


class OperationNotPageableError(S3LiteError):
    """``get_paginator`` was asked for an operation that has no paginator (see ``can_paginate``)."""

    def __init__(self, operation_name: str) -> None:
        super().__init__(f"Operation cannot be paginated: {operation_name}")
        self.operation_name = operation_name


class WaiterError(S3LiteError):
    """A waiter gave up: max attempts exceeded, a failure acceptor matched, or an unexpected error came back.

    botocore's ``WaiterError``: the message is ``Waiter {name} failed: {reason}``, ``last_response`` is
    the last result dict, or ``ClientError.response`` when the last attempt failed.
    """

    def __init__(self, name: str, reason: str, last_response: dict[str, Any]) -> None:
        super().__init__(f"Waiter {name} failed: {reason}")
        self.name = name
        self.reason = reason
        self.last_response = last_response
