"""Shared fixtures: a moto S3 server on 127.0.0.1 for the end-to-end tests, credentials, a self-signed
certificate for the TLS tests; the opt-in Ceph RGW suites' server fixtures come from tests/rgw_server.py."""

from __future__ import annotations

import logging
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from rgw_server import rgw_botocore, rgw_bucket, rgw_endpoint  # noqa: F401 (fixtures of the opt-in RGW suites)

if TYPE_CHECKING:
    from s3lite._http import HttpRequest, HttpResponse

# the shared end-to-end scenario's asserts get pytest's explanations too
pytest.register_assert_rewrite("ops_scenario")

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"

# A client built without keys looks them up, and the chain's last link asks the EC2 metadata service at
# 169.254.169.254: not in tests that do not mean to (tests/test_credentials_imds.py starts its own fake).
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a moto S3 server started for this test session and stopped after."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def botocore_client(moto_endpoint: str) -> Any:
    """A botocore client on the same server: for setup (CreateBucket) and as the oracle."""
    import botocore.session
    from botocore.config import Config

    session = botocore.session.get_session()
    return session.create_client(
        "s3",
        region_name=REGION,
        endpoint_url=moto_endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(request_checksum_calculation="when_required", response_checksum_validation="when_required"),
    )


@pytest.fixture
def bucket(botocore_client: Any) -> str:
    """A new, empty bucket on the moto server."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    botocore_client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def client_options(moto_endpoint: str) -> dict[str, Any]:
    """Constructor arguments for a Client/AsyncClient talking to the moto server."""
    return {
        "endpoint_url": moto_endpoint,
        "region_name": REGION,
        "aws_access_key_id": ACCESS_KEY,
        "aws_secret_access_key": SECRET_KEY,
    }


@pytest.fixture(scope="session")
def pool_fetch() -> Iterator[Callable[[HttpRequest, float], HttpResponse]]:
    """The credential chain's blocking fetch (``_credentials._perform.BlockingFetch``) on s3lite's own
    pool, each exchange within its timeout, as ``Client`` sends its requests."""
    from metadata_fakes import PoolFetch

    fetch = PoolFetch()
    try:
        yield fetch
    finally:
        fetch.close()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (as an IP address SAN), made by the openssl command."""
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=s3lite test",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key
