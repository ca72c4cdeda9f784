"""A long check's progress (conformance/client/progress.py): throttled, never silent for long."""

from __future__ import annotations

import threading
import time

from conformance.client.progress import progress, reporting


def _heartbeats() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "conformance-progress"]


def test_a_silent_long_check_is_said_to_be_still_running_and_nothing_follows_its_end():
    said: list[str] = []
    with reporting(said.append, every_s=0.05):
        time.sleep(0.5)  # a TLS scan, a wait on the rate cap: nothing to say for a while
    assert said, "a silent check must not leave the terminal silent"
    assert all(s.startswith("still running, ") and s.endswith(" s so far") for s in said), said
    assert not _heartbeats()  # the heartbeat ended with the check
    count = len(said)
    time.sleep(0.2)
    assert len(said) == count


def test_a_check_that_talks_is_heard_in_its_own_words_not_the_heartbeat():
    said: list[str] = []
    with reporting(said.append, every_s=0.5):
        deadline = time.monotonic() + 1.6
        n = 0
        while time.monotonic() < deadline:
            n += 1
            progress(f"{n} requests sent")
            time.sleep(0.01)
    assert 2 <= len(said) <= 4, said  # one every 0.5 s, not one per request
    assert all(s.endswith(" requests sent") for s in said), said


def test_tls_handshakes_and_the_link_exploration_say_how_far_they_are(
    reference_target, monkeypatch
):
    import functools

    from conformance.engine import Engine
    from conformance.inputs.profile import load_profile

    monkeypatch.setattr("conformance.engine.reporting", functools.partial(reporting, every_s=0.01))
    engine = Engine(
        load_profile("full"), [reference_target], only=["NET-TLS-01", "BUS-WF-02"], seed=1
    )
    said: list[str] = []
    engine.on_progress = said.append
    results = {r.requirement: r.outcome.value for r in engine.run().results}
    assert results == {"NET-TLS-01": "pass", "BUS-WF-02": "pass"}
    assert any("TLS handshake(s) with 127.0.0.1:" in s for s in said), said
    assert any("requests along the OpenAPI links, now " in s for s in said), said
