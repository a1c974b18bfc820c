"""``AsyncClient``: the same flow as ``Client``, driven with ``await`` (asyncio or trio, via anyio)."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, Unpack, cast

import anyio
import httpx

from ._base import BaseClient
from ._errors import HTTPClientError
from ._flow import Driving, HashBody, ReadBody, Send
from ._http import HttpResponse, StreamBody
from ._httpx_adapter import attempt_deadline, with_deadlines
from ._serialize import CHUNK_SIZE
from ._streaming import AsyncStreamingBody, with_body
from ._transport import TRANSPORT_ERRORS, aread_whole, from_httpx, to_httpx, translated
from ._types import (
    CompleteMultipartUploadOutput,
    CompleteMultipartUploadRequest,
    CopyObjectOutput,
    CopyObjectRequest,
    CreateMultipartUploadOutput,
    CreateMultipartUploadRequest,
    GetObjectOutput,
    GetObjectRequest,
    HeadObjectOutput,
    HeadObjectRequest,
    PutObjectOutput,
    PutObjectRequest,
    UploadPartCopyOutput,
    UploadPartCopyRequest,
    UploadPartOutput,
    UploadPartRequest,
)
from ._upload import aiter_stream, asha256_of, source_closer
from ._wait import AsyncPaging


class AsyncClient(BaseClient, AsyncPaging):
    """An asynchronous S3 client: ``Client``'s methods as coroutines, many calls sharing one pool."""

    def __init__(self, *, transport: httpx.AsyncBaseTransport | None = None, **options: Any) -> None:
        super().__init__(**options)
        if transport is None:
            transport = httpx.AsyncHTTPTransport(
                verify=self._options.ssl_context(), limits=self._options.limits, proxy=self._proxy()
            )
            with_deadlines(transport)
        self._transport = transport

    async def close(self) -> None:
        await self._release_abandoned()
        await self._transport.aclose()

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

    async def _send(self, effect: Send, deadline: float | None) -> tuple[httpx.Response, HttpResponse]:
        request = effect.request
        body = request.body
        content = aiter_stream(body, CHUNK_SIZE) if isinstance(body, StreamBody) else body
        try:
            with attempt_deadline(deadline):
                try:
                    built = to_httpx(request, content, self._options.timeout_for(deadline))
                    response = await self._transport.handle_async_request(built)
                    if effect.stream:
                        return response, from_httpx(response)
                    try:
                        return response, from_httpx(response, await aread_whole(response))
                    finally:
                        await response.aclose()
                except TRANSPORT_ERRORS as error:
                    failure = self._failure(error)
        finally:
            if not isinstance(content, bytes):
                with anyio.CancelScope(shield=True):  # closed even when the call is being cancelled
                    await content.aclose()
        raise failure  # outside the except: a refused request keeps no trace of what h11 quoted

    async def _call(self, operation: str, params: Mapping[str, Any]) -> Any:
        await self._release_abandoned()
        driving = Driving(self._flow(operation, params, allow_async=True))
        deadline = None
        try:
            while (effect := driving.next_effect()) is not None:
                if isinstance(effect, Send):
                    if (previous := driving.release()) is not None:
                        await previous.aclose()
                    deadline = self._deadline()
                    try:
                        driving.received(effect, *await self._send(effect, deadline))
                    except HTTPClientError as error:
                        driving.fail(error)
                elif isinstance(effect, HashBody):
                    driving.answer(await asha256_of(effect.body))
                elif isinstance(effect, ReadBody):
                    response = driving.release()
                    with attempt_deadline(deadline):
                        try:
                            driving.answer(await aread_whole(response))
                        except TRANSPORT_ERRORS as error:
                            driving.fail(translated(error))
                        finally:
                            await response.aclose()
                else:
                    await anyio.sleep(effect.seconds)
            return with_body(driving, params, AsyncStreamingBody, self._bodies)
        except BaseException:
            if (close := source_closer(params.get("Body"))) is not None:
                with anyio.CancelScope(shield=True):
                    if inspect.isawaitable(closed := close()):
                        await closed
            raise
        finally:
            if (held := driving.release()) is not None:
                with anyio.CancelScope(shield=True):
                    await held.aclose()

    async def put_object(self, **params: Unpack[PutObjectRequest]) -> PutObjectOutput:
        return cast(PutObjectOutput, await self._call("PutObject", params))

    async def get_object(self, **params: Unpack[GetObjectRequest]) -> GetObjectOutput[AsyncStreamingBody]:
        return cast(GetObjectOutput[AsyncStreamingBody], await self._call("GetObject", params))

    async def head_object(self, **params: Unpack[HeadObjectRequest]) -> HeadObjectOutput:
        return cast(HeadObjectOutput, await self._call("HeadObject", params))

    async def copy_object(self, **params: Unpack[CopyObjectRequest]) -> CopyObjectOutput:
        return cast(CopyObjectOutput, await self._call("CopyObject", params))

    async def create_multipart_upload(
        self, **params: Unpack[CreateMultipartUploadRequest]
    ) -> CreateMultipartUploadOutput:
        return cast(CreateMultipartUploadOutput, await self._call("CreateMultipartUpload", params))

    async def upload_part(self, **params: Unpack[UploadPartRequest]) -> UploadPartOutput:
        return cast(UploadPartOutput, await self._call("UploadPart", params))

    async def upload_part_copy(self, **params: Unpack[UploadPartCopyRequest]) -> UploadPartCopyOutput:
        return cast(UploadPartCopyOutput, await self._call("UploadPartCopy", params))

    async def complete_multipart_upload(
        self, **params: Unpack[CompleteMultipartUploadRequest]
    ) -> CompleteMultipartUploadOutput:
        return cast(CompleteMultipartUploadOutput, await self._call("CompleteMultipartUpload", params))
