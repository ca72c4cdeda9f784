"""Code lists: the shipped ISO 3166-1, ISO 4217 and GB/T 2260 lists, and lists a profile supplies.

A list is read from CSV (`#` lines first name its source and date, then a header row whose
`code` column, or else the first, holds the codes) or from OASIS genericode 1.0 (the values
of the first key column, else of the first column). Genericode is parsed hardened.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from conformance.documents import xmlsafe

DATA_DIR = Path(__file__).resolve().parents[1] / "resources" / "codelists"
BUILTIN = {
    "iso3166-1": "iso3166-1-alpha2.csv",
    "iso3166-1-alpha2": "iso3166-1-alpha2.csv",
    "iso3166-1-alpha3": "iso3166-1-alpha3.csv",
    "iso4217": "iso4217.csv",
    "gb2260": "gb2260.csv",
}


class CodeListError(ValueError):
    """A code list cannot be read (unknown name, unusable file)."""


@dataclass(frozen=True, slots=True)
class CodeList:
    """A named set of codes and where it comes from (source and date)."""

    name: str
    codes: frozenset[str]
    source: str

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value in self.codes


@cache
def builtin(name: str) -> CodeList:
    """A shipped list by name (see `BUILTIN`); CodeListError for an unknown one."""
    if name not in BUILTIN:
        known = ", ".join(sorted(BUILTIN))
        raise CodeListError(f"no shipped code list {name!r} (shipped: {known})")
    path = DATA_DIR / BUILTIN[name]
    return parse(path.read_bytes(), name, str(path.name))


def parse(data: bytes, name: str, origin: str) -> CodeList:
    """A list from CSV or genericode bytes (told apart by a leading `<`)."""
    if data.lstrip().startswith(b"<"):
        return parse_genericode(data, name, origin)
    return parse_csv(data.decode("utf-8-sig"), name, origin)


def parse_csv(text: str, name: str, origin: str) -> CodeList:
    """A list from CSV text; leading `#` lines are its source notes."""
    lines = text.splitlines()
    notes = [line.lstrip("# ").strip() for line in lines if line.startswith("#")]
    rows = list(csv.reader(io.StringIO("\n".join(ln for ln in lines if not ln.startswith("#")))))
    if not rows:
        raise CodeListError(f"the code list {name!r} ({origin}) has no header row")
    header = [h.strip().lower() for h in rows[0]]
    column = header.index("code") if "code" in header else 0
    codes = frozenset(r[column].strip() for r in rows[1:] if len(r) > column and r[column].strip())
    if not codes:
        raise CodeListError(f"the code list {name!r} ({origin}) holds no codes")
    return CodeList(name, codes, "; ".join([origin, *notes]))


def parse_genericode(data: bytes, name: str, origin: str) -> CodeList:
    """A list from an OASIS genericode 1.0 CodeList document."""
    try:
        root = xmlsafe.parse(data).getroot()
    except (xmlsafe.UnsafeXml, xmlsafe.MalformedXml) as exc:
        raise CodeListError(f"the genericode list {name!r} ({origin}) is unusable: {exc}") from None
    if etree.QName(root).localname != "CodeList":
        raise CodeListError(f"{origin} is not a genericode CodeList (root {root.tag})")
    key = _key_column(root)
    codes = frozenset(
        (value.findtext("{*}SimpleValue") or "").strip()
        for value in root.iterfind("{*}SimpleCodeList/{*}Row/{*}Value")
        if value.get("ColumnRef") == key
    ) - {""}
    if not codes:
        raise CodeListError(f"the genericode list {name!r} ({origin}) holds no codes in {key!r}")
    ident = root.find("{*}Identification")
    notes = []
    if ident is not None:
        for field in ("ShortName", "Version", "CanonicalVersionUri"):
            text = (ident.findtext(f"{{*}}{field}") or "").strip()
            if text:
                notes.append(f"{field} {text}")
    return CodeList(name, codes, "; ".join([origin, *notes]))


def _key_column(root: etree._Element) -> str:
    ref = root.find("{*}ColumnSet/{*}Key/{*}ColumnRef")
    if ref is not None and ref.get("Ref"):
        return str(ref.get("Ref"))
    column = root.find("{*}ColumnSet/{*}Column")
    if column is None or not column.get("Id"):
        raise CodeListError("the genericode list declares no column")
    return str(column.get("Id"))
