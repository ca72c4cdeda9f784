"""The pytest plugin: requirements as test items. Thin: the engine decides, pytest runs and shows.

    pytest --conformance-profile=data --conformance-target=target.yaml

Registered through the `pytest11` entry point; inactive unless a --conformance-* option selects a
profile or a target. Without a target it starts the bundled reference agency. What it prints on
the terminal (progress, the summary, each failure once) is `conformance.plugin.terminal`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.core.catalogue import load_catalogue
from conformance.core.errors import ConformanceError, Inconclusive, NonConformance
from conformance.core.model import Outcome, Report, Result, SafetyClass
from conformance.core.summary import FAIL_ON, exit_code
from conformance.engine import Engine, PlannedCheck
from conformance.inputs.fleet import resolve_fleet
from conformance.inputs.profile import load_profile
from conformance.inputs.target import TLS_SCANS, Target
from conformance.inputs.waivers import load_waivers
from conformance.plugin.terminal import TerminalOutput

SESSION_KEY = pytest.StashKey["ConformanceSession"]()
_STATUS = {
    Outcome.PASS: ("passed", ".", ("PASS", {"green": True})),
    Outcome.WARN: ("warn", "W", ("WARN", {"yellow": True})),
    Outcome.FAIL: ("failed", "F", ("FAIL", {"red": True})),
    Outcome.ERROR: ("error", "E", ("ERROR", {"red": True})),
    Outcome.SKIP: ("skipped", "s", ("SKIP", {"yellow": True})),
    Outcome.NOT_APPLICABLE: ("not-applicable", "-", ("NOT-APPLICABLE", {})),
    Outcome.NOT_IMPLEMENTED: ("not-implemented", "n", ("NOT-IMPLEMENTED", {"yellow": True})),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    """The --conformance-* options."""
    group = parser.getgroup("conformance", "interoperability conformance")
    group.addoption("--conformance-profile", help="bundled profile name or profile file")
    group.addoption(
        "--conformance-target",
        action="append",
        default=[],
        help="target URL or target file (repeatable); none: the reference agency",
    )
    group.addoption(
        "--conformance-requirement",
        action="append",
        default=[],
        help="run only this requirement ID (repeatable)",
    )
    group.addoption("--conformance-level", action="append", default=[], help="run only this level")
    group.addoption("--conformance-seed", type=int, default=None, help="seed for generated data")
    group.addoption("--conformance-allow", default="", help="opt-in classes: write,load")
    group.addoption("--conformance-max-rps", type=float, default=None, help="request-rate cap")
    group.addoption(
        "--conformance-tls-scan",
        choices=TLS_SCANS,
        default=None,
        help="TLS probing: minimal (a handshake per accepted suite; the default) or full "
        "(sslyze's plugins, every suite of every protocol)",
    )
    group.addoption(
        "--conformance-fault",
        action="append",
        default=[],
        help="reference agency only: inject this fault (requirement ID, or ID/variant)",
    )
    group.addoption("--conformance-out", default=None, help="write reports to this folder")
    group.addoption(
        "--conformance-format",
        default="json,junit,html",
        help="report formats: json,junit,html (allure: use --alluredir)",
    )
    group.addoption(
        "--conformance-concurrency",
        type=int,
        default=1,
        help="test up to N targets at the same time (each with its own rate cap and limits)",
    )
    group.addoption(
        "--conformance-waivers",
        action="append",
        default=[],
        help="a waiver file (repeatable): known failures accepted until a date",
    )
    group.addoption(
        "--conformance-fail-on",
        choices=FAIL_ON,
        default="fail",
        help="the exit code is 1 on a fail (default) or also on a warn (a SHOULD not met)",
    )
    group.addoption(
        "--conformance-sign-key",
        default=None,
        help="sign run.json with this Ed25519 private key (PEM file)",
    )


class ConformanceSession:
    """The engine and the reference agency (if any) for one pytest session."""

    def __init__(self, config: pytest.Config) -> None:
        opt = config.option
        self.config = config
        self.report: Report | None = None
        #: requirement × target items pytest deselected (-k, -m): the scope records them
        self.deselected: list[PlannedCheck] = []
        #: results decided ahead of their items (--conformance-concurrency)
        self.decided: dict[tuple[str, str], Result] = {}
        self._stack = contextlib.ExitStack()
        try:
            self.signing_key = None
            if opt.conformance_sign_key:
                from conformance.reports.signing import load_private_key

                self.signing_key = load_private_key(Path(opt.conformance_sign_key))
            profile = load_profile(opt.conformance_profile or "full")
            targets, unusable, notes = (
                resolve_fleet(list(opt.conformance_target))
                if opt.conformance_target
                else ([], {}, [])
            )
            for note in notes:
                sys.stderr.write(note + "\n")
            if not targets:
                from conformance.reference import running_reference

                targets = [self._stack.enter_context(running_reference(opt.conformance_fault))]
            if opt.conformance_tls_scan:
                targets = [_with_tls_scan(t, opt.conformance_tls_scan) for t in targets]
            allow = [SafetyClass(a) for a in opt.conformance_allow.split(",") if a.strip()]
            waivers = [
                w for f in opt.conformance_waivers for w in load_waivers(Path(f), load_catalogue())
            ]
        except (ConformanceError, ValueError) as exc:
            self._stack.close()
            raise pytest.UsageError(str(exc)) from None
        self.engine = Engine(
            profile,
            targets,
            seed=opt.conformance_seed,
            allow=allow,
            max_rps=opt.conformance_max_rps,
            only=opt.conformance_requirement,
            levels=opt.conformance_level,
            preflight=True,
            waivers=waivers,
            unusable=unusable,
        )
        self.planned = self.engine.plan()
        self.terminal = TerminalOutput(config, lambda: self.report)
        if config.option.verbose >= 0:  # -q: no progress lines either
            self.engine.on_progress = self.terminal.say

    def decide_ahead(self, planned: list[PlannedCheck]) -> None:
        """With --conformance-concurrency N > 1: decide every item's requirement now, N targets
        side by side; the items then report what was decided, in their order."""
        concurrency = int(self.config.option.conformance_concurrency or 1)
        if concurrency > 1:
            for result in self.engine.execute_all(planned, concurrency):
                self.decided[(result.requirement, result.target)] = result

    def decide(self, planned: PlannedCheck) -> Result:
        """The result of one item: decided ahead, or now."""
        key = (planned.requirement.id, planned.target.name)
        return self.decided.pop(key, None) or self.engine.execute(planned)

    @property
    def targets(self) -> tuple[Target, ...]:
        """The targets of this session."""
        return self.engine.targets

    def finish(self, complete: bool) -> Report:
        """Build the report and write the requested formats."""
        deselected = {p.requirement.id for p in self.deselected}
        self.report = self.engine.report(complete=complete, deselected=deselected)
        out = self.config.option.conformance_out
        if out:
            from conformance.reports import write_reports

            formats = [f.strip() for f in self.config.option.conformance_format.split(",")]
            chosen = [f for f in formats if f != "allure"]
            write_reports(self.report, Path(out), chosen, self.signing_key)
        return self.report

    def close(self) -> None:
        """Close connections and stop the reference agency."""
        self.engine.close()
        self._stack.close()


def _with_tls_scan(target: Target, mode: str) -> Target:
    """`target` probed for TLS in `mode` (the run's --conformance-tls-scan)."""
    import dataclasses

    return dataclasses.replace(target, safety=dataclasses.replace(target.safety, tls_scan=mode))


def _active(config: pytest.Config) -> bool:
    opt = config.option
    return bool(
        getattr(opt, "conformance_profile", None) or getattr(opt, "conformance_target", None)
    )


_MARKERS = {
    "departmental": "departmental-level requirement",
    "network": "network-level requirement",
    "data": "data-level requirement",
    "business": "business-level requirement",
    "must": "MUST requirement",
    "should": "SHOULD requirement",
    "may": "MAY requirement",
    "read": "read-only check",
    "write": "check that creates data",
    "load": "check that sends bursts",
}


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers (-m network, -m must); start a session when asked for."""
    for name, text in _MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    if _active(config):
        session = config.stash[SESSION_KEY] = ConformanceSession(config)
        config.pluginmanager.register(session.terminal, "conformance-terminal")
        _stop_on_sigterm()
        _hypothesis_cache_out_of_the_way()


def _hypothesis_cache_out_of_the_way() -> None:
    """Hypothesis keeps caches (Unicode tables, constants) in ./.hypothesis by default: a run
    must not leave a folder in whatever folder it was started from. The user's cache folder
    keeps them across runs instead (the suite uses no example database)."""
    from hypothesis.configuration import set_hypothesis_home_dir

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    set_hypothesis_home_dir(cache / "interop-conformance" / "hypothesis")


def _stop_on_sigterm() -> None:
    """SIGTERM (how CI cancels a job, how Kubernetes stops a pod) ends the run as Ctrl-C does:
    pytest stops, and the report of what ran is written, marked incomplete."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop what the session started."""
    session = config.stash.get(SESSION_KEY, None)
    if session is not None:
        session.close()
        del config.stash[SESSION_KEY]


class RequirementCollector(pytest.Collector):
    """The parent node of all requirement items."""

    def collect(self) -> list[pytest.Item]:
        """Items are made by the plugin, not collected from files."""
        return []


class RequirementItem(pytest.Item):
    """One requirement on one target."""

    def __init__(self, *, planned: PlannedCheck, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.planned = planned
        self.result: Result | None = None
        req = planned.requirement
        for marker in (req.level.value, req.keyword.value.lower(), req.safety.value):
            self.add_marker(marker)
        self.user_properties += [
            ("requirement", req.id),
            ("level", req.level.value),
            ("keyword", req.keyword.value),
            ("target", planned.target.name),
        ]

    def runtest(self) -> None:
        """Decide the requirement through the engine and map the outcome to pytest's."""
        session = self.config.stash[SESSION_KEY]
        result = session.decide(self.planned)
        self.result = result
        self.user_properties.append(("outcome", result.outcome.value))
        _label_for_allure(self.planned, result)
        if result.waiver is not None:
            self.user_properties.append(("waiver", str(result.waiver.get("source", ""))))
            return  # a known failure accepted until its date: shown, not gating
        if result.outcome is Outcome.FAIL:
            raise NonConformance(result.message)
        if result.outcome is Outcome.ERROR:
            raise Inconclusive(result.message)
        if result.outcome in {Outcome.SKIP, Outcome.NOT_APPLICABLE, Outcome.NOT_IMPLEMENTED}:
            pytest.skip(f"{result.outcome.value}: {result.message}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The requirement, the message and the evidence summaries; no traceback."""
        if self.result is None or not isinstance(excinfo.value, NonConformance | Inconclusive):
            return str(super().repr_failure(excinfo))
        req, r = self.planned.requirement, self.result
        lines = [
            f"{req.id} ({req.keyword.value}) {r.outcome.value}: {r.message}",
            f"  requirement: {req.statement} [{req.source}]",
        ]
        lines += [f"  evidence: {e.summary}" for e in r.evidence[:8]]
        if r.reproduce:
            lines.append(f"  reproduce: {r.reproduce}")
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the item comes from: the profile file, and which requirement."""
        return Path(self.config.stash[SESSION_KEY].engine.profile.source), None, self.name


def _label_for_allure(planned: PlannedCheck, result: Result) -> None:
    """Requirement IDs as allure labels, evidence (already redacted) as attachments."""
    try:
        import allure
    except ImportError:  # pragma: no cover - allure-pytest is a dependency
        return
    import json

    dynamic: Any = allure.dynamic  # allure-pytest's API is untyped
    req = planned.requirement
    dynamic.title(f"{req.id} [{planned.target.name}]")
    dynamic.description(f"{req.keyword.value}: {req.statement}\n\nSource: {req.source}")
    dynamic.label("requirement", req.id)
    dynamic.label("level", req.level.value)
    dynamic.label("keyword", req.keyword.value)
    dynamic.label("outcome", result.outcome.value)
    dynamic.parent_suite(req.level.value)
    dynamic.suite(planned.target.name)
    dynamic.tag(req.level.value, req.keyword.value, req.safety.value)
    if result.evidence:
        body = json.dumps([e.to_dict() for e in result.evidence], indent=2, ensure_ascii=False)
        allure.attach(body, name="evidence", attachment_type=allure.attachment_type.JSON)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add one item per requirement x target (before -k/-m deselection runs)."""
    conformance = config.stash.get(SESSION_KEY, None)
    if conformance is None:
        return
    name = conformance.engine.profile.name
    parent = RequirementCollector.from_parent(session, name=name, nodeid=name)
    made: list[pytest.Item] = [
        RequirementItem.from_parent(parent, name=planned.name, planned=planned)
        for planned in conformance.planned
    ]
    # Tell the terminal (and any other listener) what was collected, as file collectors do.
    session.ihook.pytest_collectreport(
        report=pytest.CollectReport(parent.nodeid, "passed", None, list(made))
    )
    items.extend(made)


def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, Any] | None:
    """Show conformance outcomes in their own words (PASS, WARN, NOT-IMPLEMENTED, ...)."""
    if report.when != "call":
        return None
    properties = dict(report.user_properties)
    outcome = properties.get("outcome")
    if outcome is None:
        return None
    if "waiver" in properties:
        return "waived", "w", (f"{str(outcome).upper()} (waived)", {"yellow": True})
    return _STATUS[Outcome(str(outcome))]


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    """With --conformance-concurrency: decide the selected items' requirements side by side
    first (the default loop then runs the items, which report those results)."""
    conformance = session.config.stash.get(SESSION_KEY, None)
    if conformance is not None and not session.config.option.collectonly:
        planned = [i.planned for i in session.items if isinstance(i, RequirementItem)]
        conformance.decide_ahead(planned)


def pytest_deselected(items: list[pytest.Item]) -> None:
    """Remember which requirement items -k/-m deselected: a narrowed run says so."""
    for item in items:
        if isinstance(item, RequirementItem):
            conformance = item.config.stash.get(SESSION_KEY, None)
            if conformance is not None:
                conformance.deselected.append(item.planned)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the report of what ran (incomplete when interrupted or narrowed); the exit code
    follows the verdict, as `conformance run`'s does (0 conformant, 1 not, 2 incomplete)."""
    conformance = session.config.stash.get(SESSION_KEY, None)
    if conformance is None:
        return
    expected = len(conformance.planned) - len(conformance.deselected)
    complete = (
        exitstatus != pytest.ExitCode.INTERRUPTED and len(conformance.engine.results) == expected
    )
    report = conformance.finish(complete)
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        fail_on = session.config.option.conformance_fail_on
        session.exitstatus = exit_code(report.verdict, report.results, fail_on)
