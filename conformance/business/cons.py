"""BUS-CONS-01: what one operation creates, related operations show within the declared delay (e.g.
an approved case's licence appears in the registry)."""

from __future__ import annotations

import time
from typing import Any

from conformance.business.arazzo.expressions import Unresolved, pointer_get
from conformance.business.cases import CaseDriver
from conformance.business.common import states_seen
from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.inputs import declare_input
from conformance.core.registry import check

#: BUS-CONS-01: what a case in a state produces, and the listing on the target that must show it
CONSISTENCY = declare_input(
    "consistency",
    {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["state", "value", "related", "items", "key"],
            "properties": {
                "state": {"type": "string"},
                "value": {"type": "string"},
                "related": {"type": "string"},
                "items": {"type": "string"},
                "key": {"type": "string"},
            },
            "additionalProperties": False,
        },
    },
    description="what a case produces and where it must show",
)


# -- BUS-CONS-01 ----------------------------------------------------------------------------
@check("BUS-CONS-01")
def consistency(ctx: CheckContext) -> str:
    """What a case produces shows in the related operation within the declared delay."""
    driver = CaseDriver.from_inputs(ctx)
    rules = CONSISTENCY.require(ctx)
    if not isinstance(rules, list) or not rules:
        raise PreconditionMissing("inputs.consistency lists no rule")
    delay, interval = float(ctx.params.get("delay_s", 2.0)), float(ctx.params["poll_interval_s"])
    shown: list[str] = []
    for rule in rules:
        case = driver.create()
        state = driver.follow(case, int(ctx.params.get("max_reads", 10)))
        if state != rule["state"] or case.last is None:
            raise Inconclusive(
                f"the case went {states_seen(case)}, not to {rule['state']} (inputs.consistency)"
            )
        value = driver.value(case.last, str(rule["value"]), "consistency.value")
        started = time.monotonic()
        polls = 0
        while True:
            polls += 1
            listing = ctx.client.get(str(rule["related"]), headers={"Accept": "application/json"})
            waited = time.monotonic() - started
            if _lists(listing, rule, value):
                ctx.cite(listing, f"poll {polls}: {value} is there after {waited:.2f} s")
                break
            if waited + interval > delay:
                ctx.cite(listing, f"poll {polls}: {value} still absent after {waited:.2f} s")
                ctx.reproduce = ctx.client.curl(listing)
                ctx.fail(
                    f"the case reached {state} with {rule['value']} = {value!r}, but "
                    f"{rule['related']} did not show it within the declared delay of {delay:g} s "
                    f"({polls} polls; profile's consistency rule)"
                )
            time.sleep(interval)
        shown.append(f"{value} in {rule['related']} after {waited:.2f} s")
    return f"within {delay:g} s: " + "; ".join(shown)


def _lists(listing: Exchange, rule: dict[str, Any], value: Any) -> bool:
    try:
        items = pointer_get(listing.json(), str(rule.get("items", "")))
    except (ValueError, Unresolved):
        return False
    if not isinstance(items, list):
        return False
    for item in items:
        try:
            if pointer_get(item, str(rule.get("key", ""))) == value:
                return True
        except Unresolved:
            continue
    return False
