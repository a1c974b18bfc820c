"""Waiters as boto3 has them: ``client.get_waiter("object_exists").wait(Bucket=..., Key=...)``, and the
mixins that give both clients ``get_paginator`` / ``can_paginate`` / ``get_waiter`` / ``waiter_names``.

:func:`wait_flow` is the I/O-free core, botocore's ``Waiter.wait`` rule for rule: it yields
``Call(operation, params)`` (a ``ClientError`` is thrown back into it, as botocore's
``NormalizedOperationMethod`` turns one into its ``response``) and ``Sleep(delay)`` between attempts;
``_paginate.next_page`` / ``anext_page`` perform them (``time.sleep`` / ``anyio.sleep``).

The acceptors are botocore's ``AcceptorConfig`` matchers ``status`` and ``error``; the generator
(``tests/codegen/paging.py``) refuses a waiter with ``path``/``pathAll``/``pathAny`` (JMESPath), which
none of S3's four use.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, NamedTuple, TypedDict

from ._errors import ClientError, OperationNotPageableError, ParamValidationError, WaiterError
from ._paginate import (
    AsyncCaller,
    AsyncPaginator,
    Call,
    Paginator,
    PagingSpec,
    Sleep,
    Stepper,
    SyncCaller,
    anext_page,
    next_page,
)
from ._paging_data import PAGINATORS, WAITERS

CONFIG_KEYS = ("Delay", "MaxAttempts")


class WaiterConfigDict(TypedDict, total=False):
    """``WaiterConfig={...}``: seconds between attempts, and how many attempts before giving up."""

    Delay: float
    MaxAttempts: int


class Acceptor(NamedTuple):
    """botocore's ``AcceptorConfig``: when ``matcher`` finds ``expected``, the waiter is in ``state``."""

    state: str
    matcher: str
    expected: Any

    def matches(self, response: Mapping[str, Any]) -> bool:
        """``_create_status_matcher`` / ``_create_error_matcher``."""
        if self.matcher == "status":
            return bool(response.get("ResponseMetadata", {}).get("HTTPStatusCode") == self.expected)
        if self.expected is True:  # any error
            return "Error" in response and "Code" in response["Error"]
        if self.expected is False:  # no error
            return "Error" not in response
        return bool(response.get("Error", {}).get("Code", "") == self.expected)

    @property
    def explanation(self) -> str:
        """``AcceptorConfig.explanation``, which the WaiterError messages quote."""
        if self.matcher == "status":
            return f"Matched expected HTTP status code: {self.expected}"
        return f"Matched expected service error code: {self.expected}"


class WaiterSpec(NamedTuple):
    """One waiter of ``_paging_data.WAITERS`` (botocore's ``SingleWaiterConfig``)."""

    name: str
    operation: str
    delay: float
    max_attempts: int
    acceptors: tuple[Acceptor, ...]


def _is_error(response: Mapping[str, Any]) -> bool:
    """``is_valid_waiter_error``: the response carries an ``Error`` dict with a ``Code``."""
    error = response.get("Error")
    return isinstance(error, dict) and "Code" in error


def _read_config(spec: WaiterSpec, config: Mapping[str, Any] | None) -> tuple[float, int]:
    """``WaiterConfig``'s Delay and MaxAttempts, the waiter's own where not given (``Waiter.wait``)."""
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise ParamValidationError(
            f"Invalid type for parameter WaiterConfig: {type(config).__name__}, valid types: dict"
        )
    if unknown := sorted(set(config) - set(CONFIG_KEYS)):
        raise ParamValidationError(
            f"Unknown parameter in WaiterConfig: {unknown[0]!r}, must be one of: {', '.join(CONFIG_KEYS)}"
        )
    delay = config.get("Delay", spec.delay)
    attempts = config.get("MaxAttempts", spec.max_attempts)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not delay >= 0:
        raise ParamValidationError("Invalid value for parameter WaiterConfig.Delay: must be a number of seconds >= 0")
    if isinstance(attempts, bool) or not isinstance(attempts, int):
        raise ParamValidationError("Invalid value for parameter WaiterConfig.MaxAttempts: must be an integer")
    return delay, attempts


