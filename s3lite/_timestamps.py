"""Timestamps on the wire: RFC 822 in headers, ISO 8601 in XML and (mostly) in query strings.

Inputs accept what botocore accepts: datetimes (naive ones are UTC), epoch seconds, and ISO 8601 or
RFC 822 strings. Formatting never goes through ``strftime`` for names of days and months, which
follow the process locale.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from ._errors import ParamValidationError, ResponseParseError

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(_MONTHS, 1)}

#: What S3 sends in every Last-Modified and Expires header; anything else takes the general path.
_HTTP_DATE = re.compile(r"(?:[A-Za-z]{3}, )?(\d\d?) ([A-Za-z]{3}) ([1-9]\d{3}) (\d\d):(\d\d):(\d\d) GMT")


def _parse_http_date(text: str) -> datetime | None:
    """The common RFC 822 form without email.utils (a fifth of a HeadObject call's parsing)."""
    match = _HTTP_DATE.fullmatch(text)
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    number = _MONTH_NUMBERS.get(month.lower())
    if number is None:
        return None
    try:
        return datetime(int(year), number, int(day), int(hour), int(minute), int(second), tzinfo=UTC)
    except ValueError:
        return None


def _parse_text(text: str) -> datetime | None:
    stripped = text.strip()
    fast = _parse_http_date(stripped)
    if fast is not None:
        return fast
    if ":" not in stripped:  # float() never accepts a colon; dates in both text forms have one
        try:
            return _aware(datetime.fromtimestamp(float(stripped), UTC))
        except (ValueError, OverflowError, OSError):
            pass
    try:
        iso = stripped[:-1] + "+00:00" if stripped.endswith(("Z", "z")) else stripped
        return _aware(datetime.fromisoformat(iso))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # rarely needed: kept off the import path

    try:
        return _aware(parsedate_to_datetime(stripped))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def to_datetime(value: object, *, name: str) -> datetime:
    """A timestamp parameter as an aware UTC datetime; ParamValidationError names ``name`` otherwise
    (also for a time that is only in range in its own zone, such as 9999-12-31T23:59:59-01:00)."""
    parsed: datetime | None = None
    try:
        if isinstance(value, datetime):
            parsed = _aware(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if math.isfinite(value):
                parsed = datetime.fromtimestamp(value, UTC)
        elif isinstance(value, str):
            parsed = _parse_text(value)
        if parsed is not None:
            return parsed.astimezone(UTC)
    except (OverflowError, OSError, ValueError):
        pass
    raise ParamValidationError(
        f"Invalid timestamp for parameter {name}: expected a datetime, epoch seconds, or an ISO 8601 / RFC 822 string"
    )


def format_rfc822(value: datetime) -> str:
    """``Wed, 01 Jan 2020 00:00:00 GMT``; "sub-seconds are dropped because header timestamps are first
    truncated to epoch seconds" (s3-spec.md §1.1)."""
    t = _aware(value).astimezone(UTC).replace(microsecond=0)
    return f"{_DAYS[t.weekday()]}, {t.day:02d} {_MONTHS[t.month - 1]} {t.year:04d} {t:%H:%M:%S} GMT"


def format_iso8601(value: datetime, *, keep_microseconds: bool) -> str:
    """``2031-01-01T12:00:00Z``, with ``.ffffffZ`` when there are microseconds and the location keeps
    them (query strings do; headers were truncated to whole seconds first)."""
    t = _aware(value).astimezone(UTC)
    if not keep_microseconds:
        t = t.replace(microsecond=0)
    if t.microsecond:
        return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}Z"
    return f"{t:%Y-%m-%dT%H:%M:%S}Z"


def parse_response_timestamp(text: str, *, name: str) -> datetime:
    """A timestamp from a header or an XML element (epoch, ISO 8601 or RFC 822), always aware."""
    parsed = _parse_text(text)
    if parsed is None:
        raise ResponseParseError(f"Invalid timestamp in the response for {name}: {text[:64]!r}")
    return parsed


def parse_response_timestamp_or_none(text: str) -> datetime | None:
    """For ``Expires``: "if unparseable, the header is dropped so only ExpiresString remains" (§2.11)."""
    return _parse_text(text)
