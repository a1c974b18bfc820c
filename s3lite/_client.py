"""``Client``: every operation, synchronously, over s3lite's own HTTP/1.1 pool or any ``httpx.BaseTransport``.

With no ``transport`` and no proxy, requests go through :class:`s3lite._wire.Pool`, and httpx is
never imported (issue 14: it is most of a cold start). A transport passed in gets ``httpx.Request``
objects straight (:class:`s3lite._transport.HttpxSender`): httpx's client layer (redirects,
cookies, auth, hooks) costs ~56 us a call and S3 needs none of it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, Unpack

from ._base import BaseClient, ClientOptions, Routes
from ._credentials import Credentials
from ._credentials._perform import BlockingCredentials
from ._deadline import attempt_deadline
from ._errors import HTTPClientError
from ._flow import Driving, HashBody, ReadBody, Send
from ._http import Exchange, HttpRequest, HttpResponse, Sender, StreamBody
from ._operations import SyncOperations
from ._serialize import CHUNK_SIZE
from ._streaming import StreamingBody, with_body
from ._transfer.sync import SyncTransfers
from ._upload import iter_stream, sha256_of, source_closer
from ._wait import SyncPaging

if TYPE_CHECKING:
    import httpx


class Client(BaseClient, SyncOperations, SyncPaging, SyncTransfers):
    """A synchronous S3 client with boto3's method names, keyword arguments and result dicts."""

    def __init__(self, *, transport: httpx.BaseTransport | None = None, **options: Unpack[ClientOptions]) -> None:
        super().__init__(**options)
        proxy = self._proxy() if transport is None else None
        self._sender: Sender = self._make_sender(transport, proxy)
        #: senders by proxy, for credential fetches (None: a transport given carries them all)
        self._routes = None if transport is not None else Routes(proxy, self._sender, partial(self._make_sender, None))
        self._credentials = BlockingCredentials(self._held, self._fetch)

    def _make_sender(self, transport: httpx.BaseTransport | None, proxy: str | None) -> Sender:
        if transport is None and proxy is None:
            from ._wire import Pool

            return Pool(self._options, self._bodies)
        import httpx

        from ._httpx_adapter import check_httpx, with_deadlines
        from ._transport import HttpxSender

        if transport is None:
            check_httpx()
            transport = httpx.HTTPTransport(verify=self._options.tls_context(), limits=self._limits(), proxy=proxy)
            with_deadlines(transport)
        return HttpxSender(transport, self._options, self._bodies)

    def get_credentials(self) -> Credentials:
        """The credentials calls sign with now: found (by the chain, or the ``credentials_provider``)
        at the first need, refreshed when due (as ``boto3.Session.get_credentials()``, frozen)."""
        return self._credentials.current()

    def _presigning_credentials(self) -> Credentials:
        return self._credentials.current()

    def _fetch(self, request: HttpRequest, timeout: float) -> HttpResponse:
        """A credential provider's request (metadata service, STS, SSO): through this client's
        transport, or a sender of its own when its host takes another proxy than S3's (NO_PROXY)."""
        sender = self._sender if self._routes is None else self._routes.through(self._fetch_proxy(request))
        return self._send(Send(request), time.monotonic() + timeout, sender)[1]

    def close(self) -> None:
        self._release_abandoned()
        for sender in [self._sender] if self._routes is None else self._routes.all():
            sender.close()

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

    def _send(
        self, effect: Send, deadline: float | None, sender: Sender | None = None
    ) -> tuple[Exchange | None, HttpResponse]:
        request = effect.request
        body = request.body
        content = iter_stream(body, CHUNK_SIZE) if isinstance(body, StreamBody) else body
        try:
            with attempt_deadline(deadline):
                return (sender or self._sender).send(request, content, deadline, effect.stream)
        finally:
            if not isinstance(content, bytes):
                content.close()  # ends the read-ahead worker thread now, whatever happened

    def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        self._release_abandoned()
        self._credentials.current()
        driving = Driving(self._flow(operation, params, allow_async=False))
        deadline = None
        #: the response whose body the flow left unread (a streamed result, or an error's body)
        held: Exchange | None = None
        try:
            while (effect := driving.next_effect()) is not None:
                if isinstance(effect, Send):
                    if (previous := held) is not None:
                        held = None
                        previous.close()
                    deadline = self._deadline()
                    try:
                        held, described = self._send(effect, deadline)
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
                            driving.answer(unread.read_whole())
                        except HTTPClientError as error:
                            driving.fail(error)
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
