"""NET-CRT-01 .. NET-CRT-03 (conformance/network/crt.py): a certificate close to expiry."""

from __future__ import annotations

from conformance.core.model import Outcome
from conformance.engine import Engine
from conformance.inputs.profile import load_profile

from .agencies import agency_target


def test_a_certificate_close_to_expiry_is_a_warning_on_a_must():
    with agency_target(("NET-CRT-02",)) as (_, target):
        report = Engine(load_profile("network"), [target], only=["NET-CRT-02"], seed=1)
        report.profile.parameters["NET-CRT-02"].update(min_days_left=3, warn_days_left=30)
        result = report.run().results[0]
    assert result.outcome is Outcome.WARN, result.message
    assert "fewer than 30 days left" in result.message
