"""DEP-DEP-01 (conformance/departmental/dep.py) beyond the fault matrix: an agency whose documents
mark nothing deprecated has nothing the requirement applies to."""

from __future__ import annotations

import json

from conformance.core.model import Outcome

from .departmental_profile import run_departmental
from .samples import minimal
from .sites import site_target


def test_no_deprecated_operation_is_not_applicable(site):
    ok = {"200": {"description": "the things"}}
    paths = {"/v1/things": {"get": {"operationId": "things", "responses": ok}}}
    site.publish(json.dumps(minimal(paths=paths)).encode())
    result = run_departmental(site_target(site))["DEP-DEP-01"]
    assert result.outcome is Outcome.NOT_APPLICABLE, result.message
    assert "marked deprecated" in result.message
