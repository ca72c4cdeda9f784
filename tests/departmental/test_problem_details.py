"""RFC 9457 problem details as DEP-ERR-01 judges them
(conformance/departmental/problem_details.py)."""

from __future__ import annotations

import json

import pytest

from conformance.departmental.problem_details import problem_defects

from .samples import answer_of


@pytest.mark.parametrize(
    ("body", "defect"),
    [
        ({"type": "https://e.example/p/nf", "title": "Not Found", "status": 404}, None),
        ({"title": "Not Found", "status": 404}, None),  # absent type means about:blank (§3.1.1)
        ({"type": 7, "title": "Not Found", "status": 404}, "type is 7"),
        ({"type": "about:blank", "status": 404}, "title is None"),
        ({"type": "about:blank", "title": "Not Found", "status": 400}, "status is 400, but"),
        ({"type": "about:blank", "title": "Not Found", "status": "404"}, "status is '404'"),
        (["not", "an", "object"], "expected an object"),
    ],
)
def test_problem_details_members(body, defect):
    found = problem_defects(answer_of(404, "application/problem+json", json.dumps(body).encode()))
    if defect is None:
        assert found == []
    else:
        assert any(defect in d for d in found), found


def test_problem_details_need_their_media_type():
    [defect] = problem_defects(answer_of(404, "application/json", b'{"title":"x","status":404}'))
    assert "expected 'application/problem+json'" in defect
