"""Paginators as boto3 has them: ``client.get_paginator("list_objects_v2").paginate(Bucket=...)``.

The paging rules live once, in :class:`Pagination`, an I/O-free core: its ``pages()`` generator yields
``Call(operation, params)`` and receives the result dict, and yields ``Page(result)`` for the caller.
:func:`next_page` (sync) and :func:`anext_page` (async) perform those effects with ``client._call``;
:class:`PageIterator` and :class:`AsyncPageIterator` only drive it. The waiters (``_wait.py``) use the
same effects and drivers, with ``Sleep``.

Every rule mirrors botocore's ``botocore/paginate.py`` (``PageIterator.__iter__`` and the methods it
calls), cited where it is implemented. Deliberate differences, each where botocore would raise a bare
exception or do something surprising:

- each iteration starts from the parameters given to ``paginate()`` (botocore's iterator writes the
  last token into them, so iterating twice re-fetches the last page);
- a malformed ``StartingToken`` (a JSON dict whose keys are not the paginator's input tokens, a
  ``boto_truncate_amount`` that is not an int) is a ``ParamValidationError`` before any request;
  botocore raises ``ValueError``/``AttributeError``/``TypeError`` somewhere along the way;
- unknown ``PaginationConfig`` keys are refused (botocore ignores them, so ``MaxItem=`` did nothing);
- ``search()`` (JMESPath over pages) is not offered: s3lite does not depend on ``jmespath``.
"""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Generator, Iterator, Mapping
from typing import Any, NamedTuple, Protocol, TypedDict

from ._errors import ClientError, PaginationError, ParamValidationError

#: a path into a result: member names and list indexes (``("Contents", -1, "Key")``)
Path = tuple[str | int, ...]

#: the keys ``PaginationConfig`` accepts (botocore's ``Paginator._extract_paging_params``)
CONFIG_KEYS = ("MaxItems", "PageSize", "StartingToken")


class PaginationConfigDict(TypedDict, total=False):
    """``PaginationConfig={...}``: stop after MaxItems items, ask PageSize a page, resume at StartingToken."""

    MaxItems: int
    PageSize: int
    StartingToken: str


# -- effects: what the paging and waiting cores ask their driver to do ------------------------------


class Call(NamedTuple):
    """Call ``operation`` with ``params``; send the result dict back (a ``ClientError`` is thrown back)."""

    operation: str
    params: dict[str, Any]


class Sleep(NamedTuple):
    """Wait this many seconds, then resume the flow (``time.sleep`` / ``anyio.sleep``)."""

    seconds: float


class Page(NamedTuple):
    """Hand this page to whoever iterates; resume the flow when the next one is asked for."""

    result: dict[str, Any]


Effect = Call | Sleep | Page


class Stepper:
    """A paging or waiting flow and the outcome of its last effect, which the next step sends into it.

    A ``ClientError`` is kept and thrown into the flow at the next step, outside the driver's ``except``
    block, so the flow (the waiter) sees the error as botocore's ``NormalizedOperationMethod`` does
    and nothing is chained to it. ``value`` is what the flow returned once ``next()`` gave ``None``.
    """

    __slots__ = ("_error", "_flow", "_reply", "value")

    def __init__(self, flow: Generator[Effect, Any, Any]) -> None:
        self._flow = flow
        self._reply: Any = None
        self._error: ClientError | None = None
        self.value: Any = None

    def next(self) -> Effect | None:
        reply, error = self._reply, self._error
        self._reply = self._error = None
        try:
            return self._flow.send(reply) if error is None else self._flow.throw(error)
        except StopIteration as stop:
            self.value = stop.value
            return None

    def reply(self, value: Any) -> None:
        self._reply = value

    def fail(self, error: ClientError) -> None:
        self._error = error


class SyncCaller(Protocol):
    """What a flow needs of ``Client``: ``_call(operation, params) -> result dict``."""

    def _call(self, operation: str, params: Mapping[str, Any]) -> Any: ...


class AsyncCaller(Protocol):
    """What a flow needs of ``AsyncClient``: ``await _call(operation, params) -> result dict``."""

    async def _call(self, operation: str, params: Mapping[str, Any]) -> Any: ...


def next_page(client: SyncCaller, stepper: Stepper) -> dict[str, Any] | None:
    """Perform the flow's calls and sleeps until it hands out a page (returned) or ends (``None``)."""
    while (effect := stepper.next()) is not None:
        if isinstance(effect, Page):
            return effect.result
        if isinstance(effect, Sleep):
            time.sleep(effect.seconds)
            continue
        try:
            stepper.reply(client._call(effect.operation, effect.params))
        except ClientError as error:
            stepper.fail(error)
    return None


