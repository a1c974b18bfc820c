"""Typed request and result dicts for the eight operations, so editors complete ``SSEKMSKeyId`` and friends.

Generated once from the S3 model table (``_model.py``); the names follow boto3-stubs' conventions.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import IO, Generic, Required, TypedDict, TypeVar

#: A timestamp parameter: an aware or naive (taken as UTC) datetime, epoch seconds, or an ISO 8601 / RFC 822 string.
TimestampInput = datetime | int | float | str
#: What PutObject and UploadPart take as ``Body``: bytes-like, text (sent as UTF-8), a binary file, or an
#: iterator of bytes (sync client) / async iterator of bytes (async client) with ``ContentLength``.
BodyInput = bytes | bytearray | memoryview | str | IO[bytes] | Iterable[bytes] | AsyncIterable[bytes]
BodyT = TypeVar("BodyT")


class ResponseMetadata(TypedDict, total=False):
    RequestId: Required[str]
    HostId: Required[str]
    HTTPStatusCode: Required[int]
    HTTPHeaders: Required[dict[str, str]]
    RetryAttempts: Required[int]
    MaxAttemptsReached: bool


class CopySourceDict(TypedDict, total=False):
    Bucket: Required[str]
    Key: Required[str]
    VersionId: str


class CopyPartResult(TypedDict, total=False):
    ETag: str
    LastModified: datetime
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str


class CopyObjectResult(TypedDict, total=False):
    ETag: str
    LastModified: datetime
    ChecksumType: str
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str


class CompletedMultipartUpload(TypedDict, total=False):
    Parts: Sequence[CompletedPart]


class CompletedPart(TypedDict, total=False):
    ETag: str
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str
    PartNumber: int


class PutObjectRequest(TypedDict, total=False):
    ACL: str
    Body: BodyInput
    Bucket: Required[str]
    CacheControl: str
    ContentDisposition: str
    ContentEncoding: str
    ContentLanguage: str
    ContentLength: int
    ContentMD5: str
    ContentType: str
    ChecksumAlgorithm: str
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str
    Expires: TimestampInput
    IfMatch: str
    IfNoneMatch: str
    GrantFullControl: str
    GrantRead: str
    GrantReadACP: str
    GrantWriteACP: str
    Key: Required[str]
    WriteOffsetBytes: int
    Metadata: Mapping[str, str]
    ServerSideEncryption: str
    StorageClass: str
    WebsiteRedirectLocation: str
    SSECustomerAlgorithm: str
    SSECustomerKey: str
    SSECustomerKeyMD5: str
    SSEKMSKeyId: str
    SSEKMSEncryptionContext: str
    BucketKeyEnabled: bool
    RequestPayer: str
    Tagging: str
    ObjectLockMode: str
    ObjectLockRetainUntilDate: TimestampInput
    ObjectLockLegalHoldStatus: str
    ObjectLockEventHold: str
    ObjectLockEventHoldDurationDays: int
    ObjectLockEventHoldDurationYears: int
    ExpectedBucketOwner: str


class PutObjectOutput(TypedDict, total=False):
    Expiration: str
    ETag: str
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str
    ChecksumType: str
    ServerSideEncryption: str
    VersionId: str
    SSECustomerAlgorithm: str
    SSECustomerKeyMD5: str
    SSEKMSKeyId: str
    SSEKMSEncryptionContext: str
    BucketKeyEnabled: bool
    Size: int
    RequestCharged: str
    ResponseMetadata: Required[ResponseMetadata]


class GetObjectRequest(TypedDict, total=False):
    Bucket: Required[str]
    IfMatch: str
    IfModifiedSince: TimestampInput
    IfNoneMatch: str
    IfUnmodifiedSince: TimestampInput
    Key: Required[str]
    Range: str
    ResponseCacheControl: str
    ResponseContentDisposition: str
    ResponseContentEncoding: str
    ResponseContentLanguage: str
    ResponseContentType: str
    ResponseExpires: TimestampInput
    VersionId: str
    SSECustomerAlgorithm: str
    SSECustomerKey: str
    SSECustomerKeyMD5: str
    RequestPayer: str
    PartNumber: int
    ExpectedBucketOwner: str
    ChecksumMode: str


class GetObjectOutput(TypedDict, Generic[BodyT], total=False):
    Body: BodyT
    DeleteMarker: bool
    AcceptRanges: str
    Expiration: str
    Restore: str
    LastModified: datetime
    ContentLength: int
    ETag: str
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str
    ChecksumType: str
    MissingMeta: int
    VersionId: str
    CacheControl: str
    ContentDisposition: str
    ContentEncoding: str
    ContentLanguage: str
    ContentRange: str
    ContentType: str
    Expires: datetime
    ExpiresString: str
    WebsiteRedirectLocation: str
    ServerSideEncryption: str
    Metadata: dict[str, str]
    SSECustomerAlgorithm: str
    SSECustomerKeyMD5: str
    SSEKMSKeyId: str
    BucketKeyEnabled: bool
    StorageClass: str
    RequestCharged: str
    ReplicationStatus: str
    PartsCount: int
    TagCount: int
    ObjectLockMode: str
    ObjectLockRetainUntilDate: datetime
    ObjectLockLegalHoldStatus: str
    ObjectLockEventHold: str
    ObjectLockEventHoldDurationDays: int
    ObjectLockEventHoldDurationYears: int
    ResponseMetadata: Required[ResponseMetadata]


class HeadObjectRequest(TypedDict, total=False):
    Bucket: Required[str]
    IfMatch: str
    IfModifiedSince: TimestampInput
    IfNoneMatch: str
    IfUnmodifiedSince: TimestampInput
    Key: Required[str]
    Range: str
    ResponseCacheControl: str
    ResponseContentDisposition: str
    ResponseContentEncoding: str
    ResponseContentLanguage: str
    ResponseContentType: str
    ResponseExpires: TimestampInput
    VersionId: str
    SSECustomerAlgorithm: str
    SSECustomerKey: str
    SSECustomerKeyMD5: str
    RequestPayer: str
    PartNumber: int
    ExpectedBucketOwner: str
    ChecksumMode: str


class HeadObjectOutput(TypedDict, total=False):
    DeleteMarker: bool
    AcceptRanges: str
    Expiration: str
    Restore: str
    ArchiveStatus: str
    LastModified: datetime
    ContentLength: int
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str
    ChecksumType: str
    ETag: str
    MissingMeta: int
    VersionId: str
    CacheControl: str
    ContentDisposition: str
    ContentEncoding: str
    ContentLanguage: str
    ContentType: str
    ContentRange: str
    Expires: datetime
    ExpiresString: str
    WebsiteRedirectLocation: str
    ServerSideEncryption: str
    Metadata: dict[str, str]
    SSECustomerAlgorithm: str
    SSECustomerKeyMD5: str
    SSEKMSKeyId: str
    BucketKeyEnabled: bool
    StorageClass: str
    RequestCharged: str
    ReplicationStatus: str
    PartsCount: int
    TagCount: int
    ObjectLockMode: str
    ObjectLockRetainUntilDate: datetime
    ObjectLockLegalHoldStatus: str
    ObjectLockEventHold: str
    ObjectLockEventHoldDurationDays: int
    ObjectLockEventHoldDurationYears: int
    ResponseMetadata: Required[ResponseMetadata]


class CopyObjectRequest(TypedDict, total=False):
    ACL: str
    Bucket: Required[str]
    CacheControl: str
    ChecksumAlgorithm: str
    ContentDisposition: str
    ContentEncoding: str
    ContentLanguage: str
    ContentType: str
    CopySource: Required[str | CopySourceDict]
    CopySourceIfMatch: str
    CopySourceIfModifiedSince: TimestampInput
    CopySourceIfNoneMatch: str
    CopySourceIfUnmodifiedSince: TimestampInput
    Expires: TimestampInput
    GrantFullControl: str
    GrantRead: str
    GrantReadACP: str
    GrantWriteACP: str
    IfMatch: str
    IfNoneMatch: str
    Key: Required[str]
    Metadata: Mapping[str, str]
    MetadataDirective: str
    TaggingDirective: str
    AnnotationDirective: str
    ServerSideEncryption: str
    StorageClass: str
    WebsiteRedirectLocation: str
    SSECustomerAlgorithm: str
    SSECustomerKey: str
    SSECustomerKeyMD5: str
    SSEKMSKeyId: str
    SSEKMSEncryptionContext: str
    BucketKeyEnabled: bool
    CopySourceSSECustomerAlgorithm: str
    CopySourceSSECustomerKey: str
    CopySourceSSECustomerKeyMD5: str
    RequestPayer: str
    Tagging: str
    ObjectLockMode: str
    ObjectLockRetainUntilDate: TimestampInput
    ObjectLockLegalHoldStatus: str
    ObjectLockEventHold: str
    ObjectLockEventHoldDurationDays: int
    ObjectLockEventHoldDurationYears: int
    ExpectedBucketOwner: str
    ExpectedSourceBucketOwner: str


class CopyObjectOutput(TypedDict, total=False):
    CopyObjectResult: CopyObjectResult
    Expiration: str
    CopySourceVersionId: str
    VersionId: str
    ServerSideEncryption: str
    SSECustomerAlgorithm: str
    SSECustomerKeyMD5: str
    SSEKMSKeyId: str
    SSEKMSEncryptionContext: str
    BucketKeyEnabled: bool
    RequestCharged: str
    ResponseMetadata: Required[ResponseMetadata]


class CreateMultipartUploadRequest(TypedDict, total=False):
    ACL: str
    Bucket: Required[str]
    CacheControl: str
    ContentDisposition: str
    ContentEncoding: str
    ContentLanguage: str
    ContentType: str
    Expires: TimestampInput
    GrantFullControl: str
    GrantRead: str
    GrantReadACP: str
    GrantWriteACP: str
    Key: Required[str]
    Metadata: Mapping[str, str]
    ServerSideEncryption: str
    StorageClass: str
    WebsiteRedirectLocation: str
    SSECustomerAlgorithm: str
    SSECustomerKey: str
    SSECustomerKeyMD5: str
    SSEKMSKeyId: str
    SSEKMSEncryptionContext: str
    BucketKeyEnabled: bool
    RequestPayer: str
    Tagging: str
    ObjectLockMode: str
    ObjectLockRetainUntilDate: TimestampInput
    ObjectLockLegalHoldStatus: str
    ObjectLockEventHold: str
    ObjectLockEventHoldDurationDays: int
    ObjectLockEventHoldDurationYears: int
    ExpectedBucketOwner: str
    ChecksumAlgorithm: str
    ChecksumType: str


class CreateMultipartUploadOutput(TypedDict, total=False):
    AbortDate: datetime
    AbortRuleId: str
    Bucket: str
    Key: str
    UploadId: str
    ServerSideEncryption: str
    SSECustomerAlgorithm: str
    SSECustomerKeyMD5: str
    SSEKMSKeyId: str
    SSEKMSEncryptionContext: str
    BucketKeyEnabled: bool
    RequestCharged: str
    ChecksumAlgorithm: str
    ChecksumType: str
    VersionId: str
    ResponseMetadata: Required[ResponseMetadata]


class UploadPartRequest(TypedDict, total=False):
    Body: BodyInput
    Bucket: Required[str]
    ContentLength: int
    ContentMD5: str
    ChecksumAlgorithm: str
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str
    Key: Required[str]
    PartNumber: Required[int]
    UploadId: Required[str]
    SSECustomerAlgorithm: str
    SSECustomerKey: str
    SSECustomerKeyMD5: str
    RequestPayer: str
    ExpectedBucketOwner: str


class UploadPartOutput(TypedDict, total=False):
    ServerSideEncryption: str
    ETag: str
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str
    SSECustomerAlgorithm: str
    SSECustomerKeyMD5: str
    SSEKMSKeyId: str
    BucketKeyEnabled: bool
    RequestCharged: str
    VersionId: str
    ResponseMetadata: Required[ResponseMetadata]


class UploadPartCopyRequest(TypedDict, total=False):
    Bucket: Required[str]
    CopySource: Required[str | CopySourceDict]
    CopySourceIfMatch: str
    CopySourceIfModifiedSince: TimestampInput
    CopySourceIfNoneMatch: str
    CopySourceIfUnmodifiedSince: TimestampInput
    CopySourceRange: str
    Key: Required[str]
    PartNumber: Required[int]
    UploadId: Required[str]
    SSECustomerAlgorithm: str
    SSECustomerKey: str
    SSECustomerKeyMD5: str
    CopySourceSSECustomerAlgorithm: str
    CopySourceSSECustomerKey: str
    CopySourceSSECustomerKeyMD5: str
    RequestPayer: str
    ExpectedBucketOwner: str
    ExpectedSourceBucketOwner: str


class UploadPartCopyOutput(TypedDict, total=False):
    CopySourceVersionId: str
    CopyPartResult: CopyPartResult
    ServerSideEncryption: str
    SSECustomerAlgorithm: str
    SSECustomerKeyMD5: str
    SSEKMSKeyId: str
    BucketKeyEnabled: bool
    RequestCharged: str
    VersionId: str
    ResponseMetadata: Required[ResponseMetadata]


class CompleteMultipartUploadRequest(TypedDict, total=False):
    Bucket: Required[str]
    Key: Required[str]
    MultipartUpload: CompletedMultipartUpload
    UploadId: Required[str]
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str
    ChecksumType: str
    MpuObjectSize: int
    RequestPayer: str
    ExpectedBucketOwner: str
    IfMatch: str
    IfNoneMatch: str
    SSECustomerAlgorithm: str
    SSECustomerKey: str
    SSECustomerKeyMD5: str


class CompleteMultipartUploadOutput(TypedDict, total=False):
    Location: str
    Bucket: str
    Key: str
    Expiration: str
    ETag: str
    ChecksumCRC32: str
    ChecksumCRC32C: str
    ChecksumCRC64NVME: str
    ChecksumSHA1: str
    ChecksumSHA256: str
    ChecksumSHA512: str
    ChecksumMD5: str
    ChecksumXXHASH64: str
    ChecksumXXHASH3: str
    ChecksumXXHASH128: str
    ChecksumType: str
    ServerSideEncryption: str
    VersionId: str
    SSEKMSKeyId: str
    BucketKeyEnabled: bool
    RequestCharged: str
    ResponseMetadata: Required[ResponseMetadata]
