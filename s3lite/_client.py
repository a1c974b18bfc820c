"""``Client``: the eight operations, synchronously, over any ``httpx.BaseTransport``.

The client hands ``httpx.Request`` objects straight to the transport: httpx's client layer
(redirects, cookies, auth, hooks) costs ~56 us a call and S3 needs none of it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, Unpack

import httpx

from ._base import BaseClient, ClientOptions
from ._errors import HTTPClientError
from ._flow import Driving, HashBody, ReadBody, Send
from ._http import HttpResponse, StreamBody
from ._httpx_adapter import attempt_deadline, with_deadlines
from ._operations import SyncOperations
from ._serialize import CHUNK_SIZE
from ._streaming import StreamingBody, with_body
from ._transfer.sync import SyncTransfers
from ._transport import TRANSPORT_ERRORS, from_httpx, read_whole, to_httpx, translated
from ._upload import iter_stream, sha256_of, source_closer
from ._wait import SyncPaging


class Client(BaseClient, SyncOperations, SyncPaging, SyncTransfers):
    """A synchronous S3 client with boto3's method names, keyword arguments and result dicts."""

    def __init__(self, *, transport: httpx.BaseTransport | None = None, **options: Unpack[ClientOptions]) -> None:
        super().__init__(**options)
        if transport is None:
            transport = httpx.HTTPTransport(
                verify=self._options.ssl_context(), limits=self._options.limits, proxy=self._proxy()
            )
            with_deadlines(transport)
        self._transport = transport

    def close(self) -> None:
        self._release_abandoned()
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _release_abandoned(self) -> None:
        if not self._bodies.abandoned:
            return
        for response in self._bodies.take_abandoned():
            response.close()

    def _send(self, effect: Send, deadline: float | None) -> tuple[httpx.Response, HttpResponse]:
        request = effect.request
        body = request.body
        content = iter_stream(body, CHUNK_SIZE) if isinstance(body, StreamBody) else body
        try:
            with attempt_deadline(deadline):
                try:
                    response = self._transport.handle_request(
                        to_httpx(request, content, self._options.timeout_for(deadline))
                    )
                    if effect.stream:
                        return response, from_httpx(response)
                    try:
                        return response, from_httpx(response, read_whole(response))
                    finally:
                        response.close()
                except TRANSPORT_ERRORS as error:
                    failure = self._failure(error)
        finally:
            if not isinstance(content, bytes):
                content.close()  # ends the read-ahead worker thread now, whatever happened
        raise failure  # outside the except: a refused request keeps no trace of what h11 quoted

    def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        self._release_abandoned()
        driving = Driving(self._flow(operation, params, allow_async=False))
        deadline = None
        #: the transport's response whose body the flow left unread (a streamed result, or an error's body)
        held: httpx.Response | None = None
        try:
            while (effect := driving.next_effect()) is not None:
                if isinstance(effect, Send):
                    if (previous := held) is not None:
                        held = None
                        previous.close()
                    deadline = self._deadline()
                    try:
                        raw, described = self._send(effect, deadline)
                        held = raw if effect.stream else None
                        driving.received(described)
                    except HTTPClientError as error:
                        driving.fail(error)
                elif isinstance(effect, HashBody):
                    driving.answer(sha256_of(effect.body))
                elif isinstance(effect, ReadBody):
                    unread, held = held, None
                    assert unread is not None  # ReadBody follows a streamed Send
                    with attempt_deadline(deadline):
                        try:
                            driving.answer(read_whole(unread))
                        except TRANSPORT_ERRORS as error:
                            driving.fail(translated(error))
                        finally:
                            unread.close()
                else:
                    time.sleep(effect.seconds)
            result, held = with_body(operation, driving, held, params, StreamingBody, self._bodies)
            return result
        except BaseException:
            if (close := source_closer(params.get("Body"))) is not None:
                close()
            raise
        finally:
            if held is not None:
                held.close()
