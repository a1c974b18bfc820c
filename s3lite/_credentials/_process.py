"""``credential_process``: a program that prints credentials (botocore's ``ProcessProvider``).

The command is split as a POSIX shell would split it and run without a shell; it must exit 0 and
print a JSON object with ``Version`` 1, ``AccessKeyId``, ``SecretAccessKey`` and optionally
``SessionToken`` and ``Expiration`` (ISO 8601: the keys are then temporary, and the program is run
again when they are due). A failure quotes the program's stderr, as botocore does, and never its
stdout (which holds the secret).
"""

from __future__ import annotations

import json
import shlex
from typing import Any, NamedTuple

from .._errors import CredentialRetrievalError
from . import Credentials
from ._effects import Fetching, Finished, RunProcess
from ._expiry import expiry_of

METHOD = "custom-process"
#: how much of a failed program's stderr an error quotes
_STDERR_QUOTED = 1024


def _failure(message: str) -> CredentialRetrievalError:
    return CredentialRetrievalError(METHOD, message)


def credentials_printed(finished: Finished) -> Credentials:
    """The credentials a program printed, or the error saying why there are none."""
    if finished.returncode != 0:
        stderr = finished.stderr.decode("utf-8", "replace").strip()[:_STDERR_QUOTED]
        status = "could not be started" if finished.returncode is None else f"exited with status {finished.returncode}"
        raise _failure(f"credential_process {status}: {stderr}" if stderr else f"credential_process {status}")
    try:
        printed: Any = json.loads(finished.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _failure("credential_process did not print a JSON object") from None
    if not isinstance(printed, dict):
        raise _failure("credential_process did not print a JSON object")
    version = printed.get("Version", "<Version key not provided>")
    if version != 1 or isinstance(version, bool):
        shown = version if isinstance(version, (int, str)) else type(version).__name__
        raise _failure(f"Unsupported version '{shown}' for credential process provider, supported versions: 1")
    for key in ("AccessKeyId", "SecretAccessKey"):
        if not isinstance(printed.get(key), str) or not printed[key]:
            raise _failure(f"Missing required key in response: '{key}'")
    token = printed.get("SessionToken")
    if token is not None and not isinstance(token, str):
        raise _failure("SessionToken is not a string")
    expiration = printed.get("Expiration")
    expires_at = None if expiration is None else expiry_of(expiration, METHOD)
    return Credentials(printed["AccessKeyId"], printed["SecretAccessKey"], token or None, expires_at)


class Process(NamedTuple):
    """A profile's ``credential_process``."""

    command: str
    method: str = METHOD

    def __repr__(self) -> str:
        return "Process()"  # a command line may carry a secret as an argument

    def fetch(self) -> Fetching[Credentials | None]:
        try:
            argv = tuple(shlex.split(self.command))
        except ValueError:
            raise _failure("credential_process is not a valid command line (unbalanced quotes)") from None
        if not argv:
            raise _failure("credential_process is empty")
        return credentials_printed((yield RunProcess(argv)))
