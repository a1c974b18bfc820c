"""The I/O-free parts of the managed transfers, held to s3transfer where it has the same rule: the
ExtraArgs each direction allows and passes to each request, the part size, the ranges; and the
part readers' progress accounting, the stream cutter and TransferConfig's checks."""

from __future__ import annotations

import io
import os
import threading
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import s3lite
from s3lite._transfer import args
from s3lite._transfer.config import TransferConfig
from s3lite._transfer.limits import MAX_PART_SIZE, MIN_PART_SIZE, MiB
from s3lite._transfer.plan import DownloadPlan, ObjectState, UploadPlan, spans
from s3lite._transfer.progress import Progress
from s3lite._transfer.sources import FileSlice, MemorySlice, PartReader, StreamCutter, digests


def test_allowed_extra_args_are_s3transfers() -> None:
    from s3transfer.manager import TransferManager

    assert args.ALLOWED_UPLOAD_ARGS == set(TransferManager.ALLOWED_UPLOAD_ARGS)
    assert args.ALLOWED_DOWNLOAD_ARGS == set(TransferManager.ALLOWED_DOWNLOAD_ARGS)
    assert args.ALLOWED_COPY_ARGS == set(TransferManager.ALLOWED_COPY_ARGS)


def test_per_request_lists_are_s3transfers() -> None:
    from s3transfer.copies import CopySubmissionTask
    from s3transfer.upload import UploadSubmissionTask

    assert args.PUT_OBJECT_EXCLUDED == set(UploadSubmissionTask.PUT_OBJECT_BLOCKLIST)
    assert args.CREATE_UPLOAD_EXCLUDED == set(UploadSubmissionTask.CREATE_MULTIPART_BLOCKLIST)
    assert args.UPLOAD_PART_ARGS == set(UploadSubmissionTask.UPLOAD_PART_ARGS)
    assert args.COMPLETE_UPLOAD_ARGS == set(UploadSubmissionTask.COMPLETE_MULTIPART_ARGS)
    assert args.COPY_ARGS_TO_HEAD_ARGS == CopySubmissionTask.EXTRA_ARGS_TO_HEAD_ARGS_MAPPING
    assert args.UPLOAD_PART_COPY_ARGS == set(CopySubmissionTask.UPLOAD_PART_COPY_ARGS)
    assert args.CREATE_COPY_UPLOAD_EXCLUDED == set(CopySubmissionTask.CREATE_MULTIPART_ARGS_BLACKLIST)
    assert args.COMPLETE_COPY_UPLOAD_ARGS == set(CopySubmissionTask.COMPLETE_MULTIPART_ARGS)
    assert list(args.PRESERVED_METADATA) == CopySubmissionTask.PRESERVED_METADATA_FIELDS
    assert args.TAGGING_READ_ARGS == set(CopySubmissionTask.GET_OBJECT_TAGGING_ARGS)
    assert args.TAGGING_WRITE_ARGS == set(CopySubmissionTask.PUT_OBJECT_TAGGING_ARGS)


@settings(max_examples=300, deadline=None)
@given(
    chunksize=st.integers(1, 6 * 1024**3),
    size=st.one_of(st.none(), st.integers(0, 5 * 1024**4), st.integers(0, 200 * MiB)),
)
def test_part_size_is_s3transfers(chunksize: int, size: int | None) -> None:
    from s3transfer.utils import ChunksizeAdjuster

    part = TransferConfig(multipart_chunksize=chunksize).part_size(size)
    assert part == ChunksizeAdjuster().adjust_chunksize(chunksize, size)
    assert MIN_PART_SIZE <= part <= MAX_PART_SIZE
    if size is not None and size <= 10_000 * MAX_PART_SIZE:
        assert len(spans(size, part)) <= 10_000


