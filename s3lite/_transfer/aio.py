"""``AsyncClient``'s managed transfers: the plans of :mod:`.plan` run as anyio tasks (asyncio or trio).

A part is started only when one of ``max_concurrency`` slots is free, so a stream is read no further
ahead than that. The first failure cancels the other tasks (anyio's task group), and then the upload
is aborted, shielded from the cancellation, and that failure raised; a cancellation of the transfer
itself aborts the same way. Files are read, hashed and written in worker threads: the event loop
never waits on the disk or on SHA-256.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from functools import partial
from typing import Any, BinaryIO

import anyio
import anyio.to_thread

from .._body import file_remaining
from .._errors import S3LiteError
from .._paginate import AsyncCaller
from .config import TransferConfig, config_or_default
from .download import RETRIED_READS, Attempts, FileSink, SpanBuffer
from .files import TempFile, as_bytes, check_readable, check_writable, local_path, read, same_kind, write
from .plan import Call, CopyPlan, DownloadPlan, ObjectState, Span, UploadPlan, spans
from .progress import Moved, Progress, ProgressCallback
from .sources import FileSlice, MemorySlice, PartReader, Slice, StreamCutter, digests

Job = Callable[[], Awaitable[None]]


def _first_failure(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The failure a task group was raised for: its first exception that is not the cancellation
    of the other tasks (the group itself when there is none)."""
    cancelled = anyio.get_cancelled_exc_class()
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            error = _first_failure(error)
        if not isinstance(error, (cancelled, BaseExceptionGroup)):
            return error
    return group


async def run_bounded(jobs: AsyncIterator[Job], concurrency: int) -> None:
    """Run ``jobs`` with at most ``concurrency`` at once, taking the next one only when a slot is
    free; the first failure cancels the others and is raised as itself (not in an ExceptionGroup)."""
    if concurrency == 1:
        async for job in jobs:
            await job()
        return
    slots = anyio.Semaphore(concurrency)

    async def run(job: Job) -> None:
        try:
            await job()
        finally:
            slots.release()

    try:
        async with anyio.create_task_group() as group:
            while True:
                await slots.acquire()
                try:
                    job = await anext(jobs)
                except StopAsyncIteration:
                    slots.release()
                    break
                group.start_soon(run, job)
    except BaseExceptionGroup as failures:
        raise _first_failure(failures) from None


async def _each(items: Iterable[Job]) -> AsyncIterator[Job]:
    for item in items:
        yield item


async def _abort_after(client: AsyncCaller, abort: Call, error: BaseException) -> None:
    """AbortMultipartUpload after ``error``, shielded: a cancelled transfer is aborted too."""
    with anyio.CancelScope(shield=True):
        try:
            await client._call(*abort)
        except S3LiteError as abort_error:
            error.add_note(f"s3lite: AbortMultipartUpload {abort[1]['UploadId']} failed too: {abort_error!r}")


async def _send_part(client: AsyncCaller, plan: UploadPlan, progress: Progress, part: Slice) -> tuple[Any, str | None]:
    """The part hashed in a worker thread, and its body as the client takes it."""
    sha256, checksum = await anyio.to_thread.run_sync(digests, part, plan.algorithm)
    return PartReader(part, progress).body(sha256), checksum


async def _single(client: AsyncCaller, plan: UploadPlan, progress: Progress, part: Slice) -> None:
    await client._call(*plan.put(*await _send_part(client, plan, progress, part)))


async def _multipart(client: AsyncCaller, plan: UploadPlan, progress: Progress, parts: AsyncIterator[Slice]) -> None:
    upload = plan.started(await client._call(*plan.create()))

    async def send(number: int, part: Slice) -> None:
        body, checksum = await _send_part(client, plan, progress, part)
        upload.add(number, await client._call(*plan.part(upload, number, body, checksum)))

    async def jobs() -> AsyncIterator[Job]:
        number = 0
        async for part in parts:
            number = plan.check_part_number(number + 1)
            yield partial(send, number, part)

    try:
        await run_bounded(jobs(), plan.config.concurrency)
        await client._call(*plan.complete(upload))
    except BaseException as error:
        await _abort_after(client, plan.abort(upload), error)
        raise