def wait_flow(
    spec: WaiterSpec, params: Mapping[str, Any], config: Mapping[str, Any] | None
) -> Generator[Call | Sleep, Any, None]:
    """``Waiter.wait``: call, match the acceptors in order, then succeed, fail, or sleep and try again.

    - the first acceptor that matches sets the state, which lasts until another one matches (a
      response no acceptor matches leaves the state as it was);
    - an error response no acceptor matched fails at once ("An error occurred (Code): Message");
    - ``failure`` fails ("Waiter encountered a terminal failure state: ..."), ``success`` returns;
    - after MaxAttempts attempts: "Max attempts exceeded", with "Previously accepted state: ..."
      when any acceptor ever matched; botocore quotes the acceptor its loop variable last held (the
      matched one, or the last of the list when none matched this time), and so does this;
    - otherwise ``Sleep(Delay)``: never after the last attempt.
    """
    delay, max_attempts = _read_config(spec, config)
    state = "waiting"
    matched_any = False
    attempts = 0
    while True:
        try:
            response: Mapping[str, Any] = yield Call(spec.operation, dict(params))
        except ClientError as error:
            response = error.response
        attempts += 1
        acceptor = spec.acceptors[-1]
        for acceptor in spec.acceptors:  # botocore quotes the last one looked at
            if acceptor.matches(response):
                matched_any = True
                state = acceptor.state
                break
        else:
            if _is_error(response):
                error_info = response["Error"]
                reason = (
                    f"An error occurred ({error_info.get('Code', 'Unknown')}): {error_info.get('Message', 'Unknown')}"
                )
                raise WaiterError(spec.name, reason, dict(response))
        if state == "success":
            return
        if state == "failure":
            reason = f"Waiter encountered a terminal failure state: {acceptor.explanation}"
            raise WaiterError(spec.name, reason, dict(response))
        if attempts >= max_attempts:
            reason = "Max attempts exceeded"
            if matched_any:
                reason += f". Previously accepted state: {acceptor.explanation}"
            raise WaiterError(spec.name, reason, dict(response))
        yield Sleep(delay)


def _waiter_spec(name: str) -> WaiterSpec:
    try:
        row = WAITERS[name]
    except KeyError:
        raise ParamValidationError(f"Waiter does not exist: {name}") from None
    return WaiterSpec(
        name=row["name"],
        operation=row["operation"],
        delay=row["delay"],
        max_attempts=row["max_attempts"],
        acceptors=tuple(Acceptor(*acceptor) for acceptor in row["acceptors"]),
    )


def _paging_spec(operation_name: str) -> PagingSpec:
    try:
        return PagingSpec(**PAGINATORS[operation_name])
    except KeyError:
        raise OperationNotPageableError(operation_name) from None


class Waiter:
    """``client.get_waiter(name)``; ``wait(**params, WaiterConfig={...})`` returns ``None`` or raises WaiterError."""

    def __init__(self, client: SyncCaller, spec: WaiterSpec) -> None:
        self._client = client
        self.name = spec.name
        self.config = spec

    def wait(self, *, WaiterConfig: WaiterConfigDict | None = None, **params: Any) -> None:
        next_page(self._client, Stepper(wait_flow(self.config, params, WaiterConfig)))


class AsyncWaiter:
    """``AsyncClient.get_waiter(name)``; ``await wait(...)`` sleeps with ``anyio.sleep`` between attempts."""

    def __init__(self, client: AsyncCaller, spec: WaiterSpec) -> None:
        self._client = client
        self.name = spec.name
        self.config = spec

    async def wait(self, *, WaiterConfig: WaiterConfigDict | None = None, **params: Any) -> None:
        await anext_page(self._client, Stepper(wait_flow(self.config, params, WaiterConfig)))


class _Names:
    """What both mixins answer without a client: which paginators and waiters exist."""

    def can_paginate(self, operation_name: str) -> bool:
        """botocore's ``can_paginate``; an unknown method name is ``False`` (botocore raises KeyError)."""
        return operation_name in PAGINATORS

    @property
    def waiter_names(self) -> list[str]:
        """botocore's ``waiter_names``: boto3's names, in the order of the model's sorted names."""
        return list(WAITERS)


class SyncPaging(_Names):
    """``Client``'s ``get_paginator`` / ``can_paginate`` / ``get_waiter`` / ``waiter_names``."""

    def get_paginator(self: SyncCaller, operation_name: str) -> Paginator:
        """``get_paginator("list_objects_v2")``; OperationNotPageableError when there is none."""
        return Paginator(self, _paging_spec(operation_name))

    def get_waiter(self: SyncCaller, waiter_name: str) -> Waiter:
        """``get_waiter("object_exists")``; ParamValidationError("Waiter does not exist: ...") otherwise."""
        return Waiter(self, _waiter_spec(waiter_name))


class AsyncPaging(_Names):
    """``AsyncClient``'s: the same, handing out :class:`AsyncPaginator` / :class:`AsyncWaiter`."""

    def get_paginator(self: AsyncCaller, operation_name: str) -> AsyncPaginator:
        return AsyncPaginator(self, _paging_spec(operation_name))

    def get_waiter(self: AsyncCaller, waiter_name: str) -> AsyncWaiter:
        return AsyncWaiter(self, _waiter_spec(waiter_name))
