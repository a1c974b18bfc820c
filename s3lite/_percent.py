"""Percent-encoding as S3 wants it: RFC 3986 unreserved characters kept, every other UTF-8 byte escaped.

The same output as ``urllib.parse.quote`` for the two safe sets S3 uses, without importing
urllib.parse, which imports ipaddress (a tenth of ``import s3lite``).
"""

from __future__ import annotations

_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
_UNRESERVED_AND_SLASH = _UNRESERVED + b"/"


def _table(safe: bytes) -> tuple[str, ...]:
    return tuple(chr(byte) if byte in safe else f"%{byte:02X}" for byte in range(256))


_KEEP_SLASH = _table(_UNRESERVED_AND_SLASH)
_ESCAPE_SLASH = _table(_UNRESERVED)


def quote_path(text: str) -> str:
    """Keys and copy sources: ``/`` kept (``a b/c`` -> ``a%20b/c``)."""
    data = text.encode("utf-8")
    if not data.rstrip(_UNRESERVED_AND_SLASH):
        return text
    return "".join([_KEEP_SLASH[byte] for byte in data])


def quote_value(text: str) -> str:
    """Query values and bucket names in a path: ``/`` escaped too."""
    data = text.encode("utf-8")
    if not data.rstrip(_UNRESERVED):
        return text
    return "".join([_ESCAPE_SLASH[byte] for byte in data])
