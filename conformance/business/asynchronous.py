"""BUS-ASYNC-01: long operations answer 202 with Location (and Retry-After) to poll."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from conformance.business.arazzo.expressions import Unresolved, pointer_get
from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.inputs import declare_input
from conformance.core.registry import check

ACCEPTED = "RFC 9110 §15.3.3 (202 Accepted)"


#: BUS-ASYNC-01: a long operation (operationId, headers, body) and how its monitor shows the end
ASYNC = declare_input(
    "async",
    {
        "type": "object",
        "required": ["operation"],
        "properties": {
            "operation": {"type": "string"},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "body": {},
            "done": {
                "type": "object",
                "properties": {"pointer": {"type": "string"}, "values": {"type": "array"}},
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
    description="a long operation to start, and how its end shows",
)


@check("BUS-ASYNC-01")
def accepted_then_poll(ctx: CheckContext) -> str:
    """A long operation answers 202 with Location (and Retry-After); polling it completes."""
    spec = ASYNC.require(ctx)
    if not isinstance(spec, dict) or "operation" not in spec:
        raise PreconditionMissing("inputs.async needs operation (and body, headers)")
    document, operation = None, None
    for candidate in ctx.discovery.openapi_documents():
        operation = candidate.operation(str(spec["operation"]))
        if operation is not None:
            document = candidate
            break
    if document is None or operation is None:
        raise PreconditionMissing(
            f"the target's OpenAPI declares no operation {spec['operation']!r}"
        )
    url = document.url_for(operation, {})
    if url.startswith("http://") and ctx.target.base_url.startswith("https://"):
        raise PreconditionMissing(f"the OpenAPI servers URL gives {url}: plain http (DEP-OAS-02)")
    headers = {
        "Accept": "application/json",
        **{k: str(v) for k, v in spec.get("headers", {}).items()},
    }
    started = ctx.client.request(
        operation.method.upper(),
        url,
        headers=headers,
        json_body=spec.get("body"),
        auth=document.is_protected(operation),
        follow_redirects=False,
    )
    ctx.cite(started, f"start the long operation {spec['operation']}")
    if started.status != 202:
        ctx.reproduce = ctx.client.curl(started)
        ctx.fail(
            f"{operation.method.upper()} {operation.path} with {_show_headers(headers)} answered "
            f"{started.status}, expected 202 Accepted with a Location to poll ({ACCEPTED})"
        )
    location = started.header("Location")
    if not location:
        ctx.reproduce = ctx.client.curl(started)
        ctx.fail(
            f"{operation.method.upper()} {operation.path} answered 202 without Location: the "
            f"client has nothing to poll ({ACCEPTED}: the representation SHOULD describe the "
            "request's status and point to a status monitor)"
        )
    monitor = urljoin(url, location)
    if not ctx.client.on_target(monitor):
        ctx.fail(f"the 202's Location {location} is not on the target's hosts")
    retry_after = started.header("Retry-After")
    done = _poll(ctx, monitor, retry_after, spec.get("done"))
    if retry_after is None:
        ctx.fail(
            f"202 with Location {location} but no Retry-After: the client cannot know when to "
            "poll (RFC 9110 §10.2.3)"
        )
    return (
        f"{spec['operation']} answered 202 with Location {location} and Retry-After "
        f"{retry_after}; the monitor answered {done.status} after polling"
    )


def _poll(ctx: CheckContext, monitor: str, retry_after: str | None, done: Any) -> Exchange:
    max_polls, cap = int(ctx.params["max_polls"]), float(ctx.params["max_wait_s"])
    wait = min(_seconds(retry_after, float(ctx.params["poll_interval_s"])), cap)
    for attempt in range(1, max_polls + 1):
        time.sleep(wait)
        last = ctx.client.get(monitor, headers={"Accept": "application/json"}, auth=True)
        ctx.cite(last, f"poll {attempt}/{max_polls} after {wait:g} s")
        if last.status in (200, 201, 303) and _finished(last, done):
            return last
        if last.status >= 400:
            ctx.fail(f"polling the status monitor {monitor} answered {last.status}")
        wait = min(_seconds(last.header("Retry-After"), wait), cap)
    ctx.fail(f"the operation did not complete within {max_polls} polls of {monitor}")


def _finished(exchange: Exchange, done: Any) -> bool:
    """Whether the monitor shows completion (inputs.async.done: {pointer, values})."""
    if not isinstance(done, dict):
        return True
    try:
        return pointer_get(exchange.json(), str(done.get("pointer", ""))) in done.get("values", [])
    except (ValueError, Unresolved):
        return False


def _seconds(value: str | None, default: float) -> float:
    """Retry-After as seconds (delay-seconds or an HTTP date); `default` when absent or bad."""
    if value is None:
        return default
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        raise Inconclusive(f"Retry-After {value!r} is neither seconds nor an HTTP date") from None


def _show_headers(headers: dict[str, str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in headers.items() if k != "Accept") or "no headers"
