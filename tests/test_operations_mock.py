"""The operations beyond the eight seed ones, through both clients over MockTransport: what reaches
the wire and what comes back, for the parts that are more than the model (botocore's S3 rules and
streamed results). The request and result of every operation are held to botocore by
``test_differential_all.py``; the real server's answers by ``test_e2e_all_ops.py``."""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from drivers import KINDS, Chunks, Driver
from test_clients_mock import OPTIONS, Server
from test_eventstream import event, stats_xml

pytestmark = pytest.mark.anyio
NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


@pytest.fixture(scope="module", params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture(params=KINDS)
async def s3(request: pytest.FixtureRequest, server: Server, anyio_backend: str) -> AsyncIterator[Driver]:
    driver = Driver(request.param, transport=httpx.MockTransport(server), **OPTIONS)
    try:
        yield driver
    finally:
        await driver.aclose()


async def test_select_object_content_yields_events_and_frees_the_connection(s3: Driver, server: Server) -> None:
    body = (
        event("Records", b"a,b\n")
        + event("Records", b"c,d\n")
        + event("Stats", stats_xml("Stats", 10, 10, 8))
        + event("End")
    )
    stream = Chunks(body[:7], body[7:50], body[50:])
    server.stream(stream, {"content-type": "application/octet-stream"})
    result = await s3.call(
        "select_object_content",
        Bucket="b",
        Key="data.csv",
        Expression="SELECT * FROM S3Object",
        ExpressionType="SQL",
        InputSerialization={"CSV": {}},
        OutputSerialization={"CSV": {}},
    )
    assert stream.pulled == 0  # nothing read before the caller iterates
    events = await s3.events(result["Payload"])
    assert events == [
        {"Records": {"Payload": b"a,b\n"}},
        {"Records": {"Payload": b"c,d\n"}},
        {"Stats": {"Details": {"BytesScanned": 10, "BytesProcessed": 10, "BytesReturned": 8}}},
        {"End": {}},
    ]
    assert stream.closed
    request = server.last
    assert (request.method, request.url.path, request.url.query) == ("POST", "/b/data.csv", b"select&select-type=2")
    assert request.content.startswith(b"<SelectObjectContentRequest " + NS.encode() + b"><Expression>SELECT")


async def test_listing_keys_are_asked_url_encoded_and_decoded(s3: Driver, server: Server) -> None:
    listing = (
        f"<ListBucketResult {NS}><Name>b</Name><Prefix>a+b%2F</Prefix><EncodingType>url</EncodingType>"
        "<Contents><Key>a+b%2Fc%25d%0A</Key><Size>1</Size></Contents>"
        "<CommonPrefixes><Prefix>a+b%2Fe%2F</Prefix></CommonPrefixes></ListBucketResult>"
    ).encode()
    server.reply(200, {"content-type": "application/xml"}, listing)
    result = await s3.call("list_objects_v2", Bucket="b", Prefix="a b/")
    assert ("encoding-type", "url") in parse_qsl(server.last.url.query.decode())
    assert result["Prefix"] == "a b/"
    assert [c["Key"] for c in result["Contents"]] == ["a b/c%d\n"]
    assert result["CommonPrefixes"] == [{"Prefix": "a b/e/"}]
    # asked for by the caller: returned as sent, as botocore returns them
    result = await s3.call("list_objects_v2", Bucket="b", Prefix="a b/", EncodingType="url")
    assert [c["Key"] for c in result["Contents"]] == ["a+b%2Fc%25d%0A"]


async def test_a_checksum_required_operation_sends_content_md5(s3: Driver, server: Server) -> None:
    server.reply(200, {}, f"<DeleteResult {NS}><Deleted><Key>a</Key></Deleted></DeleteResult>".encode())
    result = await s3.call("delete_objects", Bucket="b", Delete={"Objects": [{"Key": "a"}, {"Key": "x\ny"}]})
    request = server.last
    assert (
        request.content
        == (f"<Delete {NS}><Object><Key>a</Key></Object><Object><Key>x&#xA;y</Key></Object></Delete>").encode()
    )
    assert request.headers["content-md5"] == base64.b64encode(hashlib.md5(request.content).digest()).decode()
    assert result["Deleted"] == [{"Key": "a"}]


async def test_bucket_location_is_the_root_text(s3: Driver, server: Server) -> None:
    server.reply(200, {}, f"<LocationConstraint {NS}>eu-west-1</LocationConstraint>".encode())
    assert (await s3.call("get_bucket_location", Bucket="b"))["LocationConstraint"] == "eu-west-1"
    server.reply(200, {}, f"<LocationConstraint {NS}/>".encode())
    assert (await s3.call("get_bucket_location", Bucket="b"))["LocationConstraint"] is None


async def test_a_string_payload_is_the_body_both_ways(s3: Driver, server: Server) -> None:
    policy = '{"Version": "2012-10-17", "Statement": [], "note": "é"}'
    await s3.call("put_bucket_policy", Bucket="b", Policy=policy)
    assert server.last.content == policy.encode()
    assert server.last.url.query == b"policy"
    server.reply(200, {"content-type": "application/json"}, policy.encode())
    assert (await s3.call("get_bucket_policy", Bucket="b"))["Policy"] == policy


async def test_a_200_with_an_error_is_retried_for_any_operation_with_a_result(s3: Driver, server: Server) -> None:
    answers = iter(
        [
            httpx.Response(200, content=b"<Error><Code>InternalError</Code><Message>m</Message></Error>"),
            httpx.Response(
                200,
                content=f"<Tagging {NS}><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>".encode(),
            ),
        ]
    )
    server.respond = lambda _: next(answers)
    result: dict[str, Any] = await s3.call("get_bucket_tagging", Bucket="b")
    assert result["TagSet"] == [{"Key": "k", "Value": "v"}]
    assert result["ResponseMetadata"]["RetryAttempts"] == 1


async def test_a_torrent_is_a_streamed_body(s3: Driver, server: Server) -> None:
    stream = Chunks(b"d8:announce", b"e")
    server.stream(stream)
    result = await s3.call("get_object_torrent", Bucket="b", Key="k")
    assert stream.pulled == 0
    assert await s3.read(result["Body"]) == b"d8:announcee"


async def test_an_idempotency_token_is_made_once_per_call_and_kept_on_retries(s3: Driver, server: Server) -> None:
    """botocore's ``generate_idempotent_uuid``: RenameObject's ClientToken, when left out, is a new
    UUID per call, the same on every attempt of that call."""
    answers = iter([httpx.Response(503)])
    server.respond = lambda _: next(answers, httpx.Response(200))
    await s3.call("rename_object", Bucket="b", Key="new", RenameSource="b/old")
    await s3.call("rename_object", Bucket="b", Key="newer", RenameSource="b/new")
    tokens = [request.headers["x-amz-client-token"] for request in server.requests]
    assert tokens[0] == tokens[1] != tokens[2]
    assert all(uuid.UUID(token).version == 4 for token in tokens)
    await s3.call("rename_object", Bucket="b", Key="k", RenameSource="b/x", ClientToken="mine")
    assert server.last.headers["x-amz-client-token"] == "mine"


async def test_members_sharing_an_element_name_are_both_filled(s3: Driver, server: Server) -> None:
    """botocore fills ``Event`` and ``Events`` (a flattened list of ``Event``) from the same elements."""
    body = (
        f"<NotificationConfiguration {NS}><TopicConfiguration><Id>t</Id><Event>s3:ObjectCreated:*</Event>"
        "<Event>s3:ObjectRemoved:*</Event><Topic>arn</Topic></TopicConfiguration></NotificationConfiguration>"
    ).encode()
    server.reply(200, {}, body)
    result = await s3.call("get_bucket_notification", Bucket="b")
    assert result["TopicConfiguration"] == {
        "Id": "t",
        "Event": "s3:ObjectCreated:*",
        "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
        "Topic": "arn",
    }


async def test_a_grantee_type_is_read_from_its_namespaced_attribute_only(s3: Driver, server: Server) -> None:
    acl = (
        f'<AccessControlPolicy {NS}><AccessControlList><Grant><Grantee type="Group"><URI>u</URI></Grantee>'
        '</Grant><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">'
        "<URI>u</URI></Grantee></Grant></AccessControlList></AccessControlPolicy>"
    ).encode()
    server.reply(200, {}, acl)
    grants = (await s3.call("get_bucket_acl", Bucket="b"))["Grants"]
    assert [grant["Grantee"] for grant in grants] == [{"URI": "u"}, {"URI": "u", "Type": "Group"}]
