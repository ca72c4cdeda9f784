"""The engine: profile x targets -> results -> report. Runs with or without pytest."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.client.context import CheckContext
from conformance.client.discovery import Discovery
from conformance.client.http import Exchange, HttpClient, recording
from conformance.client.preflight import check_reachable
from conformance.client.progress import reporting
from conformance.client.redaction import Redactor
from conformance.core.catalogue import Catalogue, load_catalogue
from conformance.core.concurrency import side_by_side
from conformance.core.errors import (
    ConformanceError,
    Inconclusive,
    NonConformance,
    NotApplicable,
    PreconditionMissing,
    TargetError,
    UsageError,
)
from conformance.core.model import (
    Evidence,
    Keyword,
    Outcome,
    Report,
    Requirement,
    Result,
    SafetyClass,
    TargetSummary,
)
from conformance.core.registry import CheckFunction, registered_checks
from conformance.core.summary import level_verdicts, narrowed_levels, overall_verdict
from conformance.core.version import __version__
from conformance.inputs.profile import Profile, merge_inputs
from conformance.inputs.target import Target
from conformance.inputs.waivers import Waiver

REPORT_SCHEMA_VERSION = "1.0"
AUTO_EVIDENCE_LIMIT = 10


@dataclass(frozen=True, slots=True)
class PlannedCheck:
    """One requirement to decide on one target."""

    requirement: Requirement
    target: Target

    @property
    def name(self) -> str:
        """The item name used by pytest and JUnit: ID[target]."""
        return f"{self.requirement.id}[{self.target.name}]"


@dataclass
class _TargetState:
    client: HttpClient
    discovery: Discovery
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    #: why the target could not be reached (preflight), or None once it was
    unreachable: str | None = None
    probed: bool = False


def now_iso() -> str:
    """The current time as RFC 3339 with offset."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Engine:
    """Plans and executes the checks a profile selects, and builds the report."""

    def __init__(
        self,
        profile: Profile,
        targets: Iterable[Target],
        *,
        seed: int | None = None,
        allow: Iterable[SafetyClass] = (),
        max_rps: float | None = None,
        only: Iterable[str] = (),
        levels: Iterable[str] = (),
        catalogue: Catalogue | None = None,
        checks: dict[str, CheckFunction] | None = None,
        preflight: bool = False,
        waivers: Sequence[Waiver] = (),
        today: dt.date | None = None,
        unusable: dict[str, str] | None = None,
    ) -> None:
        """With `preflight`, each target is first reached by one TCP connection; a target that
        cannot be reached gets `error` for every implemented requirement and nothing is sent
        to it (so one agency that is down does not hold up a fleet)."""
        self.profile = profile
        self.preflight = preflight
        self.catalogue = catalogue or load_catalogue()
        self.checks = checks if checks is not None else registered_checks()
        self.seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
        self.targets = tuple(targets)
        self.allow_extra = frozenset(allow)
        self.max_rps = max_rps
        self.waivers = (*profile.waivers, *waivers)  # the profile's, then --waivers files
        #: where a long check's progress goes while it runs (the CLI prints it), or None
        self.on_progress: Callable[[str], None] | None = None
        self.today = today or dt.date.today()
        self.only = tuple(only)
        self.levels = tuple(levels)
        self.results: list[Result] = []
        self.started = now_iso()
        self.redactor = Redactor()
        self._state: dict[str, _TargetState] = {}
        names = [t.name for t in self.targets]
        for name in names:
            if names.count(name) > 1:
                raise UsageError(f"two targets named {name!r}: give each target a distinct name")
        for target in self.targets:
            rps = min(x for x in (max_rps, profile.max_rps, target.safety.max_rps) if x)
            client = HttpClient(
                target, allow=self.allowed(target), redactor=self.redactor, max_rps=rps
            )
            self._state[target.name] = _TargetState(client, Discovery(client))
        for name, why in (unusable or {}).items():  # a fleet entry that could not be loaded
            self._state[name].unreachable = f"{why}; no check was run on it"
            self._state[name].probed = True

    def allowed(self, target: Target) -> frozenset[SafetyClass]:
        """Safety classes this run may use on `target` (profile, target file and command line)."""
        return frozenset(
            {SafetyClass.READ} | self.profile.allow | target.safety.allow | self.allow_extra
        )

    def plan(self) -> list[PlannedCheck]:
        """Requirement x target pairs, in catalogue order."""
        ids = [
            rid
            for rid in self.profile.requirements
            if (not self.only or rid in self.only)
            and (not self.levels or self.catalogue[rid].level.value in self.levels)
        ]
        return [PlannedCheck(self.catalogue[rid], t) for t in self.targets for rid in ids]

    def execute(self, planned: PlannedCheck) -> Result:
        """Decide one requirement on one target; never raises for the agency's faults."""
        req, target = planned.requirement, planned.target
        state = self._state[target.name]
        started = time.monotonic()
        ctx = CheckContext(
            requirement=req,
            target=target,
            params=self.profile.params_for(req.id),
            inputs=merge_inputs(self.profile.inputs, target.inputs),
            client=state.client,
            discovery=state.discovery,
            seed=self.seed,
            allow=self.allowed(target),
            profile_dir=self.profile.base_dir,
        )
        exchanges: list[Exchange] = []
        outcome, message = self._decide(ctx, state, exchanges)
        evidence = list(ctx.evidence)
        if not evidence and exchanges:
            evidence = [state.client.evidence(x) for x in exchanges[:AUTO_EVIDENCE_LIMIT]]
            if len(exchanges) > AUTO_EVIDENCE_LIMIT:
                more = len(exchanges) - AUTO_EVIDENCE_LIMIT
                evidence.append(Evidence("note", f"{more} more exchanges not shown"))
        result = Result(
            requirement=req.id,
            level=req.level,
            keyword=req.keyword,
            target=target.name,
            outcome=outcome,
            message=self.redactor.text(message),
            evidence=tuple(evidence),
            duration_s=time.monotonic() - started,
            reproduce=ctx.reproduce,
        )
        state.outcomes[req.id] = outcome
        waiver = self._waiver_for(result)
        if waiver is not None:
            result = dataclasses.replace(result, waiver=waiver.to_dict())
        self.results.append(result)
        return result

    def _waiver_for(self, result: Result) -> Waiver | None:
        """The waiver in force for a fail or warn (errors and skips are never waived)."""
        if result.outcome not in (Outcome.FAIL, Outcome.WARN):
            return None
        for waiver in self.waivers:
            if waiver.matches(result.requirement, result.target) and not waiver.expired(self.today):
                return waiver
        return None

    def waiver_scope(self) -> dict[str, list[dict[str, Any]]]:
        """Which waivers applied (and to what), which had expired, which matched nothing."""
        applied, expired, unused = [], [], []
        for waiver in self.waivers:
            hits = [
                f"{r.requirement}[{r.target}]"
                for r in self.results
                if r.waiver is not None
                and r.waiver.get("source") == waiver.source
                and r.waiver.get("requirement") == waiver.requirement
            ]
            entry = waiver.to_dict()
            if waiver.expired(self.today):
                expired.append(entry)
            elif hits:
                applied.append({**entry, "results": hits})
            else:
                unused.append(entry)
        return {"applied": applied, "expired": expired, "unused": unused}

    def _decide(
        self, ctx: CheckContext, state: _TargetState, exchanges: list[Exchange]
    ) -> tuple[Outcome, str]:
        req = ctx.requirement
        fn = self.checks.get(req.id)
        if fn is None:
            return Outcome.NOT_IMPLEMENTED, f"not implemented yet: {req.pending or 'no check'}"
        if req.safety not in ctx.allow:
            return Outcome.SKIP, (
                f"{req.safety.value} class not enabled: opt in with --allow {req.safety.value}, "
                f"or `allow: [{req.safety.value}]` in the profile's or target's safety section"
            )
        unreachable = self._unreachable(ctx.target, state)
        if unreachable:
            return Outcome.ERROR, unreachable
        for dep in req.depends_on:
            if state.outcomes.get(dep) in {Outcome.FAIL, Outcome.ERROR, Outcome.SKIP}:
                return Outcome.SKIP, f"depends on {dep}, which was {state.outcomes[dep].value}"
        try:
            with recording(exchanges.append), reporting(self._progress_of(ctx)):
                message = fn(ctx)
        except NonConformance as exc:
            ctx.evidence.extend(exc.evidence)
            if req.keyword is Keyword.MUST and not exc.advisory:
                return Outcome.FAIL, exc.message
            return Outcome.WARN, exc.message
        except PreconditionMissing as exc:
            return Outcome.SKIP, exc.reason
        except NotApplicable as exc:
            return Outcome.NOT_APPLICABLE, exc.reason
        except Inconclusive as exc:
            ctx.evidence.extend(exc.evidence)
            return Outcome.ERROR, exc.message
        except ConformanceError as exc:
            return Outcome.ERROR, str(exc)
        except Exception as exc:  # a bug in a check must not pass for a verdict on the agency
            ctx.note("traceback", "internal error in the check", traceback=traceback.format_exc())
            return Outcome.ERROR, f"internal error in the check: {type(exc).__name__}: {exc}"
        return Outcome.PASS, message

    def _progress_of(self, ctx: CheckContext) -> Callable[[str], None]:
        """Where a check's progress goes: `on_progress`, labelled with requirement and target."""
        label = f"{ctx.requirement.id} [{ctx.target.name}]"
        sink = self.on_progress

        def say(message: str) -> None:
            if sink is not None:
                sink(f"{label} ... {self.redactor.text(message)}")

        return say

    def _unreachable(self, target: Target, state: _TargetState) -> str | None:
        """Why `target` cannot be reached (preflight once per target), or None."""
        if self.preflight and not state.probed:
            state.probed = True
            try:
                check_reachable(target)
            except TargetError as exc:
                state.unreachable = f"{exc}; no check was run on it"
        return state.unreachable

    def scope(self, deselected: Iterable[str] = ()) -> dict[str, Any]:
        """What was asked and what ran (run.json `scope`): the profile's selection, how the run
        narrowed it (--requirement, --level, pytest deselection), what was planned but did not
        run, the safety opt-ins and rate cap, and the parameters that differ from the catalogue's
        defaults. A run narrowed to less than its profile selects is never conformant."""
        deselected = sorted(set(deselected))
        planned = [p for p in self.plan() if p.requirement.id not in deselected]
        planned_ids = list(dict.fromkeys(p.requirement.id for p in planned))
        done = {(r.requirement, r.target) for r in self.results}
        narrowing: dict[str, list[str]] = {}
        if self.only:
            narrowing["requirements"] = list(self.only)
        if self.levels:
            narrowing["levels"] = list(self.levels)
        if deselected:
            narrowing["deselected"] = deselected
        left_out = [rid for rid in self.profile.requirements if rid not in planned_ids]
        overrides = {
            rid: {k: v for k, v in params.items() if self.catalogue[rid].defaults().get(k) != v}
            for rid, params in self.profile.parameters.items()
            if rid in self.catalogue
        }
        allow = self.profile.allow | self.allow_extra
        return {
            "selected": list(self.profile.requirements),
            "ran": planned_ids,
            "narrowed": bool(left_out),
            "left_out": left_out,
            "narrowing": narrowing,
            "not_run": [
                {"requirement": p.requirement.id, "target": p.target.name}
                for p in planned
                if (p.requirement.id, p.target.name) not in done
            ],
            "allow": sorted(c.value for c in allow if c is not SafetyClass.READ),
            "max_rps": self.max_rps,
            "parameters": {rid: found for rid, found in overrides.items() if found},
            "waivers": self.waiver_scope(),
        }

    def report(self, *, complete: bool = True, deselected: Iterable[str] = ()) -> Report:
        """The report of everything executed so far."""
        scope = self.scope(deselected)
        results = [*self.results, *self._not_run(scope["not_run"])]
        levels = level_verdicts(results, self.profile.not_implemented)
        cut = {self.catalogue[rid].level.value for rid in scope["left_out"]}
        levels = narrowed_levels(levels, cut)
        return Report(
            schema_version=REPORT_SCHEMA_VERSION,
            suite={"name": "interop-conformance", "version": __version__},
            profile={
                "name": self.profile.name,
                "digest": self.profile.digest,
                "source": self.profile.source,
            },
            started=self.started,
            finished=now_iso(),
            seed=self.seed,
            targets=tuple(self._target_summary(t, results, scope) for t in self.targets),
            results=tuple(results),
            levels=levels,
            verdict=overall_verdict(levels, complete, narrowed=scope["narrowed"]),
            complete=complete,
            scope=scope,
        )

    def _target_summary(
        self, target: Target, results: list[Result], scope: dict[str, Any]
    ) -> TargetSummary:
        """One agency's own verdict: its levels, decided as the run's are, from its results."""
        own = [r for r in results if r.target == target.name]
        levels = level_verdicts(own, self.profile.not_implemented)
        levels = narrowed_levels(
            levels, {self.catalogue[rid].level.value for rid in scope["left_out"]}
        )
        complete = not any(x["target"] == target.name for x in scope["not_run"])
        return dataclasses.replace(
            target.summary(),
            verdict=overall_verdict(levels, complete, narrowed=scope["narrowed"]),
            levels=levels,
            untested=self._state[target.name].unreachable or "",
        )

    def _not_run(self, pairs: list[dict[str, str]]) -> list[Result]:
        """An `error` for each planned requirement × target the run ended before: every writer
        lists it, and no CI reads an interrupted run as green."""
        return [
            Result(
                requirement=pair["requirement"],
                level=self.catalogue[pair["requirement"]].level,
                keyword=self.catalogue[pair["requirement"]].keyword,
                target=pair["target"],
                outcome=Outcome.ERROR,
                message="not run: the run ended (interrupted or stopped) before it got here",
            )
            for pair in pairs
        ]

    def run(
        self, on_result: Callable[[Result], None] | None = None, concurrency: int = 1
    ) -> Report:
        """Execute the whole plan without pytest and return the report (`concurrency` targets
        at a time, each with its own client, rate cap and limits)."""
        complete = False
        try:
            for result in self.execute_all(self.plan(), concurrency):
                if on_result:
                    on_result(result)
            complete = True
        finally:
            self.close()
        return self.report(complete=complete)

    def execute_all(
        self, planned: Sequence[PlannedCheck], concurrency: int = 1
    ) -> Iterator[Result]:
        """Decide `planned`, each target's checks in their order, up to `concurrency` targets at
        the same time (each with its own client: rate cap, time limits, evidence); results come
        as they are decided."""
        groups: dict[str, list[PlannedCheck]] = {}
        for p in planned:
            groups.setdefault(p.target.name, []).append(p)
        return side_by_side(list(groups.values()), self.execute, concurrency)

    def close(self) -> None:
        """Release connections."""
        for state in self._state.values():
            state.client.close()
