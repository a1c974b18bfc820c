"""``AsyncClient``: the same flow as ``Client``, driven with ``await`` (asyncio or trio, via anyio)."""

from __future__ import annotations

import inspect
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, Unpack

import anyio
import httpx

from ._async_streaming import AsyncStreamingBody
from ._base import BaseClient, ClientOptions, Routes
from ._credentials import Credentials
from ._credentials._aperform import AsyncCredentials
from ._deadline import attempt_deadline
from ._errors import HTTPClientError
from ._flow import Driving, HashBody, ReadBody, Send
from ._http import HttpRequest, HttpResponse, StreamBody
from ._httpx_adapter import check_httpx, with_deadlines
from ._operations import AsyncOperations
from ._serialize import CHUNK_SIZE
from ._streaming import with_body
from ._transfer.aio import AsyncTransfers
from ._transport import TRANSPORT_ERRORS, aread_whole, from_httpx, to_httpx, translated, transport_failure
from ._upload import aiter_stream, asha256_of, source_closer
from ._wait import AsyncPaging


class AsyncClient(BaseClient, AsyncOperations, AsyncPaging, AsyncTransfers):
    """An asynchronous S3 client: ``Client``'s methods as coroutines, many calls sharing one pool."""

    def __init__(self, *, transport: httpx.AsyncBaseTransport | None = None, **options: Unpack[ClientOptions]) -> None:
        super().__init__(**options)
        proxy = self._proxy() if transport is None else None
        self._transport = self._make_transport(proxy) if transport is None else transport
        #: transports by proxy, for credential fetches (None: a transport given carries them all)
        self._routes = None if transport is not None else Routes(proxy, self._transport, self._make_transport)
        self._credentials = AsyncCredentials(self._held, self._fetch)

    async def get_credentials(self) -> Credentials:
        """The credentials calls sign with now: found at the first need, refreshed when due, with
        every file, process and request of the chain off the event loop."""
        return await self._credentials.current()

    def _presigning_credentials(self) -> Credentials:
        # presigning does no I/O (it is not a coroutine): the keys held, or the environment's
        return self._credentials.held_now()

    def _make_transport(self, proxy: str | None) -> httpx.AsyncBaseTransport:
        check_httpx()
        transport = httpx.AsyncHTTPTransport(verify=self._options.tls_context(), limits=self._limits(), proxy=proxy)
        with_deadlines(transport)
        return transport

    async def _fetch(self, request: HttpRequest, timeout: float) -> HttpResponse:
        """A credential provider's request (metadata service, STS, SSO): through this client's
        transport, or one of its own when its host takes another proxy than S3's (NO_PROXY)."""
        transport = self._transport if self._routes is None else self._routes.through(self._fetch_proxy(request))
        return (await self._send(Send(request), time.monotonic() + timeout, transport))[1]

    async def close(self) -> None:
        await self._release_abandoned()
        for transport in [self._transport] if self._routes is None else self._routes.all():
            await transport.aclose()

    aclose = close

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _release_abandoned(self) -> None:
        if not self._bodies.abandoned:
            return
        for response in self._bodies.take_abandoned():
            await response.aclose()

    async def _send(
        self, effect: Send, deadline: float | None, transport: httpx.AsyncBaseTransport | None = None
    ) -> tuple[httpx.Response, HttpResponse]:
        request = effect.request
        body = request.body
        content = aiter_stream(body, CHUNK_SIZE) if isinstance(body, StreamBody) else body
        try:
            with attempt_deadline(deadline):
                try:
                    built = to_httpx(request, content, self._options.timeouts_for(deadline, time.monotonic()))
                    response = await (transport or self._transport).handle_async_request(built)
                    if effect.stream:
                        return response, from_httpx(response)
                    try:
                        return response, from_httpx(response, await aread_whole(response))
                    finally:
                        await response.aclose()
                except TRANSPORT_ERRORS as error:
                    failure = transport_failure(error, open_bodies=self._bodies.count)
        finally:
            if not isinstance(content, bytes):
                with anyio.CancelScope(shield=True):  # closed even when the call is being cancelled
                    await content.aclose()
        raise failure  # outside the except: a refused request keeps no trace of what h11 quoted

    async def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        await self._release_abandoned()
        await self._credentials.current()
        driving = Driving(self._flow(operation, params, allow_async=True))
        deadline = None
        #: the transport's response whose body the flow left unread (a streamed result, or an error's body)
        held: httpx.Response | None = None
        try:
            while (effect := driving.next_effect()) is not None:
                if isinstance(effect, Send):
                    if (previous := held) is not None:
                        held = None
                        await previous.aclose()
                    deadline = self._deadline()
                    try:
                        raw, described = await self._send(effect, deadline)
                        held = raw if effect.stream else None
                        driving.received(described)
                    except HTTPClientError as error:
                        driving.fail(error)
                elif isinstance(effect, HashBody):
                    driving.answer(await asha256_of(effect.body))
                elif isinstance(effect, ReadBody):
                    unread, held = held, None
                    assert unread is not None  # ReadBody follows a streamed Send
                    with attempt_deadline(deadline):
                        try:
                            driving.answer(await aread_whole(unread))
                        except TRANSPORT_ERRORS as error:
                            driving.fail(translated(error))
                        finally:
                            await unread.aclose()
                else:
                    await anyio.sleep(effect.seconds)
            result, held = with_body(operation, driving, held, params, AsyncStreamingBody, self._bodies)
            return result
        except BaseException:
            if (close := source_closer(params.get("Body"))) is not None:
                with anyio.CancelScope(shield=True):
                    if inspect.isawaitable(closed := close()):
                        await closed
            raise
        finally:
            if held is not None:
                with anyio.CancelScope(shield=True):
                    await held.aclose()
