"""issue 9's end-to-end scenario for the operations people use daily, written once against boto3's API.

``tests/test_e2e_all_ops.py`` (moto's server, default run) and ``tests/test_rgw_all_ops.py`` (Ceph RGW,
opt-in) subclass :class:`AllOps` and provide its fixtures. Every test runs on four flavours:

* ``botocore``: a botocore client. It validates the scenario itself (that the calls are boto3's and the
  server answers them) and the comparison below (that two botocore calls on the same state compare
  equal); it is cheap, so it stays as a cross-check;
* ``sync``: ``s3lite.Client``; ``asyncio`` and ``trio``: ``s3lite.AsyncClient`` on that event loop.

Each read is compared with botocore's answer to the same call on the same server state (the *oracle*,
a second botocore client): :func:`comparable` drops only what differs from one request to the next
(request ids, ``Date``, the hop-by-hop ``Connection`` header). Each write is checked through reads,
and through concrete expectations computed from what was sent (key sets, counts, S3's order).

The botocore flavour runs the same scenario as a cross-check of the scenario itself.

Keys (:func:`awkward_keys`): spaces (leading, doubled, trailing), ``+``, ``%`` and ``%41``-like escapes,
``?``, ``#``, ``&``, ``=``, ``<>``, quotes, backslash, ``//``, ``./`` and ``../`` segments, trailing ``/``
("folder" markers), a key ``/``, NBSP, combining marks next to their precomposed twin, a ligature,
CJK and an astral-plane emoji. No control characters: XML 1.0 cannot carry U+0000-U+001F (bar tab,
LF, CR, and a parser turns CR into LF), so a listing without ``EncodingType=url`` could not return
them; they are left out rather than tested only half.
"""

from __future__ import annotations

import hashlib
import inspect
import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar, Literal
from urllib.parse import unquote, unquote_plus

import anyio
import anyio.to_thread
import pytest
from botocore.exceptions import ClientError as BotocoreClientError  # type: ignore[import-untyped]
from botocore.exceptions import WaiterError as BotocoreWaiterError
from drivers import Driver

import s3lite

Flavour = Literal["botocore", "sync", "asyncio", "trio"]
FLAVOURS: tuple[Flavour, ...] = ("botocore", "sync", "asyncio", "trio")

#: what a refused request raises, in s3lite and in botocore (both carry botocore's ``response`` dict)
CLIENT_ERRORS: tuple[type[Exception], ...] = (s3lite.ClientError, BotocoreClientError)
#: what a waiter that gives up raises (s3lite's class once it exists)
WAITER_ERRORS: tuple[type[Exception], ...] = tuple(
    error for error in (getattr(s3lite, "WaiterError", None), BotocoreWaiterError) if error is not None
)
#: response headers that differ between two requests for the same thing
PER_REQUEST_HEADERS = frozenset({"date", "x-amz-request-id", "x-amzn-requestid", "x-amz-id-2", "connection"})


def anyio_backend_of(flavour: Flavour) -> str:
    return "trio" if flavour == "trio" else "asyncio"


def unique_bucket(prefix: str = "ops") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


@dataclass(frozen=True)
class Server:
    """What the server under test does where it differs from AWS (each field says what AWS does)."""

    name: str
    #: a LocationConstraint CreateBucket accepts besides none, as GetBucketLocation then reports it
    location: str
    #: GetBucketLocation of a bucket created without a configuration (AWS us-east-1: empty, None in boto3)
    default_location: str | None
    #: ListBuckets sorts by name (AWS); moto lists in creation order
    buckets_sorted: bool = True
    #: DeleteObjects with Quiet=True lists only the errors (AWS); moto ignores Quiet
    quiet_delete: bool = True
    #: ListMultipartUploads honours MaxUploads, KeyMarker/UploadIdMarker and Delimiter (AWS); moto ignores them
    upload_listing_paging: bool = True
    #: ListMultipartUploads with a Delimiter lists the rolled-up CommonPrefixes (AWS); RGW leaves them out
    upload_common_prefixes: bool = True
    #: GetObjectAttributes returns ObjectParts.TotalPartsCount for a multipart object (AWS); moto leaves it out
    object_parts: bool = True
    #: GetBucketLifecycleConfiguration returns the rules as they were put (AWS); RGW sorts and rewrites them
    lifecycle_as_sent: bool = True
    #: ListObjects (v1) encodes CommonPrefixes under EncodingType=url and counts them in MaxKeys (AWS);
    #: moto does neither
    list_objects_v1: bool = True
    #: ListObjects (v1) sends NextMarker only with a Delimiter (AWS); moto and RGW send it always
    next_marker_always: bool = False
    #: DeleteObjects lists Deleted in the request's order (AWS, moto); RGW in the order its workers finish
    ordered_deletes: bool = True
    #: DeleteObject of a delete marker (by VersionId) answers x-amz-delete-marker: true (AWS); moto does not
    marker_removal_flagged: bool = True
    #: under EncodingType=url the echoed Prefix, ListObjects' NextMarker and ListObjectVersions'
    #: NextKeyMarker come URL-encoded too (AWS). RGW 16.2 sends them raw and boto3 decodes them anyway
    #: (unquote_plus: "%25" becomes "%", "+" a space): a ListObjects paginator then resumes at the wrong
    #: key and ListObjectVersions paging past a key with "+" repeats a page forever, in boto3 as well.
    #: There the results are only compared with botocore's, and versioned keys avoid "+" and "%"
    echoes_encoded: bool = True
    #: ListParts' error code for an aborted upload (AWS: NoSuchUpload; RGW 16.2: NoSuchKey)
    aborted_upload_code: str = "NoSuchUpload"


# -- keys -----------------------------------------------------------------------------------------