@settings(max_examples=200, deadline=None)
@given(size=st.integers(0, 100 * MiB), part=st.integers(64 * 1024, 20 * MiB))
def test_spans_cover_the_object_and_ranges_are_s3transfers(size: int, part: int) -> None:
    from s3transfer.utils import calculate_num_parts, calculate_range_parameter

    cut = spans(size, part)
    assert sum(s.length for s in cut) == size
    assert [s.offset for s in cut] == [sum(s.length for s in cut[:i]) for i in range(len(cut))]
    assert [s.number for s in cut] == list(range(1, len(cut) + 1))
    if size:
        count = calculate_num_parts(size, part)
        assert len(cut) == count
        assert [s.download_range for s in cut] == [calculate_range_parameter(part, i, count) for i in range(count)]
        assert [s.range for s in cut] == [calculate_range_parameter(part, i, count, size) for i in range(count)]


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=5000), part=st.integers(1, 700), reads=st.lists(st.integers(1, 900), min_size=1))
def test_stream_cutter_cuts_whole_parts_whatever_the_reads_return(data: bytes, part: int, reads: list[int]) -> None:
    """A short read is not the end of a stream (a pipe returns what it has): parts are whole."""
    stream, cutter, parts, turn = io.BytesIO(data), StreamCutter(part), [], 0
    while True:
        while not cutter.ready and cutter.want:
            cutter.feed(stream.read(min(cutter.want, reads[turn % len(reads)])))
            turn += 1
        if not cutter.ready:
            break
        parts.append(cutter.take())
    assert b"".join(parts) == data
    assert all(len(p) == part for p in parts[:-1])
    assert not parts or 0 < len(parts[-1]) <= part


def test_part_reader_reports_each_byte_once_and_takes_back_a_retry() -> None:
    seen: list[int] = []
    reader = PartReader(MemorySlice(b"x" * 10), Progress(seen.append))
    assert reader.read(4) == b"xxxx"
    assert reader.read(100) == b"x" * 6
    assert reader.read(1) == b""
    reader.seek(0)  # the client rewinds a body to send it again
    assert reader.read() == b"x" * 10
    assert seen == [4, 6, -10, 10]
    assert sum(seen) == 10


