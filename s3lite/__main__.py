"""``python -m s3lite demo``: the eight operations against a local S3 server started for the run."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv[:1] != ["demo"]:
        print("usage: python -m s3lite demo [--endpoint-url URL]", file=sys.stderr)
        return 2
    from ._demo import run

    return run(argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
