"""The local side of a transfer: the file being uploaded, the temporary file a download goes to.

``download_file`` never leaves a partial file at the target name: it writes to
``<target>.<8 hex>.s3lite-tmp`` beside it (same directory, so the final rename is atomic on one file
system; s3transfer uses ``<target>.<8 hex>`` the same way) and renames it into place only once every
byte is there; a failure deletes it.
"""

from __future__ import annotations

import os
import secrets
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

from .._body import is_text_file
from .._errors import ParamValidationError, S3LiteError

TEMP_SUFFIX = ".s3lite-tmp"

#: where ``os.pread``/``os.pwrite`` are missing (Windows), a seek and a read or write under this lock
_POSITIONED = threading.Lock()


def read_at(fd: int, size: int, offset: int) -> bytes:
    """Up to ``size`` bytes at ``offset`` of ``fd``, safe from any thread (no shared file position)."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    with _POSITIONED:
        os.lseek(fd, offset, os.SEEK_SET)
        return os.read(fd, size)


def write_at(fd: int, data: memoryview, offset: int) -> int:
    """Write (some of) ``data`` at ``offset`` of ``fd``, safe from any thread; how much was written."""
    if hasattr(os, "pwrite"):
        return os.pwrite(fd, data, offset)
    with _POSITIONED:
        os.lseek(fd, offset, os.SEEK_SET)
        return os.write(fd, data)


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


@contextmanager
def local_errors(parameter: str, doing: str) -> Iterator[None]:
    """An ``OSError`` of the local file (missing, a directory, no permission, disk full) as a
    ParamValidationError naming the parameter, the OSError as its cause: every exception that
    leaves s3lite is an S3LiteError (boto3 lets the OSError itself through)."""
    try:
        yield
    except S3LiteError:
        raise
    except (OSError, ValueError) as error:  # ValueError: a closed file object
        raise ParamValidationError(f"Invalid value for parameter {parameter}: {doing} failed ({error!r})") from error


def open_source(filename: Any) -> tuple[BinaryIO, int]:
    """``upload_file``'s file, opened, and its size: a regular file (a FIFO would block here and
    then be taken for an empty file; ``upload_fileobj`` reads one as the stream it is)."""
    path = local_path(filename)
    with local_errors("Filename", f"opening {path!r}"):
        if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode) and not os.path.isdir(path):
            raise ParamValidationError(
                f"Invalid value for parameter Filename: {path!r} is not a regular file; pass it opened to upload_fileobj"
            )
        file = open(path, "rb")  # noqa: SIM115 - closed by the caller
    try:
        with local_errors("Filename", f"reading {path!r}"):
            return file, os.fstat(file.fileno()).st_size
    except BaseException:
        file.close()
        raise


class TempFile:
    """The file a download is written to (``write_at`` from any thread), then ``commit``-ed into place
    or ``discard``-ed. Created with the permissions ``open(target, "wb")`` would give (umask)."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.path = f"{target}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        with local_errors("Filename", f"creating {self.path!r}"):
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)

    def allocate(self, size: int) -> None:
        """Make the file ``size`` bytes long, so that ranges can be written at their place in any order."""
        with local_errors("Filename", f"sizing {self.path!r}"):
            os.ftruncate(self._fd, size)

    def write_at(self, offset: int, data: bytes) -> None:
        view = memoryview(data)
        with local_errors("Filename", f"writing {self.path!r}"):
            while view:
                written = write_at(self._fd, view, offset)
                view, offset = view[written:], offset + written

    def commit(self) -> None:
        """Close the file and rename it to the target (deleted instead when that fails)."""
        try:
            with local_errors("Filename", f"renaming the download to {self.target!r}"):
                os.close(self._fd)
                self._fd = -1
                os.replace(self.path, self.target)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        if self._fd >= 0:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = -1
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


def write(fileobj: Any, data: bytes) -> None:
    """All of ``data`` to ``fileobj`` (a raw file may take less than it is given; one that takes
    nothing is an error, not a loop)."""
    view = memoryview(data)
    with local_errors("Fileobj", "writing it"):
        while view:
            written = fileobj.write(view)
            if written is None or written >= len(view):
                return  # None: a buffered file's write, which takes everything or raises
            if written <= 0:
                raise OSError(f"write() took {written} of {len(view)} bytes")
            view = view[written:]


def same_kind(client: Any, kind: type) -> Any:
    """``SourceClient``: a client of the same kind as the one copying (its calls are awaited or not alike)."""
    if not isinstance(client, kind):
        raise ParamValidationError(
            f"Invalid type for parameter SourceClient, type: {type(client).__name__}, valid types: s3lite.{kind.__name__}"
        )
    return client
