"""RFC 9457 problem details: what an error answer must carry."""

from __future__ import annotations

from conformance.client.http import Exchange
from conformance.documents import nesting

PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_defects(exchange: Exchange) -> list[str]:
    """What keeps an error answer from being RFC 9457 problem details ([] when it is one).

    `type` may be absent: it then means "about:blank" (RFC 9457 §3.1.1), the problem type §4.2.1
    defines for problems with no more semantics than the status code. When present it must be a
    string. `title` must be a string and `status` must equal the HTTP status (§3.1.2, §3.1.3).
    """
    if exchange.media_type != PROBLEM_MEDIA_TYPE:
        return [
            f"Content-Type is {exchange.media_type or 'absent'!r}, expected "
            f"{PROBLEM_MEDIA_TYPE!r} (RFC 9457 §3)"
        ]
    try:
        body = nesting.loads(exchange.body)
    except ValueError as exc:
        return [f"the body is not JSON: {exc}"]
    if not isinstance(body, dict):
        return [f"the body is a JSON {type(body).__name__}, expected an object (RFC 9457 §3)"]
    defects = []
    if "type" in body and not isinstance(body["type"], str):
        defects.append(f"type is {body['type']!r}, expected a URI reference string (§3.1.1)")
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        defects.append(f"title is {title!r}, expected a short summary string (§3.1.3)")
    status = body.get("status")
    if isinstance(status, bool) or not isinstance(status, int):
        defects.append(f"status is {status!r}, expected the number {exchange.status} (§3.1.2)")
    elif status != exchange.status:
        defects.append(f"status is {status}, but the HTTP status is {exchange.status} (§3.1.2)")
    return defects