#: first path segments: every listing with Delimiter="/" rolls the keys below them into these
TOPS = (
    "plain/",
    "with space/",
    "plus+sign/",
    "pct%25/",
    "pct%/",
    "q?mark/",
    "hash#frag/",
    "amp&amp;/",
    "<angle>/",
    "quo\"te'/",
    "unicodé/",
    "e\u0301/",
    "中文/",
    "😀/",
    "/",
    "~*()!$,;=:@/",
)
SUBS = ("", "sub dir/", "a//", "./", "../", "x+y%20z/")
LEAVES = (
    "obj",
    "sp ace",
    "+plus",
    "%41",
    "%",
    "?q=1&r=2",
    "#h",
    "é",
    "e\u0301",
    "\u00a0nbsp",
    "ﬁ",
    "[]{}|^`\\",
    "<&>\"'",
    "  two",
    "日本語",
    "😀",
    ".",
    "..",
    "-_.~",
)
ENDS = ("", "/", " ", ".txt", "//")


def awkward_keys(count: int) -> list[str]:
    """``count`` distinct URL- and XML-hostile keys in S3's listing order (UTF-8 byte order, which is
    code point order, which is how Python sorts ``str``). The first ``len(TOPS)`` are the TOPS
    themselves, as objects ("folder markers" with a trailing slash); about one in 37 has no slash."""
    keys = list(TOPS[:count])
    for i in range(count - len(keys)):
        leaf = LEAVES[i % len(LEAVES)]
        if i % 37 == 0:
            keys.append(f"root {leaf}{i:04d}")
            continue
        top, sub, end = TOPS[i % len(TOPS)], SUBS[(i // 3) % len(SUBS)], ENDS[(i // 7) % len(ENDS)]
        keys.append(f"{top}{sub}{leaf}{i:04d}{end}")
    assert len(set(keys)) == count
    return sorted(keys)


def rolled_up(keys: Iterable[str], prefix: str = "", delimiter: str = "/") -> list[tuple[str, str]]:
    """What a listing with Prefix and Delimiter returns, in order: ``("key", k)`` for the keys with no
    delimiter after the prefix and ``("prefix", p)`` for each common prefix (counted once, where its
    first key would be)."""
    entries: list[tuple[str, str]] = []
    for key in sorted(keys):
        if not key.startswith(prefix):
            continue
        cut = key.find(delimiter, len(prefix))
        entry = ("key", key) if cut < 0 else ("prefix", key[: cut + len(delimiter)])
        if not entries or entries[-1] != entry:
            entries.append(entry)
    return entries


def entries_of(page: dict[str, Any]) -> list[tuple[str, str]]:
    """A ListObjects(V2) page's Contents and CommonPrefixes merged in S3's order."""
    items = [("key", item["Key"]) for item in page.get("Contents", [])]
    items += [("prefix", item["Prefix"]) for item in page.get("CommonPrefixes", [])]
    return sorted(items, key=lambda entry: entry[1])


def keys_of(result: dict[str, Any], member: str = "Contents") -> list[str]:
    return [item["Key"] for item in result.get(member, [])]


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


# -- comparing with botocore ------------------------------------------------------------------------


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    """A result (or an error's ``response``) without what differs between two requests for the same
    thing: request ids, Date and Connection headers, retry counts. Everything else, LastModified
    included, is the server's state and must be equal."""
    out = {key: value for key, value in result.items() if key not in ("ResponseMetadata", "Body")}
    if "ResponseMetadata" in result:
        metadata = result["ResponseMetadata"]
        out["ResponseMetadata"] = {
            "HTTPStatusCode": metadata["HTTPStatusCode"],
            "HTTPHeaders": {k: v for k, v in metadata["HTTPHeaders"].items() if k not in PER_REQUEST_HEADERS},
        }
    if "Error" in out:
        out["Error"] = {key: value for key, value in out["Error"].items() if key not in ("RequestId", "HostId")}
    return out


def status(result: dict[str, Any]) -> int:
    code: int = result["ResponseMetadata"]["HTTPStatusCode"]
    return code


class Oracle:
    """botocore on the same server: the answer to expect from the same call on the same state.

    ``memo=True`` reuses an earlier identical call's answer: only for state no test changes (the
    listing bucket), where it saves each flavour re-asking botocore for the same 1,200 keys."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._memo: dict[str, Any] = {}

    def _remembered(self, memo: bool, what: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        if not memo:
            return compute()
        key = json.dumps(what, sort_keys=True, default=repr)
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def call(self, method: str, /, *, memo: bool = False, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._remembered(
            memo, ("call", method, params), lambda: getattr(self.client, method)(**params)
        )
        return result

    def error(self, method: str, /, **params: Any) -> dict[str, Any]:
        with pytest.raises(BotocoreClientError) as caught:
            getattr(self.client, method)(**params)
        response: dict[str, Any] = caught.value.response
        return response

    def pages(self, operation: str, /, *, memo: bool = False, **params: Any) -> list[dict[str, Any]]:
        pages: list[dict[str, Any]] = self._remembered(
            memo, ("pages", operation, params), lambda: list(self.client.get_paginator(operation).paginate(**params))
        )
        return pages

    def full_result(self, operation: str, /, *, memo: bool = False, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._remembered(
            memo,
            ("full", operation, params),
            lambda: self.client.get_paginator(operation).paginate(**params).build_full_result(),
        )
        return result


# -- one scenario, four flavours --------------------------------------------------------------------


_SESSIONS: list[Any] = []


def botocore_client(options: dict[str, Any]) -> Any:
    """A botocore client from s3lite's constructor arguments (endpoint, region, credentials); one
    session for all, so the S3 model is loaded once."""
    import botocore.session  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    if not _SESSIONS:
        _SESSIONS.append(botocore.session.get_session())
    return _SESSIONS[0].create_client(
        "s3",
        region_name=options["region_name"],
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["aws_access_key_id"],
        aws_secret_access_key=options["aws_secret_access_key"],
        config=Config(request_checksum_calculation="when_required", response_checksum_validation="when_required"),
    )


class ScenarioDriver(Driver):
    """:class:`drivers.Driver` for one flavour, plus paginators, waiters and expected errors."""

    def __init__(self, flavour: Flavour, **options: Any) -> None:
        self.flavour = flavour
        if flavour == "botocore":
            self.kind = "sync"
            self.client = botocore_client(options)
        else:
            super().__init__("sync" if flavour == "sync" else "async", **options)

    def __repr__(self) -> str:
        return f"<ScenarioDriver {self.flavour}>"

    async def error(self, method: str, /, **params: Any) -> dict[str, Any]:
        """The ``response`` of the ClientError the call raises."""
        with pytest.raises(CLIENT_ERRORS) as caught:
            await self.call(method, **params)
        response: dict[str, Any] = caught.value.response  # type: ignore[attr-defined]
        return response

    def _paginate(self, operation: str, params: dict[str, Any]) -> Any:
        return self.client.get_paginator(operation).paginate(**params)

    async def pages(self, operation: str, /, **params: Any) -> list[dict[str, Any]]:
        """``list(client.get_paginator(operation).paginate(**params))``; ``async for`` on AsyncClient."""
        iterator = self._paginate(operation, params)
        if self.kind == "async":
            return [page async for page in iterator]
        pages: list[dict[str, Any]] = await anyio.to_thread.run_sync(list, iterator)
        return pages

    async def full_result(self, operation: str, /, **params: Any) -> dict[str, Any]:
        """``paginate(**params).build_full_result()`` (awaited on AsyncClient if it returns an awaitable)."""
        iterator = self._paginate(operation, params)
        if self.kind == "async":
            result = iterator.build_full_result()
            return await result if inspect.isawaitable(result) else result  # type: ignore[no-any-return]
        full: dict[str, Any] = await anyio.to_thread.run_sync(iterator.build_full_result)
        return full

    async def wait(self, name: str, /, **params: Any) -> None:
        """``client.get_waiter(name).wait(**params)``, awaited on AsyncClient."""
        await self._run(self.client.get_waiter(name).wait, **params)


async def same(
    s3: ScenarioDriver, oracle: Oracle, method: str, /, *, memo: bool = False, **params: Any
) -> dict[str, Any]:
    """Our result of ``method(**params)``, asserted equal to botocore's for the same call, made just after."""
    ours = await s3.call(method, **params)
    theirs = oracle.call(method, memo=memo, **params)
    assert comparable(ours) == comparable(theirs), f"{s3.flavour} {method} differs from botocore's"
    return ours


async def same_error(s3: ScenarioDriver, oracle: Oracle, method: str, /, **params: Any) -> dict[str, Any]:
    """The error ``method(**params)`` raises, asserted equal to the one botocore gets."""
    ours = await s3.error(method, **params)
    assert comparable(ours) == comparable(oracle.error(method, **params)), f"{s3.flavour} {method} error differs"
    return ours


async def same_download(s3: ScenarioDriver, oracle: Oracle, **params: Any) -> bytes:
    """GetObject's result (equal to botocore's) and whole body (equal to botocore's)."""
    ours = await s3.call("get_object", **params)
    body = await s3.read(ours["Body"])
    theirs = oracle.call("get_object", **params)
    assert comparable(ours) == comparable(theirs)
    assert body == theirs["Body"].read()
    return body


#: how each paged operation asks for the page after ``page``
NEXT_PAGE: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "list_objects_v2": lambda page: {"ContinuationToken": page["NextContinuationToken"]},
    "list_multipart_uploads": lambda page: {
        "KeyMarker": page["NextKeyMarker"],
        "UploadIdMarker": page["NextUploadIdMarker"],
    },
    "list_parts": lambda page: {"PartNumberMarker": page["NextPartNumberMarker"]},
    "list_object_versions": lambda page: {
        "KeyMarker": page["NextKeyMarker"],
        "VersionIdMarker": page["NextVersionIdMarker"],
    },
}


async def same_pages(
    s3: ScenarioDriver, oracle: Oracle, method: str, /, *, memo: bool = False, limit: int = 20, **params: Any
) -> list[dict[str, Any]]:
    """Every page of ``method``, following the tokens by hand, each page equal to botocore's for the
    same request. At most ``limit`` pages: a server whose markers do not advance fails, not hangs."""
    pages = []
    for _ in range(limit):
        page = await same(s3, oracle, method, memo=memo, **params)
        pages.append(page)
        if not page["IsTruncated"]:
            return pages
        params = {**params, **NEXT_PAGE[method](page)}
    raise AssertionError(f"{method} still truncated after {limit} pages: {params}")


def populate(client: Any, bucket: str, keys: Iterable[str], *, workers: int = 1) -> None:
    """Empty objects under ``keys`` (set-up, with botocore; ``workers`` PUTs at a time, for a server
    whose PUT waits on its disk rather than on this process's CPU, like RGW's)."""
    with ThreadPoolExecutor(workers) as pool:
        for put in [pool.submit(client.put_object, Bucket=bucket, Key=key, Body=b"") for key in keys]:
            put.result()


@dataclass(frozen=True)
class Listing:
    """A bucket holding ``keys`` (sorted) that no test changes."""

    bucket: str
    keys: list[str]


# -- the tests ---------------------------------------------------------------------------------------


class AllOps:
    """The scenario. A subclass sets ``server`` and its module provides the fixtures: ``s3`` (a
    :class:`ScenarioDriver` per flavour), ``oracle`` (module-wide :class:`Oracle`), ``bucket`` (a new
    empty bucket), ``listing`` (:class:`Listing` of 1,200 :func:`awkward_keys`, module-wide) and
    ``doomed`` (``(bucket, keys)``: a bucket of its own holding 1,000 or more awkward keys)."""

    server: ClassVar[Server]

    # -- buckets ------------------------------------------------------------------------------

    async def test_buckets(self, s3: ScenarioDriver, oracle: Oracle) -> None:
        name, placed = unique_bucket(), unique_bucket()
        created = await s3.call("create_bucket", Bucket=name)
        assert status(created) == 200
        configuration = {"LocationConstraint": self.server.location}
        assert status(await s3.call("create_bucket", Bucket=placed, CreateBucketConfiguration=configuration)) == 200

        await same(s3, oracle, "head_bucket", Bucket=name)
        await same(s3, oracle, "head_bucket", Bucket=placed)
        location = await same(s3, oracle, "get_bucket_location", Bucket=name)
        assert location["LocationConstraint"] == self.server.default_location
        location = await same(s3, oracle, "get_bucket_location", Bucket=placed)
        assert location["LocationConstraint"] == self.server.location

        listed = await same(s3, oracle, "list_buckets")
        names = [item["Name"] for item in listed["Buckets"]]
        assert {name, placed} <= set(names)
        if self.server.buckets_sorted:
            assert names == sorted(names)

        for gone in (placed, name):
            assert status(await s3.call("delete_bucket", Bucket=gone)) == 204
        error = await same_error(s3, oracle, "head_bucket", Bucket=placed)
        assert error["Error"] == {"Code": "404", "Message": "Not Found"}, "HEAD errors have no body: code = status"
        error = await same_error(s3, oracle, "delete_bucket", Bucket=name)
        assert (status(error), error["Error"]["Code"]) == (404, "NoSuchBucket")
        listed = await same(s3, oracle, "list_buckets")
        assert not {name, placed} & {item["Name"] for item in listed["Buckets"]}

    # -- listing 1,200 keys ------------------------------------------------------------------

    async def test_list_objects_v2_pages(self, s3: ScenarioDriver, oracle: Oracle, listing: Listing) -> None:
        """ContinuationToken paging over everything; boto3 shows the keys decoded (it asked for
        EncodingType=url itself)."""
        pages = await same_pages(s3, oracle, "list_objects_v2", memo=True, Bucket=listing.bucket, MaxKeys=500)
        assert [(page["KeyCount"], len(page["Contents"])) for page in pages] == [(500, 500), (500, 500), (200, 200)]
        assert [key for page in pages for key in keys_of(page)] == listing.keys
        assert "NextContinuationToken" not in pages[-1]

    async def test_list_objects_v2_encoding_type_url(
        self, s3: ScenarioDriver, oracle: Oracle, listing: Listing
    ) -> None:
        """A caller who asks for EncodingType=url gets the keys as S3 sent them, URL-encoded (boto3
        decodes only when it added the parameter itself); with MaxKeys=1000 and StartAfter."""
        start = listing.keys[99]
        page = await same(
            s3, oracle, "list_objects_v2", memo=True, Bucket=listing.bucket, EncodingType="url", StartAfter=start
        )
        keys = keys_of(page)
        assert [unquote(key) for key in keys] == listing.keys[100:1100]
        assert keys != listing.keys[100:1100], "the keys came URL-encoded"
        assert (page["IsTruncated"], page["KeyCount"], page["EncodingType"]) == (True, 1000, "url")

        rolled = await same(
            s3, oracle, "list_objects_v2", memo=True, Bucket=listing.bucket, Delimiter="/", EncodingType="url"
        )
        decoded = sorted(((kind, unquote(name)) for kind, name in entries_of(rolled)), key=lambda entry: entry[1])
        assert decoded == rolled_up(listing.keys)

    async def test_list_objects_v2_delimiter_and_prefix(
        self, s3: ScenarioDriver, oracle: Oracle, listing: Listing
    ) -> None:
        top = await same(s3, oracle, "list_objects_v2", memo=True, Bucket=listing.bucket, Delimiter="/")
        assert entries_of(top) == rolled_up(listing.keys)
        assert [item["Prefix"] for item in top["CommonPrefixes"]] == sorted(TOPS)
        assert top["KeyCount"] == len(rolled_up(listing.keys))

        for prefix in ("pct%25/", "😀/", "with space/"):
            page = await same(
                s3, oracle, "list_objects_v2", memo=True, Bucket=listing.bucket, Prefix=prefix, Delimiter="/"
            )
            expected = rolled_up(listing.keys, prefix)
            assert entries_of(page) == expected
            assert ("key", prefix) in expected, "the folder marker is listed under its own prefix"
            echoed = prefix if self.server.echoes_encoded else unquote_plus(prefix)
            assert (page["Prefix"], page["Delimiter"]) == (echoed, "/")

        # a page of MaxKeys counts keys and common prefixes alike
        pages = await same_pages(
            s3, oracle, "list_objects_v2", memo=True, Bucket=listing.bucket, Delimiter="/", MaxKeys=13
        )
        assert all(len(entries_of(page)) == page["KeyCount"] <= 13 for page in pages)
        assert [entry for page in pages for entry in entries_of(page)] == rolled_up(listing.keys)

    async def test_list_objects_v2_start_after(self, s3: ScenarioDriver, oracle: Oracle, listing: Listing) -> None:
        prefix = "q?mark/"
        under = [key for key in listing.keys if key.startswith(prefix)]
        start = under[5]
        page = await same(
            s3, oracle, "list_objects_v2", memo=True, Bucket=listing.bucket, Prefix=prefix, StartAfter=start, MaxKeys=7
        )
        assert keys_of(page) == under[6:13]
        assert page["IsTruncated"] is True
        empty = await same(s3, oracle, "list_objects_v2", memo=True, Bucket=listing.bucket, StartAfter=listing.keys[-1])
        assert (empty["KeyCount"], empty["IsTruncated"], "Contents" in empty) == (0, False, False)

    async def test_list_objects_v1(self, s3: ScenarioDriver, oracle: Oracle, listing: Listing) -> None:
        """ListObjects (v1): Marker and, with a Delimiter, NextMarker (decoded like the keys)."""
        page = await same(
            s3, oracle, "list_objects", memo=True, Bucket=listing.bucket, Marker=listing.keys[9], MaxKeys=300
        )
        assert keys_of(page) == listing.keys[10:310]
        rolled = await same(s3, oracle, "list_objects", memo=True, Bucket=listing.bucket, Delimiter="/", MaxKeys=10)
        if self.server.list_objects_v1:
            assert entries_of(rolled) == rolled_up(listing.keys)[:10]
            assert rolled["NextMarker"] == entries_of(rolled)[-1][1]

    async def test_list_objects_v2_paginator(self, s3: ScenarioDriver, oracle: Oracle, listing: Listing) -> None:
        params: dict[str, Any] = {"Bucket": listing.bucket, "PaginationConfig": {"PageSize": 400}}
        pages = await s3.pages("list_objects_v2", **params)
        assert [comparable(page) for page in pages] == [
            comparable(page) for page in oracle.pages("list_objects_v2", memo=True, **params)
        ]
        assert [len(page["Contents"]) for page in pages] == [400, 400, 400]
        assert [key for page in pages for key in keys_of(page)] == listing.keys

        full = await s3.full_result("list_objects_v2", Bucket=listing.bucket)
        assert full == oracle.full_result("list_objects_v2", memo=True, Bucket=listing.bucket)
        assert keys_of(full) == listing.keys

        prefix = "with space/"
        rolled: dict[str, Any] = {
            "Bucket": listing.bucket,
            "Prefix": prefix,
            "Delimiter": "/",
            "PaginationConfig": {"PageSize": 5},
        }
        full = await s3.full_result("list_objects_v2", **rolled)
        assert full == oracle.full_result("list_objects_v2", memo=True, **rolled)
        assert entries_of(full) == rolled_up(listing.keys, prefix)

        # MaxItems stops part-way with botocore's NextToken, which resumes either client
        first: dict[str, Any] = {"Bucket": listing.bucket, "PaginationConfig": {"MaxItems": 250, "PageSize": 100}}
        head = await s3.full_result("list_objects_v2", **first)
        assert head == oracle.full_result("list_objects_v2", memo=True, **first)
        assert keys_of(head) == listing.keys[:250] and head["NextToken"]
        rest: dict[str, Any] = {
            "Bucket": listing.bucket,
            "PaginationConfig": {"MaxItems": 300, "StartingToken": head["NextToken"]},
        }
        tail = await s3.full_result("list_objects_v2", **rest)
        assert tail == oracle.full_result("list_objects_v2", memo=True, **rest)
        assert keys_of(tail) == listing.keys[250:550]

    async def test_list_objects_paginator(self, s3: ScenarioDriver, oracle: Oracle, listing: Listing) -> None:
        """ListObjects (v1) has no NextMarker without a Delimiter: the paginator resumes after the last key."""
        params: dict[str, Any] = {"Bucket": listing.bucket, "PaginationConfig": {"PageSize": 500}}
        pages = await s3.pages("list_objects", **params)
        assert [comparable(page) for page in pages] == [
            comparable(page) for page in oracle.pages("list_objects", memo=True, **params)
        ]
        if self.server.echoes_encoded:
            assert [key for page in pages for key in keys_of(page)] == listing.keys
        if not self.server.next_marker_always:
            assert not any("NextMarker" in page for page in pages)

    # -- deleting ------------------------------------------------------------------------------

    async def test_delete_objects_then_delete_object(
        self, s3: ScenarioDriver, oracle: Oracle, doomed: tuple[str, list[str]]
    ) -> None:
        """DeleteObjects of up to 1,000 keys (the request's maximum), verbose then quiet, then DeleteObject.
        Deleting an absent key succeeds in S3, so botocore repeating our request right after must get
        the very same answer."""
        bucket, keys = doomed
        batch, rest = keys[:-5], keys[-5:]
        request: dict[str, Any] = {"Bucket": bucket, "Delete": {"Objects": [{"Key": key} for key in batch]}}
        deleted = await s3.call("delete_objects", **request)
        assert sorted(item["Key"] for item in deleted["Deleted"]) == batch
        assert "Errors" not in deleted
        again = oracle.call("delete_objects", **request)
        if not self.server.ordered_deletes:
            deleted, again = ({**result, "Deleted": sorted(result["Deleted"], key=str)} for result in (deleted, again))
        assert comparable(deleted) == comparable(again)

        quiet: dict[str, Any] = {
            "Bucket": bucket,
            "Delete": {"Objects": [{"Key": key} for key in [*rest[:3], "never existed"]], "Quiet": True},
        }
        answer = await s3.call("delete_objects", **quiet)
        assert "Errors" not in answer
        if self.server.quiet_delete:
            assert "Deleted" not in answer
        assert comparable(answer) == comparable(oracle.call("delete_objects", **quiet))

        one = await s3.call("delete_object", Bucket=bucket, Key=rest[3])
        assert status(one) == 204
        assert comparable(one) == comparable(oracle.call("delete_object", Bucket=bucket, Key=rest[3]))
        remaining = await same(s3, oracle, "list_objects_v2", Bucket=bucket)
        assert keys_of(remaining) == [rest[4]]

    # -- multipart uploads ---------------------------------------------------------------------

    async def _uploads(self, s3: ScenarioDriver, bucket: str) -> list[tuple[str, str]]:
        keys = ["mp/a b", "mp/a b", "mp/c+d%", "mp/é/x", "mp/é/x", "top ?#"]
        return [(key, (await s3.call("create_multipart_upload", Bucket=bucket, Key=key))["UploadId"]) for key in keys]

    async def _parts(self, s3: ScenarioDriver, bucket: str, key: str, upload_id: str) -> list[tuple[int, str, int]]:
        parts = []
        for number in range(1, 6):
            data = b"part %d " % number * number
            etag = (
                await s3.call("upload_part", Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data)
            )["ETag"]
            assert etag == f'"{md5_hex(data)}"'
            parts.append((number, etag, len(data)))
        return parts

    async def test_multipart_uploads_listed_and_aborted(self, s3: ScenarioDriver, oracle: Oracle, bucket: str) -> None:
        uploads = await self._uploads(s3, bucket)
        everything = await same(s3, oracle, "list_multipart_uploads", Bucket=bucket)
        listed = [(item["Key"], item["UploadId"]) for item in everything["Uploads"]]
        assert sorted(listed) == sorted(uploads)

        pages = await same_pages(s3, oracle, "list_multipart_uploads", Bucket=bucket, MaxUploads=2)
        assert [(item["Key"], item["UploadId"]) for page in pages for item in page.get("Uploads", [])] == listed
        if self.server.upload_listing_paging:
            assert [len(page["Uploads"]) for page in pages] == [2, 2, 2]
            assert [key for key, _ in listed] == sorted(key for key, _ in uploads), "sorted by key"

        rolled = await same(s3, oracle, "list_multipart_uploads", Bucket=bucket, Prefix="mp/", Delimiter="/")
        if self.server.upload_listing_paging:
            if self.server.upload_common_prefixes:
                assert [item["Prefix"] for item in rolled["CommonPrefixes"]] == ["mp/é/"]
            assert keys_of(rolled, "Uploads") == ["mp/a b", "mp/a b", "mp/c+d%"]

        key, upload_id = uploads[2]
        parts = await self._parts(s3, bucket, key, upload_id)
        pages = await same_pages(s3, oracle, "list_parts", Bucket=bucket, Key=key, UploadId=upload_id, MaxParts=2)
        assert [len(page["Parts"]) for page in pages] == [2, 2, 1]
        assert [page["NextPartNumberMarker"] for page in pages[:2]] == [2, 4]
        assert [(part["PartNumber"], part["ETag"], part["Size"]) for page in pages for part in page["Parts"]] == parts

        for key, upload_id in uploads:
            aborted = await s3.call("abort_multipart_upload", Bucket=bucket, Key=key, UploadId=upload_id)
            assert status(aborted) == 204
        assert "Uploads" not in await same(s3, oracle, "list_multipart_uploads", Bucket=bucket)
        error = await same_error(s3, oracle, "list_parts", Bucket=bucket, Key=key, UploadId=upload_id)
        assert (status(error), error["Error"]["Code"]) == (404, self.server.aborted_upload_code)
        error = await same_error(s3, oracle, "abort_multipart_upload", Bucket=bucket, Key=key, UploadId=upload_id)
        assert (status(error), error["Error"]["Code"]) == (404, "NoSuchUpload")

    async def test_multipart_paginators(self, s3: ScenarioDriver, oracle: Oracle, bucket: str) -> None:
        uploads = await self._uploads(s3, bucket)
        key, upload_id = uploads[0]
        parts = await self._parts(s3, bucket, key, upload_id)

        params: dict[str, Any] = {"Bucket": bucket, "PaginationConfig": {"PageSize": 2}}
        pages = await s3.pages("list_multipart_uploads", **params)
        assert [comparable(page) for page in pages] == [
            comparable(page) for page in oracle.pages("list_multipart_uploads", **params)
        ]
        full = await s3.full_result("list_multipart_uploads", **params)
        assert full == oracle.full_result("list_multipart_uploads", **params)
        assert sorted((item["Key"], item["UploadId"]) for item in full["Uploads"]) == sorted(uploads)
        if self.server.upload_listing_paging:
            assert [len(page["Uploads"]) for page in pages] == [2, 2, 2]

        request: dict[str, Any] = {
            "Bucket": bucket,
            "Key": key,
            "UploadId": upload_id,
            "PaginationConfig": {"PageSize": 2},
        }
        pages = await s3.pages("list_parts", **request)
        assert [comparable(page) for page in pages] == [
            comparable(page) for page in oracle.pages("list_parts", **request)
        ]
        assert [len(page["Parts"]) for page in pages] == [2, 2, 1]
        full = await s3.full_result("list_parts", **request)
        assert full == oracle.full_result("list_parts", **request)
        assert [(part["PartNumber"], part["ETag"], part["Size"]) for part in full["Parts"]] == parts

        some: dict[str, Any] = {**request, "PaginationConfig": {"PageSize": 2, "MaxItems": 3}}
        head = await s3.full_result("list_parts", **some)
        assert head == oracle.full_result("list_parts", **some)
        assert [part["PartNumber"] for part in head["Parts"]] == [1, 2, 3] and head["NextToken"]

    # -- tagging -------------------------------------------------------------------------------

    async def test_object_tagging(self, s3: ScenarioDriver, oracle: Oracle, bucket: str) -> None:
        """Tagging on PutObject (a URL-encoded query string), then Put/Get/DeleteObjectTagging. Tag
        characters are AWS's allowed set (letters, digits, space, ``+ - = . _ : / @``)."""
        key = "tagged é+%/?#obj"
        await s3.call(
            "put_object", Bucket=bucket, Key=key, Body=b"tagged", Tagging="project=s3lite&note=two%20words%2B%2F"
        )
        tags = await same(s3, oracle, "get_object_tagging", Bucket=bucket, Key=key)
        assert sorted(tags["TagSet"], key=str) == sorted(
            [{"Key": "project", "Value": "s3lite"}, {"Key": "note", "Value": "two words+/"}], key=str
        )
        got = await s3.call("get_object", Bucket=bucket, Key=key)
        assert (got["TagCount"], await s3.read(got["Body"])) == (2, b"tagged")

        tag_set = [{"Key": "env", "Value": "a b+c-d=e.f_g:h/i@j"}, {"Key": "empty", "Value": ""}]
        put = await s3.call("put_object_tagging", Bucket=bucket, Key=key, Tagging={"TagSet": tag_set})
        assert status(put) == 200
        tags = await same(s3, oracle, "get_object_tagging", Bucket=bucket, Key=key)
        assert sorted(tags["TagSet"], key=str) == sorted(tag_set, key=str)

        assert status(await s3.call("delete_object_tagging", Bucket=bucket, Key=key)) == 204
        assert (await same(s3, oracle, "get_object_tagging", Bucket=bucket, Key=key))["TagSet"] == []

    # -- versioning ----------------------------------------------------------------------------

    async def _versions(self, s3: ScenarioDriver, bucket: str, key: str) -> tuple[list[str], str, str]:
        """Versioning on; three versions of ``key``, one of "other key", then a delete marker on ``key``."""
        await s3.call("put_bucket_versioning", Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        ids = [
            (await s3.call("put_object", Bucket=bucket, Key=key, Body=body))["VersionId"]
            for body in (b"v1", b"v2 x", b"v3")
        ]
        other = (await s3.call("put_object", Bucket=bucket, Key="other key", Body=b"o"))["VersionId"]
        marker = await s3.call("delete_object", Bucket=bucket, Key=key)
        assert (marker["DeleteMarker"], status(marker)) == (True, 204)
        return ids, other, marker["VersionId"]

    async def test_versioning(self, s3: ScenarioDriver, oracle: Oracle, bucket: str) -> None:
        key = "versioned é+%" if self.server.echoes_encoded else "versioned é"
        ids, other, marker = await self._versions(s3, bucket, key)
        assert len({*ids, other, marker}) == 5
        assert (await same(s3, oracle, "get_bucket_versioning", Bucket=bucket))["Status"] == "Enabled"

        listed = await same(s3, oracle, "list_object_versions", Bucket=bucket)
        assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [
            ("other key", other, True),
            (key, ids[2], False),
            (key, ids[1], False),
            (key, ids[0], False),
        ], "by key, newest first"
        assert [(m["Key"], m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(key, marker, True)]

        pages = await same_pages(s3, oracle, "list_object_versions", Bucket=bucket, MaxKeys=2)
        seen = [
            item["VersionId"] for page in pages for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        ]
        assert sorted(seen) == sorted([*ids, other, marker])
        assert len(pages) == 3

        assert await same_download(s3, oracle, Bucket=bucket, Key=key, VersionId=ids[0]) == b"v1"
        hidden = await same_error(s3, oracle, "get_object", Bucket=bucket, Key=key)
        assert (status(hidden), hidden["Error"]["Code"]) == (404, "NoSuchKey")

        unmarked = await s3.call("delete_object", Bucket=bucket, Key=key, VersionId=marker)
        assert unmarked["VersionId"] == marker
        if self.server.marker_removal_flagged:
            assert unmarked["DeleteMarker"] is True
        assert await same_download(s3, oracle, Bucket=bucket, Key=key) == b"v3"

        dropped = await s3.call("delete_object", Bucket=bucket, Key=key, VersionId=ids[0])
        assert (dropped["VersionId"], dropped.get("DeleteMarker", False)) == (ids[0], False)
        listed = await same(s3, oracle, "list_object_versions", Bucket=bucket, Prefix=key)
        assert [item["VersionId"] for item in listed["Versions"]] == [ids[2], ids[1]]
        assert "DeleteMarkers" not in listed
        await same_error(s3, oracle, "get_object", Bucket=bucket, Key=key, VersionId=ids[0])

        await s3.call("put_bucket_versioning", Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
        assert (await same(s3, oracle, "get_bucket_versioning", Bucket=bucket))["Status"] == "Suspended"

    async def test_list_object_versions_paginator(self, s3: ScenarioDriver, oracle: Oracle, bucket: str) -> None:
        """Two result keys (Versions, DeleteMarkers) and two tokens (KeyMarker, VersionIdMarker)."""
        ids, other, marker = await self._versions(s3, bucket, "paged é+%" if self.server.echoes_encoded else "paged é")
        params: dict[str, Any] = {"Bucket": bucket, "PaginationConfig": {"PageSize": 2}}
        pages = await s3.pages("list_object_versions", **params)
        assert [comparable(page) for page in pages] == [
            comparable(page) for page in oracle.pages("list_object_versions", **params)
        ]
        full = await s3.full_result("list_object_versions", **params)
        assert full == oracle.full_result("list_object_versions", **params)
        assert sorted(item["VersionId"] for item in full["Versions"]) == sorted([*ids, other])
        assert [item["VersionId"] for item in full["DeleteMarkers"]] == [marker]

        some: dict[str, Any] = {"Bucket": bucket, "PaginationConfig": {"PageSize": 2, "MaxItems": 2}}
        head = await s3.full_result("list_object_versions", **some)
        assert head == oracle.full_result("list_object_versions", **some)
        rest: dict[str, Any] = {
            "Bucket": bucket,
            "PaginationConfig": {"PageSize": 2, "StartingToken": head["NextToken"]},
        }
        tail = await s3.full_result("list_object_versions", **rest)
        assert tail == oracle.full_result("list_object_versions", **rest)

    # -- object attributes ---------------------------------------------------------------------

    async def test_get_object_attributes(self, s3: ScenarioDriver, oracle: Oracle, bucket: str) -> None:
        attributes = ["ETag", "ObjectSize", "StorageClass", "ObjectParts"]
        data = b"attributes " * 100
        await s3.call("put_object", Bucket=bucket, Key="single é+", Body=data)
        got = await same(
            s3, oracle, "get_object_attributes", Bucket=bucket, Key="single é+", ObjectAttributes=attributes
        )
        assert (got["ETag"], got["ObjectSize"], got["StorageClass"]) == (md5_hex(data), len(data), "STANDARD")
        assert "ObjectParts" not in got, "not a multipart object"

        upload_id = (await s3.call("create_multipart_upload", Bucket=bucket, Key="multi %"))["UploadId"]
        part = await s3.call("upload_part", Bucket=bucket, Key="multi %", UploadId=upload_id, PartNumber=1, Body=data)
        await s3.call(
            "complete_multipart_upload",
            Bucket=bucket,
            Key="multi %",
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
        )
        got = await same(s3, oracle, "get_object_attributes", Bucket=bucket, Key="multi %", ObjectAttributes=attributes)
        assert (got["ETag"], got["ObjectSize"]) == (md5_hex(bytes.fromhex(md5_hex(data))) + "-1", len(data))
        if self.server.object_parts:
            assert got["ObjectParts"]["TotalPartsCount"] == 1

    # -- bucket configuration ------------------------------------------------------------------

    async def test_bucket_policy(self, s3: ScenarioDriver, oracle: Oracle, bucket: str) -> None:
        """The policy goes as the raw body and comes back as a JSON string."""
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["s3:GetObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}/*"],
                }
            ],
        }
        put = await s3.call("put_bucket_policy", Bucket=bucket, Policy=json.dumps(policy))
        assert status(put) in (200, 204)
        got = await same(s3, oracle, "get_bucket_policy", Bucket=bucket)
        assert isinstance(got["Policy"], str) and json.loads(got["Policy"]) == policy
        assert status(await s3.call("delete_bucket_policy", Bucket=bucket)) in (200, 204)
        error = await same_error(s3, oracle, "get_bucket_policy", Bucket=bucket)
        assert (status(error), error["Error"]["Code"]) == (404, "NoSuchBucketPolicy")

    async def test_bucket_lifecycle(self, s3: ScenarioDriver, oracle: Oracle, bucket: str) -> None:
        """PutBucketLifecycleConfiguration requires a body checksum (Content-MD5 unless one is chosen)."""
        rules: list[dict[str, Any]] = [
            {"Expiration": {"Days": 30}, "ID": "expire logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled"},
            {
                "ID": "old versions",
                "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "t", "Value": "1"}]}},
                "Status": "Enabled",
                "NoncurrentVersionExpiration": {"NoncurrentDays": 7},
            },
            {
                "ID": "abort <uploads> & co",
                "Filter": {"Prefix": ""},
                "Status": "Disabled",
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2},
            },
        ]
        put = await s3.call(
            "put_bucket_lifecycle_configuration", Bucket=bucket, LifecycleConfiguration={"Rules": rules}
        )
        assert status(put) == 200
        got = await same(s3, oracle, "get_bucket_lifecycle_configuration", Bucket=bucket)
        if self.server.lifecycle_as_sent:
            assert got["Rules"] == rules
        assert sorted(rule["ID"] for rule in got["Rules"]) == sorted(rule["ID"] for rule in rules)
        assert status(await s3.call("delete_bucket_lifecycle", Bucket=bucket)) == 204
        error = await same_error(s3, oracle, "get_bucket_lifecycle_configuration", Bucket=bucket)
        assert (status(error), error["Error"]["Code"]) == (404, "NoSuchLifecycleConfiguration")

    async def test_bucket_cors(self, s3: ScenarioDriver, oracle: Oracle, bucket: str) -> None:
        rules: list[dict[str, Any]] = [
            {
                "ID": "web & app",
                "AllowedHeaders": ["*"],
                "AllowedMethods": ["GET", "PUT"],
                "AllowedOrigins": ["http://localhost:8080", "https://example.com"],  # RGW keeps a sorted set
                "ExposeHeaders": ["ETag", "x-amz-request-id"],
                "MaxAgeSeconds": 300,
            },
            {"AllowedMethods": ["HEAD"], "AllowedOrigins": ["*"]},
        ]
        put = await s3.call("put_bucket_cors", Bucket=bucket, CORSConfiguration={"CORSRules": rules})
        assert status(put) == 200
        got = await same(s3, oracle, "get_bucket_cors", Bucket=bucket)
        assert got["CORSRules"] == rules
        assert status(await s3.call("delete_bucket_cors", Bucket=bucket)) == 204
        error = await same_error(s3, oracle, "get_bucket_cors", Bucket=bucket)
        assert (status(error), error["Error"]["Code"]) == (404, "NoSuchCORSConfiguration")

    # -- waiters -------------------------------------------------------------------------------

    async def test_waiters(self, s3: ScenarioDriver, oracle: Oracle, bucket: str) -> None:
        """The four S3 waiters; ``object_exists`` while another task creates the object, with the event
        loop free between attempts (no gap between its ticks as long as the Delay)."""
        delay = 0.4
        key = "awaited é+%"
        await s3.wait("bucket_exists", Bucket=bucket, WaiterConfig={"Delay": delay, "MaxAttempts": 2})
        await s3.wait("object_not_exists", Bucket=bucket, Key=key, WaiterConfig={"Delay": delay, "MaxAttempts": 2})

        ticks: list[float] = []
        done = anyio.Event()

        async def tick() -> None:
            while not done.is_set():
                ticks.append(time.monotonic())
                await anyio.sleep(0.01)

        async def put_soon() -> None:
            await anyio.sleep(delay / 2)
            await anyio.to_thread.run_sync(lambda: oracle.call("put_object", Bucket=bucket, Key=key, Body=b"here"))

        started = time.monotonic()
        async with anyio.create_task_group() as group:
            group.start_soon(tick)
            group.start_soon(put_soon)
            await s3.wait("object_exists", Bucket=bucket, Key=key, WaiterConfig={"Delay": delay, "MaxAttempts": 10})
            done.set()
        assert time.monotonic() - started >= delay, "the first attempt found nothing, the waiter slept once"
        assert max(b - a for a, b in itertools.pairwise(ticks)) < delay * 0.75, "the loop was blocked"

        with pytest.raises(WAITER_ERRORS) as gave_up:
            await s3.wait("object_exists", Bucket=bucket, Key="absent", WaiterConfig={"Delay": 0.05, "MaxAttempts": 2})
        assert gave_up.value.last_response["Error"]["Code"] == "404"  # type: ignore[attr-defined]

        oracle.call("delete_object", Bucket=bucket, Key=key)
        await s3.wait("object_not_exists", Bucket=bucket, Key=key, WaiterConfig={"Delay": delay, "MaxAttempts": 2})
        oracle.call("delete_bucket", Bucket=bucket)
        await s3.wait("bucket_not_exists", Bucket=bucket, WaiterConfig={"Delay": delay, "MaxAttempts": 2})
        with pytest.raises(WAITER_ERRORS):
            await s3.wait("bucket_exists", Bucket=bucket, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1})
