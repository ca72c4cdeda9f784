"""The departmental profile as the tests run it, and the requirements in it that read what the
api-catalog declares (they depend on DEP-CAT-01)."""

from __future__ import annotations

from functools import partial

import checks_support

DECLARATION_CHECKS = (
    "DEP-OAS-02",
    "DEP-OAS-03",
    "DEP-SVC-01",
    "DEP-SLA-01",
    "DEP-SLA-02",
    "DEP-AGR-01",
    "DEP-VER-01",
    "DEP-VER-02",
    "DEP-DEP-01",
    "DEP-HLT-01",
    "DEP-DOC-01",
)


# run_departmental(target, only=()): the checks under the departmental profile (all of them when
# `only` is empty)
run_departmental = partial(checks_support.run, profile="departmental")
