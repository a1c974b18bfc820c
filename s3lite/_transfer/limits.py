"""S3's multipart limits, in bytes: what the plans check and TransferConfig's part-size rule keeps to.

Apart from ``config`` so that a plan needs no TransferConfig (a dataclass: ``dataclasses`` imports
``inspect``, ~8 ms) until a transfer runs.
"""

from __future__ import annotations

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

#: S3's multipart limits (the last part alone may be smaller than the minimum)
MIN_PART_SIZE = 5 * MiB
MAX_PART_SIZE = 5 * GiB
MAX_PARTS = 10_000
#: "You can create a copy of your object up to 5 GB in a single atomic action" (CopyObject): above
#: it a copy is multipart whatever the threshold
MAX_SINGLE_COPY = 5 * GiB
