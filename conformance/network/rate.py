"""NET-RATE-01: past the declared rate, the answer is 429 with Retry-After."""

from __future__ import annotations

import datetime as dt
import email.utils
import time

from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.network import bursts
from conformance.network.common import declared_service_level, protected_get


@check("NET-RATE-01")
def rate_limited(ctx: CheckContext) -> str:
    """Past the declared rate, a burst of authenticated GETs gets 429 with Retry-After."""
    declared = declared_service_level(ctx).get("rate_limit") or {}
    limit = ctx.params.get("declared_requests") or declared.get("requests")
    window = float(ctx.params.get("declared_window_s") or declared.get("window_s") or 1)
    if not limit:
        raise PreconditionMissing(
            "no declared rate: neither the catalogue's service-level.rate_limit nor the profile "
            "parameter declared_requests"
        )
    limit = int(limit)
    bound = int(ctx.params.get("max_requests", 400))
    concurrency = int(ctx.params.get("concurrency", 10))
    # A burst may straddle two fixed windows: only more than twice the limit is sure to pass it
    # within one of them, whatever the agency's window alignment.
    if bound <= 2 * limit:
        raise PreconditionMissing(
            f"max_requests {bound} must be more than twice the declared {limit} per {window:g} s "
            "(a burst split across two rate windows could stay under the limit in both)"
        )
    op_id, url, _ = protected_get(ctx)
    headers = {"Authorization": f"Bearer {ctx.client.bearer_token()}"}
    result = bursts.burst(
        ctx.client, url, total=bound, concurrency=concurrency, headers=headers, stop_at_status=429
    )
    ctx.note("load", f"burst of GET {url} ({op_id})", url=url, **result.evidence())
    declared_text = f"{limit} requests per {window:g} s"
    if result.first_limited is None:
        if result.rate() <= limit / window:
            raise Inconclusive(
                f"the burst reached only {result.rate():.0f} requests/s ({result.sent} sent), not "
                f"past the declared {declared_text}: the rate limit could not be tested"
            )
        ctx.fail(
            f"{result.sent} GET {url} at {result.rate():.0f}/s, past the declared {declared_text}, "
            f"got {dict(result.statuses)} and never 429 (RFC 6585 §4)"
        )
    retry_after = next(
        (v for k, v in result.first_limited.items() if k.lower() == "retry-after"), None
    )
    ctx.note("http", "first 429 answer headers", headers=result.first_limited)
    delay = _retry_after_seconds(retry_after)
    if delay is None:
        ctx.fail(
            f"the 429 after {result.sent_before_limited} requests carries Retry-After "
            f"{retry_after!r}; expected delay-seconds or an HTTP-date (RFC 6585 §4; "
            "RFC 9110 §10.2.3)"
        )
    time.sleep(min(delay, float(ctx.params.get("max_wait_s", 10))))  # let the limit lapse
    return (
        f"past the declared {declared_text}: 429 after {result.sent_before_limited} requests at "
        f"{result.rate():.0f}/s, Retry-After: {retry_after}"
    )


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (delay-seconds or HTTP-date), or None when invalid."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - dt.datetime.now(dt.UTC)).total_seconds())