def _reader(fileobj: Any) -> Callable[[int], Awaitable[bytes]]:
    """How to read ``fileobj`` without blocking the loop: awaited when its ``read`` is a coroutine
    function (anyio's and aiofiles' files), else in a worker thread."""
    if inspect.iscoroutinefunction(fileobj.read):

        async def read_async(size: int) -> bytes:
            return as_bytes(await fileobj.read(size), "read")

        return read_async

    async def read_in_thread(size: int) -> bytes:
        return await anyio.to_thread.run_sync(read, fileobj, size)

    return read_in_thread


def _writer(fileobj: Any) -> Callable[[bytes], Awaitable[None]]:
    """How to write ``fileobj`` without blocking the loop (as :func:`_reader`)."""
    if inspect.iscoroutinefunction(fileobj.write):

        async def write_async(data: bytes) -> None:
            await fileobj.write(data)

        return write_async

    async def write_in_thread(data: bytes) -> None:
        await anyio.to_thread.run_sync(write, fileobj, data)

    return write_in_thread


async def _stream_parts(read_part: Callable[[int], Awaitable[bytes]], cutter: StreamCutter) -> AsyncIterator[Slice]:
    while True:
        while not cutter.ready and cutter.want:
            cutter.feed(await read_part(cutter.want))
        if not cutter.ready:
            return
        yield MemorySlice(cutter.take())


class Turns:
    """``download_fileobj``'s ranges write in order: range ``n`` waits until ``n - 1`` has written
    (a failure cancels the waiting tasks, so nothing waits for a range that failed)."""

    def __init__(self) -> None:
        self._next = 1
        self._events: dict[int, anyio.Event] = {}

    async def wait(self, number: int) -> None:
        if self._next != number:
            await self._events.setdefault(number, anyio.Event()).wait()

    def done(self, number: int) -> None:
        self._next = number + 1
        if (event := self._events.pop(self._next, None)) is not None:
            event.set()


async def _fetch(
    client: AsyncCaller,
    plan: DownloadPlan,
    state: ObjectState,
    span: Span,
    progress: Progress,
    sink: FileSink | SpanBuffer,
) -> None:
    """One GET of ``span`` (see the sync driver's): a file sink is written in worker threads."""
    moved = Moved(progress)
    attempts = Attempts(span, plan.config.num_download_attempts)
    while True:
        body = (await client._call(*plan.get(state, span)))["Body"]
        position = 0
        try:
            async with body:
                async for chunk in body.iter_chunks(plan.config.io_chunksize):
                    if isinstance(sink, FileSink):
                        await anyio.to_thread.run_sync(sink.write, span.offset + position, chunk)
                    else:
                        sink.write(span.offset + position, chunk)
                    position += len(chunk)
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
        file = await anyio.to_thread.run_sync(open, local_path(Filename), "rb")
        try:
            fd = file.fileno()
            size = os.fstat(fd).st_size
            if not plan.is_multipart(size):
                return await _single(self, plan, progress, FileSlice(fd, 0, size))
            part_size = plan.config.part_size(size)
            slices = [FileSlice(fd, span.offset, span.length) for span in spans(size, part_size)]

            async def parts() -> AsyncIterator[Slice]:
                for part in slices:
                    yield part

            await _multipart(self, plan, progress, parts())
        finally:
            file.close()
        return None

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
        place = None if inspect.iscoroutinefunction(Fileobj.read) else file_remaining(Fileobj)
        size = None if place is None else place[1]
        opening = await anext(_stream_parts(read_part, StreamCutter(plan.config.multipart_threshold)), MemorySlice(b""))
        if not plan.is_multipart(opening.length):
            return await _single(self, plan, progress, opening)
        cutter = StreamCutter(plan.config.part_size(size), opening.read_at(0, opening.length))
        await _multipart(self, plan, progress, _stream_parts(read_part, cutter))
        return None

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
        state = plan.state(await self._call(*plan.head()))
        temp = await anyio.to_thread.run_sync(TempFile, target, state.size)
        sink = FileSink(temp.write_at)
        try:
            jobs = (partial(_fetch, self, plan, state, span, progress, sink) for span in plan.spans(state))
            await run_bounded(_each(jobs), plan.config.concurrency)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(temp.discard)
            raise
        await anyio.to_thread.run_sync(temp.commit)

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
            await _fetch(self, plan, state, span, progress, buffer)
            await turns.wait(span.number)
            for chunk in buffer.chunks:
                await write_out(chunk)
            turns.done(span.number)

        await run_bounded(_each(partial(fetch_in_order, span) for span in plan.spans(state)), plan.config.concurrency)

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
