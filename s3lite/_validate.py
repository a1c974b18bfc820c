"""Parameter validation against the model, before any byte is sent.

Every problem found is reported at once, each naming the parameter and what was wrong, in
botocore's wording where botocore has one. Values of parameters are never echoed: some are secrets
(SSE-C keys, KMS contexts), and an error message ends up in logs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ._errors import ParamValidationError
from ._model import (
    BLOB,
    BOOLEAN,
    DOUBLE,
    FLOAT,
    HEADER,
    HEADERS,
    INTEGER,
    LIST,
    LONG,
    MAP,
    STRING,
    STRUCTURE,
    TIMESTAMP,
    Member,
    Operation,
    Shape,
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
#: the part numbers S3 accepts, in an upload's part and in CompleteMultipartUpload's list
_PART_NUMBER_OPERATIONS = frozenset({"UploadPart", "UploadPartCopy"})
#: CopySource may be a dict here (botocore's ``handle_copy_source_param``)
_COPY_SOURCE_OPERATIONS = frozenset({"CopyObject", "UploadPartCopy"})


def _type_name(value: object) -> str:
    return type(value).__name__


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_text(name: str, value: str, in_header: bool, problems: list[str]) -> None:
    if in_header:
        if not _HEADER_VALUE.match(value):
            problems.append(
                f"Invalid value for parameter {name}: header values must be printable ASCII "
                "(no CR, LF or other control characters, no non-ASCII text)"
            )
    elif not value.isascii() and not _encodable(value):  # path, query and XML text are sent as UTF-8
        problems.append(f"Invalid value for parameter {name}: not encodable as UTF-8")


def _check_scalar(name: str, value: Any, shape: Shape, in_header: bool, problems: list[str]) -> None:
    """botocore's ParamValidator for one scalar (types, ``min`` lengths and ranges), plus what cannot be
    sent faithfully (header text, UTF-8, 64-bit range)."""
    kind = shape.type
    if kind == STRING:
        if not isinstance(value, str):
            problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: str")
            return
        _check_text(name, value, in_header, problems)
        if shape.minimum is not None and len(value) < shape.minimum:
            problems.append(
                f"Invalid length for parameter {name}, value: {len(value)}, valid min length: {shape.minimum}"
            )
    elif kind in (INTEGER, LONG):
        if not _is_int(value):
            problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: int")
        elif not -(2**63) <= value < 2**63:
            problems.append(f"Invalid value for parameter {name}: out of range for a 64-bit integer")
        elif shape.minimum is not None and value < shape.minimum:
            problems.append(f"Invalid value for parameter {name}, value: {value}, valid min value: {shape.minimum}")
        elif value < 0 and name.rpartition(".")[2] in _NON_NEGATIVE:
            problems.append(f"Invalid value for parameter {name}: must not be negative")
    elif kind == BOOLEAN:
        if not isinstance(value, bool):
            problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: bool")
    elif kind == TIMESTAMP:
        if not isinstance(value, (datetime, str, int, float)) or isinstance(value, bool):
            problems.append(
                f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: datetime, int, float, str"
            )
    elif kind == BLOB:
        if not isinstance(value, (bytes, bytearray, memoryview, str)):
            problems.append(
                f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: bytes, bytearray, str"
            )
        elif isinstance(value, str):
            _check_text(name, value, False, problems)
    elif kind in (FLOAT, DOUBLE) and (not isinstance(value, (int, float)) or isinstance(value, bool)):
        problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: float, int")


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


#: (parameter name, value, problems) -> None: one shape's check, built once (``checker``)
Checker = Callable[[str, Any, list[str]], None]
_CHECKERS: dict[str, Checker] = {}


def checker(shape: Shape) -> Checker:
    """The check of a nested value against ``shape``, as botocore's ParamValidator walks it:
    structures (unknown and missing members, tagged unions), lists, maps and scalars (XML text: no
    header rules). Built once per shape; two threads building the same one build equal ones."""
    found = _CHECKERS.get(shape.name)
    if found is None:
        # built eagerly, members first: S3's model has no recursive shape (tests/codegen/model.py refuses one)
        found = _CHECKERS[shape.name] = _build_checker(shape)
    return found


def _none(name: str, problems: list[str]) -> None:
    problems.append(f"Invalid type for parameter {name}, type: NoneType")


def _build_checker(shape: Shape) -> Checker:
    kind = shape.type
    if kind == STRUCTURE:
        return _structure_checker(shape)
    if kind == LIST:
        item = shape.member
        assert item is not None
        check_item = checker(item.shape)

        def check_list(name: str, value: Any, problems: list[str]) -> None:
            if not isinstance(value, (list, tuple)):
                problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: list")
                return
            for index, entry in enumerate(value):
                if entry is None:
                    _none(f"{name}[{index}]", problems)
                else:
                    check_item(f"{name}[{index}]", entry, problems)

        return check_list
    if kind == MAP:
        assert shape.key is not None and shape.value is not None
        check_key, check_value = checker(shape.key), checker(shape.value)

        def check_map(name: str, value: Any, problems: list[str]) -> None:
            if not isinstance(value, Mapping):
                problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: dict")
                return
            for key, entry in value.items():
                if key is None:
                    _none(f"{name} (key)", problems)
                else:
                    check_key(f"{name} (key)", key, problems)
                if entry is None:
                    _none(f"{name}[{key!r}]", problems)
                else:
                    check_value(f"{name}[{key!r}]", entry, problems)

        return check_map
    if kind == STRING:
        minimum = shape.minimum

        def check_string(name: str, value: Any, problems: list[str]) -> None:
            # the common case first: ASCII text of an allowed length
            if isinstance(value, str) and value.isascii() and (minimum is None or len(value) >= minimum):
                return
            _check_scalar(name, value, shape, False, problems)

        return check_string
    return lambda name, value, problems: _check_scalar(name, value, shape, False, problems)


def _structure_checker(shape: Shape) -> Checker:
    members = {name: checker(member.shape) for name, member in shape.members.items()}
    required = shape.required
    part_numbers = shape.name == "CompletedPart"  # S3 takes part numbers 1 to 10,000
    union = shape.union

    def check_structure(name: str, value: Any, problems: list[str]) -> None:
        if not isinstance(value, Mapping):
            problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: dict")
            return
        for key, item in value.items():
            check = members.get(key)
            if check is None:
                problems.append(f'Unknown parameter in {name}: "{key}", must be one of: {", ".join(members)}')
            elif item is None:
                _none(f"{name}.{key}", problems)
            else:
                check(f"{name}.{key}", item, problems)
        if union and len(value) != 1:
            # botocore's wording, its missing space included
            problems.append(
                f"Must set one of the following keys for tagged unionstructure {name}: {', '.join(members)}."
                if not value
                else f"Invalid number of parameters set for tagged union structure {name}. Can only set one of "
                f"the following keys: {', '.join(members)}."
            )
        if required and not required <= value.keys():
            for key in sorted(required - value.keys()):
                problems.append(f'Missing required parameter in {name}: "{key}"')
        if part_numbers:
            number = value.get("PartNumber")
            if isinstance(number, int) and _is_int(number) and not 1 <= number <= MAX_PART_NUMBER:
                problems.append(f"Invalid value for parameter {name}.PartNumber: must be 1 to {MAX_PART_NUMBER}")

    return check_structure


def _member_checker(op: Operation, name: str, member: Member) -> Checker:
    """A top-level parameter's check, chosen once per operation: where the member goes decides what
    it may hold (a header, the path, the body)."""
    shape = member.shape
    if member.location == HEADERS:
        return lambda name, value, problems: _check_metadata(name, value, problems)
    if name == "CopySource" and op.name in _COPY_SOURCE_OPERATIONS:
        return lambda name, value, problems: _check_copy_source(value, problems)
    if member is op.payload and shape.type == BLOB:
        # bodies are checked where they are planned (_body.py, _serialize._bytes_body): files and streams
        return lambda name, value, problems: None
    if member.location == HEADER:
        if shape.type == LIST:
            return lambda name, value, problems: _check_header_list(name, value, shape, problems)
        if shape.type == STRING:
            minimum = shape.minimum or 0

            def check_header(name: str, value: Any, problems: list[str]) -> None:
                # the common case first: printable ASCII of an allowed length
                if not (isinstance(value, str) and _HEADER_VALUE.match(value) and len(value) >= minimum):
                    _check_scalar(name, value, shape, True, problems)

            return check_header
        return lambda name, value, problems: _check_scalar(name, value, shape, True, problems)
    if shape.type in (STRUCTURE, LIST, MAP):
        return checker(shape)
    if name == "Bucket":

        def check_bucket(name: str, value: Any, problems: list[str]) -> None:
            _check_scalar(name, value, shape, False, problems)
            if isinstance(value, str) and not _BUCKET.match(value):
                problems.append(
                    f'Invalid bucket name "{value}": Bucket name must match the regex "^[a-zA-Z0-9.\\-_]{{1,255}}$"'
                )

        return check_bucket
    if name == "PartNumber" and op.name in _PART_NUMBER_OPERATIONS:

        def check_part_number(name: str, value: Any, problems: list[str]) -> None:
            _check_scalar(name, value, shape, False, problems)
            if _is_int(value) and not 1 <= value <= MAX_PART_NUMBER:
                problems.append(f"Invalid value for parameter PartNumber: must be 1 to {MAX_PART_NUMBER}")

        return check_part_number
    return checker(shape)


_MEMBER_CHECKERS: dict[str, dict[str, Checker]] = {}


def _member_checkers(op: Operation) -> dict[str, Checker]:
    found = _MEMBER_CHECKERS.get(op.name)
    if found is None:
        members = op.input.members.items()
        found = _MEMBER_CHECKERS[op.name] = {name: _member_checker(op, name, member) for name, member in members}
    return found


def _check_header_list(name: str, value: Any, shape: Shape, problems: list[str]) -> None:
    if not isinstance(value, (list, tuple)):
        problems.append(f"Invalid type for parameter {name}, type: {_type_name(value)}, valid types: list")
        return
    item = shape.member
    assert item is not None
    for index, entry in enumerate(value):
        _check_scalar(f"{name}[{index}]", entry, item.shape, True, problems)


def check_params(params: object) -> None:
    """The parameters of a call are a mapping (keyword arguments, or a dict for the core)."""
    if type(params) is not dict and not isinstance(params, Mapping):
        raise ParamValidationError(f"Invalid type for the parameters, type: {_type_name(params)}, valid types: dict")


def validate(op: Operation, params: Mapping[str, Any]) -> None:
    """Raise ParamValidationError listing every problem with ``params``, or return None."""
    problems: list[str] = []
    checkers = _member_checkers(op)
    for name, value in params.items():
        check = checkers.get(name)
        if check is None:
            from difflib import get_close_matches  # only for a call that is failing anyway

            close = get_close_matches(str(name), checkers, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            problems.append(f'Unknown parameter in input: "{name}"{hint}, must be one of: {", ".join(checkers)}')
        elif value is None:
            _none(name, problems)
        else:
            check(name, value, problems)
    required = op.input.required
    if required and not required <= params.keys():
        for name in sorted(required - params.keys()):
            problems.append(f'Missing required parameter in input: "{name}"')
    if problems:
        raise ParamValidationError("\n".join(problems))
