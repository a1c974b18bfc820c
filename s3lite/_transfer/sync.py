"""``Client``'s managed transfers: the plans of :mod:`.plan` run with a pool of threads.

Parts are handed to the pool only when a thread is free, so a stream is read no further ahead than
``max_concurrency`` parts. The first failure stops the handing out, the parts in flight are let
finish (a part cannot be taken back from the network half sent), and then the upload is aborted and
that failure raised: S3 "may" still list parts that were in flight when AbortMultipartUpload came,
so it is sent only once none is.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, BinaryIO

from .._body import file_remaining
from .._errors import S3LiteError
from .._paginate import SyncCaller
from .._upload import read_bytes
from .download import RETRIED_READS, Attempts, FileSink, SpanBuffer
from .failures import Broken, first_failure
from .files import TempFile, check_readable, check_writable, local_path, open_source, same_kind, write
from .plan import Call, CopyPlan, DownloadPlan, ObjectState, Span, UploadPlan, config_or_default, spans
from .progress import Moved, Progress, ProgressCallback, raising_callback_errors
from .sources import FileSlice, MemorySlice, PartReader, Slice, StreamCutter, digests

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .config import TransferConfig

Job = Callable[[], None]


def run_bounded(jobs: Iterable[Job], concurrency: int) -> None:
    """Run ``jobs`` with at most ``concurrency`` at once, taking the next one only when a thread is
    free; after a failure no job is started, those in flight are let finish, and the first failure
    is raised (:func:`.failures.first_failure`)."""
    if concurrency == 1:
        for job in jobs:
            job()
        return
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait  # ~1 ms, at the first transfer

    pool = ThreadPoolExecutor(concurrency, thread_name_prefix="s3lite-transfer")
    running: set[Future[None]] = set()
    failures: list[BaseException] = []
    pending = iter(jobs)
    try:
        while True:
            if len(running) >= concurrency:  # a free thread first: taking a job may read a part
                done, running = wait(running, return_when=FIRST_COMPLETED)
                failures += [error for future in done if (error := future.exception()) is not None]
                if failures:
                    break
            if (next_job := next(pending, None)) is None:
                break
            running.add(pool.submit(next_job))
        wait(running)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # a KeyboardInterrupt: in-flight jobs end first
    failures += [error for future in running if not future.cancelled() and (error := future.exception()) is not None]
    if failures:
        raise first_failure(failures)


def _abort_after(client: SyncCaller, abort: Call, error: BaseException) -> None:
    """AbortMultipartUpload after ``error``; a failure of the abort itself is noted on ``error``."""
    try:
        client._call(*abort)
    except S3LiteError as abort_error:
        error.add_note(f"s3lite: AbortMultipartUpload {abort[1]['UploadId']} failed too: {abort_error!r}")


def _multipart(client: SyncCaller, plan: UploadPlan, progress: Progress, parts: Iterator[Slice]) -> None:
    upload = plan.started(client._call(*plan.create()))

    def send(number: int, part: Slice) -> None:
        sha256, checksum = digests(part, plan.algorithm)
        body = PartReader(part, progress).body(sha256)
        upload.add(number, client._call(*plan.part(upload, number, body, checksum)))

    try:
        jobs = (partial(send, plan.check_part_number(number), part) for number, part in enumerate(parts, 1))
        run_bounded(jobs, plan.config.concurrency)
        client._call(*plan.complete(upload))
    except BaseException as error:
        _abort_after(client, plan.abort(upload), error)
        raise


def _single(client: SyncCaller, plan: UploadPlan, progress: Progress, part: Slice) -> None:
    sha256, checksum = digests(part, plan.algorithm)
    client._call(*plan.put(PartReader(part, progress).body(sha256), checksum))


def _next_stream_part(fileobj: Any, cutter: StreamCutter) -> Slice | None:
    """The next part cut from a stream, None at its end."""
    while not cutter.ready and cutter.want:
        cutter.feed(read_bytes(fileobj, cutter.want, "Fileobj"))
    return MemorySlice(cutter.take()) if cutter.ready else None


class Turns:
    """``download_fileobj``'s ranges write in order: range ``n`` waits until ``n - 1`` has written;
    ``broken`` (an earlier range failed) releases every waiter with :class:`Broken`."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._next = 1
        self._broken = False

    def wait(self, number: int) -> None:
        with self._condition:
            self._condition.wait_for(lambda: self._next == number or self._broken)
            if self._broken:
                raise Broken()

    def done(self, number: int) -> None:
        with self._condition:
            self._next = number + 1
            self._condition.notify_all()

    def broken(self) -> None:
        with self._condition:
            self._broken = True
            self._condition.notify_all()


