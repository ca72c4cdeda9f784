"""NET-AUTH-01: a protected operation without credentials answers 401 with WWW-Authenticate; NET-
AUTH-02: an invalid or expired token answers 401 (invalid_token); a token lacking the scope
answers 403 (insufficient_scope); NET-AUTH-03: the OAuth2 token endpoint issues a bearer token
for valid client credentials (token_type, expires_in) and answers 401 invalid_client otherwise."""

from __future__ import annotations

import random
import re
import secrets
from urllib.parse import quote

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, NotApplicable, PreconditionMissing
from conformance.core.registry import check
from conformance.documents.path_values import plausible_values
from conformance.network.challenges import challenge_schemes
from conformance.network.common import protected_get


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
        raise NotApplicable("the OpenAPI document declares no protected GET operation")
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


# -- OAuth2 and bearer tokens ------------------------------------------------------------------
_ERROR_PARAM = re.compile(r'error\s*=\s*"?([A-Za-z_]+)"?')


def _challenge_error(exchange: Exchange) -> str | None:
    """The `error` auth-param of a Bearer challenge (RFC 6750 §3), or None."""
    match = _ERROR_PARAM.search(exchange.header("WWW-Authenticate") or "")
    return match.group(1) if match else None


def _token(ctx: CheckContext, secret: str, scope: str | None) -> tuple[Exchange, str | None]:
    """Ask the token endpoint for a client-credentials token; the token is redacted at once."""
    oauth = ctx.target.oauth2
    assert oauth is not None
    form = {"grant_type": "client_credentials"}
    if scope:
        form["scope"] = scope
    ctx.client.redactor.add_secret(secret)
    exchange = ctx.client.token_request(oauth.token_url, form, oauth.client_id, secret)
    try:
        token = exchange.json().get("access_token")
    except (ValueError, AttributeError):
        token = None
    if isinstance(token, str) and token:
        ctx.client.redactor.add_secret(token)
        return exchange, token
    return exchange, None


@check("NET-AUTH-02")
def bad_tokens_refused(ctx: CheckContext) -> str:
    """A made-up token gets 401 invalid_token; a token without the scope gets 403."""
    if ctx.target.oauth2 is None:
        raise PreconditionMissing("the target names no OAuth2 client (credentials.oauth2)")
    op_id, url, required = protected_get(ctx)
    bogus = secrets.token_urlsafe(32)
    ctx.client.redactor.add_secret(bogus)
    exchange = ctx.client.get(
        url, headers={"Authorization": f"Bearer {bogus}"}, follow_redirects=False
    )
    ctx.cite(exchange, f"{op_id} with an invalid token")
    where = f"{op_id} (GET {url}) with an invalid bearer token"
    error = _challenge_error(exchange)
    if exchange.status != 401 or error != "invalid_token":
        ctx.reproduce = ctx.client.curl(exchange)
        ctx.fail(
            f"{where} answered {exchange.status} with WWW-Authenticate "
            f'{exchange.header("WWW-Authenticate")!r}; expected 401 with error="invalid_token" '
            "(RFC 6750 §3, §3.1)"
        )
    granted = set(ctx.target.oauth2.scope.split())
    others = sorted(granted - set(required))
    if not required or not others:
        raise PreconditionMissing(
            f"invalid_token verified ({where} → 401); the insufficient_scope half needs a scope "
            f"the client may request other than {required} (client scopes: {sorted(granted)})"
        )
    token_exchange, token = _token(ctx, ctx.target.oauth2.client_secret.reveal(), others[0])
    ctx.cite(token_exchange, f"token with scope {others[0]} only")
    if token is None:
        raise Inconclusive(
            f"the token endpoint answered {token_exchange.status} to a request for scope "
            f"{others[0]}: no token lacking {required} could be had"
        )
    narrow = ctx.client.get(
        url, headers={"Authorization": f"Bearer {token}"}, follow_redirects=False
    )
    ctx.cite(narrow, f"{op_id} with a token lacking {' '.join(required)}")
    narrow_error = _challenge_error(narrow)
    if narrow.status != 403 or narrow_error != "insufficient_scope":
        ctx.reproduce = ctx.client.curl(narrow)
        ctx.fail(
            f"{op_id} (GET {url}) with a token of scope {others[0]} (it needs "
            f"{' '.join(required)}) answered {narrow.status} with WWW-Authenticate "
            f"{narrow.header('WWW-Authenticate')!r}; expected 403 with "
            'error="insufficient_scope" (RFC 6750 §3.1)'
        )
    return (
        f"{op_id}: invalid token → 401 invalid_token; token with scope {others[0]} → 403 "
        "insufficient_scope"
    )


@check("NET-AUTH-03")
def token_endpoint(ctx: CheckContext) -> str:
    """Valid client credentials get a bearer token; a wrong secret gets 401 invalid_client."""
    oauth = ctx.target.oauth2
    if oauth is None:
        raise PreconditionMissing("the target names no OAuth2 client (credentials.oauth2)")
    good, token = _token(ctx, oauth.client_secret.reveal(), oauth.scope or None)
    ctx.cite(good, "valid client credentials")
    where = f"POST {oauth.token_url} (client_credentials, client {oauth.client_id})"
    try:
        payload = good.json()
    except ValueError:
        payload = None
    if good.status != 200 or token is None or not isinstance(payload, dict):
        ctx.fail(
            f"{where} answered {good.status} without an access_token; expected 200 with a "
            "token (RFC 6749 §4.4.3, §5.1)"
        )
    token_type, expires_in = payload.get("token_type"), payload.get("expires_in")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        ctx.fail(
            f"{where}: token_type is {token_type!r}, expected 'Bearer' (RFC 6749 §5.1; "
            "RFC 6750 §6.1.1)"
        )
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in <= 0:
        ctx.fail(
            f"{where}: expires_in is {expires_in!r}, expected a positive number of seconds "
            "(RFC 6749 §5.1)"
        )
    wrong = secrets.token_urlsafe(24)
    bad, leaked = _token(ctx, wrong, oauth.scope or None)
    ctx.cite(bad, "a wrong client secret")
    try:
        error = bad.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if leaked is not None or bad.status != 401 or error != "invalid_client":
        ctx.reproduce = ctx.client.curl(bad)
        issued = " and issued a token" if leaked else ""
        ctx.fail(
            f"{where} with a wrong client secret answered {bad.status}{issued} (error "
            f"{error!r}); expected 401 with error invalid_client (RFC 6749 §5.2)"
        )
    return (
        f"{where} → 200 Bearer token, expires_in {expires_in}; a wrong secret → 401 invalid_client"
    )