async def anext_page(client: AsyncCaller, stepper: Stepper) -> dict[str, Any] | None:
    """:func:`next_page` with ``await``: the sleeps are ``anyio.sleep`` (asyncio or trio), never blocking."""
    while (effect := stepper.next()) is not None:
        if isinstance(effect, Page):
            return effect.result
        if isinstance(effect, Sleep):
            import anyio  # here: a Client (sync) never needs it

            await anyio.sleep(effect.seconds)
            continue
        try:
            stepper.reply(await client._call(effect.operation, effect.params))
        except ClientError as error:
            stepper.fail(error)
    return None


# -- tokens: botocore's TokenEncoder / TokenDecoder, so a NextToken resumes in either SDK ------------


def encode_token(token: Mapping[str, Any]) -> str:
    """``TokenEncoder.encode``: base64 of ``json.dumps(token)`` (json's default separators, key order kept).

    Bytes values, which JSON cannot hold, are base64-encoded in place and their paths listed under
    ``boto_encoded_keys`` (S3's tokens are strings and ints, so this is for fidelity only).
    """
    import json  # here, not with the client: only a resumable pagination needs it

    try:
        text = json.dumps(token)
    except (TypeError, UnicodeDecodeError):
        encoded, paths = _encode_bytes(dict(token), [])
        encoded["boto_encoded_keys"] = paths
        try:
            text = json.dumps(encoded)
        except (TypeError, ValueError) as error:
            raise PaginationError(f"the next token cannot be encoded: {error}") from None
    return base64.b64encode(text.encode("utf-8")).decode("utf-8")


def _encode_bytes(value: Any, path: list[str | int]) -> tuple[Any, list[list[str | int]]]:
    """``TokenEncoder._encode``: bytes -> base64 text, with the path of each one replaced."""
    if isinstance(value, dict):
        pairs = [(key, _encode_bytes(item, [*path, key])) for key, item in value.items()]
        return {key: item for key, (item, _) in pairs}, [p for _, (_, paths) in pairs for p in paths]
    if isinstance(value, list):
        items = [_encode_bytes(item, [*path, index]) for index, item in enumerate(value)]
        return [item for item, _ in items], [p for _, paths in items for p in paths]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("utf-8"), [path]
    return value, []


def decode_token(token: str) -> dict[str, Any]:
    """``TokenDecoder.decode``: the dict a NextToken holds, bytes restored from ``boto_encoded_keys``.

    Raises ``ValueError``/``TypeError``/``LookupError`` for anything that is not such a token, which
    :func:`parse_starting_token` takes as botocore's older ``a___b___index`` form.
    """
    import json

    decoded = json.loads(base64.b64decode(token.encode("utf-8")).decode("utf-8"))
    if not isinstance(decoded, dict):
        raise TypeError("not a token dict")
    for path in decoded.pop("boto_encoded_keys", None) or ():
        container = decoded
        for step in path[:-1]:
            container = container[step]
        container[path[-1]] = base64.b64decode(container[path[-1]].encode("utf-8"))
    return decoded


def parse_starting_token(token: str, input_token: tuple[str, ...]) -> tuple[dict[str, Any], int]:
    """``PageIterator._parse_starting_token``: the input tokens to send and how many items to skip.

    An opaque token is botocore's: base64 JSON, the skip count under ``boto_truncate_amount``. Any
    other string is read as botocore's deprecated form (``_parse_starting_token_deprecated``): the
    input tokens joined by ``___``, optionally followed by the skip count, ``None`` for an absent one
    and missing trailing tokens taken as absent; so a raw service token (a ContinuationToken) works
    as a StartingToken, as it does in botocore.
    """
    try:
        decoded = decode_token(token)
    except (ValueError, TypeError, LookupError, AttributeError):
        decoded = None
    if decoded is None:
        values, index = _parse_deprecated(token, input_token)
        return dict(zip(input_token, values, strict=True)), index
    index = decoded.pop("boto_truncate_amount", 0)
    if sorted(decoded) != sorted(input_token) or not isinstance(index, int):
        # botocore's resume_token setter: "token_keys == dict_keys" or ValueError
        raise ParamValidationError("Invalid value for parameter PaginationConfig.StartingToken: bad starting token")
    return decoded, index


