"""``TransferConfig``: boto3's knobs for managed transfers, with its names and defaults, checked once.

The part-size rule is s3transfer's ``ChunksizeAdjuster``: the configured chunk size is doubled until
the object fits in S3's 10,000 parts, then kept within S3's 5 MiB-5 GiB part size limits ("Part size:
5 MiB to 5 GiB... Maximum number of parts per upload: 10,000", S3 multipart upload limits).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._errors import ParamValidationError
from .limits import MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE, KiB, MiB


@dataclass(frozen=True, slots=True)
class TransferConfig:
    """How ``upload_file``, ``download_file``, their ``fileobj`` twins and ``copy`` split and run a transfer.

    The fields are boto3.s3.transfer.TransferConfig's. ``max_io_queue`` is accepted for
    compatibility and has nothing to bound here (ranges are written by the workers that fetch
    them, in 1 MiB batches of what the socket gives); ``max_bandwidth`` is refused when set
    (s3lite does not throttle).
    """

    #: objects of at least this size go multipart
    multipart_threshold: int = 8 * MiB
    #: parts (and ranges, and copied parts) in flight at once: threads for Client, tasks for AsyncClient
    max_concurrency: int = 10
    #: part size before the 10,000-part rule raises it
    multipart_chunksize: int = 8 * MiB
    #: attempts at a ranged GET whose body fails while it is read (the client retries the request itself)
    num_download_attempts: int = 5
    max_io_queue: int = 100
    #: how often a download reports progress: every this many bytes of a range, and at its end
    io_chunksize: int = 256 * KiB
    #: False: one part at a time, in the caller's thread (Client) or task (AsyncClient)
    use_threads: bool = True
    max_bandwidth: int | None = None

    def __post_init__(self) -> None:
        for name in (
            "multipart_threshold",
            "max_concurrency",
            "multipart_chunksize",
            "num_download_attempts",
            "max_io_queue",
            "io_chunksize",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ParamValidationError(f"Invalid TransferConfig.{name}: {value!r}, must be an int of at least 1")
        if not isinstance(self.use_threads, bool):
            raise ParamValidationError(f"Invalid TransferConfig.use_threads: {self.use_threads!r}, must be a bool")
        if self.max_bandwidth is not None:
            raise ParamValidationError(
                "Invalid TransferConfig.max_bandwidth: s3lite does not limit bandwidth; leave it None"
            )

    @property
    def concurrency(self) -> int:
        """Parts in flight at once: ``max_concurrency``, or 1 without threads."""
        return self.max_concurrency if self.use_threads else 1

    def part_size(self, size: int | None) -> int:
        """The part size for an object of ``size`` bytes (None: unknown, a stream): s3transfer's
        ``ChunksizeAdjuster.adjust_chunksize``."""
        part = self.multipart_chunksize
        if size is not None:
            while math.ceil(size / part) > MAX_PARTS:
                part *= 2
        return min(max(part, MIN_PART_SIZE), MAX_PART_SIZE)


DEFAULT_CONFIG = TransferConfig()
