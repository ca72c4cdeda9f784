"""The engine's outcome mapping, dependency skips, safety classes and verdicts (no network)."""

from __future__ import annotations

import pytest

from conformance.core.catalogue import load_catalogue
from conformance.core.errors import Inconclusive, NonConformance, PreconditionMissing, UsageError
from conformance.core.model import Outcome, SafetyClass, Verdict
from conformance.core.summary import EXIT_CODES
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.target import Target

TARGET = Target(name="t", base_url="https://127.0.0.1:9")


def raising(exc: Exception):
    def check(ctx):
        raise exc

    return check


def passing(ctx):
    return "verified"


def run(checks, profile="full", **kwargs):
    engine = Engine(load_profile(profile), [TARGET], checks=checks, seed=7, **kwargs)
    report = engine.run()
    return report, {r.requirement: r for r in report.results}


def test_outcomes_follow_what_the_check_decided():
    report, results = run(
        {
            "DEP-CAT-01": passing,
            "DEP-ERR-01": raising(NonConformance("no problem+json")),
            "DEP-OAS-03": raising(NonConformance("no operationId")),
            "NET-HSTS-01": raising(PreconditionMissing("no https")),
            "NET-TLS-01": raising(Inconclusive("handshake timed out")),
            "NET-AUTH-01": raising(RuntimeError("bug")),
        }
    )
    assert results["DEP-CAT-01"].outcome is Outcome.PASS
    assert results["DEP-ERR-01"].outcome is Outcome.FAIL
    assert results["DEP-OAS-03"].outcome is Outcome.WARN  # a SHOULD never fails
    assert results["NET-HSTS-01"].outcome is Outcome.SKIP
    assert results["NET-TLS-01"].outcome is Outcome.ERROR
    assert results["NET-AUTH-01"].outcome is Outcome.ERROR
    assert "internal error in the check: RuntimeError: bug" in results["NET-AUTH-01"].message
    assert results["DATA-XML-01"].outcome is Outcome.NOT_IMPLEMENTED
    assert report.levels == {
        "departmental": Verdict.NOT_CONFORMANT,
        "network": Verdict.INCOMPLETE,
        # nothing in these levels was decided: never "conformant" with nothing tested
        "data": Verdict.INCOMPLETE,
        "business": Verdict.INCOMPLETE,
    }
    assert report.verdict is Verdict.NOT_CONFORMANT
    assert EXIT_CODES[report.verdict] == 1


def test_a_level_whose_requirements_all_skip_is_incomplete_not_conformant():
    skipping = raising(PreconditionMissing("no declared inputs"))
    checks = {rid: skipping for rid in load_catalogue() if rid.startswith("DATA-")}
    report, _ = run({**checks, "DEP-CAT-01": passing}, profile="full")
    assert report.levels["data"] is Verdict.INCOMPLETE
    assert report.levels["departmental"] is Verdict.CONFORMANT
    assert report.verdict is Verdict.INCOMPLETE


def test_an_advisory_finding_on_a_must_is_a_warning():
    _, results = run(
        {
            "NET-CRT-02": raising(NonConformance("20 days left", advisory=True)),
            "NET-CRT-03": raising(NonConformance("RSA 1024")),
        },
        only=["NET-CRT-02", "NET-CRT-03"],
    )
    assert results["NET-CRT-02"].outcome is Outcome.WARN
    assert results["NET-CRT-02"].message == "20 days left"
    assert results["NET-CRT-03"].outcome is Outcome.FAIL


def test_nothing_passes_by_default():
    _, results = run({})
    assert {r.outcome for r in results.values()} == {Outcome.NOT_IMPLEMENTED}
    assert set(results) == set(load_catalogue())


def test_not_implemented_can_make_a_level_incomplete(tmp_path):
    path = tmp_path / "strict.yaml"
    path.write_text("extends: full\nconformance: {not_implemented: incomplete}\n", "utf-8")
    report, _ = run({"DEP-CAT-01": passing}, profile=str(path))
    assert report.verdict is Verdict.INCOMPLETE


def test_dependents_skip_when_a_prerequisite_fails():
    calls = []

    def dependent(ctx):
        calls.append(ctx.requirement.id)
        return "ran"

    _, results = run(
        {"DEP-OAS-01": raising(NonConformance("not OpenAPI")), "DEP-OAS-02": dependent}
    )
    assert calls == []
    assert results["DEP-OAS-02"].outcome is Outcome.SKIP
    assert results["DEP-OAS-02"].message == "depends on DEP-OAS-01, which was fail"


def test_write_checks_skip_unless_the_run_opts_in():
    calls = []

    def workflow(ctx):
        calls.append(ctx.allow)
        return "completed"

    _, results = run({"BUS-WF-01": workflow}, only=["BUS-WF-01"])
    assert results["BUS-WF-01"].outcome is Outcome.SKIP
    assert "--allow write" in results["BUS-WF-01"].message
    assert calls == []
    _, results = run({"BUS-WF-01": workflow}, only=["BUS-WF-01"], allow=[SafetyClass.WRITE])
    assert results["BUS-WF-01"].outcome is Outcome.PASS