def _parse_deprecated(token: str, input_token: tuple[str, ...]) -> tuple[list[str | None], int]:
    parts = token.split("___")
    index = 0
    if len(parts) == len(input_token) + 1:
        try:
            index = int(parts.pop())
        except ValueError:  # "doesn't look like a valid old-style token": the whole string is the token
            parts = [token]
    if len(parts) > len(input_token):
        raise ParamValidationError("Invalid value for parameter PaginationConfig.StartingToken: bad starting token")
    values: list[str | None] = [None if part == "None" else part for part in parts]
    return values + [None] * (len(input_token) - len(values)), index


# -- expressions: the JMESPath subset the generator compiles S3's paginators into --------------------


def search(value: Any, path: Path) -> Any:
    """A JMESPath sub-expression of fields and indexes: a field of a non-object, or an index out of
    range or of a non-list, is null (jmespath's ``visit_field`` / ``visit_index``)."""
    for step in path:
        if isinstance(step, str):
            value = value.get(step) if isinstance(value, Mapping) else None
        elif isinstance(value, list) and -len(value) <= step < len(value):
            value = value[step]
        else:
            value = None
    return value


def _is_false(value: Any) -> bool:
    """JMESPath's falsiness (jmespath's ``_is_false``): 0 is true, empty strings/lists/objects are not."""
    return value == "" or value == [] or value == {} or value is None or value is False


def search_any(value: Any, alternatives: tuple[Path, ...]) -> Any:
    """JMESPath's ``a || b``: the first alternative that is not false, else the last one's value."""
    found = None
    for path in alternatives:
        found = search(value, path)
        if not _is_false(found):
            return found
    return found


# -- the core -------------------------------------------------------------------------------------


class PagingSpec(NamedTuple):
    """One paginator of ``_paging_data.PAGINATORS`` (botocore's ``Paginator`` fields)."""

    operation: str
    input_token: tuple[str, ...]
    output_token: tuple[tuple[Path, ...], ...]
    more_results: str | None
    limit_key: str | None
    limit_is_string: bool
    result_key: tuple[str, ...]
    non_aggregate_keys: tuple[str, ...]


