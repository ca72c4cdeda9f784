"""DATA-FMT-01 (conformance/data/fmt.py): a timestamp without offset."""

from __future__ import annotations

from checks_support import Faulted

from .requirement_sets import FAST


def test_a_timestamp_without_offset_is_named_with_its_pointer(faulted: Faulted) -> None:
    result = faulted("DATA-FMT-01", FAST)["DATA-FMT-01"]
    notes = [e.detail for e in result.evidence if e.kind == "format"]
    assert {"pointer": "/items/0/issued_at", "value": "2024-05-01T09:30:00"}.items() <= notes[
        0
    ].items()
    assert "RFC 3339 §5.6" in result.message
