"""Which ``ExtraArgs`` each transfer takes, and which of them go to each request it makes.

The lists are s3transfer's (``TransferManager.ALLOWED_*_ARGS`` and the per-request lists of its
upload, download and copy tasks), so code written for boto3 is accepted or refused the same way; a
key outside them is refused before any request is sent, naming it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from .._errors import ParamValidationError

#: ``x-amz-checksum-*`` values of the whole object a caller may pass (s3transfer's
#: ``FULL_OBJECT_CHECKSUM_ARGS``)
FULL_OBJECT_CHECKSUMS = (
    "ChecksumCRC32",
    "ChecksumCRC32C",
    "ChecksumCRC64NVME",
    "ChecksumMD5",
    "ChecksumSHA1",
    "ChecksumSHA256",
    "ChecksumSHA512",
    "ChecksumXXHASH3",
    "ChecksumXXHASH64",
    "ChecksumXXHASH128",
)

_SSE_C = ("SSECustomerAlgorithm", "SSECustomerKey", "SSECustomerKeyMD5")
_COPY_SOURCE_SSE_C = ("CopySourceSSECustomerAlgorithm", "CopySourceSSECustomerKey", "CopySourceSSECustomerKeyMD5")
_COPY_SOURCE_CONDITIONS = (
    "CopySourceIfMatch",
    "CopySourceIfModifiedSince",
    "CopySourceIfNoneMatch",
    "CopySourceIfUnmodifiedSince",
)
_PAYER_OWNER = ("RequestPayer", "ExpectedBucketOwner")

#: what the new object is made with: PutObject's and CreateMultipartUpload's common members
_OBJECT_ARGS = (
    "ACL",
    "CacheControl",
    "ChecksumAlgorithm",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "ContentType",
    "ExpectedBucketOwner",
    "Expires",
    "GrantFullControl",
    "GrantRead",
    "GrantReadACP",
    "GrantWriteACP",
    "Metadata",
    "ObjectLockLegalHoldStatus",
    "ObjectLockMode",
    "ObjectLockRetainUntilDate",
    "RequestPayer",
    "ServerSideEncryption",
    "StorageClass",
    *_SSE_C,
    "SSEKMSKeyId",
    "SSEKMSEncryptionContext",
    "Tagging",
    "WebsiteRedirectLocation",
)

ALLOWED_UPLOAD_ARGS = frozenset((*_OBJECT_ARGS, "ChecksumType", "MpuObjectSize", *FULL_OBJECT_CHECKSUMS))
ALLOWED_DOWNLOAD_ARGS = frozenset(("ChecksumMode", "VersionId", *_SSE_C, *_PAYER_OWNER))
ALLOWED_COPY_ARGS = frozenset(
    (
        *_OBJECT_ARGS,
        *_COPY_SOURCE_CONDITIONS,
        *_COPY_SOURCE_SSE_C,
        "MetadataDirective",
        "TaggingDirective",
        "AnnotationDirective",
    )
)

#: per request of an upload (s3transfer's ``UploadSubmissionTask``)
PUT_OBJECT_EXCLUDED = frozenset(("ChecksumType", "MpuObjectSize"))
CREATE_UPLOAD_EXCLUDED = frozenset((*FULL_OBJECT_CHECKSUMS, "MpuObjectSize"))
UPLOAD_PART_ARGS = frozenset(("ChecksumAlgorithm", *_SSE_C, *_PAYER_OWNER))
COMPLETE_UPLOAD_ARGS = frozenset((*_SSE_C, *_PAYER_OWNER, "ChecksumType", "MpuObjectSize", *FULL_OBJECT_CHECKSUMS))
#: AbortMultipartUpload has no SSE-C members; a requester-pays or owner-checked bucket needs these
#: (s3transfer sends none, and its abort fails there)
ABORT_UPLOAD_ARGS = frozenset(_PAYER_OWNER)

#: per request of a copy (s3transfer's ``CopySubmissionTask``)
COPY_ARGS_TO_HEAD_ARGS = {
    "CopySourceIfMatch": "IfMatch",
    "CopySourceIfModifiedSince": "IfModifiedSince",
    "CopySourceIfNoneMatch": "IfNoneMatch",
    "CopySourceIfUnmodifiedSince": "IfUnmodifiedSince",
    "CopySourceSSECustomerKey": "SSECustomerKey",
    "CopySourceSSECustomerAlgorithm": "SSECustomerAlgorithm",
    "CopySourceSSECustomerKeyMD5": "SSECustomerKeyMD5",
    "RequestPayer": "RequestPayer",
    "ExpectedBucketOwner": "ExpectedBucketOwner",
}
UPLOAD_PART_COPY_ARGS = frozenset((*_COPY_SOURCE_CONDITIONS, *_COPY_SOURCE_SSE_C, *_SSE_C, *_PAYER_OWNER))
CREATE_COPY_UPLOAD_EXCLUDED = frozenset(
    (
        *_COPY_SOURCE_CONDITIONS,
        *_COPY_SOURCE_SSE_C,
        "MetadataDirective",
        "TaggingDirective",
        "AnnotationDirective",
        "Tagging",
    )
)
COMPLETE_COPY_UPLOAD_ARGS = frozenset((*_SSE_C, *_PAYER_OWNER))
#: what a multipart copy carries over from the source's HeadObject, having no MetadataDirective
PRESERVED_METADATA = (
    "CacheControl",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "ContentType",
    "Expires",
    "Metadata",
)
TAGGING_READ_ARGS = frozenset(_PAYER_OWNER)
TAGGING_WRITE_ARGS = frozenset((*_PAYER_OWNER, "ChecksumAlgorithm"))


def checked_extra_args(
    extra_args: Mapping[str, Any] | None, allowed: Collection[str], direction: str
) -> dict[str, Any]:
    """A copy of ``extra_args`` (None: empty), refused when it is not a mapping or names a key that
    ``allowed`` lacks: s3transfer's ``_validate_all_known_args``, as a ParamValidationError."""
    if extra_args is None:
        return {}
    if not isinstance(extra_args, Mapping):
        raise ParamValidationError(f"Invalid type for ExtraArgs, type: {type(extra_args).__name__}, valid types: dict")
    unknown = sorted(str(key) for key in extra_args if key not in allowed)
    if unknown:
        raise ParamValidationError(
            f"Invalid ExtraArgs key{'s' if len(unknown) > 1 else ''} for {direction}: {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(sorted(allowed))}"
        )
    return dict(extra_args)


def only(extra_args: Mapping[str, Any], names: Collection[str]) -> dict[str, Any]:
    """The members of ``extra_args`` named in ``names``."""
    return {key: value for key, value in extra_args.items() if key in names}


def without(extra_args: Mapping[str, Any], names: Collection[str]) -> dict[str, Any]:
    """The members of ``extra_args`` not named in ``names``."""
    return {key: value for key, value in extra_args.items() if key not in names}
