"""DEP-AGR-01: each peer agency the service consumes from is covered by a declared data-sharing
agreement (id, parties, legal basis, validity) that is in force on the day of the run."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.inputs import declare_input
from conformance.core.registry import check
from conformance.documents.service_levels import (
    AGREEMENTS,
    Agreement,
    parse_agreements,
    providers,
)

#: DEP-AGR-01: the peers the service consumes from (peer names or base URLs); else the parties
#: with role `provider` in the api-catalog's data-sharing agreements
CONSUMES = declare_input(
    "consumes",
    {"type": "array", "items": {"type": "string"}},
    description="the peers the service consumes from (names or base URLs)",
)


# -- DEP-AGR-01 -------------------------------------------------------------------------------
@check("DEP-AGR-01")
def agreements_in_force(ctx: CheckContext) -> str:
    """Each consumed peer is covered by a complete agreement in force on the day of the run."""
    agreements: list[Agreement] = []
    for api in ctx.discovery.apis():
        value = api.extensions.get(AGREEMENTS)
        if value is None:
            continue
        try:
            agreements += parse_agreements(value)
        except ValueError as exc:
            ctx.note("declaration", f"{AGREEMENTS} of {api.anchor}", value=value)
            ctx.fail(f"API {api.anchor}: {exc} (EIF legal interoperability)")
    consumed = [str(p) for p in CONSUMES.read(ctx) or []] or providers(agreements)
    if not consumed:
        raise PreconditionMissing(
            f"the api-catalog declares no {AGREEMENTS} and inputs.consumes names no peer: "
            "no consumed peer to check"
        )
    zone = str(ctx.params.get("timezone", "UTC"))
    try:
        today = dt.datetime.now(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        raise Inconclusive(f"timezone {zone!r} is not an IANA time zone name") from None
    for agreement in agreements:
        ctx.note(
            "declaration",
            f"agreement {agreement.id}: valid {agreement.valid_from} to {agreement.valid_until}",
            id=agreement.id,
            parties=list(agreement.parties),
            legal_basis=agreement.legal_basis,
            valid_from=str(agreement.valid_from),
            valid_until=str(agreement.valid_until),
            run_day=f"{today} ({zone})",
        )
    for peer in consumed:
        covering = [a for a in agreements if a.names(peer)]
        if not covering:
            ctx.fail(f"no declared data-sharing agreement names the consumed peer {peer}")
        if not any(a.in_force(today) for a in covering):
            spans = ", ".join(f"{a.id} valid {a.valid_from} to {a.valid_until}" for a in covering)
            ctx.fail(
                f"no agreement covering {peer} is in force on {today} ({zone}): {spans} "
                "(dates inclusive)"
            )
    return f"{len(consumed)} consumed peer(s) covered by an agreement in force on {today} ({zone})"
