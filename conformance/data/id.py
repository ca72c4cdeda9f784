"""DATA-ID-01: identifiers carry valid check characters: citizen ID (GB 11643, ISO 7064 MOD 11-2),
unified social credit code (GB 32100)."""

from __future__ import annotations

from typing import Any

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.data.identifiers import identifier_problem
from conformance.data.resource_inputs import (
    ResourceSpec,
    declared_resources,
    inspect_items,
)
from conformance.documents.json_pointer import resolve as pointer_get


# -- DATA-ID-01 --------------------------------------------------------------------------------
@check("DATA-ID-01")
def identifiers_valid(ctx: CheckContext) -> str:
    """Declared identifier fields carry valid GB 11643 / GB 32100 check characters."""
    specs = [s for s in declared_resources(ctx) if s.identifiers]
    if not specs:
        raise PreconditionMissing("no resource of inputs.resources declares identifiers")
    limit = int(ctx.params.get("max_documents", 20))
    bad, checked = inspect_items(
        ctx,
        specs,
        limit,
        lambda spec, exchange: _identifier_problems(ctx, spec, exchange),
        "identifiers",
    )
    for entry in bad:
        ctx.note("identifier", f"{entry['url']} {entry['pointer']}: {entry['reason']}", **entry)
    if bad:
        listed = "; ".join(
            f"{b['url']} {b['pointer']} {b['value']!r} ({b['standard']}): {b['reason']}"
            for b in bad[:3]
        )
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        ctx.fail(f"{len(bad)} invalid identifier(s): {listed}{more}")
    if not checked:
        raise PreconditionMissing("none of the declared identifier fields was present")
    ctx.note(
        "identifier",
        f"{checked} identifier value(s) recomputed",
        fields={s.name: s.identifiers for s in specs},
        checked=checked,
    )
    return f"{checked} identifier(s) carry valid check characters (GB 11643, GB 32100)"


def _identifier_problems(
    ctx: CheckContext, spec: ResourceSpec, exchange: Exchange
) -> tuple[list[dict[str, Any]], int]:
    if exchange.status != 200:
        ctx.cite(exchange, f"{spec.name}: item")
        raise Inconclusive(
            f"{exchange.url} (listed in {spec.collection}) answered {exchange.status}"
        )
    try:
        document = exchange.json()
    except ValueError:
        ctx.cite(exchange, f"{spec.name}: item")
        raise Inconclusive(f"{exchange.url} did not answer JSON") from None
    found, count = [], 0
    for pointer, kind in spec.identifiers.items():
        try:
            value = pointer_get(document, pointer)
        except LookupError:
            continue  # an absent optional field has nothing to check
        count += 1
        reason = identifier_problem(kind, value)
        if reason:
            found.append(
                {
                    "url": exchange.url,
                    "pointer": pointer,
                    "standard": kind,
                    "value": value,
                    "reason": reason,
                }
            )
    return found, count
