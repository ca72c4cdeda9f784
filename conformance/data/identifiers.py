"""Check characters of Chinese identifiers, written from the standards (not from any fixture).

* Citizen identity number, GB 11643-1999: a 6-digit administrative division code (GB/T 2260),
  the birth date YYYYMMDD, a 3-digit sequence code, and a check character computed with
  ISO 7064 MOD 11-2 over the first 17 digits (weights 2^(17-i) mod 11; the check value 10 is
  written ``X``). The division code is the county of residence when the number was given, at
  birth or later: python-stdnum (``stdnum.cn.ric``, its ``cn/loc.dat`` giving each county's
  years) judges it, and a county abolished before the birth year, or one GB/T 2260 never had,
  is refused. python-stdnum also refuses a county created after the birth year; that one is
  accepted here, since a number given years after birth carries the county then in use (the
  GB 11643 sample 440524188001010014, born 1880 in a county of 1983-1993, is one).
* Unified social credit code, GB 32100-2015: 18 characters over the 31-character alphabet
  ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (I, O, Z, S and V are never used); the 18th is the check
  character: with weights 3^(i-1) mod 31, check = (31 - sum mod 31) mod 31.

Each ``*_problem`` function returns why a value is invalid, or None when it is valid.
"""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent, ValidationError

CITIZEN_ID_LENGTH = 18
CITIZEN_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CITIZEN_CHECK_CHARS = "10X98765432"  # ISO 7064 MOD 11-2: sum mod 11 -> check character

USCC_LENGTH = 18
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_DIGITS = frozenset("0123456789")

# GB/T 2260 province-level codes (first two digits of a division code): 11-15, 21-23, 31-37,
# 41-46, 50-54, 61-65, and 71, 81, 82 for Taiwan, Hong Kong and Macao.
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"}
    | {"61", "62", "63", "64", "65", "71", "81", "82"}
)
IDENTIFIER_KINDS = ("citizen-id", "uscc")
# The earliest year a county code is looked up for (before the People's Republic, GB/T 2260 has
# no codes: a code in use only before it is as unknown as one never in use).
FIRST_DIVISION_YEAR = 1949


def citizen_id_check_char(body: str) -> str:
    """The GB 11643 check character of the first 17 digits (ISO 7064 MOD 11-2)."""
    if len(body) != 17 or not set(body) <= _DIGITS:
        raise ValueError(f"a citizen ID body is 17 ASCII digits, got {body!r}")
    total = sum(int(c) * w for c, w in zip(body, CITIZEN_WEIGHTS, strict=True))
    return CITIZEN_CHECK_CHARS[total % 11]


def division_code_problem(code: str) -> str | None:
    """Why a 6-digit GB/T 2260 division code is not plausibly formed, or None."""
    if len(code) != 6 or not set(code) <= _DIGITS:
        return f"division code {code!r} is not 6 digits"
    if code[:2] not in PROVINCE_CODES:
        return f"division code {code} starts with {code[:2]}, not a GB/T 2260 province code"
    return None


def birth_date_problem(text: str, today: dt.date | None = None) -> str | None:
    """Why YYYYMMDD is not a real birth date (a calendar date, not in the future), or None."""
    try:
        born = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return f"birth date {text} is not a calendar date (YYYYMMDD)"
    if born > (today or dt.date.today()):
        return f"birth date {born.isoformat()} is in the future"
    if born.year < 1800:
        return f"birth date {born.isoformat()} is before 1800"
    return None