def _integer(value: Any, name: str) -> int:
    """botocore's ``int(...)`` of MaxItems / PageSize, as a local error instead of a bare ValueError."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ParamValidationError(f"Invalid value for parameter {name}: must be an integer") from None


class Pagination:
    """The paging of one ``paginate(...)`` call: what to call, in which order, and what each page holds.

    ``pages()`` is ``PageIterator.__iter__``: each iteration starts afresh from the parameters and
    configuration given here, and leaves ``resume_token`` (the NextToken, when MaxItems stopped it)
    and ``non_aggregate_part`` (the first page's non-aggregate keys) behind.
    """

    def __init__(self, spec: PagingSpec, params: Mapping[str, Any], config: Mapping[str, Any] | None) -> None:
        self.spec = spec
        self._params = dict(params)
        self._max_items, self._page_size, self._start = self._read_config(config)
        self.resume_token: str | None = None
        self.non_aggregate_part: dict[str, Any] = {}

    def _read_config(
        self, config: Mapping[str, Any] | None
    ) -> tuple[int | None, int | str | None, tuple[dict[str, Any], int] | None]:
        """``Paginator._extract_paging_params``, and the StartingToken parsed before any request."""
        if config is None:
            config = {}
        if not isinstance(config, Mapping):
            raise ParamValidationError(
                f"Invalid type for parameter PaginationConfig: {type(config).__name__}, valid types: dict"
            )
        if unknown := sorted(set(config) - set(CONFIG_KEYS)):
            raise ParamValidationError(
                f"Unknown parameter in PaginationConfig: {unknown[0]!r}, must be one of: {', '.join(CONFIG_KEYS)}"
            )
        max_items = config.get("MaxItems")
        if max_items is not None:
            max_items = _integer(max_items, "PaginationConfig.MaxItems")
        page_size = config.get("PageSize")
        if page_size is not None:
            if self.spec.limit_key is None:
                raise PaginationError(
                    "PageSize parameter is not supported for the pagination interface for this operation."
                )
            if self.spec.limit_is_string:
                page_size = page_size if isinstance(page_size, str) else str(page_size)
            else:
                page_size = _integer(page_size, "PaginationConfig.PageSize")
        token = config.get("StartingToken")
        if token is None:
            return max_items, page_size, None
        if not isinstance(token, str):
            raise ParamValidationError(
                f"Invalid type for parameter PaginationConfig.StartingToken: {type(token).__name__}, valid types: str"
            )
        return max_items, page_size, parse_starting_token(token, self.spec.input_token)

    def pages(self) -> Generator[Call | Page, Any, None]:
        """``PageIterator.__iter__``, rule for rule.

        - the starting token's input tokens go into the first request, PageSize as the limit key;
        - the first page of a resumed run skips ``boto_truncate_amount`` items of the primary (first)
          result key and empties the other result keys (``_handle_first_request``);
        - MaxItems counts items of the primary result key; a page that goes past it is cut, and the
          NextToken is the token that fetched that page plus ``boto_truncate_amount``, the items kept
          (``_truncate_response``); a run that ends exactly at MaxItems resumes at the next token;
        - the next token is each output token of the page, empty values taken as absent, or none at
          all when ``more_results`` is false (``_get_next_token``); the run ends when every one is
          absent, and the same next token twice in a row is a ``PaginationError``.
        """
        spec = self.spec
        self.resume_token = None
        self.non_aggregate_part = {}
        params = dict(self._params)
        next_token: dict[str, Any] = dict.fromkeys(spec.input_token)
        skip = 0
        if self._start is not None:
            next_token, skip = dict(self._start[0]), self._start[1]
            _inject_token(params, next_token)
        if self._page_size is not None and spec.limit_key is not None:
            params[spec.limit_key] = self._page_size
        primary = spec.result_key[0]
        previous: dict[str, Any] | None = None
        total = 0
        first = True
        while True:
            page: dict[str, Any] = yield Call(spec.operation, dict(params))
            if first:
                if self._start is not None:
                    page = self._resumed_page(page, skip)
                first = False
                # _record_non_aggregate_key_values: absent keys are recorded as None
                self.non_aggregate_part = {key: page.get(key) for key in spec.non_aggregate_keys}
            else:
                skip = 0
            items = page.get(primary)
            count = 0 if items is None else len(items)
            overflow = 0 if self._max_items is None else total + count - self._max_items
            if overflow > 0:
                keep = count - overflow
                page = {**page, primary: (items if items is not None else [])[:keep]}
                self.resume_token = encode_token({**next_token, "boto_truncate_amount": keep + skip})
                yield Page(page)
                return
            yield Page(page)
            total += count
            next_token = self._next_token(page)
            if all(value is None for value in next_token.values()):
                return
            if self._max_items is not None and total == self._max_items:
                self.resume_token = encode_token(next_token)
                return
            if previous is not None and previous == next_token:
                raise PaginationError(f"The same next token was received twice: {next_token}")
            _inject_token(params, next_token)
            previous = next_token

    def _resumed_page(self, page: dict[str, Any], skip: int) -> dict[str, Any]:
        """``_handle_first_request``: the primary result key sliced past the items already returned
        (``None`` when it is not a list or string), each other result key set to its empty value (a
        number is kept), even when the page did not have it."""
        spec = self.spec
        page = dict(page)
        data = page.get(spec.result_key[0])
        page[spec.result_key[0]] = data[skip:] if isinstance(data, (list, str)) else None
        for key in spec.result_key[1:]:
            sample = page.get(key)
            if isinstance(sample, list):
                page[key] = []
            elif isinstance(sample, str):
                page[key] = ""
            elif not isinstance(sample, (int, float)):
                page[key] = None
        return page

    def _next_token(self, page: dict[str, Any]) -> dict[str, Any]:
        """``_get_next_token``: ``{}`` when ``more_results`` is false, else each input token's value."""
        spec = self.spec
        if spec.more_results is not None and not page.get(spec.more_results):
            return {}
        tokens: dict[str, Any] = {}
        for name, alternatives in zip(spec.input_token, spec.output_token, strict=True):
            value = search_any(page, alternatives)
            tokens[name] = value if value else None  # "We do not want to include any empty strings"
        return tokens

    def full_result(self) -> Generator[Call, Any, dict[str, Any]]:
        """``PageIterator.build_full_result``: every page's result keys aggregated (lists extended,
        numbers added, strings joined), the first page's non-aggregate keys, and ``NextToken`` when
        MaxItems stopped the run."""
        complete: dict[str, Any] = {}
        pages = self.pages()
        reply: Any = None
        while True:
            try:
                effect = pages.send(reply)
            except StopIteration:
                break
            if isinstance(effect, Page):
                reply = None
                _aggregate(complete, effect.result, self.spec.result_key)
            else:
                reply = yield effect
        # merge_dicts: the generator refuses paginators whose result and non-aggregate keys overlap,
        # so merging is setting
        complete.update(self.non_aggregate_part)
        if self.resume_token is not None:
            complete["NextToken"] = self.resume_token
        return complete


def _inject_token(params: dict[str, Any], token: Mapping[str, Any]) -> None:
    """``_inject_token_into_kwargs``: set each present token; an absent one (None or "None") is removed."""
    for name, value in token.items():
        if value is not None and value != "None":
            params[name] = value
        else:
            params.pop(name, None)


def _aggregate(complete: dict[str, Any], page: Mapping[str, Any], result_keys: tuple[str, ...]) -> None:
    for key in result_keys:
        value = page.get(key)
        if value is None:
            continue
        existing = complete.get(key)
        if existing is None:
            complete[key] = list(value) if isinstance(value, list) else value
        elif isinstance(value, list) and isinstance(existing, list):
            existing.extend(value)
        elif isinstance(value, (int, float, str)):
            try:
                complete[key] = existing + value
            except TypeError:  # botocore raises here; no S3 result key is a number or a string
                continue


# -- the iterators ---------------------------------------------------------------------------------


class _PageIteratorBase:
    """What both page iterators expose of their run (botocore's ``PageIterator`` properties)."""

    def __init__(self, pagination: Pagination) -> None:
        self._pagination = pagination

    @property
    def resume_token(self) -> str | None:
        """The NextToken to pass as ``StartingToken`` when MaxItems stopped the last iteration."""
        return self._pagination.resume_token

    @property
    def result_keys(self) -> list[str]:
        return list(self._pagination.spec.result_key)

    @property
    def non_aggregate_part(self) -> dict[str, Any]:
        return self._pagination.non_aggregate_part


class PageIterator(_PageIteratorBase):
    """``for page in paginator.paginate(...)``: each page a result dict; ``build_full_result()``."""

    def __init__(self, client: SyncCaller, pagination: Pagination) -> None:
        super().__init__(pagination)
        self._client = client

    def __iter__(self) -> Iterator[dict[str, Any]]:
        stepper = Stepper(self._pagination.pages())
        while (page := next_page(self._client, stepper)) is not None:
            yield page

    def build_full_result(self) -> dict[str, Any]:
        stepper = Stepper(self._pagination.full_result())
        next_page(self._client, stepper)
        result: dict[str, Any] = stepper.value
        return result


class AsyncPageIterator(_PageIteratorBase):
    """``async for page in paginator.paginate(...)``; ``await ....build_full_result()``."""

    def __init__(self, client: AsyncCaller, pagination: Pagination) -> None:
        super().__init__(pagination)
        self._client = client

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        # a class, not an async generator: nothing is left for the event loop to finalize when the
        # caller stops early (trio warns about unfinished async generators)
        return _AsyncPages(self._client, Stepper(self._pagination.pages()))

    async def build_full_result(self) -> dict[str, Any]:
        stepper = Stepper(self._pagination.full_result())
        await anext_page(self._client, stepper)
        result: dict[str, Any] = stepper.value
        return result


class _AsyncPages:
    __slots__ = ("_client", "_stepper")

    def __init__(self, client: AsyncCaller, stepper: Stepper) -> None:
        self._client = client
        self._stepper = stepper

    def __aiter__(self) -> _AsyncPages:
        return self

    async def __anext__(self) -> dict[str, Any]:
        page = await anext_page(self._client, self._stepper)
        if page is None:
            raise StopAsyncIteration
        return page


class Paginator:
    """``client.get_paginator(name)``: ``paginate(**params, PaginationConfig={...})`` -> pages."""

    def __init__(self, client: SyncCaller, spec: PagingSpec) -> None:
        self._client = client
        self.spec = spec

    def paginate(self, *, PaginationConfig: PaginationConfigDict | None = None, **params: Any) -> PageIterator:
        return PageIterator(self._client, Pagination(self.spec, params, PaginationConfig))


class AsyncPaginator:
    """``AsyncClient.get_paginator(name)``: ``paginate(...)`` without ``await``, then ``async for``."""

    def __init__(self, client: AsyncCaller, spec: PagingSpec) -> None:
        self._client = client
        self.spec = spec

    def paginate(self, *, PaginationConfig: PaginationConfigDict | None = None, **params: Any) -> AsyncPageIterator:
        return AsyncPageIterator(self._client, Pagination(self.spec, params, PaginationConfig))
