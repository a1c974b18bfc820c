"""The local side of a transfer: the file being uploaded, the temporary file a download goes to.

``download_file`` never leaves a partial file at the target name: it writes to
``<target>.<8 hex>.s3lite-tmp`` beside it (same directory, so the final rename is atomic on one file
system; s3transfer uses ``<target>.<8 hex>`` the same way) and renames it into place only once every
byte is there; a failure deletes it.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from .._body import is_text_file
from .._errors import ParamValidationError

TEMP_SUFFIX = ".s3lite-tmp"


def local_path(filename: Any, parameter: str = "Filename") -> str:
    """``filename`` as a str path (``os.PathLike`` accepted), else a ParamValidationError."""
    try:
        path = os.fspath(filename)
    except TypeError:
        raise ParamValidationError(
            f"Invalid type for parameter {parameter}, type: {type(filename).__name__}, valid types: str, os.PathLike"
        ) from None
    if not isinstance(path, str):
        path = os.fsdecode(path)
    if not path:
        raise ParamValidationError(f"Invalid value for parameter {parameter}: an empty path")
    return path


class TempFile:
    """The file a download is written to (``write_at`` from any thread), then ``commit``-ed into place
    or ``discard``-ed. Created with the permissions ``open(target, "wb")`` would give (umask)."""

    def __init__(self, target: str, size: int) -> None:
        self.target = target
        self.path = f"{target}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            os.ftruncate(self._fd, size)
        except BaseException:
            self.discard()
            raise

    def write_at(self, offset: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.pwrite(self._fd, view, offset)
            view, offset = view[written:], offset + written

    def commit(self) -> None:
        os.close(self._fd)
        os.replace(self.path, self.target)

    def discard(self) -> None:
        try:
            os.close(self._fd)
        except OSError:
            pass
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def check_readable(fileobj: Any) -> None:
    """``upload_fileobj``'s ``Fileobj``: an open binary file object (anything with ``read``)."""
    _check_file(fileobj, "read")


def check_writable(fileobj: Any) -> None:
    """``download_fileobj``'s ``Fileobj``: an open binary file object (anything with ``write``)."""
    _check_file(fileobj, "write")


def _check_file(fileobj: Any, method: str) -> None:
    if not callable(getattr(fileobj, method, None)):
        raise ParamValidationError(
            f"Invalid type for parameter Fileobj, type: {type(fileobj).__name__}, valid types: a binary file object "
            f"(with {method}())"
        )
    if getattr(fileobj, "closed", False) is True:
        raise ParamValidationError("Invalid value for parameter Fileobj: the file is closed")
    if is_text_file(fileobj):
        raise ParamValidationError("Invalid value for parameter Fileobj: a text-mode file; open it in binary mode")


def read(fileobj: Any, size: int) -> bytes:
    """``fileobj.read(size)``: bytes, or a ParamValidationError naming what went wrong."""
    try:
        data = fileobj.read(size)
    except (OSError, ValueError) as error:
        raise ParamValidationError(f"Invalid value for parameter Fileobj: reading it failed ({error!r})") from error
    return as_bytes(data, "read")


def as_bytes(data: Any, method: str) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    if data is None:  # a non-blocking raw file with nothing ready: s3lite's files block
        raise ParamValidationError("Invalid value for parameter Fileobj: read() returned None (a non-blocking file)")
    raise ParamValidationError(
        f"Invalid value for parameter Fileobj: {method}() returned {type(data).__name__}, not bytes"
    )


def write(fileobj: Any, data: bytes) -> None:
    """All of ``data`` to ``fileobj`` (a raw file may take less than it is given)."""
    view = memoryview(data)
    while view:
        written = fileobj.write(view)
        if written is None or written >= len(view):
            return
        view = view[written:]


def same_kind(client: Any, kind: type) -> Any:
    """``SourceClient``: a client of the same kind as the one copying (its calls are awaited or not alike)."""
    if not isinstance(client, kind):
        raise ParamValidationError(
            f"Invalid type for parameter SourceClient, type: {type(client).__name__}, valid types: s3lite.{kind.__name__}"
        )
    return client
