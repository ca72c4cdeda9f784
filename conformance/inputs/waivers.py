"""Waivers: known failures an operator has accepted for a while, owned and with an end date.

A waiver file (`run --waivers FILE`) holds a `waivers:` list; each entry names a `requirement`,
optionally a `target` (a `*` pattern on target names), and says `reason`, `owner`, `expires`
(a date) and optionally `ticket`. A waived requirement still runs and its outcome stays what it
was; a waived `fail` (or `warn`) no longer makes its level not conformant (or fail the pipeline),
and every report shows the waiver. An expired waiver no longer applies and is listed as expired;
one that matched nothing is listed as unused. Like the OpenID conformance suite's expected-failure
files and ZAP's rule files, but with an owner and an end date on every entry.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.core.errors import ProfileError, did_you_mean
from conformance.inputs.yamlsource import YamlDocument, load_yaml

_KEYS = ("requirement", "target", "reason", "owner", "ticket", "expires")
_REQUIRED = ("requirement", "reason", "owner", "expires")


@dataclass(frozen=True, slots=True)
class Waiver:
    """One accepted failure: which requirement (on which targets), why, whose, until when."""

    requirement: str
    reason: str
    owner: str
    expires: dt.date
    target: str = "*"
    ticket: str = ""
    source: str = ""  # file:line, for the reports

    def matches(self, requirement: str, target: str) -> bool:
        """Whether this waiver is about `requirement` on `target`."""
        return requirement == self.requirement and fnmatch.fnmatchcase(target, self.target)

    def expired(self, today: dt.date) -> bool:
        """Whether it ended before `today` (it applies through its `expires` day)."""
        return today > self.expires

    def to_dict(self) -> dict[str, Any]:
        """The report form."""
        found = {
            "requirement": self.requirement,
            "target": self.target,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
            "source": self.source,
        }
        if self.ticket:
            found["ticket"] = self.ticket
        return found


def load_waivers(path: Path, known_requirements: Any) -> list[Waiver]:
    """The waivers of a file; every mistake names the file, the line and the key."""
    doc = load_yaml(Path(path), ProfileError)
    entries = doc.data.get("waivers") if isinstance(doc.data, dict) else None
    if isinstance(doc.data, dict):
        for key in doc.data:
            if key != "waivers":
                raise _error(doc, (str(key),), f"unknown key{did_you_mean(str(key), ['waivers'])}")
    if not isinstance(entries, list):
        raise _error(doc, ("waivers",), "expected a `waivers:` list of entries")
    return [
        parse_waiver(doc, entry, ("waivers", i), known_requirements)
        for i, entry in enumerate(entries)
    ]


def parse_waiver(
    doc: YamlDocument, entry: Any, where: tuple[str | int, ...], known_requirements: Any
) -> Waiver:
    """One waiver entry of `doc` at `where` (a waiver file's or a profile's)."""
    if not isinstance(entry, dict):
        raise _error(doc, where, "a waiver is a mapping with requirement, reason, owner, expires")
    for key in entry:
        if key not in _KEYS:
            raise _error(doc, (*where, str(key)), f"unknown key{did_you_mean(str(key), _KEYS)}")
    for key in _REQUIRED:
        if key not in entry or entry[key] in (None, ""):
            raise _error(doc, where, f"{key} is required (a waiver says what, why, whose, until)")
    requirement = str(entry["requirement"])
    if requirement not in known_requirements:
        hint = did_you_mean(requirement, list(known_requirements))
        raise _error(doc, (*where, "requirement"), f"unknown requirement ID {requirement!r}{hint}")
    expires = entry["expires"]
    if isinstance(expires, str):
        try:
            expires = dt.date.fromisoformat(expires)
        except ValueError:
            expires = None
    if not isinstance(expires, dt.date) or isinstance(expires, dt.datetime):
        raise _error(doc, (*where, "expires"), "expected a date (YYYY-MM-DD)")
    for key in ("reason", "owner", "target", "ticket"):
        if key in entry and not isinstance(entry[key], str | int):
            raise _error(doc, (*where, key), "expected text")
    line = doc.line(*where)
    return Waiver(
        requirement=requirement,
        reason=str(entry["reason"]),
        owner=str(entry["owner"]),
        expires=expires,
        target=str(entry.get("target") or "*"),
        ticket=str(entry.get("ticket") or ""),
        source=f"{doc.file}:{line}" if line else doc.file,
    )


def _error(doc: YamlDocument, path: tuple[str | int, ...], problem: str) -> ProfileError:
    return ProfileError(doc.file, doc.line(*path), ".".join(map(str, path)) or "waivers", problem)
