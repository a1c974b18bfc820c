"""The eight S3 operations as a static table: every member, where it goes on the wire, its type.

Facts from the S3 API model (botocore's ``service-2.json`` with its sdk-extras merge, as summarised in
``reference/s3-spec.md`` §1.3); ``tests/test_model.py`` checks each entry against botocore's installed
model, so a drift in either shows up as a failing test rather than a wrong request.
"""

from __future__ import annotations

from typing import NamedTuple

# Locations (reference/s3-spec.md §1.1).
URI = "uri"
HEADER = "header"
HEADER_MAP = "header_map"
QUERY = "query"
XML = "xml"
PAYLOAD = "payload"
# Types.
STRING = "string"
INTEGER = "integer"
LONG = "long"
BOOLEAN = "boolean"
TIMESTAMP = "timestamp"
BLOB = "blob"
MAP = "map"
STRUCTURE = "structure"
LIST = "list"
# Timestamp formats.
RFC822 = "rfc822"
ISO8601 = "iso8601"


class Member(NamedTuple):
    """One member of an operation's input or output, or of a nested XML structure."""

    name: str
    location: str
    #: header name, header-map prefix, query name, URI label or XML element name
    wire: str
    type: str
    timestamp_format: str = ""
    sensitive: bool = False
    #: for structures and lists: the nested shape in :data:`SHAPES`
    shape: str = ""


class Operation(NamedTuple):
    """One operation: its HTTP binding, its members, and the S3 quirks that apply to it."""

    name: str
    method: str
    #: static query from the URI template (``?uploads`` for CreateMultipartUpload)
    static_query: str
    inputs: dict[str, Member]
    required: frozenset[str]
    outputs: tuple[Member, ...]
    #: the output member that is the whole body ("Body", "CopyObjectResult", ...) or ""
    output_payload: str
    modeled_errors: tuple[str, ...]
    #: ``httpChecksum.requestAlgorithmMember``: PutObject and UploadPart stream a body
    streaming_input: bool


def _by_name(*members: Member) -> dict[str, Member]:
    return {m.name: m for m in members}