def citizen_id_problem(value: str, today: dt.date | None = None) -> str | None:
    """Why `value` is not a valid GB 11643-1999 citizen identity number, or None."""
    if len(value) != CITIZEN_ID_LENGTH:
        return f"{len(value)} characters, expected {CITIZEN_ID_LENGTH} (GB 11643-1999 structure)"
    if not set(value[:17]) <= _DIGITS:
        return "the first 17 characters must be digits (GB 11643-1999 structure)"
    if value[17] not in CITIZEN_CHECK_CHARS:
        return f"check character {value[17]!r} is not a digit or X (GB 11643-1999, check code)"
    problem = division_code_problem(value[:6]) or birth_date_problem(value[6:14], today)
    if problem:
        return f"{problem} (GB 11643-1999, address and birth date codes)"
    expected = citizen_id_check_char(value[:17])
    if value[17] != expected:
        return (
            f"check character is {value[17]}, expected {expected} "
            "(GB 11643-1999 check code, ISO 7064 MOD 11-2)"
        )
    return _stdnum_problem(value, today or dt.date.today())


def _stdnum_problem(value: str, today: dt.date) -> str | None:
    """python-stdnum's verdict on a number whose structure, date and check character hold."""
    try:
        ric.validate(value)
    except (InvalidComponent, KeyError):  # KeyError: python-stdnum on an unknown county code
        return county_problem(value[:6], int(value[6:10]), today)
    except ValidationError as exc:
        return f"python-stdnum refuses it: {exc} (GB 11643-1999)"
    return None


def county_in_use(code: str, year: int) -> str | None:
    """The province and county GB/T 2260 names by `code` in `year` (python-stdnum), or None."""
    try:
        place = ric.get_birth_place(f"{code}{year:04d}01010000")
    except (ValidationError, KeyError):  # KeyError: python-stdnum on an unknown county code
        return None
    return " ".join(place[k] for k in ("province", "county") if place.get(k))


def county_problem(code: str, born: int, today: dt.date) -> str | None:
    """Why no number of someone born in `born` can carry the division code `code`, or None.

    None when the county was in use in the birth year or later (a number may be given after
    birth); else it was abolished before the birth year, or GB/T 2260 never had it.
    """
    if any(county_in_use(code, year) for year in range(born, today.year + 1)):
        return None
    for year in range(min(born, today.year + 1) - 1, FIRST_DIVISION_YEAR - 1, -1):
        name = county_in_use(code, year)
        if name:
            return (
                f"division code {code} ({name}) was abolished after {year}, before the birth "
                f"year {born}: a number is given at or after birth, under a county code then "
                "in use (GB 11643-1999 address code, GB/T 2260)"
            )
    return (
        f"division code {code} is not a GB/T 2260 county code (python-stdnum's list of "
        "divisions has no such county; GB 11643-1999 address code)"
    )


def uscc_check_char(body: str) -> str:
    """The GB 32100-2015 check character of the first 17 characters of a credit code."""
    if len(body) != 17 or any(c not in USCC_ALPHABET for c in body):
        raise ValueError(f"a credit code body is 17 characters of {USCC_ALPHABET}, got {body!r}")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(value: str) -> str | None:
    """Why `value` is not a valid GB 32100-2015 unified social credit code, or None."""
    if len(value) != USCC_LENGTH:
        return f"{len(value)} characters, expected {USCC_LENGTH} (GB 32100-2015 code structure)"
    for position, char in enumerate(value, start=1):
        if char not in USCC_ALPHABET:
            return (
                f"character {position} is {char!r}, not one of {USCC_ALPHABET} "
                "(GB 32100-2015 code alphabet: I, O, Z, S and V are not used)"
            )
    if not set(value[2:8]) <= _DIGITS:
        return (
            f"characters 3-8 ({value[2:8]}) are not a 6-digit division code "
            "(GB 32100-2015 code structure)"
        )
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        return (
            f"check character is {value[17]}, expected {expected} "
            "(GB 32100-2015 check character, MOD 31)"
        )
    return None


def identifier_problem(kind: str, value: object) -> str | None:
    """Why `value` is not a valid identifier of `kind` ('citizen-id' or 'uscc'), or None."""
    if not isinstance(value, str):
        return f"expected a string, got {type(value).__name__} {value!r}"
    if kind == "citizen-id":
        return citizen_id_problem(value)
    if kind == "uscc":
        return uscc_problem(value)
    raise ValueError(f"unknown identifier kind {kind!r}: expected one of {IDENTIFIER_KINDS}")
