"""Parameter validation against the model, before any byte is sent.

Every problem found is reported at once, each naming the parameter and what was wrong, in
botocore's wording where botocore has one. Values of parameters are never echoed: some are secrets
(SSE-C keys, KMS contexts), and an error message ends up in logs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ._errors import ParamValidationError
from ._model import (
    BLOB,
    BOOLEAN,
    HEADER,
    HEADER_MAP,
    INTEGER,
    LONG,
    MAP,
    SHAPES,
    STRING,
    STRUCTURE,
    TIMESTAMP,
    Member,
    Operation,
)

#: "Bucket must match ^[a-zA-Z0-9.\-_]{1,255}$" (s3-spec.md §2.1)
_BUCKET = re.compile(r"[a-zA-Z0-9.\-_]{1,255}\Z")
#: RFC 9110 field value: visible ASCII, space and tab. Anything else (CR/LF above all: header
#: injection) cannot be sent or signed faithfully. "\Z", not "$", which also matches before a final "\n".
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*\Z")
#: RFC 9110 token: what a header name (and so a metadata key) may contain.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
MAX_PART_NUMBER = 10000
#: sizes and counts, where a negative number can only be a mistake
_NON_NEGATIVE = frozenset({"ContentLength", "MpuObjectSize", "WriteOffsetBytes", "PartNumber"})
_PART_NUMBER_MEMBERS = {("UploadPart", "PartNumber"), ("UploadPartCopy", "PartNumber")}
_COMPLETED_PART = {m.name: m for m in SHAPES["CompletedPart"]}


def _type_name(value: object) -> str:
    return type(value).__name__


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_text(name: str, value: str, member: Member, problems: list[str]) -> None:
    if member.location in (HEADER, HEADER_MAP):
        if not _HEADER_VALUE.match(value):
            problems.append(
                f"Invalid value for parameter {name}: header values must be printable ASCII "
                "(no CR, LF or other control characters, no non-ASCII text)"
            )
    else:  # path, query and XML text are sent as UTF-8
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            problems.append(f"Invalid value for parameter {name}: not encodable as UTF-8")


def _check_scalar(name: str, value: Any, member: Member, problems: list[str]) -> None:
    kind = member.type
    if kind == STRING:
        if not isinstance(value, str):
            problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: str")
        else:
            _check_text(name, value, member, problems)
    elif kind in (INTEGER, LONG):
        if not _is_int(value):
            problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: int")
        elif not -(2**63) <= value < 2**63:
            problems.append(f"Invalid value for parameter {name}: out of range for a 64-bit integer")
        elif value < 0 and name in _NON_NEGATIVE:
            problems.append(f"Invalid value for parameter {name}: must not be negative")
    elif kind == BOOLEAN:
        if not isinstance(value, bool):
            problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: bool")
    elif kind == TIMESTAMP and (not isinstance(value, (datetime, str, int, float)) or isinstance(value, bool)):
        problems.append(
            f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: datetime, int, float, str"
        )


def _check_metadata(name: str, value: Any, problems: list[str]) -> None:
    if not isinstance(value, Mapping):
        problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: dict")
        return
    seen: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            problems.append(f"Invalid type for parameter {name}: keys and values must be str")
        elif (other := seen.setdefault(key.lower(), key)) != key:
            # Header names are case-insensitive: S3 would keep one of the two, and botocore silently drops one.
            problems.append(f"Invalid key in parameter {name}: {key!r} and {other!r} differ only in case")
        elif not key.isascii() or not item.isascii():
            # botocore's wording (s3-spec.md §2.1)
            problems.append(
                f"Non ascii characters found in S3 metadata for key {key.encode('ascii', 'replace').decode()!r}, "
                "value: <hidden>. S3 metadata can only contain ASCII characters."
            )
        elif not _TOKEN.match(key):
            problems.append(f"Invalid key in parameter {name}: {key!r} cannot be part of a header name")
        elif not _HEADER_VALUE.match(item):
            problems.append(
                f"Invalid value for parameter {name}[{key!r}]: header values must be printable ASCII "
                "(no CR, LF or other control characters)"
            )


def _check_copy_source(value: Any, problems: list[str]) -> None:
    if isinstance(value, str):
        version = value.find("?versionId=")
        if not value:
            problems.append("Invalid value for parameter CopySource: must not be empty")
        elif version >= 0 and not _HEADER_VALUE.match(value, version):
            # the version id is sent as it is, unencoded (s3-spec.md §2.3)
            problems.append("Invalid value for parameter CopySource: the versionId must be printable ASCII")
        elif not value.isascii() and not _encodable(value):
            problems.append("Invalid value for parameter CopySource: not encodable as UTF-8")
        return
    if not isinstance(value, Mapping):
        problems.append(f"Invalid type for parameter CopySource, type: {_type_name(value)}, valid types: str, dict")
        return
    for key in value:
        if key not in ("Bucket", "Key", "VersionId"):
            problems.append(f'Unknown parameter in CopySource: "{key}", must be one of: Bucket, Key, VersionId')
    for key in ("Bucket", "Key"):
        if key not in value:
            problems.append(f'Missing required parameter in CopySource: "{key}"')
    for key in ("Bucket", "Key", "VersionId"):
        if key in value and not (isinstance(value[key], str) and value[key] and _encodable(value[key])):
            problems.append(f"Invalid value for parameter CopySource.{key}: expected a non-empty str")
    version_id = value.get("VersionId")
    if isinstance(version_id, str) and not _HEADER_VALUE.match(version_id):
        problems.append("Invalid value for parameter CopySource.VersionId: must be printable ASCII")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def utf8(text: str, what: str) -> bytes:
    """``text`` as it is sent, or a ParamValidationError naming ``what`` (lone surrogates, as
    ``os.environ`` makes of bytes that are not UTF-8, cannot be)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParamValidationError(f"Invalid value for {what}: not encodable as UTF-8") from None


