"""Network level: equipment of different departments connects securely and works together."""

from __future__ import annotations

import random
from urllib.parse import quote, urlsplit

from conformance import tls_probe
from conformance.challenges import challenge_schemes
from conformance.context import CheckContext
from conformance.errors import Inconclusive, PreconditionMissing
from conformance.hsts import parse_hsts, several_fields
from conformance.http import Exchange
from conformance.path_values import plausible_values
from conformance.registry import check

LEGACY_PROTOCOLS = ("SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1")
SUITES_IN_MESSAGE = 3
SSLYZE_PROTOCOL_FLAGS = "--sslv2 --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3"


@check("NET-TLS-01")
def legacy_tls_refused(ctx: CheckContext) -> str:
    """SSL 2.0/3.0, TLS 1.0 and 1.1 are refused and TLS 1.2 is accepted (sslyze)."""
    scan = tls_probe.scan(ctx.client)
    ctx.note("tls", f"cipher suites accepted per protocol at {scan.endpoint}", **scan.evidence())
    ctx.reproduce = f"python -m sslyze {SSLYZE_PROTOCOL_FLAGS} {scan.endpoint}"
    offending = []
    for protocol in LEGACY_PROTOCOLS:
        suites = scan.accepted_suites(protocol)
        if suites:
            shown = ", ".join(suites[:SUITES_IN_MESSAGE])
            more = (
                f" and {len(suites) - SUITES_IN_MESSAGE} more" if suites[SUITES_IN_MESSAGE:] else ""
            )
            offending.append(f"{protocol} accepted with {shown}{more}")
    if offending:
        ctx.fail(
            f"{'; '.join(offending)} at {scan.endpoint}: SSL 3.0, TLS 1.0 and TLS 1.1 must be "
            "refused (NIST SP 800-52r2 §3.1)"
        )
    tls12 = scan.accepted_suites("TLS 1.2")
    if not tls12:
        ctx.fail(
            f"TLS 1.2 is refused at {scan.endpoint} (no cipher suite accepted): servers must "
            "support TLS 1.2 (NIST SP 800-52r2 §3.1)"
        )
    return (
        f"{scan.endpoint}: TLS 1.2 accepted ({len(tls12)} suites); SSL 2.0, SSL 3.0, TLS 1.0 "
        "and TLS 1.1 refused"
    )


@check("NET-HSTS-01")
def hsts(ctx: CheckContext) -> str:
    """The catalogue and the OpenAPI document answer with an HSTS policy of a long max-age."""
    minimum = int(ctx.params.get("min_max_age", 31536000))
    urls = [ctx.client.url(ctx.target.catalog_path)]
    try:
        urls += [d.url for d in ctx.discovery.openapi_documents()]
    except (PreconditionMissing, Inconclusive) as exc:
        ctx.note("note", f"only the catalogue was checked: {getattr(exc, 'reason', exc)}")
    https = [u for u in dict.fromkeys(urls) if urlsplit(u).scheme == "https"]
    if not https:
        ctx.fail(
            f"the target is not served over https ({urls[0]}): a Strict-Transport-Security "
            "policy only takes effect over secure transport (RFC 6797 §7.2)"
        )
    policies = []
    for url in https:
        exchange = ctx.client.get(url, follow_redirects=False)
        ctx.cite(exchange, "HSTS")
        policies.append(_hsts_policy(ctx, exchange, minimum))
    shown = " | ".join(dict.fromkeys(policies))
    return f"Strict-Transport-Security on {len(https)} answer(s): {shown}"


def _hsts_policy(ctx: CheckContext, exchange: Exchange, minimum: int) -> str:
    """The header's value when it is valid with max-age >= minimum; else fail."""
    where = f"{exchange.method} {exchange.url} → {exchange.status}"
    value = exchange.header("Strict-Transport-Security")
    if value is None:
        ctx.fail(f"{where} has no Strict-Transport-Security header (RFC 6797 §6.1)")
    try:
        policy = parse_hsts(value)
    except ValueError as exc:
        ctx.fail(f"{where}: Strict-Transport-Security {value!r} is invalid: {exc}")
    if policy.max_age < minimum:
        ctx.fail(
            f"{where}: Strict-Transport-Security {value!r} has max-age {policy.max_age}, "
            f"expected at least {minimum} (RFC 6797 §6.1.1; profile parameter min_max_age)"
        )
    if several_fields(value):
        ctx.note(
            "note", f"{where} sends several Strict-Transport-Security fields; the first counts"
        )
    return value


@check("NET-AUTH-01")
def unauthenticated_refused(ctx: CheckContext) -> str:
    """Protected GET operations called without credentials answer 401 with a challenge."""
    limit = max(1, int(ctx.params.get("max_operations", 5)))
    rng = random.Random(ctx.seed)
    protected = [
        (doc, op)
        for doc in ctx.discovery.openapi_documents()
        for op in doc.operations()
        if op.method == "get" and doc.is_protected(op)
    ]
    if not protected:
        raise PreconditionMissing("the OpenAPI document declares no protected GET operation")
    decided, undecided = [], []
    for doc, op in protected[:limit]:
        values = plausible_values(doc, op, rng)
        url = doc.url_for(op, {k: quote(v.value, safe="") for k, v in values.items()})
        exchange = ctx.client.get(url, auth=False, follow_redirects=False)
        ctx.cite(exchange, f"{op.operation_id} without credentials")
        where = f"{op.operation_id} (GET {url}) without credentials"
        if exchange.status != 401:
            guessed = [f"{k}={v.value!r}" for k, v in values.items() if not v.valid]
            if guessed and exchange.status in (400, 404, 422):
                # the value is not one the schema accepts: the request may not reach the operation
                undecided.append(f"{where} → {exchange.status} ({', '.join(guessed)} guessed)")
                continue
            ctx.reproduce = ctx.client.curl(exchange)
            ctx.fail(
                f"{where} answered {exchange.status}, expected 401: a protected operation must "
                "authenticate the caller before anything else (RFC 9110 §11.6.1, §15.5.2)"
            )
        challenge = exchange.header("WWW-Authenticate")
        if challenge is None:
            ctx.reproduce = ctx.client.curl(exchange)
            ctx.fail(
                f"{where} answered 401 without WWW-Authenticate; a 401 must carry at least one "
                "challenge (RFC 9110 §11.6.1; RFC 6750 §3)"
            )
        try:
            schemes = challenge_schemes(challenge)
        except ValueError as exc:
            ctx.fail(f"{where}: WWW-Authenticate {challenge!r} holds no valid challenge: {exc}")
        decided.append(f"{op.operation_id} → 401 {'/'.join(schemes)}")
    if not decided:
        raise Inconclusive(
            "no protected operation could be reached with a value its schema accepts: "
            + "; ".join(undecided)
        )
    return f"without credentials: {', '.join(decided)}"
