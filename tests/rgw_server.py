"""A throwaway Ceph RADOS Gateway for the opt-in RGW suites (tests/test_rgw.py, tests/test_rgw_all_ops.py).

A test module opts in with ``pytestmark = OPT_IN``; tests/conftest.py imports the fixtures, and their
module scope means each module that uses them starts its own RGW with ../shared/tools/ceph-rgw.sh (which installs the Ceph
packages on first use, as root) and stops and wipes it after its last test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

OPT_IN = pytest.mark.skipif(
    os.environ.get("S3LITE_TEST_RGW") != "1",
    reason="Ceph RGW end-to-end tests are opt-in: set S3LITE_TEST_RGW=1 (first run installs Ceph packages)",
)

SCRIPT = Path(__file__).parents[2] / "shared/tools/ceph-rgw.sh"
#: the test user ceph-rgw.sh creates
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
#: a first start may install packages; later starts take a few seconds
START_TIMEOUT = 900


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def rgw_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of an RGW started for this module and stopped (and wiped) after it."""
    if not SCRIPT.is_file():
        pytest.fail(f"{SCRIPT} not found")
    port = free_port()
    directory = tmp_path_factory.mktemp("rgw") / "cluster"
    try:
        started = subprocess.run(
            [str(SCRIPT), "start", str(port), str(directory)],
            capture_output=True,
            text=True,
            check=False,
            timeout=START_TIMEOUT,
        )
        if started.returncode != 0:
            pytest.fail(f"ceph-rgw.sh start failed ({started.returncode}):\n{started.stderr[-4000:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        if directory.exists():
            subprocess.run([str(SCRIPT), "stop", str(directory)], capture_output=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def rgw_botocore(rgw_endpoint: str) -> Any:
    """botocore on the same RGW: bucket set-up, and the oracle for results and error outcomes."""
    import botocore.session  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    return botocore.session.get_session().create_client(
        "s3",
        region_name=REGION,
        endpoint_url=rgw_endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": 1},
        ),
    )


@pytest.fixture
def rgw_bucket(rgw_botocore: Any) -> str:
    name = f"s3lite-{uuid.uuid4().hex[:12]}"
    rgw_botocore.create_bucket(Bucket=name)
    return name


def client_options(endpoint: str) -> dict[str, Any]:
    return {
        "endpoint_url": endpoint,
        "region_name": REGION,
        "aws_access_key_id": ACCESS_KEY,
        "aws_secret_access_key": SECRET_KEY,
        "max_attempts": 1,  # a retry would hide a first attempt the server refused
        "timeout": 60,
    }
