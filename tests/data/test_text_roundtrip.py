"""The UTF-8 answers and round trips of DATA-ENC-01 (conformance/data/text_roundtrip.py)."""

from __future__ import annotations

import pytest
import requests

from conformance.client.http import Exchange
from conformance.data import text_roundtrip


def exchange(body: bytes, content_type: str) -> Exchange:
    headers = requests.structures.CaseInsensitiveDict({"Content-Type": content_type})
    return Exchange("GET", "https://x.test/a", {}, None, 200, headers, body, 0.01)


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        ("北京".encode(), "application/json", ""),
        ("北京".encode(), "application/json; charset=utf-8", ""),
        ("北京".encode("gb18030"), "application/json", "the body is not UTF-8"),
        (b"{}", "application/json; charset=iso-8859-1", "charset=iso-8859-1"),
        (b"\xef\xbb\xbf{}", "application/json", "byte order mark"),
    ],
)
def test_answers_must_be_utf8(body: bytes, content_type: str, problem: str) -> None:
    found = text_roundtrip.encoding_problem(exchange(body, content_type))
    assert (problem in found and bool(found)) if problem else found == ""


def test_only_non_ascii_strings_are_round_tripped() -> None:
    body = {"a": "ascii", "b": {"c/d": "北京"}, "e": ["x", "𠮷"], "f": 1}
    assert text_roundtrip.non_ascii_strings(body) == {"/b/c~1d": "北京", "/e/1": "𠮷"}