def _check_multipart_upload(value: Any, problems: list[str]) -> None:
    name = "MultipartUpload"
    if not isinstance(value, Mapping):
        problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: dict")
        return
    for key in value:
        if key != "Parts":
            problems.append(f'Unknown parameter in {name}: "{key}", must be one of: Parts')
    parts = value.get("Parts", [])
    if not isinstance(parts, (list, tuple)):
        problems.append(f"Invalid type for parameter {name}.Parts, type: {_type_name(parts)}, valid types: list")
        return
    for index, part in enumerate(parts):
        where = f"{name}.Parts[{index}]"
        if not isinstance(part, Mapping):
            problems.append(f"Invalid type for parameter {where}, type: {_type_name(part)}, valid types: dict")
            continue
        for key, item in part.items():
            member = _COMPLETED_PART.get(key)
            if member is None:
                problems.append(f'Unknown parameter in {where}: "{key}", must be one of: {", ".join(_COMPLETED_PART)}')
                continue
            _check_scalar(f"{where}.{key}", item, member, problems)
            if key == "PartNumber" and _is_int(item) and not 1 <= item <= MAX_PART_NUMBER:
                problems.append(f"Invalid value for parameter {where}.PartNumber: must be 1 to {MAX_PART_NUMBER}")


def _check_member(op: Operation, name: str, value: Any, member: Member, problems: list[str]) -> None:
    if value is None:
        problems.append(f"Invalid type for parameter {name}, type: NoneType")
    elif member.type == MAP:
        _check_metadata(name, value, problems)
    elif name == "CopySource":
        _check_copy_source(value, problems)
    elif member.type == STRUCTURE:
        _check_multipart_upload(value, problems)
    elif member.type == BLOB:
        pass  # bodies are checked where they are planned (_body.py): it must look at files and streams
    else:
        _check_scalar(name, value, member, problems)
        if name == "Bucket" and isinstance(value, str) and not _BUCKET.match(value):
            problems.append(
                f'Invalid bucket name "{value}": Bucket name must match the regex "^[a-zA-Z0-9.\\-_]{{1,255}}$"'
            )
        elif name == "Key" and isinstance(value, str) and not value:
            problems.append("Invalid length for parameter Key, value: 0, valid min length: 1")
        elif (op.name, name) in _PART_NUMBER_MEMBERS and _is_int(value) and not 1 <= value <= MAX_PART_NUMBER:
            problems.append(f"Invalid value for parameter PartNumber: must be 1 to {MAX_PART_NUMBER}")


def validate(op: Operation, params: Mapping[str, Any]) -> None:
    """Raise ParamValidationError listing every problem with ``params``, or return None."""
    problems: list[str] = []
    inputs = op.inputs
    for name, value in params.items():
        member = inputs.get(name)
        if member is None:
            from difflib import get_close_matches  # only for a call that is failing anyway

            close = get_close_matches(str(name), inputs, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            problems.append(f'Unknown parameter in input: "{name}"{hint}, must be one of: {", ".join(inputs)}')
        else:
            _check_member(op, name, value, member, problems)
    for name in sorted(op.required - params.keys()):
        problems.append(f'Missing required parameter in input: "{name}"')
    if problems:
        raise ParamValidationError("\n".join(problems))
