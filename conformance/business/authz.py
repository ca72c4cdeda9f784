"""BUS-AUTHZ-01: with two test identities, one cannot read or change the other's case (403 or 404),
and a token without the privilege cannot call a privileged operation."""

from __future__ import annotations

from typing import Any

from conformance.business.cases import CaseDriver
from conformance.business.common import call_on_case, client_as
from conformance.client.context import CheckContext
from conformance.core.errors import PreconditionMissing
from conformance.core.inputs import declare_input, local_file
from conformance.core.registry import check
from conformance.inputs.secrets import SecretRef


def _secret(value: Any, where: str) -> SecretRef:
    if isinstance(value, dict) and isinstance(value.get("env"), str):
        return SecretRef(env=value["env"])
    if isinstance(value, dict) and isinstance(value.get("file"), str):
        path = local_file(value["file"])
        if path is None:
            raise PreconditionMissing(
                f"{where}: the secret's file {value['file']!r} is not a file URI"
            )
        return SecretRef(file=path)
    raise PreconditionMissing(f"{where} must be {{env: NAME}} or {{file: PATH}}, never a value")


#: BUS-AUTHZ-01: a second OAuth2 client (its secret from an environment variable or a file), a
#: scope without the privilege, and an operation that changes a case
IDENTITIES = declare_input(
    "identities",
    {
        "type": "object",
        "properties": {
            "second": {
                "type": "object",
                "required": ["client_id", "client_secret"],
                "properties": {
                    "client_id": {"type": "string"},
                    "client_secret": {
                        "oneOf": [
                            {
                                "type": "object",
                                "required": ["env"],
                                "properties": {"env": {"type": "string"}},
                                "additionalProperties": False,
                            },
                            {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string"}},
                                "additionalProperties": False,
                            },
                        ]
                    },
                    "scope": {"type": "string"},
                    "token_url": {"type": "string"},
                },
                "additionalProperties": False,
            },
            "without_privilege": {"type": "string"},
            "change": {
                "type": "object",
                "required": ["operation"],
                "properties": {"operation": {"type": "string"}, "body": {}},
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
    local_paths=("/second/client_secret/file",),
    description="a second test identity, and a scope without the privilege",
)


# -- BUS-AUTHZ-01 ---------------------------------------------------------------------------
@check("BUS-AUTHZ-01")
def object_authorisation(ctx: CheckContext) -> str:
    """Another identity cannot read a case; a token without the privilege cannot write."""
    driver = CaseDriver.from_inputs(ctx)
    spec = IDENTITIES.require(ctx)
    second = spec.get("second") if isinstance(spec, dict) else None
    if not isinstance(second, dict) or "client_id" not in second:
        raise PreconditionMissing("inputs.identities.second needs client_id and client_secret")
    other = client_as(
        ctx,
        client_id=str(second["client_id"]),
        client_secret=_secret(second.get("client_secret"), "inputs.identities.second"),
        scope=str(second.get("scope", ctx.target.oauth2.scope if ctx.target.oauth2 else "")),
        **({"token_url": str(second["token_url"])} if "token_url" in second else {}),
    )
    case = driver.create()
    exchange, _ = driver.read(case, "read the case as the second identity", client=other)
    if exchange.status not in (403, 404):
        ctx.reproduce = ctx.client.curl(exchange)
        ctx.fail(
            f"the second identity {second['client_id']} read another client's case "
            f"{case.id}: {exchange.status}, expected 403 or 404 (OWASP API Security 2023 API1: "
            "broken object level authorisation)"
        )
    outcome = f"the second identity got {exchange.status} reading another client's case"
    change = spec.get("change")
    if isinstance(change, dict) and "operation" in change:
        note = f"change the case as the second identity ({change['operation']})"
        changed = call_on_case(ctx, other, str(change["operation"]), case, change, note)
        if changed.status not in (403, 404):
            ctx.reproduce = ctx.client.curl(changed)
            ctx.fail(
                f"the second identity {second['client_id']} called {change['operation']} on "
                f"another client's case {case.id}: {changed.status}, expected 403 or 404 "
                "(OWASP API Security 2023 API1: broken object level authorisation)"
            )
        outcome += f" and {changed.status} changing it ({change['operation']})"
    weak_scope = spec.get("without_privilege")
    if not isinstance(weak_scope, str):
        return outcome + " (no inputs.identities.without_privilege: privileges not checked)"
    weak = client_as(ctx, scope=weak_scope)
    url = driver.create_doc.url_for(driver.create_op, {})
    attempt = weak.request(
        "POST",
        url,
        headers={"Accept": "application/json"},
        json_body=driver.spec["body"],
        auth=True,
    )
    ctx.cite(attempt, f"open a case with a token of scope {weak_scope!r} only")
    if attempt.status != 403:
        ctx.reproduce = ctx.client.curl(attempt)
        ctx.fail(
            f"a token of scope {weak_scope!r} called {driver.spec['create']}: {attempt.status}, "
            "expected 403 (OWASP API Security 2023 API5: broken function level authorisation; "
            "RFC 6750 §3.1 insufficient_scope)"
        )
    return outcome + f"; a token of scope {weak_scope!r} got 403 for {driver.spec['create']}"
