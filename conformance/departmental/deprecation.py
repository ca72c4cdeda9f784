"""Parsing the `Deprecation` (RFC 9745) and `Sunset` (RFC 8594) response headers."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime

# RFC 9745 §2.1: an RFC 9651 Date structured field, "@" followed by an sf-integer (≤ 15 digits)
_SF_DATE = re.compile(r"^@(-?\d{1,15})$")
_IMF_FIXDATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$"
)


def parse_deprecation(value: str) -> dt.datetime:
    """The date of a Deprecation header; ValueError saying what RFC 9745 expects."""
    found = _SF_DATE.match(value.strip())
    if found is None:
        raise ValueError(
            f"Deprecation is {value!r}, expected an RFC 9651 Date such as @1735689600 "
            "(RFC 9745 §2.1)"
        )
    try:
        return dt.datetime.fromtimestamp(int(found.group(1)), dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"Deprecation is {value!r}, a date out of range") from None


def parse_sunset(value: str) -> dt.datetime:
    """The date of a Sunset header (an HTTP-date); ValueError saying what RFC 8594 expects."""
    text = value.strip()
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        when = None
    if when is None or not _IMF_FIXDATE.match(text):
        raise ValueError(
            f"Sunset is {value!r}, expected an HTTP-date such as 'Sun, 31 Dec 2034 23:59:59 GMT' "
            "(RFC 8594 §3, RFC 9110 §5.6.7 IMF-fixdate)"
        )
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
