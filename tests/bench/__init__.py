"""s3lite's benchmark suite: ``python -m tests.bench [--quick] [--only SECTION] [--stream-size MiB]``.

A script, not a test module: it measures everything in one run and prints tables with ratios
against raw httpx and botocore (see ``__main__`` for the sections). Files are named ``bench_*.py``
so that pytest never collects them.
"""
