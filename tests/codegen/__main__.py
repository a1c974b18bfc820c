"""``python -m tests.codegen``: rewrite the generated modules of s3lite from the installed botocore."""

from __future__ import annotations

import pathlib
import sys

from . import generate

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main() -> int:
    for path, text in sorted(generate().items()):
        target = ROOT / path
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