_ACL = Member("ACL", HEADER, "x-amz-acl", STRING)
_BODY = Member("Body", PAYLOAD, "", BLOB)
_BUCKET = Member("Bucket", URI, "Bucket", STRING)
_CACHE_CONTROL = Member("CacheControl", HEADER, "Cache-Control", STRING)
_CONTENT_DISPOSITION = Member("ContentDisposition", HEADER, "Content-Disposition", STRING)
_CONTENT_ENCODING = Member("ContentEncoding", HEADER, "Content-Encoding", STRING)
_CONTENT_LANGUAGE = Member("ContentLanguage", HEADER, "Content-Language", STRING)
_CONTENT_LENGTH = Member("ContentLength", HEADER, "Content-Length", LONG)
_CONTENT_MD5 = Member("ContentMD5", HEADER, "Content-MD5", STRING)
_CONTENT_TYPE = Member("ContentType", HEADER, "Content-Type", STRING)
_CHECKSUM_ALGORITHM = Member("ChecksumAlgorithm", HEADER, "x-amz-sdk-checksum-algorithm", STRING)
_CHECKSUM_CRC32 = Member("ChecksumCRC32", HEADER, "x-amz-checksum-crc32", STRING)
_CHECKSUM_CRC32_C = Member("ChecksumCRC32C", HEADER, "x-amz-checksum-crc32c", STRING)
_CHECKSUM_CRC64_NVME = Member("ChecksumCRC64NVME", HEADER, "x-amz-checksum-crc64nvme", STRING)
_CHECKSUM_SHA1 = Member("ChecksumSHA1", HEADER, "x-amz-checksum-sha1", STRING)
_CHECKSUM_SHA256 = Member("ChecksumSHA256", HEADER, "x-amz-checksum-sha256", STRING)
_CHECKSUM_SHA512 = Member("ChecksumSHA512", HEADER, "x-amz-checksum-sha512", STRING)
_CHECKSUM_MD5 = Member("ChecksumMD5", HEADER, "x-amz-checksum-md5", STRING)
_CHECKSUM_XXHASH64 = Member("ChecksumXXHASH64", HEADER, "x-amz-checksum-xxhash64", STRING)
_CHECKSUM_XXHASH3 = Member("ChecksumXXHASH3", HEADER, "x-amz-checksum-xxhash3", STRING)
_CHECKSUM_XXHASH128 = Member("ChecksumXXHASH128", HEADER, "x-amz-checksum-xxhash128", STRING)
_EXPIRES = Member("Expires", HEADER, "Expires", TIMESTAMP, timestamp_format=RFC822)
_IF_MATCH = Member("IfMatch", HEADER, "If-Match", STRING)
_IF_NONE_MATCH = Member("IfNoneMatch", HEADER, "If-None-Match", STRING)
_GRANT_FULL_CONTROL = Member("GrantFullControl", HEADER, "x-amz-grant-full-control", STRING)
_GRANT_READ = Member("GrantRead", HEADER, "x-amz-grant-read", STRING)
_GRANT_READ_ACP = Member("GrantReadACP", HEADER, "x-amz-grant-read-acp", STRING)
_GRANT_WRITE_ACP = Member("GrantWriteACP", HEADER, "x-amz-grant-write-acp", STRING)
_KEY = Member("Key", URI, "Key", STRING)
_WRITE_OFFSET_BYTES = Member("WriteOffsetBytes", HEADER, "x-amz-write-offset-bytes", LONG)
_METADATA = Member("Metadata", HEADER_MAP, "x-amz-meta-", MAP)
_SERVER_SIDE_ENCRYPTION = Member("ServerSideEncryption", HEADER, "x-amz-server-side-encryption", STRING)
_STORAGE_CLASS = Member("StorageClass", HEADER, "x-amz-storage-class", STRING)
_WEBSITE_REDIRECT_LOCATION = Member("WebsiteRedirectLocation", HEADER, "x-amz-website-redirect-location", STRING)
_SSECUSTOMER_ALGORITHM = Member(
    "SSECustomerAlgorithm", HEADER, "x-amz-server-side-encryption-customer-algorithm", STRING
)
_SSECUSTOMER_KEY = Member("SSECustomerKey", HEADER, "x-amz-server-side-encryption-customer-key", STRING, sensitive=True)
_SSECUSTOMER_KEY_MD5 = Member("SSECustomerKeyMD5", HEADER, "x-amz-server-side-encryption-customer-key-MD5", STRING)
_SSEKMSKEY_ID = Member("SSEKMSKeyId", HEADER, "x-amz-server-side-encryption-aws-kms-key-id", STRING, sensitive=True)
_SSEKMSENCRYPTION_CONTEXT = Member(
    "SSEKMSEncryptionContext", HEADER, "x-amz-server-side-encryption-context", STRING, sensitive=True
)
_BUCKET_KEY_ENABLED = Member("BucketKeyEnabled", HEADER, "x-amz-server-side-encryption-bucket-key-enabled", BOOLEAN)
_REQUEST_PAYER = Member("RequestPayer", HEADER, "x-amz-request-payer", STRING)
_TAGGING = Member("Tagging", HEADER, "x-amz-tagging", STRING)
_OBJECT_LOCK_MODE = Member("ObjectLockMode", HEADER, "x-amz-object-lock-mode", STRING)
_OBJECT_LOCK_RETAIN_UNTIL_DATE = Member(
    "ObjectLockRetainUntilDate", HEADER, "x-amz-object-lock-retain-until-date", TIMESTAMP, timestamp_format=ISO8601
)
_OBJECT_LOCK_LEGAL_HOLD_STATUS = Member("ObjectLockLegalHoldStatus", HEADER, "x-amz-object-lock-legal-hold", STRING)
_OBJECT_LOCK_EVENT_HOLD = Member("ObjectLockEventHold", HEADER, "x-amz-object-lock-event-hold", STRING)
_OBJECT_LOCK_EVENT_HOLD_DURATION_DAYS = Member(
    "ObjectLockEventHoldDurationDays", HEADER, "x-amz-object-lock-event-hold-duration-days", INTEGER
)
_OBJECT_LOCK_EVENT_HOLD_DURATION_YEARS = Member(
    "ObjectLockEventHoldDurationYears", HEADER, "x-amz-object-lock-event-hold-duration-years", INTEGER
)
_EXPECTED_BUCKET_OWNER = Member("ExpectedBucketOwner", HEADER, "x-amz-expected-bucket-owner", STRING)
_EXPIRATION = Member("Expiration", HEADER, "x-amz-expiration", STRING)
_ETAG = Member("ETag", HEADER, "ETag", STRING)
_CHECKSUM_TYPE = Member("ChecksumType", HEADER, "x-amz-checksum-type", STRING)
_VERSION_ID = Member("VersionId", HEADER, "x-amz-version-id", STRING)
_SIZE = Member("Size", HEADER, "x-amz-object-size", LONG)
_REQUEST_CHARGED = Member("RequestCharged", HEADER, "x-amz-request-charged", STRING)
_IF_MODIFIED_SINCE = Member("IfModifiedSince", HEADER, "If-Modified-Since", TIMESTAMP, timestamp_format=RFC822)
_IF_UNMODIFIED_SINCE = Member("IfUnmodifiedSince", HEADER, "If-Unmodified-Since", TIMESTAMP, timestamp_format=RFC822)
_RANGE = Member("Range", HEADER, "Range", STRING)
_RESPONSE_CACHE_CONTROL = Member("ResponseCacheControl", QUERY, "response-cache-control", STRING)
_RESPONSE_CONTENT_DISPOSITION = Member("ResponseContentDisposition", QUERY, "response-content-disposition", STRING)
_RESPONSE_CONTENT_ENCODING = Member("ResponseContentEncoding", QUERY, "response-content-encoding", STRING)
_RESPONSE_CONTENT_LANGUAGE = Member("ResponseContentLanguage", QUERY, "response-content-language", STRING)
_RESPONSE_CONTENT_TYPE = Member("ResponseContentType", QUERY, "response-content-type", STRING)
_RESPONSE_EXPIRES = Member("ResponseExpires", QUERY, "response-expires", TIMESTAMP, timestamp_format=RFC822)
_VERSION_ID_QUERY = Member("VersionId", QUERY, "versionId", STRING)
_PART_NUMBER = Member("PartNumber", QUERY, "partNumber", INTEGER)
_CHECKSUM_MODE = Member("ChecksumMode", HEADER, "x-amz-checksum-mode", STRING)
_DELETE_MARKER = Member("DeleteMarker", HEADER, "x-amz-delete-marker", BOOLEAN)
_ACCEPT_RANGES = Member("AcceptRanges", HEADER, "accept-ranges", STRING)
_RESTORE = Member("Restore", HEADER, "x-amz-restore", STRING)
_LAST_MODIFIED = Member("LastModified", HEADER, "Last-Modified", TIMESTAMP, timestamp_format=RFC822)
_MISSING_META = Member("MissingMeta", HEADER, "x-amz-missing-meta", INTEGER)
_CONTENT_RANGE = Member("ContentRange", HEADER, "Content-Range", STRING)
_REPLICATION_STATUS = Member("ReplicationStatus", HEADER, "x-amz-replication-status", STRING)
_PARTS_COUNT = Member("PartsCount", HEADER, "x-amz-mp-parts-count", INTEGER)
_TAG_COUNT = Member("TagCount", HEADER, "x-amz-tagging-count", INTEGER)
_ARCHIVE_STATUS = Member("ArchiveStatus", HEADER, "x-amz-archive-status", STRING)
_CHECKSUM_ALGORITHM_HEADER = Member("ChecksumAlgorithm", HEADER, "x-amz-checksum-algorithm", STRING)
_COPY_SOURCE = Member("CopySource", HEADER, "x-amz-copy-source", STRING)
_COPY_SOURCE_IF_MATCH = Member("CopySourceIfMatch", HEADER, "x-amz-copy-source-if-match", STRING)
_COPY_SOURCE_IF_MODIFIED_SINCE = Member(
    "CopySourceIfModifiedSince", HEADER, "x-amz-copy-source-if-modified-since", TIMESTAMP, timestamp_format=RFC822
)
_COPY_SOURCE_IF_NONE_MATCH = Member("CopySourceIfNoneMatch", HEADER, "x-amz-copy-source-if-none-match", STRING)
_COPY_SOURCE_IF_UNMODIFIED_SINCE = Member(
    "CopySourceIfUnmodifiedSince", HEADER, "x-amz-copy-source-if-unmodified-since", TIMESTAMP, timestamp_format=RFC822
)
_METADATA_DIRECTIVE = Member("MetadataDirective", HEADER, "x-amz-metadata-directive", STRING)
_TAGGING_DIRECTIVE = Member("TaggingDirective", HEADER, "x-amz-tagging-directive", STRING)
_ANNOTATION_DIRECTIVE = Member("AnnotationDirective", HEADER, "x-amz-object-annotation-directive", STRING)
_COPY_SOURCE_SSECUSTOMER_ALGORITHM = Member(
    "CopySourceSSECustomerAlgorithm", HEADER, "x-amz-copy-source-server-side-encryption-customer-algorithm", STRING
)
_COPY_SOURCE_SSECUSTOMER_KEY = Member(
    "CopySourceSSECustomerKey", HEADER, "x-amz-copy-source-server-side-encryption-customer-key", STRING, sensitive=True
)
_COPY_SOURCE_SSECUSTOMER_KEY_MD5 = Member(
    "CopySourceSSECustomerKeyMD5", HEADER, "x-amz-copy-source-server-side-encryption-customer-key-MD5", STRING
)
_EXPECTED_SOURCE_BUCKET_OWNER = Member(
    "ExpectedSourceBucketOwner", HEADER, "x-amz-source-expected-bucket-owner", STRING
)
_COPY_OBJECT_RESULT = Member("CopyObjectResult", PAYLOAD, "CopyObjectResult", STRUCTURE, shape="CopyObjectResult")
_COPY_SOURCE_VERSION_ID = Member("CopySourceVersionId", HEADER, "x-amz-copy-source-version-id", STRING)
_ABORT_DATE = Member("AbortDate", HEADER, "x-amz-abort-date", TIMESTAMP, timestamp_format=RFC822)
_ABORT_RULE_ID = Member("AbortRuleId", HEADER, "x-amz-abort-rule-id", STRING)
_BUCKET_XML = Member("Bucket", XML, "Bucket", STRING)
_KEY_XML = Member("Key", XML, "Key", STRING)
_UPLOAD_ID = Member("UploadId", XML, "UploadId", STRING)
_UPLOAD_ID_QUERY = Member("UploadId", QUERY, "uploadId", STRING)
_COPY_SOURCE_RANGE = Member("CopySourceRange", HEADER, "x-amz-copy-source-range", STRING)
_COPY_PART_RESULT = Member("CopyPartResult", PAYLOAD, "CopyPartResult", STRUCTURE, shape="CopyPartResult")
_MULTIPART_UPLOAD = Member(
    "MultipartUpload", PAYLOAD, "CompleteMultipartUpload", STRUCTURE, shape="CompletedMultipartUpload"
)
_MPU_OBJECT_SIZE = Member("MpuObjectSize", HEADER, "x-amz-mp-object-size", LONG)
_LOCATION = Member("Location", XML, "Location", STRING)
_ETAG_XML = Member("ETag", XML, "ETag", STRING)
_CHECKSUM_CRC32_XML = Member("ChecksumCRC32", XML, "ChecksumCRC32", STRING)
_CHECKSUM_CRC32_C_XML = Member("ChecksumCRC32C", XML, "ChecksumCRC32C", STRING)
_CHECKSUM_CRC64_NVME_XML = Member("ChecksumCRC64NVME", XML, "ChecksumCRC64NVME", STRING)
_CHECKSUM_SHA1_XML = Member("ChecksumSHA1", XML, "ChecksumSHA1", STRING)
_CHECKSUM_SHA256_XML = Member("ChecksumSHA256", XML, "ChecksumSHA256", STRING)
_CHECKSUM_SHA512_XML = Member("ChecksumSHA512", XML, "ChecksumSHA512", STRING)
_CHECKSUM_MD5_XML = Member("ChecksumMD5", XML, "ChecksumMD5", STRING)
_CHECKSUM_XXHASH64_XML = Member("ChecksumXXHASH64", XML, "ChecksumXXHASH64", STRING)
_CHECKSUM_XXHASH3_XML = Member("ChecksumXXHASH3", XML, "ChecksumXXHASH3", STRING)
_CHECKSUM_XXHASH128_XML = Member("ChecksumXXHASH128", XML, "ChecksumXXHASH128", STRING)
_CHECKSUM_TYPE_XML = Member("ChecksumType", XML, "ChecksumType", STRING)
_LAST_MODIFIED_XML = Member("LastModified", XML, "LastModified", TIMESTAMP, timestamp_format=ISO8601)
_PARTS = Member("Parts", XML, "Part", LIST, shape="CompletedPart")
_PART_NUMBER_XML = Member("PartNumber", XML, "PartNumber", INTEGER)