def test_selection_by_requirement_and_level():
    engine = Engine(load_profile("full"), [TARGET], checks={}, only=["NET-TLS-01", "DEP-CAT-01"])
    assert [p.requirement.id for p in engine.plan()] == ["DEP-CAT-01", "NET-TLS-01"]
    engine = Engine(load_profile("full"), [TARGET], checks={}, levels=["data"])
    assert {p.requirement.level.value for p in engine.plan()} == {"data"}


def test_interrupted_run_is_incomplete():
    engine = Engine(load_profile("network"), [TARGET], checks={"NET-TLS-01": passing})
    engine.execute(engine.plan()[0])
    report = engine.report(complete=False)
    assert report.complete is False
    assert report.verdict is Verdict.INCOMPLETE
    assert report.results[0].requirement == "NET-TLS-01"
    assert report.results[0].outcome is Outcome.PASS
    rest = report.results[1:]
    assert rest  # every planned requirement the run did not reach is listed, as an error
    assert {r.outcome for r in rest} == {Outcome.ERROR}
    assert all(r.message.startswith("not run") for r in rest)
    assert len(report.scope["not_run"]) == len(rest)


def test_targets_need_distinct_names():
    with pytest.raises(UsageError, match="two targets named 't'"):
        Engine(load_profile("network"), [TARGET, TARGET], checks={})


def test_messages_never_carry_known_secrets():
    def leaky(ctx):
        ctx.client.redactor.add_secret("secret-value-123")
        raise NonConformance("server echoed secret-value-123")

    _, results = run({"DEP-CAT-01": leaky}, only=["DEP-CAT-01"])
    assert "secret-value-123" not in results["DEP-CAT-01"].message


def test_a_narrowed_run_is_never_conformant_and_its_scope_says_what_was_left_out():
    everything = dict.fromkeys(load_profile("departmental").requirements, passing)
    whole, _ = run(everything, profile="departmental")
    assert whole.verdict is Verdict.CONFORMANT
    assert whole.scope["narrowed"] is False
    assert whole.scope["ran"] == whole.scope["selected"]
    narrowed, results = run(everything, profile="departmental", only=["DEP-CAT-01"])
    assert results["DEP-CAT-01"].outcome is Outcome.PASS
    assert narrowed.verdict is Verdict.INCOMPLETE
    assert narrowed.levels == {"departmental": Verdict.INCOMPLETE}
    assert narrowed.scope["narrowing"] == {"requirements": ["DEP-CAT-01"]}
    assert "DEP-OAS-01" in narrowed.scope["left_out"]
    failing = {**everything, "DEP-CAT-01": raising(NonConformance("no catalogue"))}
    failed, _ = run(failing, profile="departmental", only=["DEP-CAT-01"])
    assert failed.verdict is Verdict.NOT_CONFORMANT  # a fail is a fail, narrowed or not


def test_a_long_check_says_what_it_is_doing_at_most_every_few_seconds(monkeypatch):
    from conformance.client import progress as progress_module

    clock = iter(range(0, 1000, 2))  # two "seconds" between messages
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: float(next(clock)))

    def slow(ctx):
        for n in range(1, 11):
            progress_module.progress(f"{n} of 10 requests")
        return "done"

    engine = Engine(
        load_profile("full"), [TARGET], checks={"DEP-CAT-01": slow}, only=["DEP-CAT-01"]
    )
    said: list[str] = []
    engine.on_progress = said.append
    engine.run()
    assert said  # not silent
    assert len(said) < 10  # throttled (one every 5 s of the fake clock)
    assert said[0].startswith("DEP-CAT-01 [t] ... ")
    assert "of 10 requests" in said[0]


def test_targets_are_tested_side_by_side_each_in_its_own_order():
    import threading

    targets = [Target(name=f"agency-{i}", base_url=f"https://agency-{i}.test") for i in range(3)]
    meet = threading.Barrier(3, timeout=10)  # only passes if the three agencies run at once
    seen: list[tuple[str, str]] = []

    def together(ctx):
        meet.wait()
        seen.append((ctx.target.name, ctx.requirement.id))
        return "met"

    def after(ctx):
        seen.append((ctx.target.name, ctx.requirement.id))
        return "after"

    engine = Engine(
        load_profile("departmental"),
        targets,
        checks={"DEP-CAT-01": together, "DEP-OAS-01": after},
        only=["DEP-CAT-01", "DEP-OAS-01"],
    )
    report = engine.run(concurrency=3)
    assert {r.outcome for r in report.results} == {Outcome.PASS}, [
        r.message for r in report.results
    ]
    assert len(report.results) == 6
    for target in targets:  # each agency's checks in catalogue order
        mine = [rid for name, rid in seen if name == target.name]
        assert mine == ["DEP-CAT-01", "DEP-OAS-01"]
