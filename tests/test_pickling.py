"""Every s3lite exception survives pickling (issue 13, item 7): same class, message, args and attributes.

Exceptions cross process boundaries whenever s3lite runs under ``multiprocessing`` or
``concurrent.futures.ProcessPoolExecutor``: the worker pickles what it raised and the parent
unpickles it. Exception's default reduce replays ``cls(*args)``, which broke every class whose
``__init__`` takes something else than its message; a worker raising NoSuchKey made
``Pool.map`` hang for ever.
"""

from __future__ import annotations

import copy
import importlib
import multiprocessing
import pickle
import pkgutil
import uuid
from collections.abc import Callable
from typing import Any

import pytest

import s3lite
from s3lite._errors import client_error
from s3lite._modeled_errors import MODELED_ERRORS

#: An error response as s3lite's parser builds it, with the members that make ClientError's message.
ERROR_RESPONSE: dict[str, Any] = {
    "Error": {"Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": "a/b"},
    "ResponseMetadata": {
        "RequestId": "r1",
        "HTTPStatusCode": 404,
        "HTTPHeaders": {"x-amz-request-id": "r1"},
        "RetryAttempts": 2,
        "MaxAttemptsReached": True,
    },
}

#: Classes with an ``__init__`` of their own, and how to make one; every other one is built from a message.
SAMPLES: dict[type[s3lite.S3LiteError], Callable[[], s3lite.S3LiteError]] = {
    s3lite.ParamValidationError: lambda: s3lite.ParamValidationError("Missing required parameter in input: Key"),
    s3lite.NoCredentialsError: lambda: s3lite.NoCredentialsError(("env", "iam-role")),
    s3lite.CredentialRetrievalError: lambda: s3lite.CredentialRetrievalError("custom-process", "exited with status 1"),
    s3lite.IncompleteReadError: lambda: s3lite.IncompleteReadError(actual_bytes=10, expected_bytes=20),
    s3lite.PaginationError: lambda: s3lite.PaginationError("The same next token was received twice: {}"),
    s3lite.OperationNotPageableError: lambda: s3lite.OperationNotPageableError("put_object"),
    s3lite.WaiterError: lambda: s3lite.WaiterError("ObjectExists", "Max attempts exceeded", ERROR_RESPONSE),
}


def _all_error_classes() -> list[type[s3lite.S3LiteError]]:
    """The classes exported by s3lite, the modeled ClientError subclasses, and any other subclass of
    S3LiteError that a module of the package defines (so a class added later is covered too)."""
    for module in pkgutil.iter_modules(s3lite.__path__):
        if module.name not in ("__main__", "_demo"):
            importlib.import_module(f"s3lite.{module.name}")
    found: set[type[s3lite.S3LiteError]] = {s3lite.S3LiteError, *MODELED_ERRORS.values()}
    found.update(
        value for value in vars(s3lite).values() if isinstance(value, type) and issubclass(value, s3lite.S3LiteError)
    )
    pending = list(found)
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in found and subclass.__module__.startswith("s3lite"):
                found.add(subclass)
                pending.append(subclass)
    return sorted(found, key=lambda cls: cls.__name__)


def _sample(cls: type[s3lite.S3LiteError]) -> s3lite.S3LiteError:
    if cls in SAMPLES:
        return SAMPLES[cls]()
    if issubclass(cls, s3lite.ClientError):
        response = copy.deepcopy(ERROR_RESPONSE)
        response["Error"]["Code"] = cls.__name__ if cls is not s3lite.ClientError else "SlowDown"
        return client_error(response, "GetObject")
    own_init = [k for k in cls.__mro__ if k.__module__.startswith("s3lite") and "__init__" in vars(k)]
    assert not own_init, f"{cls.__name__} has an __init__ of its own: add it to SAMPLES"
    return cls("something went wrong")


def _same(copied: BaseException, original: BaseException) -> None:
    assert type(copied) is type(original)
    assert str(copied) == str(original)
    assert copied.args == original.args
    assert vars(copied) == vars(original)


def test_every_class_is_covered() -> None:
    """The walk finds the special cases and every modeled error (a guard on the test itself)."""
    classes = _all_error_classes()
    assert {*SAMPLES, *MODELED_ERRORS.values(), s3lite.ClientError, s3lite.HTTPClientError} <= set(classes)
    assert len(classes) >= len(MODELED_ERRORS) + 12


@pytest.mark.parametrize("cls", _all_error_classes(), ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_round_trip_through_pickle(cls: type[s3lite.S3LiteError], protocol: int) -> None:
    original = _sample(cls)
    original.add_note("a note added by the caller")
    _same(pickle.loads(pickle.dumps(original, protocol)), original)


@pytest.mark.parametrize("cls", _all_error_classes(), ids=lambda cls: cls.__name__)
def test_copy_and_deepcopy(cls: type[s3lite.S3LiteError]) -> None:
    """copy uses the same reduce protocol: a copy is the same error, not one rebuilt from its message."""
    original = _sample(cls)
    _same(copy.copy(original), original)
    _same(copy.deepcopy(original), original)


def test_client_error_keeps_response_and_operation_name() -> None:
    copied = pickle.loads(pickle.dumps(client_error(copy.deepcopy(ERROR_RESPONSE), "GetObject")))
    assert isinstance(copied, s3lite.NoSuchKey)
    assert copied.response == ERROR_RESPONSE and copied.operation_name == "GetObject"
    assert str(copied) == (
        "An error occurred (NoSuchKey) when calling the GetObject operation (reached max retries: 2): "
        "The specified key does not exist."
    )


def test_param_validation_message_does_not_double() -> None:
    copied = pickle.loads(pickle.dumps(s3lite.ParamValidationError("Invalid type for Key")))
    assert str(copied) == "Parameter validation failed:\nInvalid type for Key"
    assert copied.report == "Invalid type for Key"


def test_incomplete_read_keeps_its_counts() -> None:
    copied = pickle.loads(pickle.dumps(s3lite.IncompleteReadError(actual_bytes=3, expected_bytes=9)))
    assert (copied.actual_bytes, copied.expected_bytes) == (3, 9)
    assert str(copied) == "3 read, but total bytes expected is 9."


def get_missing(target: tuple[str, str, str]) -> bytes:
    """A Pool worker: GetObject of a key that does not exist, against a real server."""
    endpoint, bucket, key = target
    with s3lite.Client(
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ) as client:
        body: bytes = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body


@pytest.mark.e2e
def test_pool_worker_raising_no_such_key_reaches_the_parent(moto_endpoint: str, bucket: str) -> None:
    """The NoSuchKey a worker raises arrives in the parent as NoSuchKey; before the fix ``map`` never
    returned (the pool's result thread died unpickling it), hence the timeout. ``spawn``, as fork in
    a process with threads (the moto server's) is unsafe and warns from Python 3.12 on."""
    key = f"missing-{uuid.uuid4().hex}"
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pending = pool.map_async(get_missing, [(moto_endpoint, bucket, key)])
        with pytest.raises(s3lite.NoSuchKey) as caught:
            pending.get(timeout=60)
    error = caught.value
    assert error.operation_name == "GetObject"
    assert error.response["Error"]["Code"] == "NoSuchKey"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert str(error).startswith("An error occurred (NoSuchKey) when calling the GetObject operation")