def test_file_slice_reads_its_bytes_from_any_thread(tmp_path: Any) -> None:
    data = os.urandom(3 * MiB + 7)
    path = tmp_path / "f"
    path.write_bytes(data)
    with open(path, "rb") as file:
        pieces: dict[int, bytes] = {}

        def read(span: Any) -> None:
            pieces[span.number] = PartReader(FileSlice(file.fileno(), span.offset, span.length), Progress(None)).read()

        threads = [threading.Thread(target=read, args=(span,)) for span in spans(len(data), MiB)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert b"".join(pieces[n] for n in sorted(pieces)) == data


def test_digests_give_the_signing_hash_and_the_asked_checksum() -> None:
    import base64
    import hashlib
    import zlib

    data = os.urandom(2 * MiB + 3)
    sha256, crc32 = digests(MemorySlice(data), "CRC32")
    assert sha256 == hashlib.sha256(data).hexdigest()
    assert crc32 == base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    assert digests(MemorySlice(data), None)[1] is None


def test_progress_calls_the_callback_never_twice_at_once() -> None:
    inside = threading.Lock()
    total = [0]

    def callback(amount: int) -> None:
        assert inside.acquire(blocking=False), "the callback was entered twice at once"
        total[0] += amount
        inside.release()

    progress = Progress(callback)
    threads = [threading.Thread(target=lambda: [progress(1) for _ in range(2000)]) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert total[0] == 16_000


@pytest.mark.parametrize(
    "options",
    [
        {"max_concurrency": 0},
        {"multipart_chunksize": -1},
        {"multipart_threshold": "8MB"},
        {"num_download_attempts": True},
        {"io_chunksize": 1.5},
        {"use_threads": "yes"},
        {"max_bandwidth": 1000},
    ],
)
def test_bad_transfer_config_is_refused(options: dict[str, Any]) -> None:
    with pytest.raises(s3lite.ParamValidationError, match=next(iter(options))):
        TransferConfig(**options)


def _refusing_client() -> s3lite.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"nothing should be sent, but {request.method} {request.url} was")

    return s3lite.Client(
        transport=httpx.MockTransport(handler),
        region_name="us-east-1",
        aws_access_key_id="a",
        aws_secret_access_key="b",
    )


@pytest.mark.parametrize(
    ("method", "call_args", "message"),
    [
        (
            "upload_fileobj",
            {"Fileobj": io.BytesIO(b"x"), "ExtraArgs": {"IfMatch": "x"}},
            "Invalid ExtraArgs key for an upload: 'IfMatch'",
        ),
        ("upload_fileobj", {"Fileobj": io.BytesIO(b"x"), "ExtraArgs": {"Body": b"x", "Foo": 1}}, "'Body', 'Foo'"),
        ("upload_fileobj", {"Fileobj": io.BytesIO(b"x"), "ExtraArgs": {"ChecksumAlgorithm": "CRC64NVME"}}, "CRC64NVME"),
        ("upload_fileobj", {"Fileobj": io.StringIO("x")}, "text-mode"),
        ("upload_fileobj", {"Fileobj": io.BytesIO(b"x"), "Config": {"multipart_threshold": 1}}, "TransferConfig"),
        ("upload_fileobj", {"Fileobj": io.BytesIO(b"x"), "Callback": 3}, "Callback"),
        ("upload_file", {"Filename": 3}, "Filename"),
        (
            "upload_file",
            {"Filename": "/nonexistent/s3lite/file"},
            "Filename: opening '/nonexistent/s3lite/file' failed",
        ),
        ("upload_file", {"Filename": "/"}, "Filename"),
        ("download_file", {"Filename": "/nonexistent/s3lite/file"}, "Filename: creating '/nonexistent/s3lite/file."),
        ("download_fileobj", {"Fileobj": io.BytesIO(), "ExtraArgs": {"Range": "bytes=0-1"}}, "a download: 'Range'"),
        ("download_fileobj", {"Fileobj": object()}, "Fileobj"),
        ("copy", {"CopySource": "bucket/key"}, "CopySource"),
        ("copy", {"CopySource": {"Bucket": "b", "Key": "k"}, "ExtraArgs": {"Range": "x"}}, "a copy: 'Range'"),
        ("copy", {"CopySource": {"Bucket": "b", "Key": "k"}, "SourceClient": object()}, "SourceClient"),
    ],
)
def test_bad_input_is_refused_before_any_request(method: str, call_args: dict[str, Any], message: str) -> None:
    """Local errors (the file, ExtraArgs, Config, Callback) come before the first request, and
    are s3lite errors, the OSError of a local file as their cause."""
    client = _refusing_client()
    call = {"Bucket": "bucket", "Key": "key", **call_args}
    with pytest.raises(s3lite.ParamValidationError) as raised:
        getattr(client, method)(**call)
    assert message in str(raised.value)


def test_upload_plan_makes_a_full_object_checksum_upload_as_s3transfer() -> None:
    """A whole-object checksum passed in ExtraArgs: FULL_OBJECT on create and complete, the
    algorithm on each part, the value itself only on CompleteMultipartUpload."""
    plan = UploadPlan("b", "k", {"ChecksumCRC32": "AAAAAA=="}, TransferConfig())
    assert plan.algorithm == "CRC32"
    assert plan.create()[1] == {"Bucket": "b", "Key": "k", "ChecksumAlgorithm": "CRC32", "ChecksumType": "FULL_OBJECT"}
    upload = plan.started({"UploadId": "u"})
    upload.add(1, {"ETag": '"e"', "ChecksumCRC32": "AQID"})
    complete = plan.complete(upload)[1]
    assert complete["ChecksumCRC32"] == "AAAAAA==" and complete["ChecksumType"] == "FULL_OBJECT"
    assert complete["MultipartUpload"] == {"Parts": [{"ETag": '"e"', "PartNumber": 1, "ChecksumCRC32": "AQID"}]}


def test_a_response_without_what_the_transfer_needs_is_a_library_error() -> None:
    plan = UploadPlan("b", "k", None, TransferConfig())
    with pytest.raises(s3lite.ResponseParseError, match="UploadId"):
        plan.started({})
    download = DownloadPlan("b", "k", None, TransferConfig())
    with pytest.raises(s3lite.ResponseParseError, match="ContentLength"):
        download.state({"ContentLength": "12"})
    assert download.state({"ContentLength": 12, "ETag": '"e"'}) == ObjectState(
        12, '"e"', {"ContentLength": 12, "ETag": '"e"'}
    )
