"""issue 9's end-to-end scenario (tests/ops_scenario.py) against moto's S3 server on 127.0.0.1.

Four flavours per test: botocore (the scenario's own cross-check), ``s3lite.Client``, and
``s3lite.AsyncClient`` under asyncio and under trio. The 1,200-key listing bucket is filled once per
module with botocore and only read afterwards, so every flavour lists the same state and botocore's
answers for it are asked once (``Oracle.call(memo=True)``). Each flavour's DeleteObjects bucket is
filled through moto's in-process backend instead of ~1,000 PUTs (4-12 ms each here).

Where moto differs from AWS (the :class:`ops_scenario.Server` flags below; those checks run on RGW,
tests/test_rgw_all_ops.py): ListBuckets is in creation order; DeleteObjects ignores ``Quiet``;
ListMultipartUploads ignores MaxUploads, the markers and Delimiter (one page, creation order);
GetObjectAttributes has no ObjectParts for a multipart object; ListObjects (v1) leaves CommonPrefixes
unencoded under EncodingType=url (boto3 then decodes them once too often), does not count them in
MaxKeys and sends NextMarker without a Delimiter; removing a delete marker does not say
``x-amz-delete-marker: true``. CreateBucket takes any LocationConstraint, so ``eu-west-1`` is used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from ops_scenario import (
    FLAVOURS,
    AllOps,
    Flavour,
    Listing,
    Oracle,
    ScenarioDriver,
    Server,
    anyio_backend_of,
    awkward_keys,
    keys_of,
    populate,
    unique_bucket,
)

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]

MOTO = Server(
    name="moto",
    location="eu-west-1",
    default_location=None,
    buckets_sorted=False,
    quiet_delete=False,
    upload_listing_paging=False,
    object_parts=False,
    list_objects_v1=False,
    next_marker_always=True,
    marker_removal_flagged=False,
)
#: keys in each flavour's DeleteObjects bucket: the request's maximum of 1,000 (+5 for the quiet
#: request and DeleteObject) once per client class; fewer for trio, whose AsyncClient ran it on asyncio
DOOMED = {"botocore": 1005, "sync": 1005, "asyncio": 1005, "trio": 105}


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def anyio_backend(flavour: Flavour) -> str:
    return anyio_backend_of(flavour)


@pytest.fixture
async def s3(flavour: Flavour, client_options: dict[str, Any]) -> AsyncIterator[ScenarioDriver]:
    driver = ScenarioDriver(flavour, **client_options)
    try:
        yield driver
    finally:
        await driver.aclose()


@pytest.fixture(scope="module")
def oracle(botocore_client: Any) -> Oracle:
    return Oracle(botocore_client)


@pytest.fixture(scope="module")
def listing(botocore_client: Any) -> Listing:
    bucket = unique_bucket("listing")
    botocore_client.create_bucket(Bucket=bucket)
    keys = awkward_keys(1200)
    populate(botocore_client, bucket, keys)
    return Listing(bucket, keys)


@pytest.fixture
def doomed(botocore_client: Any, flavour: Flavour) -> tuple[str, list[str]]:
    """A bucket (made with botocore) of awkward keys stored through moto's in-process backend: 4,000
    PUTs would take 15-50 s; botocore then checks the first 1,000 keys list back exactly."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    bucket = unique_bucket("doomed")
    botocore_client.create_bucket(Bucket=bucket)
    keys = awkward_keys(DOOMED[flavour])
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["global"]
    for key in keys:
        backend.put_object(bucket, key, b"")
    assert keys_of(botocore_client.list_objects_v2(Bucket=bucket)) == keys[:1000]
    return bucket, keys


class TestMoto(AllOps):
    server = MOTO
