"""What several network checks share (the checks are in the family modules beside this one)."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import quote

from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, NotApplicable, PreconditionMissing
from conformance.documents.path_values import plausible_values


def protected_get(ctx: CheckContext) -> tuple[str, str, list[str]]:
    """(operationId, URL, required OAuth2 scopes) of the first protected GET operation."""
    rng = random.Random(ctx.seed)
    for doc in ctx.discovery.openapi_documents():
        for op in doc.operations():
            if op.method == "get" and doc.is_protected(op):
                values = plausible_values(doc, op, rng)
                url = doc.url_for(op, {k: quote(v.value, safe="") for k, v in values.items()})
                security = op.spec.get("security", doc.data.get("security", []))
                scopes = sorted({s for req in security for ss in req.values() for s in ss})
                return op.operation_id, url, scopes
    raise NotApplicable("the OpenAPI document declares no protected GET operation")


# -- behaviour under load (class `load`) -------------------------------------------------------
def declared_service_level(ctx: CheckContext) -> dict[str, Any]:
    """The catalogue's declared service levels (extension member `service-level`), or {}."""
    try:
        for api in ctx.discovery.apis():
            found = api.extensions.get("service-level")
            if isinstance(found, dict):
                return found
    except (PreconditionMissing, Inconclusive):
        pass
    return {}