def _fetch(
    client: SyncCaller,
    plan: DownloadPlan,
    state: ObjectState,
    span: Span,
    progress: Progress,
    sink: FileSink | SpanBuffer,
) -> None:
    """One GET (ranged or whole) of ``span``, its body written to ``sink`` as it arrives; a body that
    fails while it is read is fetched again, its bytes taken back from the progress."""
    moved = Moved(progress)
    attempts = Attempts(span, plan.config.num_download_attempts)
    while True:
        body = client._call(*plan.get(state, span))["Body"]
        position = 0
        try:
            with body:
                while chunk := body.read1():  # each piece as it arrives (no join, no split)
                    sink.write(span.offset + position, chunk)
                    if sink.due:
                        sink.flush()
                    position += len(chunk)
                    if position - moved.reported >= plan.config.io_chunksize:
                        moved.to(position)
            sink.flush()
            moved.to(position)
        except RETRIED_READS as error:
            moved.to(0)
            sink.restart()
            attempts.failed(error)
            continue
        attempts.ended(position)
        return


class SyncTransfers:
    """``Client``'s ``upload_file``, ``upload_fileobj``, ``download_file``, ``download_fileobj``, ``copy``."""

    @raising_callback_errors
    def upload_file(
        self: SyncCaller,
        Filename: str | os.PathLike[str],
        Bucket: str,
        Key: str,
        ExtraArgs: dict[str, Any] | None = None,
        Callback: ProgressCallback | None = None,
        Config: TransferConfig | None = None,
    ) -> None:
        """Upload a local file: one PutObject below ``multipart_threshold``, else its parts in parallel,
        each read straight from the file (no part is held in memory)."""
        plan = UploadPlan(Bucket, Key, ExtraArgs, config_or_default(Config))
        progress = Progress(Callback)
        file, size = open_source(Filename)
        with file:
            fd = file.fileno()
            if not plan.is_multipart(size):
                return _single(self, plan, progress, FileSlice(fd, 0, size))
            part_size = plan.config.part_size(size)
            parts = (FileSlice(fd, span.offset, span.length) for span in spans(size, part_size))
            _multipart(self, plan, progress, parts)
        return None

    @raising_callback_errors
    def upload_fileobj(
        self: SyncCaller,
        Fileobj: BinaryIO | Any,
        Bucket: str,
        Key: str,
        ExtraArgs: dict[str, Any] | None = None,
        Callback: ProgressCallback | None = None,
        Config: TransferConfig | None = None,
    ) -> None:
        """Upload what a binary file object holds from where it stands: read a part at a time (memory
        bounded by ``multipart_chunksize`` x ``max_concurrency``), so a pipe or a socket works too."""
        plan = UploadPlan(Bucket, Key, ExtraArgs, config_or_default(Config))
        progress = Progress(Callback)
        check_readable(Fileobj)
        place = file_remaining(Fileobj)
        size = None if place is None else place[1]
        first = StreamCutter(plan.config.multipart_threshold)
        opening = _next_stream_part(Fileobj, first) or MemorySlice(b"")
        if not plan.is_multipart(opening.length):
            return _single(self, plan, progress, opening)
        cutter = first.then(plan.config.part_size(size), opening)
        del opening, first  # the cutter holds those bytes now
        _multipart(self, plan, progress, iter(partial(_next_stream_part, Fileobj, cutter), None))
        return None

    @raising_callback_errors
    def download_file(
        self: SyncCaller,
        Bucket: str,
        Key: str,
        Filename: str | os.PathLike[str],
        ExtraArgs: dict[str, Any] | None = None,
        Callback: ProgressCallback | None = None,
        Config: TransferConfig | None = None,
    ) -> None:
        """Download to a local file, ranges in parallel above ``multipart_threshold``, through a
        temporary file beside it that is renamed into place once complete."""
        plan = DownloadPlan(Bucket, Key, ExtraArgs, config_or_default(Config))
        target = local_path(Filename)
        progress = Progress(Callback)
        temp = TempFile(target)  # before any request: a target that cannot be written fails first
        try:
            state = plan.state(self._call(*plan.head()))
            temp.allocate(state.size)
            ranges = plan.spans(state)
            jobs = (partial(_fetch, self, plan, state, span, progress, FileSink(temp.write_at)) for span in ranges)
            run_bounded(jobs, plan.config.concurrency)
        except BaseException:
            temp.discard()
            raise
        temp.commit()

    @raising_callback_errors
    def download_fileobj(
        self: SyncCaller,
        Bucket: str,
        Key: str,
        Fileobj: BinaryIO | Any,
        ExtraArgs: dict[str, Any] | None = None,
        Callback: ProgressCallback | None = None,
        Config: TransferConfig | None = None,
    ) -> None:
        """Download into a writable binary file object, written in order (it need not seek); a range
        is held in memory until the ones before it are written."""
        plan = DownloadPlan(Bucket, Key, ExtraArgs, config_or_default(Config))
        check_writable(Fileobj)
        progress = Progress(Callback)
        state = plan.state(self._call(*plan.head()))
        turns = Turns()

        def fetch_in_order(span: Span) -> None:
            buffer = SpanBuffer()
            try:
                _fetch(self, plan, state, span, progress, buffer)
                turns.wait(span.number)
                for chunk in buffer.chunks:
                    write(Fileobj, chunk)
            except BaseException:
                turns.broken()
                raise
            turns.done(span.number)

        run_bounded((partial(fetch_in_order, span) for span in plan.spans(state)), plan.config.concurrency)

    @raising_callback_errors
    def copy(
        self: SyncCaller,
        CopySource: dict[str, Any],
        Bucket: str,
        Key: str,
        ExtraArgs: dict[str, Any] | None = None,
        Callback: ProgressCallback | None = None,
        SourceClient: Any = None,
        Config: TransferConfig | None = None,
    ) -> None:
        """Copy an object: CopyObject below ``multipart_threshold`` (and 5 GiB), else UploadPartCopy
        parts in parallel; ``SourceClient`` (another Client) makes the HeadObject of the source."""
        plan = CopyPlan(CopySource, Bucket, Key, ExtraArgs, config_or_default(Config))
        progress = Progress(Callback)
        source: SyncCaller = self if SourceClient is None else same_kind(SourceClient, type(self))
        state = plan.state(source._call(*plan.head()))
        if not plan.is_multipart(state):
            self._call(*plan.copy_object())
            progress(state.size)
            return
        upload = plan.started(self._call(*plan.create(state)))

        def send(span: Span) -> None:
            plan.part_done(upload, span, self._call(*plan.part(upload, state, span)))
            progress(span.length)

        try:
            run_bounded((partial(send, span) for span in plan.spans(state)), plan.config.concurrency)
            completed = self._call(*plan.complete(upload))
        except BaseException as error:
            _abort_after(self, plan.abort(upload), error)
            raise
        read_tags = plan.tags_source()
        if put := plan.put_tags(plan.tag_set(None if read_tags is None else source._call(*read_tags)), completed):
            self._call(*put)
