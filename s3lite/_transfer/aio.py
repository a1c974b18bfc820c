"""``AsyncClient``'s managed transfers: the plans of :mod:`.plan` run as anyio tasks (asyncio or trio).

A part is started only when one of ``max_concurrency`` slots is free, so a stream is read no further
ahead than that. After the first failure no part is started, those in flight are let finish, and
then the upload is aborted and that failure raised; a cancellation of the transfer cancels the parts
in flight and aborts, shielded from the cancellation. Files are read, hashed and written in worker threads: the event loop
never waits on the disk or on SHA-256.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, BinaryIO

import anyio
import anyio.to_thread

from .._body import file_remaining
from .._errors import S3LiteError
from .._paginate import AsyncCaller
from .._upload import as_bytes, read_bytes
from .download import RETRIED_READS, Attempts, FileSink, SpanBuffer
from .failures import Broken, first_failure
from .files import (
    TempFile,
    check_readable,
    check_writable,
    local_errors,
    local_path,
    open_source,
    same_kind,
    write,
)
from .plan import Call, CopyPlan, DownloadPlan, ObjectState, Span, UploadPlan, config_or_default, spans
from .progress import Moved, Progress, ProgressCallback, araising_callback_errors
from .sources import FileSlice, MemorySlice, PartReader, Slice, StreamCutter, digests

if TYPE_CHECKING:
    from .config import TransferConfig

Job = Callable[[], Awaitable[None]]


#: the next job of a transfer, or None when there is none (an awaited function rather than an
#: async generator: one left unfinished after a failure would be finalised by the garbage collector,
#: which trio warns of)
NextJob = Callable[[], Awaitable[Job | None]]


async def run_bounded(next_job: NextJob, concurrency: int) -> None:
    """Run ``jobs`` with at most ``concurrency`` at once, taking the next one only when a slot is
    free; after a failure no job is started, those in flight are let finish (not cancelled), and the
    first failure is raised as itself (:func:`.failures.first_failure`). A cancellation of the
    transfer cancels them all."""
    if concurrency == 1:
        while (job := await next_job()) is not None:
            await job()
        return
    cancelled = anyio.get_cancelled_exc_class()
    slots = anyio.Semaphore(concurrency)
    failures: list[BaseException] = []

    async def run(job: Job) -> None:
        try:
            await job()
        except cancelled:
            raise
        except BaseException as error:  # noqa: BLE001 - kept, raised once the others have ended
            failures.append(error)
        finally:
            slots.release()

    async with anyio.create_task_group() as group:
        while True:
            await slots.acquire()
            started = None if failures else await _next_job(next_job, failures)
            if started is None:
                slots.release()
                break
            group.start_soon(run, started)
    if failures:
        raise first_failure(failures)


async def _next_job(next_job: NextJob, failures: list[BaseException]) -> Job | None:
    """The next job, or None at the end or when reading the next part failed (recorded as a failure
    of the transfer, like a part's own)."""
    try:
        return await next_job()
    except anyio.get_cancelled_exc_class():
        raise
    except BaseException as error:  # noqa: BLE001 - kept, raised once the parts in flight have ended
        failures.append(error)
        return None


def _each(items: Iterable[Job]) -> NextJob:
    """The jobs of ``items`` one by one, as :func:`run_bounded` takes them."""
    iterator = iter(items)

    async def next_item() -> Job | None:
        return next(iterator, None)

    return next_item


async def _abort_after(client: AsyncCaller, abort: Call, error: BaseException) -> None:
    """AbortMultipartUpload after ``error``, shielded: a cancelled transfer is aborted too."""
    with anyio.CancelScope(shield=True):
        try:
            await client._call(*abort)
        except S3LiteError as abort_error:
            error.add_note(f"s3lite: AbortMultipartUpload {abort[1]['UploadId']} failed too: {abort_error!r}")


async def _send_part(plan: UploadPlan, progress: Progress, part: Slice) -> tuple[Any, str | None]:
    """The part hashed in a worker thread, and its body as the client takes it."""
    sha256, checksum = await anyio.to_thread.run_sync(digests, part, plan.algorithm)
    return PartReader(part, progress).body(sha256), checksum


async def _single(client: AsyncCaller, plan: UploadPlan, progress: Progress, part: Slice) -> None:
    await client._call(*plan.put(*await _send_part(plan, progress, part)))


#: the next part of an upload (read from a stream in a worker thread), None after the last
NextPart = Callable[[], Awaitable[Slice | None]]


async def _multipart(client: AsyncCaller, plan: UploadPlan, progress: Progress, next_part: NextPart) -> None:
    upload = plan.started(await client._call(*plan.create()))

    async def send(number: int, part: Slice) -> None:
        body, checksum = await _send_part(plan, progress, part)
        upload.add(number, await client._call(*plan.part(upload, number, body, checksum)))

    numbers = iter(range(1, sys.maxsize))

    async def next_job() -> Job | None:
        part = await next_part()
        return None if part is None else partial(send, plan.check_part_number(next(numbers)), part)

    try:
        await run_bounded(next_job, plan.config.concurrency)
        await client._call(*plan.complete(upload))
    except BaseException as error:
        await _abort_after(client, plan.abort(upload), error)
        raise


def _reader(fileobj: Any) -> Callable[[int], Awaitable[bytes]]:
    """How to read ``fileobj`` without blocking the loop: awaited when its ``read`` is a coroutine
    function (anyio's and aiofiles' files), else in a worker thread."""
    if inspect.iscoroutinefunction(fileobj.read):

        async def read_async(size: int) -> bytes:
            with local_errors("Fileobj", "reading it"):
                data = await fileobj.read(size)
            return as_bytes(data, "Fileobj")

        return read_async

    async def read_in_thread(size: int) -> bytes:
        return await anyio.to_thread.run_sync(read_bytes, fileobj, size, "Fileobj")

    return read_in_thread


def _writer(fileobj: Any) -> Callable[[list[bytes]], Awaitable[None]]:
    """How to write pieces to ``fileobj`` without blocking the loop (as :func:`_reader`): all of a
    range's pieces in one worker-thread hop."""
    if inspect.iscoroutinefunction(fileobj.write):

        async def write_async(pieces: list[bytes]) -> None:
            for data in pieces:
                with local_errors("Fileobj", "writing it"):
                    await fileobj.write(data)

        return write_async

    def write_all(pieces: list[bytes]) -> None:
        for data in pieces:
            write(fileobj, data)

    async def write_in_thread(pieces: list[bytes]) -> None:
        await anyio.to_thread.run_sync(write_all, pieces)

    return write_in_thread


async def _next_stream_part(read_part: Callable[[int], Awaitable[bytes]], cutter: StreamCutter) -> Slice | None:
    """The next part cut from a stream, None at its end."""
    while not cutter.ready and cutter.want:
        cutter.feed(await read_part(cutter.want))
    return MemorySlice(cutter.take()) if cutter.ready else None


class Turns:
    """``download_fileobj``'s ranges write in order: range ``n`` waits until ``n - 1`` has written;
    ``broken`` (an earlier range failed) releases every waiter with :class:`.failures.Broken`."""

    def __init__(self) -> None:
        self._next = 1
        self._broken = False
        self._events: dict[int, anyio.Event] = {}

    async def wait(self, number: int) -> None:
        if self._next != number and not self._broken:
            await self._events.setdefault(number, anyio.Event()).wait()
        if self._broken:
            raise Broken()

    def done(self, number: int) -> None:
        self._next = number + 1
        if (event := self._events.pop(self._next, None)) is not None:
            event.set()

    def broken(self) -> None:
        self._broken = True
        for event in self._events.values():
            event.set()


async def _fetch(
    client: AsyncCaller,
    plan: DownloadPlan,
    state: ObjectState,
    span: Span,
    progress: Progress,
    sink: FileSink | SpanBuffer,
) -> None:
    """One GET of ``span`` (see the sync driver's): a file sink is flushed in worker threads."""
    moved = Moved(progress)
    attempts = Attempts(span, plan.config.num_download_attempts)
    while True:
        body = (await client._call(*plan.get(state, span)))["Body"]
        position = 0
        try:
            async with body:
                while chunk := await body.read1():  # each piece as it arrives (no join, no split)
                    sink.write(span.offset + position, chunk)
                    if sink.due:
                        await anyio.to_thread.run_sync(sink.flush)
                    position += len(chunk)
                    if position - moved.reported >= plan.config.io_chunksize:
                        moved.to(position)
            if sink.pending:
                await anyio.to_thread.run_sync(sink.flush)
            moved.to(position)
        except RETRIED_READS as error:
            moved.to(0)
            sink.restart()
            attempts.failed(error)
            continue
        attempts.ended(position)
        return


class AsyncTransfers:
    """``AsyncClient``'s ``upload_file``, ``upload_fileobj``, ``download_file``, ``download_fileobj``,
    ``copy``: the same arguments and behaviour as ``Client``'s, as coroutines."""

    @araising_callback_errors
    async def upload_file(
        self: AsyncCaller,
        Filename: str | os.PathLike[str],
        Bucket: str,
        Key: str,
        ExtraArgs: dict[str, Any] | None = None,
        Callback: ProgressCallback | None = None,
        Config: TransferConfig | None = None,
    ) -> None:
        """Upload a local file (see ``Client.upload_file``); parts are read and hashed in worker threads."""
        plan = UploadPlan(Bucket, Key, ExtraArgs, config_or_default(Config))
        progress = Progress(Callback)
        file, size = await anyio.to_thread.run_sync(open_source, Filename)
        try:
            fd = file.fileno()
            if not plan.is_multipart(size):
                return await _single(self, plan, progress, FileSlice(fd, 0, size))
            part_size = plan.config.part_size(size)
            slices = iter([FileSlice(fd, span.offset, span.length) for span in spans(size, part_size)])

            async def next_slice() -> Slice | None:
                return next(slices, None)

            await _multipart(self, plan, progress, next_slice)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(file.close)
        return None

    @araising_callback_errors
    async def upload_fileobj(
        self: AsyncCaller,
        Fileobj: BinaryIO | Any,
        Bucket: str,
        Key: str,
        ExtraArgs: dict[str, Any] | None = None,
        Callback: ProgressCallback | None = None,
        Config: TransferConfig | None = None,
    ) -> None:
        """Upload from a binary file object (see ``Client.upload_fileobj``), read in worker threads;
        or from an async file whose ``read`` is a coroutine (anyio, aiofiles), awaited."""
        plan = UploadPlan(Bucket, Key, ExtraArgs, config_or_default(Config))
        progress = Progress(Callback)
        check_readable(Fileobj)
        read_part = _reader(Fileobj)
        place = (
            None
            if inspect.iscoroutinefunction(Fileobj.read)
            else await anyio.to_thread.run_sync(file_remaining, Fileobj)
        )
        size = None if place is None else place[1]
        first = StreamCutter(plan.config.multipart_threshold)
        opening = await _next_stream_part(read_part, first) or MemorySlice(b"")
        if not plan.is_multipart(opening.length):
            return await _single(self, plan, progress, opening)
        cutter = first.then(plan.config.part_size(size), opening)
        del opening, first  # the cutter holds those bytes now
        await _multipart(self, plan, progress, partial(_next_stream_part, read_part, cutter))
        return None

    @araising_callback_errors
    async def download_file(
        self: AsyncCaller,
        Bucket: str,
        Key: str,
        Filename: str | os.PathLike[str],
        ExtraArgs: dict[str, Any] | None = None,
        Callback: ProgressCallback | None = None,
        Config: TransferConfig | None = None,
    ) -> None:
        """Download to a local file (see ``Client.download_file``); written in worker threads."""
        plan = DownloadPlan(Bucket, Key, ExtraArgs, config_or_default(Config))
        target = local_path(Filename)
        progress = Progress(Callback)
        temp = await anyio.to_thread.run_sync(TempFile, target)
        try:
            state = plan.state(await self._call(*plan.head()))
            await anyio.to_thread.run_sync(temp.allocate, state.size)
            ranges = plan.spans(state)
            jobs = (partial(_fetch, self, plan, state, span, progress, FileSink(temp.write_at)) for span in ranges)
            await run_bounded(_each(jobs), plan.config.concurrency)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(temp.discard)
            raise
        await anyio.to_thread.run_sync(temp.commit)

    @araising_callback_errors
    async def download_fileobj(
        self: AsyncCaller,
        Bucket: str,
        Key: str,
        Fileobj: BinaryIO | Any,
        ExtraArgs: dict[str, Any] | None = None,
        Callback: ProgressCallback | None = None,
        Config: TransferConfig | None = None,
    ) -> None:
        """Download into a binary file object, in order (see ``Client.download_fileobj``): written in
        worker threads, or awaited when its ``write`` is a coroutine."""
        plan = DownloadPlan(Bucket, Key, ExtraArgs, config_or_default(Config))
        check_writable(Fileobj)
        write_out = _writer(Fileobj)
        progress = Progress(Callback)
        state = plan.state(await self._call(*plan.head()))
        turns = Turns()

        async def fetch_in_order(span: Span) -> None:
            buffer = SpanBuffer()
            try:
                await _fetch(self, plan, state, span, progress, buffer)
                await turns.wait(span.number)
                await write_out(buffer.chunks)
            except BaseException:
                turns.broken()
                raise
            turns.done(span.number)

        await run_bounded(_each(partial(fetch_in_order, span) for span in plan.spans(state)), plan.config.concurrency)

    @araising_callback_errors
    async def copy(
        self: AsyncCaller,
        CopySource: dict[str, Any],
        Bucket: str,
        Key: str,
        ExtraArgs: dict[str, Any] | None = None,
        Callback: ProgressCallback | None = None,
        SourceClient: Any = None,
        Config: TransferConfig | None = None,
    ) -> None:
        """Copy an object (see ``Client.copy``); ``SourceClient`` is another AsyncClient."""
        plan = CopyPlan(CopySource, Bucket, Key, ExtraArgs, config_or_default(Config))
        progress = Progress(Callback)
        source: AsyncCaller = self if SourceClient is None else same_kind(SourceClient, type(self))
        state = plan.state(await source._call(*plan.head()))
        if not plan.is_multipart(state):
            await self._call(*plan.copy_object())
            progress(state.size)
            return
        upload = plan.started(await self._call(*plan.create(state)))

        async def send(span: Span) -> None:
            plan.part_done(upload, span, await self._call(*plan.part(upload, state, span)))
            progress(span.length)

        try:
            await run_bounded(_each(partial(send, span) for span in plan.spans(state)), plan.config.concurrency)
            completed = await self._call(*plan.complete(upload))
        except BaseException as error:
            await _abort_after(self, plan.abort(upload), error)
            raise
        read_tags = plan.tags_source()
        if put := plan.put_tags(plan.tag_set(None if read_tags is None else await source._call(*read_tags)), completed):
            await self._call(*put)
