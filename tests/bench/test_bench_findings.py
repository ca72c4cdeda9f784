"""Suite bugs the bench found (now fixed), each pinned on a small stand-in agency.

The published documents and pygeoapi led to these, but each needs one thing the bench's
documents do not show alone (pygeoapi's answers that would reach them are behind schemas on
other hosts; the published documents whose GET answers reach another file also have path items
that are $refs, which hide their operations: test_published_openapi.py's first bug). So each is
shown on the smallest document that has the pattern the published ones use: Haal Centraal's
documents refer to schemas in other files (`$ref: 'common.yaml#/components/schemas/…'`, also on
raw.githubusercontent.com), pygeoapi's and many NL documents' answers are Response Object $refs
(`'200': {$ref: '#/components/responses/…'}`), and pygeoapi's API is under a path (/v1).

Every test asserts the right verdict (each was a strict xfail naming the bug until it was
fixed); the off-target one also asserts that nothing reached the sentinel host (127.0.0.2, not
one of the target's hosts).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from conformance.core.model import Outcome
from conformance.inputs.target import SafetyPolicy, Target

from .standin import StandIn, json_answer, serving
from .support import assert_sound, run_suite, verdicts

CONTACT = {
    "type": "object",
    "properties": {"email": {"type": "string", "format": "email"}},
}
BAD_CONTACT = {"email": "servicedesk at agency.example"}  # no @: not an email address


def _document(base_url: str, answer_200: dict[str, Any], **components: Any) -> dict[str, Any]:
    """OpenAPI 3.1: one parameterless GET /contact whose 200 answer is `answer_200`."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Contact", "version": "1.0.0", "contact": {"email": "a@agency.example"}},
        "servers": [{"url": base_url + "/v1"}],
        "paths": {
            "/contact": {
                "get": {
                    "operationId": "getContact",
                    "summary": "The service desk",
                    "responses": {"200": answer_200, "404": {"description": "not found"}},
                }
            }
        },
        "components": components,
    }


def _json_200(schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": "ok", "content": {"application/json": {"schema": schema}}}


@contextmanager
def _agency() -> Iterator[tuple[StandIn, StandIn]]:
    """The agency on 127.0.0.1 answering GET /v1/contact with BAD_CONTACT, and a sentinel on
    127.0.0.2 (not a host of the target) serving a schema document."""
    common = {"components": {"schemas": {"Contact": CONTACT}}}
    with serving(StandIn(), "127.0.0.2") as sentinel, serving(StandIn()) as agency:
        sentinel.routes["/common.json"] = json_answer(200, common)
        agency.routes["/schemas/common.json"] = json_answer(200, common)
        agency.routes["/v1/contact"] = json_answer(200, BAD_CONTACT)
        yield agency, sentinel


def _fmt(agency: StandIn, document: dict[str, Any]) -> Any:
    agency.routes["/v1/openapi.json"] = json_answer(200, document)
    target = Target(
        name="contact",
        base_url=agency.base_url,
        openapi=(agency.base_url + "/v1/openapi.json",),
        safety=SafetyPolicy(max_rps=500),
    )
    return run_suite(target, ["DATA-FMT-01"], profile="data")


def test_fmt_never_fetches_a_schema_off_the_target() -> None:
    with _agency() as (agency, sentinel):
        ref = {"$ref": sentinel.base_url + "/common.json#/components/schemas/Contact"}
        run = _fmt(agency, _document(agency.base_url, _json_200(ref)))
    # the declared format is on another host: the suite may not fetch it, so it cannot judge
    # it (an error, as DEP-OAS-01 and DATA-SCH-01 are on such a $ref); the answer breaks it, so
    # a pass would be false too
    assert not sentinel.log, f"the suite fetched {[e.path for e in sentinel.log]} from 127.0.0.2"
    assert_sound(run, [int(agency.base_url.rsplit(":", 1)[1])])
    verdicts(run, {"DATA-FMT-01": Outcome.ERROR})


def test_fmt_reads_a_schema_in_another_file_of_the_document() -> None:
    with _agency() as (agency, _sentinel):
        ref = {"$ref": "../schemas/common.json#/components/schemas/Contact"}
        run = _fmt(agency, _document(agency.base_url, _json_200(ref)))
    assert_sound(run, [int(agency.base_url.rsplit(":", 1)[1])])
    # ../schemas/common.json resolved against the document's URL (/v1/openapi.json) is
    # /schemas/common.json, on the target; its Contact declares email as format email, and the
    # answer's email has no @
    verdicts(run, {"DATA-FMT-01": Outcome.FAIL})


def test_fmt_follows_a_response_reference() -> None:
    with _agency() as (agency, _sentinel):
        document = _document(
            agency.base_url,
            {"$ref": "#/components/responses/Contact"},
            responses={"Contact": _json_200(CONTACT)},
        )
        run = _fmt(agency, document)
    assert_sound(run, [int(agency.base_url.rsplit(":", 1)[1])])
    # the 200 answer is documented by components.responses.Contact: email has format email,
    # and the answer's email has no @
    verdicts(run, {"DATA-FMT-01": Outcome.FAIL})


def test_catalogue_is_at_the_root_of_the_origin() -> None:
    with serving(StandIn()) as agency:
        base = agency.base_url
        linkset = {
            "linkset": [
                {
                    "anchor": f"{base}/v1/",
                    "service-desc": [
                        {"href": f"{base}/v1/openapi.json", "type": "application/openapi+json"}
                    ],
                    "service-doc": [{"href": f"{base}/v1/docs", "type": "text/html"}],
                    "status": [{"href": f"{base}/v1/health", "type": "application/health+json"}],
                }
            ]
        }
        agency.routes["/.well-known/api-catalog"] = json_answer(
            200, linkset, "application/linkset+json"
        )
        # the API's base URL, as pygeoapi's is: everything under /v1
        target = Target(name="v1", base_url=base + "/v1", safety=SafetyPolicy(max_rps=500))
        run = run_suite(target, ["DEP-CAT-01"])
    assert_sound(run, [int(base.rsplit(":", 1)[1])])
    # /.well-known/api-catalog answers 200 application/linkset+json, one link context with
    # service-desc, service-doc and status: the requirement is met
    verdicts(run, {"DEP-CAT-01": Outcome.PASS})
