"""The data requirements a test runs together; a faulted agency runs its fault's set, once per
test module."""

from __future__ import annotations

PAYLOAD_CHECKS = ("DATA-SCH-01", "DATA-XML-01", "DATA-ID-01")

DOCUMENT_CHECKS = ("DATA-XML-02", "DATA-CL-01", "DATA-RDF-01")

FAST = ("DATA-NEG-02", "DATA-CNEG-01", "DATA-FMT-01", "DATA-ENC-01")

GENERATED = ("DATA-SCH-02", "DATA-NEG-01")
