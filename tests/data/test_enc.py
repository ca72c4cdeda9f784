"""DATA-ENC-01 (conformance/data/enc.py): mojibake shown with code points."""

from __future__ import annotations

from checks_support import Faulted

from .requirement_sets import FAST


def test_mojibake_is_shown_with_code_points(faulted: Faulted) -> None:
    result = faulted("DATA-ENC-01", FAST)["DATA-ENC-01"]
    notes = {
        (e.detail["pointer"], e.summary.split(" ")[0]) for e in result.evidence if e.kind == "text"
    }
    assert ("/enterprise/name", "read") in notes
    assert ("/enterprise/name", "write") in notes
    sent = next(e.detail for e in result.evidence if e.kind == "text")
    assert sent["sent_code_points"].startswith("U+")
    assert "U+20BB7" in next(
        e.detail["sent_code_points"]
        for e in result.evidence
        if e.kind == "text" and e.detail["pointer"] == "/enterprise/name"
    )
