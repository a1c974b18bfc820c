"""``Client``: the eight operations, synchronously, over any ``httpx.BaseTransport``.

The client hands ``httpx.Request`` objects straight to the transport: httpx's client layer
(redirects, cookies, auth, hooks) costs ~56 us a call and S3 needs none of it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, Unpack, cast

import httpx

from ._base import BaseClient
from ._errors import HTTPClientError
from ._flow import Driving, HashBody, ReadBody, Send
from ._http import HttpResponse, StreamBody
from ._httpx_adapter import attempt_deadline, with_deadlines
from ._serialize import CHUNK_SIZE
from ._streaming import StreamingBody, with_body
from ._transport import TRANSPORT_ERRORS, from_httpx, read_whole, to_httpx, translated
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
from ._upload import iter_stream, sha256_of, source_closer
from ._wait import SyncPaging


class Client(BaseClient, SyncPaging):
    """A synchronous S3 client with boto3's method names, keyword arguments and result dicts."""

    def __init__(self, *, transport: httpx.BaseTransport | None = None, **options: Any) -> None:
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
        try:
            while (effect := driving.next_effect()) is not None:
                if isinstance(effect, Send):
                    if (previous := driving.release()) is not None:
                        previous.close()
                    deadline = self._deadline()
                    try:
                        driving.received(effect, *self._send(effect, deadline))
                    except HTTPClientError as error:
                        driving.fail(error)
                elif isinstance(effect, HashBody):
                    driving.answer(sha256_of(effect.body))
                elif isinstance(effect, ReadBody):
                    response = driving.release()
                    with attempt_deadline(deadline):
                        try:
                            driving.answer(read_whole(response))
                        except TRANSPORT_ERRORS as error:
                            driving.fail(translated(error))
                        finally:
                            response.close()
                else:
                    time.sleep(effect.seconds)
            return with_body(driving, params, StreamingBody, self._bodies)
        except BaseException:
            if (close := source_closer(params.get("Body"))) is not None:
                close()
            raise
        finally:
            if (held := driving.release()) is not None:
                held.close()

    def put_object(self, **params: Unpack[PutObjectRequest]) -> PutObjectOutput:
        return cast(PutObjectOutput, self._call("PutObject", params))

    def get_object(self, **params: Unpack[GetObjectRequest]) -> GetObjectOutput[StreamingBody]:
        return cast(GetObjectOutput[StreamingBody], self._call("GetObject", params))

    def head_object(self, **params: Unpack[HeadObjectRequest]) -> HeadObjectOutput:
        return cast(HeadObjectOutput, self._call("HeadObject", params))

    def copy_object(self, **params: Unpack[CopyObjectRequest]) -> CopyObjectOutput:
        return cast(CopyObjectOutput, self._call("CopyObject", params))

    def create_multipart_upload(self, **params: Unpack[CreateMultipartUploadRequest]) -> CreateMultipartUploadOutput:
        return cast(CreateMultipartUploadOutput, self._call("CreateMultipartUpload", params))

    def upload_part(self, **params: Unpack[UploadPartRequest]) -> UploadPartOutput:
        return cast(UploadPartOutput, self._call("UploadPart", params))

    def upload_part_copy(self, **params: Unpack[UploadPartCopyRequest]) -> UploadPartCopyOutput:
        return cast(UploadPartCopyOutput, self._call("UploadPartCopy", params))

    def complete_multipart_upload(
        self, **params: Unpack[CompleteMultipartUploadRequest]
    ) -> CompleteMultipartUploadOutput:
        return cast(CompleteMultipartUploadOutput, self._call("CompleteMultipartUpload", params))