#: Nested XML structures, by shape name.
# fmt: off
SHAPES: dict[str, tuple[Member, ...]] = {
    'CopyPartResult': (_ETAG_XML, _LAST_MODIFIED_XML, _CHECKSUM_CRC32_XML, _CHECKSUM_CRC32_C_XML,
            _CHECKSUM_CRC64_NVME_XML, _CHECKSUM_SHA1_XML, _CHECKSUM_SHA256_XML, _CHECKSUM_SHA512_XML,
            _CHECKSUM_MD5_XML, _CHECKSUM_XXHASH64_XML, _CHECKSUM_XXHASH3_XML, _CHECKSUM_XXHASH128_XML,),
    'CopyObjectResult': (_ETAG_XML, _LAST_MODIFIED_XML, _CHECKSUM_TYPE_XML, _CHECKSUM_CRC32_XML,
            _CHECKSUM_CRC32_C_XML, _CHECKSUM_CRC64_NVME_XML, _CHECKSUM_SHA1_XML, _CHECKSUM_SHA256_XML,
            _CHECKSUM_SHA512_XML, _CHECKSUM_MD5_XML, _CHECKSUM_XXHASH64_XML, _CHECKSUM_XXHASH3_XML,
            _CHECKSUM_XXHASH128_XML,),
    'CompletedMultipartUpload': (_PARTS,),
    'CompletedPart': (_ETAG_XML, _CHECKSUM_CRC32_XML, _CHECKSUM_CRC32_C_XML, _CHECKSUM_CRC64_NVME_XML,
            _CHECKSUM_SHA1_XML, _CHECKSUM_SHA256_XML, _CHECKSUM_SHA512_XML, _CHECKSUM_MD5_XML,
            _CHECKSUM_XXHASH64_XML, _CHECKSUM_XXHASH3_XML, _CHECKSUM_XXHASH128_XML, _PART_NUMBER_XML,),
}

