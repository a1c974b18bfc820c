"""The requests of a managed transfer, decided without I/O: which operation, with which parameters,
for each step of an upload, a download or a copy. The clients' drivers (:mod:`.sync`, :mod:`.aio`)
only run these calls, in parallel where the plan says they may.

The steps and the members each request gets are s3transfer's (cited on each); where s3lite differs
(AbortMultipartUpload with RequestPayer and ExpectedBucketOwner, the checksum of each part computed
here) the docstring says why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .._checksums import new_hasher
from .._errors import ParamValidationError, ResponseParseError
from .._http import StreamBody
from . import args
from .limits import MAX_PARTS, MAX_SINGLE_COPY

if TYPE_CHECKING:
    from .config import TransferConfig

#: an operation's model name and its parameters, for ``client._call``
Call = tuple[str, dict[str, Any]]


class Span(NamedTuple):
    """Part ``number`` (from 1): ``length`` bytes from ``offset`` of the object."""

    number: int
    offset: int
    length: int
    #: the object's last part: its download range is left open ("bytes=N-"), as s3transfer's
    last: bool = False

    @property
    def range(self) -> str:
        """The HTTP byte range of the span ("bytes=first-last", both inclusive)."""
        return f"bytes={self.offset}-{self.offset + self.length - 1}"

    @property
    def download_range(self) -> str:
        """The range a download asks for: :attr:`range`, open-ended for the last span
        (s3transfer's ``calculate_range_parameter`` without a total size)."""
        return f"bytes={self.offset}-" if self.last else self.range


def spans(size: int, part_size: int) -> list[Span]:
    """``size`` bytes cut into parts of ``part_size``, the last one shorter."""
    count = max(1, math.ceil(size / part_size))
    return [Span(n + 1, n * part_size, min(part_size, size - n * part_size), n == count - 1) for n in range(count)]


def _required(result: Mapping[str, Any], member: str, operation: str) -> Any:
    value = result.get(member)
    if value is None:
        raise ResponseParseError(f"{operation}'s response has no {member}")
    return value


def _checked_names(bucket: Any, key: Any) -> None:
    for name, value in (("Bucket", bucket), ("Key", key)):
        if not isinstance(value, str):
            raise ParamValidationError(
                f"Invalid type for parameter {name}, type: {type(value).__name__}, valid types: str"
            )


class Multipart:
    """The parts of one multipart upload, as they complete (any order), for CompleteMultipartUpload."""

    def __init__(self, bucket: str, key: str, upload_id: str, checksum_member: str | None) -> None:
        self.bucket, self.key, self.upload_id = bucket, key, upload_id
        self._checksum_member = checksum_member
        self._parts: dict[int, dict[str, Any]] = {}

    def add(self, number: int, result: Mapping[str, Any], etag_member: str = "ETag") -> None:
        """Record part ``number`` from its UploadPart result (or UploadPartCopy's ``CopyPartResult``)."""
        part = {"ETag": _required(result, etag_member, "UploadPart"), "PartNumber": number}
        if self._checksum_member is not None and (checksum := result.get(self._checksum_member)) is not None:
            part[self._checksum_member] = checksum
        self._parts[number] = part

    def parts(self) -> list[dict[str, Any]]:
        """The parts in order, as CompleteMultipartUpload's ``MultipartUpload.Parts`` wants them."""
        return [self._parts[number] for number in sorted(self._parts)]

    def complete(self, extra: Mapping[str, Any]) -> Call:
        """CompleteMultipartUpload with the parts so far and ``extra`` (the plan's members for it)."""
        return "CompleteMultipartUpload", {
            "Bucket": self.bucket,
            "Key": self.key,
            "UploadId": self.upload_id,
            "MultipartUpload": {"Parts": self.parts()},
            **extra,
        }

    def abort(self, extra_args: Mapping[str, Any]) -> Call:
        """AbortMultipartUpload, with RequestPayer and ExpectedBucketOwner from ``extra_args``."""
        return "AbortMultipartUpload", {
            "Bucket": self.bucket,
            "Key": self.key,
            "UploadId": self.upload_id,
            **args.only(extra_args, args.ABORT_UPLOAD_ARGS),
        }


class UploadPlan:
    """``upload_file`` / ``upload_fileobj``: PutObject below the threshold, else a multipart upload
    (s3transfer's ``UploadSubmissionTask``)."""

    def __init__(self, bucket: str, key: str, extra_args: Mapping[str, Any] | None, config: TransferConfig) -> None:
        _checked_names(bucket, key)
        self.bucket, self.key, self.config = bucket, key, config
        self.extra = args.checked_extra_args(extra_args, args.ALLOWED_UPLOAD_ARGS, "an upload")
        full_object = [name for name in args.FULL_OBJECT_CHECKSUMS if name in self.extra]
        #: the algorithm each part (or the single PutObject) is checksummed with, computed here: the
        #: client computes a ChecksumAlgorithm only over bytes, and a part is streamed
        self.algorithm: str | None = self.extra.get("ChecksumAlgorithm")
        if full_object:
            # s3transfer: a full-object checksum makes the upload FULL_OBJECT with its algorithm,
            # whatever ChecksumAlgorithm said (the last one named, as its loop leaves it)
            self.algorithm = full_object[-1].removeprefix("Checksum")
        if self.algorithm is not None:
            new_hasher(str(self.algorithm))  # refuses, before any request, an algorithm s3lite cannot compute

    @property
    def _checksum_member(self) -> str | None:
        return None if self.algorithm is None else f"Checksum{str(self.algorithm).upper()}"

    def _with_checksum(self, params: dict[str, Any], checksum: str | None) -> dict[str, Any]:
        if checksum is not None and self._checksum_member not in params:
            params["ChecksumAlgorithm"] = self.algorithm
            params[self._checksum_member] = checksum  # type: ignore[index]
        return params

    def is_multipart(self, size: int) -> bool:
        return size >= self.config.multipart_threshold

    def check_part_number(self, number: int) -> int:
        """``number``, unless a stream outgrew S3's 10,000 parts: refused before part 10,001 is sent
        (the upload is then aborted)."""
        if number > MAX_PARTS:
            raise ParamValidationError(
                f"Invalid Fileobj: the stream needs more than {MAX_PARTS} parts of "
                f"{self.config.part_size(None)} bytes; raise TransferConfig.multipart_chunksize"
            )
        return number

    def put(self, body: StreamBody, checksum: str | None) -> Call:
        params = {
            "Bucket": self.bucket,
            "Key": self.key,
            "Body": body,
            "ContentLength": body.length,
            **args.without(self.extra, args.PUT_OBJECT_EXCLUDED),
        }
        return "PutObject", self._with_checksum(params, checksum)

    def create(self) -> Call:
        extra = args.without(self.extra, args.CREATE_UPLOAD_EXCLUDED)
        if self.algorithm is not None:
            extra["ChecksumAlgorithm"] = self.algorithm
            if any(name in self.extra for name in args.FULL_OBJECT_CHECKSUMS):
                extra["ChecksumType"] = "FULL_OBJECT"
        return "CreateMultipartUpload", {"Bucket": self.bucket, "Key": self.key, **extra}

    def started(self, result: Mapping[str, Any]) -> Multipart:
        return Multipart(
            self.bucket, self.key, _required(result, "UploadId", "CreateMultipartUpload"), self._checksum_member
        )

    def part(self, upload: Multipart, number: int, body: StreamBody, checksum: str | None) -> Call:
        params = {
            "Bucket": self.bucket,
            "Key": self.key,
            "UploadId": upload.upload_id,
            "PartNumber": number,
            "Body": body,
            "ContentLength": body.length,
            **args.only(self.extra, args.UPLOAD_PART_ARGS),
        }
        return "UploadPart", self._with_checksum(params, checksum)

    def complete(self, upload: Multipart) -> Call:
        extra = args.only(self.extra, args.COMPLETE_UPLOAD_ARGS)
        if any(name in self.extra for name in args.FULL_OBJECT_CHECKSUMS):
            extra["ChecksumType"] = "FULL_OBJECT"
        return upload.complete(extra)

    def abort(self, upload: Multipart) -> Call:
        return upload.abort(self.extra)


class ObjectState(NamedTuple):
    """What HeadObject said of the object being downloaded or copied."""

    size: int
    #: sent back as IfMatch (CopySourceIfMatch) with every ranged request, so that an object replaced
    #: in the middle fails the transfer (412) instead of mixing two versions
    etag: str | None
    head: Mapping[str, Any]


def _state(result: Mapping[str, Any]) -> ObjectState:
    size = _required(result, "ContentLength", "HeadObject")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ResponseParseError(f"HeadObject's ContentLength is not a size: {size!r}")
    return ObjectState(size, result.get("ETag"), result)


class DownloadPlan:
    """``download_file`` / ``download_fileobj``: HeadObject (with every ExtraArgs member), then one
    GET below the threshold or ranged GETs above it, each with ``IfMatch`` on the ETag HeadObject
    gave (s3transfer's ``DownloadSubmissionTask`` with botocore's default response checksum
    validation; told ``when_required`` it skips the HEAD and learns the size from a first range)."""

    def __init__(self, bucket: str, key: str, extra_args: Mapping[str, Any] | None, config: TransferConfig) -> None:
        _checked_names(bucket, key)
        self.bucket, self.key, self.config = bucket, key, config
        self.extra = args.checked_extra_args(extra_args, args.ALLOWED_DOWNLOAD_ARGS, "a download")

    def head(self) -> Call:
        return "HeadObject", {
            "Bucket": self.bucket,
            "Key": self.key,
            **self.extra,
        }

    def state(self, result: Mapping[str, Any]) -> ObjectState:
        return _state(result)

    def spans(self, state: ObjectState) -> list[Span]:
        """One span for the whole object below the threshold (a plain GET), else ranges of
        ``multipart_chunksize`` (no part-count limit applies to reading)."""
        if state.size < self.config.multipart_threshold:
            return [Span(1, 0, state.size, True)]
        return spans(state.size, self.config.multipart_chunksize)

    def get(self, state: ObjectState, span: Span) -> Call:
        """The GET of ``span``: plain below the threshold (as s3transfer's, without IfMatch: the
        object is read in one response, which cannot mix two versions), else ranged with IfMatch."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key}
        if state.size >= self.config.multipart_threshold:
            params["Range"] = span.download_range
            if state.etag is not None:
                params["IfMatch"] = state.etag
        return "GetObject", {**params, **self.extra}


class CopyPlan:
    """``copy``: HeadObject on the source, then CopyObject below the threshold (and up to 5 GiB), else
    a multipart upload of UploadPartCopy parts with ``CopySourceIfMatch`` on the source's ETag, the
    source's metadata carried over unless ``MetadataDirective`` is REPLACE, and its tags when
    ``TaggingDirective`` asks (s3transfer's ``CopySubmissionTask`` and ``CopyCompleteMultipartUploadTask``)."""

    def __init__(
        self, copy_source: Any, bucket: str, key: str, extra_args: Mapping[str, Any] | None, config: TransferConfig
    ) -> None:
        _checked_names(bucket, key)
        if not isinstance(copy_source, Mapping) or not {"Bucket", "Key"} <= copy_source.keys():
            raise ParamValidationError(
                'Invalid value for parameter CopySource: a dict {"Bucket": ..., "Key": ...} (and optionally '
                f'"VersionId"), as boto3\'s copy takes it; got {type(copy_source).__name__}'
            )
        if unknown := sorted(set(copy_source) - {"Bucket", "Key", "VersionId"}):
            raise ParamValidationError(f"Invalid key in parameter CopySource: {', '.join(map(repr, unknown))}")
        _checked_names(copy_source["Bucket"], copy_source["Key"])
        self.source = dict(copy_source)
        self.bucket, self.key, self.config = bucket, key, config
        self.extra = args.checked_extra_args(extra_args, args.ALLOWED_COPY_ARGS, "a copy")
        if self.extra.get("AnnotationDirective") == "COPY":
            raise ParamValidationError(
                "Invalid ExtraArgs: AnnotationDirective='COPY' is not supported by s3lite's managed copy"
            )

    def head(self) -> Call:
        params = dict(self.source)
        for name, head_name in args.COPY_ARGS_TO_HEAD_ARGS.items():
            if name in self.extra:
                params[head_name] = self.extra[name]
        return "HeadObject", params

    def state(self, result: Mapping[str, Any]) -> ObjectState:
        return _state(result)

    def is_multipart(self, state: ObjectState) -> bool:
        return state.size >= self.config.multipart_threshold or state.size > MAX_SINGLE_COPY

    def copy_object(self) -> Call:
        return "CopyObject", {"CopySource": self.source, "Bucket": self.bucket, "Key": self.key, **self.extra}

    def create(self, state: ObjectState) -> Call:
        extra = self.extra
        if extra.get("MetadataDirective") != "REPLACE":
            # "MPU has no native MetadataDirective": anything but REPLACE carries the source's
            extra = args.without(extra, args.PRESERVED_METADATA)
            extra.update({name: state.head[name] for name in args.PRESERVED_METADATA if name in state.head})
        return "CreateMultipartUpload", {
            "Bucket": self.bucket,
            "Key": self.key,
            **args.without(extra, args.CREATE_COPY_UPLOAD_EXCLUDED),
        }

    def started(self, result: Mapping[str, Any]) -> Multipart:
        algorithm = self.extra.get("ChecksumAlgorithm")
        member = None if algorithm is None else f"Checksum{str(algorithm).upper()}"
        return Multipart(self.bucket, self.key, _required(result, "UploadId", "CreateMultipartUpload"), member)

    def spans(self, state: ObjectState) -> list[Span]:
        return spans(state.size, self.config.part_size(state.size))

    def part(self, upload: Multipart, state: ObjectState, span: Span) -> Call:
        params = {
            "CopySource": self.source,
            "Bucket": self.bucket,
            "Key": self.key,
            "UploadId": upload.upload_id,
            "PartNumber": span.number,
            "CopySourceRange": span.range,
            **args.only(self.extra, args.UPLOAD_PART_COPY_ARGS),
        }
        if state.etag is not None:
            params["CopySourceIfMatch"] = state.etag
        return "UploadPartCopy", params

    def part_done(self, upload: Multipart, span: Span, result: Mapping[str, Any]) -> None:
        upload.add(span.number, _required(result, "CopyPartResult", "UploadPartCopy"))

    def complete(self, upload: Multipart) -> Call:
        return upload.complete(args.only(self.extra, args.COMPLETE_COPY_UPLOAD_ARGS))

    def abort(self, upload: Multipart) -> Call:
        return upload.abort(self.extra)

    def tags_source(self) -> Call | None:
        """GetObjectTagging on the source when ``TaggingDirective`` is COPY (a multipart copy does
        not carry tags by itself); None otherwise."""
        if self.extra.get("TaggingDirective") != "COPY":
            return None
        params = {
            "Bucket": self.source["Bucket"],
            "Key": self.source["Key"],
            **args.only(self.extra, args.TAGGING_READ_ARGS),
        }
        if "VersionId" in self.source:
            params["VersionId"] = self.source["VersionId"]
        return "GetObjectTagging", params

    def tag_set(self, source_tags: Mapping[str, Any] | None) -> list[dict[str, str]]:
        """The tags the new object gets: the source's (COPY), those of ``Tagging`` (REPLACE), or none."""
        directive = self.extra.get("TaggingDirective")
        if directive == "COPY":
            return list((source_tags or {}).get("TagSet", []))
        if directive == "REPLACE":
            from urllib.parse import parse_qsl

            return [{"Key": k, "Value": v} for k, v in parse_qsl(self.extra.get("Tagging", ""), keep_blank_values=True)]
        return []

    def put_tags(self, tag_set: list[dict[str, str]], completed: Mapping[str, Any]) -> Call | None:
        if not tag_set:
            return None
        params = {
            "Bucket": self.bucket,
            "Key": self.key,
            "Tagging": {"TagSet": tag_set},
            **args.only(self.extra, args.TAGGING_WRITE_ARGS),
        }
        if version := completed.get("VersionId"):
            params["VersionId"] = version
        return "PutObjectTagging", params


def config_or_default(config: TransferConfig | None) -> TransferConfig:
    """``Config=`` checked: None is the defaults, anything else must be a TransferConfig (whose module
    is imported here, at the first transfer)."""
    from .config import DEFAULT_CONFIG, TransferConfig

    if config is None:
        return DEFAULT_CONFIG
    if not isinstance(config, TransferConfig):
        raise ParamValidationError(
            f"Invalid type for Config, type: {type(config).__name__}, valid types: s3lite.TransferConfig"
        )
    return config
