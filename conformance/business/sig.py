"""BUS-SIG-01: where declared, responses are signed (HTTP Message Signatures or JWS; XML Signature
for XML) and verify against the agency's published keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.business.arazzo.expressions import Unresolved, pointer_get
from conformance.business.signatures import (
    SignatureProblem,
    Verified,
    keys_by_id,
    verify_jws,
    verify_response,
    verify_xml_signature,
)
from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.inputs import declare_input
from conformance.core.registry import check
from conformance.inputs.shared import RESOURCES

JWKS_TYPES = "application/jwk-set+json, application/json"


#: BUS-SIG-01: the responses the agency declares signed, and how (profiles/README.md)
SIGNATURES = declare_input(
    "signatures",
    {
        "type": "object",
        "properties": {
            "relation": {"type": "string"},
            "responses": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "path": {"type": "string"},
                        "resource": {"type": "string"},
                        "media_types": {"type": "array", "items": {"type": "string"}},
                        "xml_signature": {"type": "boolean"},
                        "jws": {
                            "description": (
                                "signed by a JWS instead of RFC 9421: 'body' (the body is a "
                                "compact JWS) or {header} (a detached JWS in that header field)"
                            ),
                            "oneOf": [
                                {"const": "body"},
                                {
                                    "type": "object",
                                    "required": ["header"],
                                    "properties": {"header": {"type": "string", "minLength": 1}},
                                    "additionalProperties": False,
                                },
                            ],
                        },
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    },
    description="the responses the agency declares signed, and how",
)


@dataclass(frozen=True, slots=True)
class Declared:
    """One entry of inputs.signatures.responses."""

    url: str
    media_types: list[str]
    xml_signature: bool
    #: None: RFC 9421; "body": the body is a compact JWS; else the header with a detached JWS
    jws: str | None


@check("BUS-SIG-01")
def signed_responses(ctx: CheckContext) -> str:
    """Declared responses carry RFC 9421 signatures that verify against the published keys."""
    spec = SIGNATURES.require(ctx)
    if not isinstance(spec, dict):
        raise PreconditionMissing("inputs.signatures must be a mapping")
    relation = str(spec.get("relation", "jwks-uri"))
    hrefs = [href for api in ctx.discovery.apis() for href in api.hrefs(relation)]
    if not hrefs:
        ctx.fail(
            f"the api-catalog links no key set (relation {relation!r}): a signature that cannot "
            "be checked against the agency's published keys proves nothing (RFC 9421 §3.2)"
        )
    jwks = ctx.client.get(hrefs[0], headers={"Accept": JWKS_TYPES}, reuse=True)
    ctx.cite(jwks, f"the published key set (api-catalog relation {relation})")
    try:
        keys = keys_by_id(jwks.json())
    except (ValueError, SignatureProblem) as exc:
        ctx.fail(f"the key set at {hrefs[0]} is not a JWK Set: {exc} (RFC 7517 §5)")
    checked, xml_signed, schemes = 0, 0, set()
    for entry in _declared(ctx, spec):
        for media in entry.media_types:
            exchange = ctx.client.get(entry.url, headers={"Accept": media}, reuse=True)
            ctx.cite(exchange, f"a declared signed response ({media})")
            if exchange.status != 200:
                raise Inconclusive(f"GET {entry.url} ({media}) answered {exchange.status}")
            try:
                verified = _verify(exchange, entry, keys)
            except SignatureProblem as exc:
                if exc.base:
                    ctx.note(
                        "signature", "what the signature was checked over", signature_base=exc.base
                    )
                ctx.reproduce = ctx.client.curl(exchange)
                ctx.fail(f"GET {entry.url} ({media}): {exc}")
            for one in verified:
                ctx.note(
                    "signature",
                    f"{one.label} verified with key {one.keyid} ({one.alg})",
                    signature_base=one.base,
                )
            schemes.add("JWS" if entry.jws else "RFC 9421")
            checked += 1
            if entry.xml_signature and exchange.media_type.endswith("xml"):
                try:
                    kid = verify_xml_signature(exchange.body, keys)
                except SignatureProblem as exc:
                    ctx.reproduce = ctx.client.curl(exchange)
                    ctx.fail(f"GET {entry.url} ({media}): {exc}")
                ctx.note("signature", f"XML Signature verified with the certificate of {kid}")
                xml_signed += 1
    if not checked:
        raise PreconditionMissing("inputs.signatures declares no response to check")
    xml = (
        f"; {xml_signed} XML document(s) carry an XML Signature that verifies" if xml_signed else ""
    )
    return (
        f"{checked} response(s) carry {' and '.join(sorted(schemes, reverse=True))} signatures "
        f"that verify against the key set linked as {relation} ({len(keys)} key(s)){xml}"
    )


def _verify(exchange: Exchange, entry: Declared, keys: dict[str, dict[str, Any]]) -> list[Verified]:
    """The response's signatures as the entry declares them: RFC 9421, or a JWS."""
    if entry.jws is None:
        return verify_response(exchange, keys)
    if entry.jws == "body":
        return [verify_jws(exchange.text(), keys, detached=None)]
    token = exchange.header(entry.jws)
    if not token:
        raise SignatureProblem(f"the response carries no {entry.jws} field (a detached JWS)")
    return [verify_jws(token, keys, detached=exchange.body)]


def _declared(ctx: CheckContext, spec: dict[str, Any]) -> list[Declared]:
    """inputs.signatures.responses: each {path} or {resource} with its media_types, whether its
    XML carries an XML Signature (xml_signature), and whether it is signed by a JWS (jws)."""
    out = []
    for entry in spec.get("responses", []):
        if not isinstance(entry, dict) or not ({"path", "resource"} & entry.keys()):
            raise PreconditionMissing("inputs.signatures.responses entries need path or resource")
        media_types = [str(m) for m in entry.get("media_types", ["application/json"])]
        url = str(entry["path"]) if "path" in entry else _item_url(ctx, str(entry["resource"]))
        jws = entry.get("jws")
        if jws is None or jws == "body":
            scheme = jws
        elif isinstance(jws, dict) and isinstance(jws.get("header"), str) and jws["header"]:
            scheme = jws["header"]
        else:
            raise PreconditionMissing("inputs.signatures jws must be 'body' or {header: NAME}")
        out.append(Declared(url, media_types, bool(entry.get("xml_signature")), scheme))
    return out


def _item_url(ctx: CheckContext, name: str) -> str:
    """One item of a declared resource (inputs.resources): the first of its collection."""
    resources = RESOURCES.read(ctx) or {}
    resource = resources.get(name) if isinstance(resources, dict) else None
    if not isinstance(resource, dict):
        raise PreconditionMissing(f"inputs.signatures names resource {name!r}, not declared")
    listing = ctx.client.get(
        str(resource["collection"]), headers={"Accept": "application/json"}, reuse=True
    )
    try:
        items = pointer_get(listing.json(), str(resource["items"]))
        key = str(pointer_get(items[0], str(resource["key"])))
    except (ValueError, Unresolved, IndexError, KeyError, TypeError):
        raise Inconclusive(f"no {name} found at {resource['collection']}") from None
    field = str(resource["item"]).split("{")[1].split("}")[0]
    return str(resource["item"]).replace("{" + field + "}", key)
