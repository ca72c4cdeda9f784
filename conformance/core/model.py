"""The report model: requirements, outcomes, evidence, results and the report every writer reads."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Level(enum.StrEnum):
    """The four interoperability levels, in the order reports show them."""

    DEPARTMENTAL = "departmental"
    NETWORK = "network"
    DATA = "data"
    BUSINESS = "business"


class Keyword(enum.StrEnum):
    """RFC 2119 keyword of a requirement: a failed SHOULD is a warning, never a failed level."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


class SafetyClass(enum.StrEnum):
    """What a check may do to the target: only `read` runs unless the run opts in."""

    READ = "read"
    WRITE = "write"
    LOAD = "load"


class Outcome(enum.StrEnum):
    """The closed set of outcomes of one requirement on one target, worst first."""

    FAIL = "fail"
    ERROR = "error"
    WARN = "warn"
    NOT_IMPLEMENTED = "not-implemented"
    SKIP = "skip"
    NOT_APPLICABLE = "not-applicable"
    PASS = "pass"

    @property
    def rank(self) -> int:
        """Position in the ranking, 0 for the worst (used to show failures first)."""
        return list(Outcome).index(self)


class Verdict(enum.StrEnum):
    """The verdict of a level, or of the whole run."""

    CONFORMANT = "conformant"
    NOT_CONFORMANT = "not-conformant"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True, slots=True)
class Parameter:
    """A requirement parameter and its default, which a profile may override."""

    name: str
    default: Any
    description: str = ""


@dataclass(frozen=True, slots=True)
class Requirement:
    """One testable rule of the catalogue."""

    id: str
    level: Level
    keyword: Keyword
    statement: str
    source: str
    safety: SafetyClass
    parameters: tuple[Parameter, ...] = ()
    depends_on: tuple[str, ...] = ()
    how_tested: str = ""
    pending: str = ""

    def defaults(self) -> dict[str, Any]:
        """The parameter defaults as a mapping."""
        return {p.name: p.default for p in self.parameters}


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of what decided an outcome: an HTTP exchange, a TLS fact, a validator message."""

    kind: str
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used in run.json."""
        return {"kind": self.kind, "summary": self.summary, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of one requirement on one target, with its evidence."""

    requirement: str
    level: Level
    keyword: Keyword
    target: str
    outcome: Outcome
    message: str
    evidence: tuple[Evidence, ...] = ()
    duration_s: float = 0.0
    reproduce: str = ""
    #: the waiver that accepts this fail or warn for now (it then gates nothing), or None
    waiver: dict[str, Any] | None = None

    def requested_urls(self) -> list[str]:
        """The URLs its evidence requested, each once, first ones first."""
        urls = []
        for evidence in self.evidence:
            detail = evidence.detail
            request = detail.get("request") if isinstance(detail, dict) else None
            url = request.get("url") if isinstance(request, dict) else None
            if isinstance(url, str) and url:
                urls.append(url)
        return list(dict.fromkeys(urls))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used in run.json."""
        found: dict[str, Any] = {
            "requirement": self.requirement,
            "level": self.level.value,
            "keyword": self.keyword.value,
            "target": self.target,
            "outcome": self.outcome.value,
            "message": self.message,
            "evidence": [e.to_dict() for e in self.evidence],
            "duration_s": round(self.duration_s, 4),
            "reproduce": self.reproduce,
        }
        if self.waiver is not None:
            found["waiver"] = dict(self.waiver)
        return found


@dataclass(frozen=True, slots=True)
class TargetSummary:
    """How a report names a target: never its credentials."""

    name: str
    base_url: str
    #: this agency's own verdict and level verdicts (None/empty before the run decides them)
    verdict: Verdict | None = None
    levels: dict[str, Verdict] = field(default_factory=dict)
    #: why no check could be run on it (unreachable, a target file that could not be loaded)
    untested: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used in run.json."""
        found: dict[str, Any] = {"name": self.name, "base_url": self.base_url}
        if self.verdict is not None:
            found["verdict"] = self.verdict.value
            found["levels"] = {k: v.value for k, v in self.levels.items()}
        if self.untested:
            found["untested"] = self.untested
        return found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TargetSummary:
        """Read back one run.json `targets` entry."""
        verdict = data.get("verdict")
        return cls(
            data["name"],
            data["base_url"],
            Verdict(verdict) if verdict else None,
            {k: Verdict(v) for k, v in (data.get("levels") or {}).items()},
            str(data.get("untested") or ""),
        )


@dataclass(frozen=True, slots=True)
class Report:
    """The canonical result of a run; every writer (JSON, JUnit, HTML) reads only this."""

    schema_version: str
    suite: dict[str, str]
    profile: dict[str, str]
    started: str
    finished: str
    seed: int
    targets: tuple[TargetSummary, ...]
    results: tuple[Result, ...]
    levels: dict[str, Verdict]
    verdict: Verdict
    complete: bool = True
    #: what was asked and what ran: the profile's selection, narrowing, what did not run, safety
    #: opt-ins, parameters differing from the catalogue's defaults, waivers (see engine.scope)
    scope: dict[str, Any] = field(default_factory=dict)

    @property
    def narrowed(self) -> bool:
        """Whether the run tested less than its profile selects (a requirement, a level...)."""
        return bool(self.scope.get("narrowed"))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written as run.json (keys are a stable contract)."""
        return {
            "schema_version": self.schema_version,
            "suite": dict(self.suite),
            "profile": dict(self.profile),
            "started": self.started,
            "finished": self.finished,
            "seed": self.seed,
            "complete": self.complete,
            "scope": dict(self.scope),
            "targets": [t.to_dict() for t in self.targets],
            "results": [r.to_dict() for r in self.results],
            "levels": {k: v.value for k, v in self.levels.items()},
            "verdict": self.verdict.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Read back a run.json (for `conformance report` and `conformance diff`)."""
        results = tuple(
            Result(
                requirement=r["requirement"],
                level=Level(r["level"]),
                keyword=Keyword(r["keyword"]),
                target=r["target"],
                outcome=Outcome(r["outcome"]),
                message=r["message"],
                evidence=tuple(
                    Evidence(e["kind"], e["summary"], e.get("detail", {})) for e in r["evidence"]
                ),
                duration_s=r.get("duration_s", 0.0),
                reproduce=r.get("reproduce", ""),
                waiver=r.get("waiver"),
            )
            for r in data["results"]
        )
        return cls(
            schema_version=data["schema_version"],
            suite=data["suite"],
            profile=data["profile"],
            started=data["started"],
            finished=data["finished"],
            seed=data["seed"],
            targets=tuple(TargetSummary.from_dict(t) for t in data["targets"]),
            results=results,
            levels={k: Verdict(v) for k, v in data["levels"].items()},
            verdict=Verdict(data["verdict"]),
            complete=data.get("complete", True),
            scope=dict(data.get("scope") or {}),
        )