# fmt: off
OPERATIONS: dict[str, Operation] = {
    'PutObject': Operation(
        'PutObject', 'PUT', '',
        _by_name(_ACL, _BODY, _BUCKET, _CACHE_CONTROL, _CONTENT_DISPOSITION, _CONTENT_ENCODING, _CONTENT_LANGUAGE,
            _CONTENT_LENGTH, _CONTENT_MD5, _CONTENT_TYPE, _CHECKSUM_ALGORITHM, _CHECKSUM_CRC32, _CHECKSUM_CRC32_C,
            _CHECKSUM_CRC64_NVME, _CHECKSUM_SHA1, _CHECKSUM_SHA256, _CHECKSUM_SHA512, _CHECKSUM_MD5,
            _CHECKSUM_XXHASH64, _CHECKSUM_XXHASH3, _CHECKSUM_XXHASH128, _EXPIRES, _IF_MATCH, _IF_NONE_MATCH,
            _GRANT_FULL_CONTROL, _GRANT_READ, _GRANT_READ_ACP, _GRANT_WRITE_ACP, _KEY, _WRITE_OFFSET_BYTES,
            _METADATA, _SERVER_SIDE_ENCRYPTION, _STORAGE_CLASS, _WEBSITE_REDIRECT_LOCATION, _SSECUSTOMER_ALGORITHM,
            _SSECUSTOMER_KEY, _SSECUSTOMER_KEY_MD5, _SSEKMSKEY_ID, _SSEKMSENCRYPTION_CONTEXT, _BUCKET_KEY_ENABLED,
            _REQUEST_PAYER, _TAGGING, _OBJECT_LOCK_MODE, _OBJECT_LOCK_RETAIN_UNTIL_DATE,
            _OBJECT_LOCK_LEGAL_HOLD_STATUS, _OBJECT_LOCK_EVENT_HOLD, _OBJECT_LOCK_EVENT_HOLD_DURATION_DAYS,
            _OBJECT_LOCK_EVENT_HOLD_DURATION_YEARS, _EXPECTED_BUCKET_OWNER),
        frozenset(['Bucket', 'Key']),
        (_EXPIRATION, _ETAG, _CHECKSUM_CRC32, _CHECKSUM_CRC32_C, _CHECKSUM_CRC64_NVME, _CHECKSUM_SHA1,
            _CHECKSUM_SHA256, _CHECKSUM_SHA512, _CHECKSUM_MD5, _CHECKSUM_XXHASH64, _CHECKSUM_XXHASH3,
            _CHECKSUM_XXHASH128, _CHECKSUM_TYPE, _SERVER_SIDE_ENCRYPTION, _VERSION_ID, _SSECUSTOMER_ALGORITHM,
            _SSECUSTOMER_KEY_MD5, _SSEKMSKEY_ID, _SSEKMSENCRYPTION_CONTEXT, _BUCKET_KEY_ENABLED, _SIZE,
            _REQUEST_CHARGED,),
        '', ('InvalidRequest', 'InvalidWriteOffset', 'TooManyParts', 'EncryptionTypeMismatch'), True,
    ),
    'GetObject': Operation(
        'GetObject', 'GET', '',
        _by_name(_BUCKET, _IF_MATCH, _IF_MODIFIED_SINCE, _IF_NONE_MATCH, _IF_UNMODIFIED_SINCE, _KEY, _RANGE,
            _RESPONSE_CACHE_CONTROL, _RESPONSE_CONTENT_DISPOSITION, _RESPONSE_CONTENT_ENCODING,
            _RESPONSE_CONTENT_LANGUAGE, _RESPONSE_CONTENT_TYPE, _RESPONSE_EXPIRES, _VERSION_ID_QUERY,
            _SSECUSTOMER_ALGORITHM, _SSECUSTOMER_KEY, _SSECUSTOMER_KEY_MD5, _REQUEST_PAYER, _PART_NUMBER,
            _EXPECTED_BUCKET_OWNER, _CHECKSUM_MODE),
        frozenset(['Bucket', 'Key']),
        (_BODY, _DELETE_MARKER, _ACCEPT_RANGES, _EXPIRATION, _RESTORE, _LAST_MODIFIED, _CONTENT_LENGTH, _ETAG,
            _CHECKSUM_CRC32, _CHECKSUM_CRC32_C, _CHECKSUM_CRC64_NVME, _CHECKSUM_SHA1, _CHECKSUM_SHA256,
            _CHECKSUM_SHA512, _CHECKSUM_MD5, _CHECKSUM_XXHASH64, _CHECKSUM_XXHASH3, _CHECKSUM_XXHASH128,
            _CHECKSUM_TYPE, _MISSING_META, _VERSION_ID, _CACHE_CONTROL, _CONTENT_DISPOSITION, _CONTENT_ENCODING,
            _CONTENT_LANGUAGE, _CONTENT_RANGE, _CONTENT_TYPE, _EXPIRES, _WEBSITE_REDIRECT_LOCATION,
            _SERVER_SIDE_ENCRYPTION, _METADATA, _SSECUSTOMER_ALGORITHM, _SSECUSTOMER_KEY_MD5, _SSEKMSKEY_ID,
            _BUCKET_KEY_ENABLED, _STORAGE_CLASS, _REQUEST_CHARGED, _REPLICATION_STATUS, _PARTS_COUNT, _TAG_COUNT,
            _OBJECT_LOCK_MODE, _OBJECT_LOCK_RETAIN_UNTIL_DATE, _OBJECT_LOCK_LEGAL_HOLD_STATUS,
            _OBJECT_LOCK_EVENT_HOLD, _OBJECT_LOCK_EVENT_HOLD_DURATION_DAYS,
            _OBJECT_LOCK_EVENT_HOLD_DURATION_YEARS,),
        'Body', ('NoSuchKey', 'InvalidObjectState'), False,
    ),
    'HeadObject': Operation(
        'HeadObject', 'HEAD', '',
        _by_name(_BUCKET, _IF_MATCH, _IF_MODIFIED_SINCE, _IF_NONE_MATCH, _IF_UNMODIFIED_SINCE, _KEY, _RANGE,
            _RESPONSE_CACHE_CONTROL, _RESPONSE_CONTENT_DISPOSITION, _RESPONSE_CONTENT_ENCODING,
            _RESPONSE_CONTENT_LANGUAGE, _RESPONSE_CONTENT_TYPE, _RESPONSE_EXPIRES, _VERSION_ID_QUERY,
            _SSECUSTOMER_ALGORITHM, _SSECUSTOMER_KEY, _SSECUSTOMER_KEY_MD5, _REQUEST_PAYER, _PART_NUMBER,
            _EXPECTED_BUCKET_OWNER, _CHECKSUM_MODE),
        frozenset(['Bucket', 'Key']),
        (_DELETE_MARKER, _ACCEPT_RANGES, _EXPIRATION, _RESTORE, _ARCHIVE_STATUS, _LAST_MODIFIED, _CONTENT_LENGTH,
            _CHECKSUM_CRC32, _CHECKSUM_CRC32_C, _CHECKSUM_CRC64_NVME, _CHECKSUM_SHA1, _CHECKSUM_SHA256,
            _CHECKSUM_SHA512, _CHECKSUM_MD5, _CHECKSUM_XXHASH64, _CHECKSUM_XXHASH3, _CHECKSUM_XXHASH128,
            _CHECKSUM_TYPE, _ETAG, _MISSING_META, _VERSION_ID, _CACHE_CONTROL, _CONTENT_DISPOSITION,
            _CONTENT_ENCODING, _CONTENT_LANGUAGE, _CONTENT_TYPE, _CONTENT_RANGE, _EXPIRES,
            _WEBSITE_REDIRECT_LOCATION, _SERVER_SIDE_ENCRYPTION, _METADATA, _SSECUSTOMER_ALGORITHM,
            _SSECUSTOMER_KEY_MD5, _SSEKMSKEY_ID, _BUCKET_KEY_ENABLED, _STORAGE_CLASS, _REQUEST_CHARGED,
            _REPLICATION_STATUS, _PARTS_COUNT, _TAG_COUNT, _OBJECT_LOCK_MODE, _OBJECT_LOCK_RETAIN_UNTIL_DATE,
            _OBJECT_LOCK_LEGAL_HOLD_STATUS, _OBJECT_LOCK_EVENT_HOLD, _OBJECT_LOCK_EVENT_HOLD_DURATION_DAYS,
            _OBJECT_LOCK_EVENT_HOLD_DURATION_YEARS,),
        '', ('NoSuchKey',), False,
    ),
    'CopyObject': Operation(
        'CopyObject', 'PUT', '',
        _by_name(_ACL, _BUCKET, _CACHE_CONTROL, _CHECKSUM_ALGORITHM_HEADER, _CONTENT_DISPOSITION, _CONTENT_ENCODING,
            _CONTENT_LANGUAGE, _CONTENT_TYPE, _COPY_SOURCE, _COPY_SOURCE_IF_MATCH, _COPY_SOURCE_IF_MODIFIED_SINCE,
            _COPY_SOURCE_IF_NONE_MATCH, _COPY_SOURCE_IF_UNMODIFIED_SINCE, _EXPIRES, _GRANT_FULL_CONTROL,
            _GRANT_READ, _GRANT_READ_ACP, _GRANT_WRITE_ACP, _IF_MATCH, _IF_NONE_MATCH, _KEY, _METADATA,
            _METADATA_DIRECTIVE, _TAGGING_DIRECTIVE, _ANNOTATION_DIRECTIVE, _SERVER_SIDE_ENCRYPTION, _STORAGE_CLASS,
            _WEBSITE_REDIRECT_LOCATION, _SSECUSTOMER_ALGORITHM, _SSECUSTOMER_KEY, _SSECUSTOMER_KEY_MD5,
            _SSEKMSKEY_ID, _SSEKMSENCRYPTION_CONTEXT, _BUCKET_KEY_ENABLED, _COPY_SOURCE_SSECUSTOMER_ALGORITHM,
            _COPY_SOURCE_SSECUSTOMER_KEY, _COPY_SOURCE_SSECUSTOMER_KEY_MD5, _REQUEST_PAYER, _TAGGING,
            _OBJECT_LOCK_MODE, _OBJECT_LOCK_RETAIN_UNTIL_DATE, _OBJECT_LOCK_LEGAL_HOLD_STATUS,
            _OBJECT_LOCK_EVENT_HOLD, _OBJECT_LOCK_EVENT_HOLD_DURATION_DAYS, _OBJECT_LOCK_EVENT_HOLD_DURATION_YEARS,
            _EXPECTED_BUCKET_OWNER, _EXPECTED_SOURCE_BUCKET_OWNER),
        frozenset(['Bucket', 'CopySource', 'Key']),
        (_COPY_OBJECT_RESULT, _EXPIRATION, _COPY_SOURCE_VERSION_ID, _VERSION_ID, _SERVER_SIDE_ENCRYPTION,
            _SSECUSTOMER_ALGORITHM, _SSECUSTOMER_KEY_MD5, _SSEKMSKEY_ID, _SSEKMSENCRYPTION_CONTEXT,
            _BUCKET_KEY_ENABLED, _REQUEST_CHARGED,),
        'CopyObjectResult', ('ObjectNotInActiveTierError',), False,
    ),
    'CreateMultipartUpload': Operation(
        'CreateMultipartUpload', 'POST', 'uploads',
        _by_name(_ACL, _BUCKET, _CACHE_CONTROL, _CONTENT_DISPOSITION, _CONTENT_ENCODING, _CONTENT_LANGUAGE,
            _CONTENT_TYPE, _EXPIRES, _GRANT_FULL_CONTROL, _GRANT_READ, _GRANT_READ_ACP, _GRANT_WRITE_ACP, _KEY,
            _METADATA, _SERVER_SIDE_ENCRYPTION, _STORAGE_CLASS, _WEBSITE_REDIRECT_LOCATION, _SSECUSTOMER_ALGORITHM,
            _SSECUSTOMER_KEY, _SSECUSTOMER_KEY_MD5, _SSEKMSKEY_ID, _SSEKMSENCRYPTION_CONTEXT, _BUCKET_KEY_ENABLED,
            _REQUEST_PAYER, _TAGGING, _OBJECT_LOCK_MODE, _OBJECT_LOCK_RETAIN_UNTIL_DATE,
            _OBJECT_LOCK_LEGAL_HOLD_STATUS, _OBJECT_LOCK_EVENT_HOLD, _OBJECT_LOCK_EVENT_HOLD_DURATION_DAYS,
            _OBJECT_LOCK_EVENT_HOLD_DURATION_YEARS, _EXPECTED_BUCKET_OWNER, _CHECKSUM_ALGORITHM_HEADER,
            _CHECKSUM_TYPE),
        frozenset(['Bucket', 'Key']),
        (_ABORT_DATE, _ABORT_RULE_ID, _BUCKET_XML, _KEY_XML, _UPLOAD_ID, _SERVER_SIDE_ENCRYPTION,
            _SSECUSTOMER_ALGORITHM, _SSECUSTOMER_KEY_MD5, _SSEKMSKEY_ID, _SSEKMSENCRYPTION_CONTEXT,
            _BUCKET_KEY_ENABLED, _REQUEST_CHARGED, _CHECKSUM_ALGORITHM_HEADER, _CHECKSUM_TYPE, _VERSION_ID,),
        '', (), False,
    ),
    'UploadPart': Operation(
        'UploadPart', 'PUT', '',
        _by_name(_BODY, _BUCKET, _CONTENT_LENGTH, _CONTENT_MD5, _CHECKSUM_ALGORITHM, _CHECKSUM_CRC32,
            _CHECKSUM_CRC32_C, _CHECKSUM_CRC64_NVME, _CHECKSUM_SHA1, _CHECKSUM_SHA256, _CHECKSUM_SHA512,
            _CHECKSUM_MD5, _CHECKSUM_XXHASH64, _CHECKSUM_XXHASH3, _CHECKSUM_XXHASH128, _KEY, _PART_NUMBER,
            _UPLOAD_ID_QUERY, _SSECUSTOMER_ALGORITHM, _SSECUSTOMER_KEY, _SSECUSTOMER_KEY_MD5, _REQUEST_PAYER,
            _EXPECTED_BUCKET_OWNER),
        frozenset(['Bucket', 'Key', 'PartNumber', 'UploadId']),
        (_SERVER_SIDE_ENCRYPTION, _ETAG, _CHECKSUM_CRC32, _CHECKSUM_CRC32_C, _CHECKSUM_CRC64_NVME, _CHECKSUM_SHA1,
            _CHECKSUM_SHA256, _CHECKSUM_SHA512, _CHECKSUM_MD5, _CHECKSUM_XXHASH64, _CHECKSUM_XXHASH3,
            _CHECKSUM_XXHASH128, _SSECUSTOMER_ALGORITHM, _SSECUSTOMER_KEY_MD5, _SSEKMSKEY_ID, _BUCKET_KEY_ENABLED,
            _REQUEST_CHARGED, _VERSION_ID,),
        '', (), True,
    ),
    'UploadPartCopy': Operation(
        'UploadPartCopy', 'PUT', '',
        _by_name(_BUCKET, _COPY_SOURCE, _COPY_SOURCE_IF_MATCH, _COPY_SOURCE_IF_MODIFIED_SINCE,
            _COPY_SOURCE_IF_NONE_MATCH, _COPY_SOURCE_IF_UNMODIFIED_SINCE, _COPY_SOURCE_RANGE, _KEY, _PART_NUMBER,
            _UPLOAD_ID_QUERY, _SSECUSTOMER_ALGORITHM, _SSECUSTOMER_KEY, _SSECUSTOMER_KEY_MD5,
            _COPY_SOURCE_SSECUSTOMER_ALGORITHM, _COPY_SOURCE_SSECUSTOMER_KEY, _COPY_SOURCE_SSECUSTOMER_KEY_MD5,
            _REQUEST_PAYER, _EXPECTED_BUCKET_OWNER, _EXPECTED_SOURCE_BUCKET_OWNER),
        frozenset(['Bucket', 'CopySource', 'Key', 'PartNumber', 'UploadId']),
        (_COPY_SOURCE_VERSION_ID, _COPY_PART_RESULT, _SERVER_SIDE_ENCRYPTION, _SSECUSTOMER_ALGORITHM,
            _SSECUSTOMER_KEY_MD5, _SSEKMSKEY_ID, _BUCKET_KEY_ENABLED, _REQUEST_CHARGED, _VERSION_ID,),
        'CopyPartResult', (), False,
    ),
    'CompleteMultipartUpload': Operation(
        'CompleteMultipartUpload', 'POST', '',
        _by_name(_BUCKET, _KEY, _MULTIPART_UPLOAD, _UPLOAD_ID_QUERY, _CHECKSUM_CRC32, _CHECKSUM_CRC32_C,
            _CHECKSUM_CRC64_NVME, _CHECKSUM_SHA1, _CHECKSUM_SHA256, _CHECKSUM_SHA512, _CHECKSUM_MD5,
            _CHECKSUM_XXHASH64, _CHECKSUM_XXHASH3, _CHECKSUM_XXHASH128, _CHECKSUM_TYPE, _MPU_OBJECT_SIZE,
            _REQUEST_PAYER, _EXPECTED_BUCKET_OWNER, _IF_MATCH, _IF_NONE_MATCH, _SSECUSTOMER_ALGORITHM,
            _SSECUSTOMER_KEY, _SSECUSTOMER_KEY_MD5),
        frozenset(['Bucket', 'Key', 'UploadId']),
        (_LOCATION, _BUCKET_XML, _KEY_XML, _EXPIRATION, _ETAG_XML, _CHECKSUM_CRC32_XML, _CHECKSUM_CRC32_C_XML,
            _CHECKSUM_CRC64_NVME_XML, _CHECKSUM_SHA1_XML, _CHECKSUM_SHA256_XML, _CHECKSUM_SHA512_XML,
            _CHECKSUM_MD5_XML, _CHECKSUM_XXHASH64_XML, _CHECKSUM_XXHASH3_XML, _CHECKSUM_XXHASH128_XML,
            _CHECKSUM_TYPE_XML, _SERVER_SIDE_ENCRYPTION, _VERSION_ID, _SSEKMSKEY_ID, _BUCKET_KEY_ENABLED,
            _REQUEST_CHARGED,),
        '', (), False,
    ),
}
# fmt: on
