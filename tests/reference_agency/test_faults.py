"""The reference agency's fault switches, and the trace of which ones it reads."""

from __future__ import annotations

import pytest
from reference_agency.faults import EVERY_FAULT, check_faults, observing_lookups


def test_unknown_faults_are_refused_with_a_suggestion():
    with pytest.raises(ValueError, match="did you mean 'NET-TLS-01'"):
        check_faults(["NET-TLS-1"])


def test_every_read_of_a_switch_is_reported_to_the_observers():
    faults = check_faults(["NET-HSTS-01"])
    seen: list[str] = []
    with observing_lookups(seen.append):
        assert "NET-HSTS-01" in faults
        assert "NET-HDR-01" not in faults
        assert faults & {"NET-CRT-03", "NET-CRT-03/sha1"} == frozenset()
    assert "NET-HDR-01" not in faults  # not observed any more
    assert seen[:2] == ["NET-HSTS-01", "NET-HDR-01"]
    assert sorted(seen[2:]) == ["NET-CRT-03", "NET-CRT-03/sha1"]


def test_reading_the_set_as_a_whole_is_reported_as_every_fault():
    faults = check_faults(["DEP-CAT-01"])
    seen: list[str] = []
    with observing_lookups(seen.append):
        assert list(faults) == ["DEP-CAT-01"]
        assert len(faults) == 1
        assert faults | {"X"} == {"DEP-CAT-01", "X"}
    assert set(seen) == {EVERY_FAULT}
