"""Network level: equipment of different departments connects securely and works together."""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import re
import secrets
import time
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, NonConformance, PreconditionMissing
from conformance.core.model import SafetyClass
from conformance.core.registry import check
from conformance.documents.openapi import HTTP_METHODS
from conformance.documents.path_values import plausible_values
from conformance.network import bursts, certificates, mtls_probe, tls_probe
from conformance.network.challenges import challenge_schemes
from conformance.network.hsts_policy import parse_hsts, several_fields

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


# -- TLS versions and cipher suites (the cached sslyze scan) ---------------------------------
#: OpenSSL name fragments of suite classes NIST SP 800-52r2 §3.3.1 rules out.
WEAK_SUITE_CLASSES = (
    ("NULL", "no encryption (NULL)"),
    ("EXP", "export-grade"),
    ("ADH", "anonymous (no server authentication)"),
    ("AECDH", "anonymous (no server authentication)"),
    ("anon", "anonymous (no server authentication)"),
    ("RC4", "RC4"),
    ("DES", "DES/3DES"),
)
FORWARD_SECRET_PREFIXES = ("ECDHE-", "DHE-", "EDH-")


@check("NET-TLS-02")
def tls13_accepted(ctx: CheckContext) -> str:
    """TLS 1.3 is accepted (from the run's cached sslyze scan)."""
    scan = tls_probe.scan(ctx.client)
    ctx.note("tls", f"cipher suites accepted per protocol at {scan.endpoint}", **scan.evidence())
    ctx.reproduce = f"python -m sslyze --tlsv1_3 {scan.endpoint}"
    suites = scan.accepted_suites("TLS 1.3")
    if not suites:
        ctx.fail(
            f"TLS 1.3 is refused at {scan.endpoint} (no TLS 1.3 cipher suite accepted; highest "
            f"version {scan.highest_version or 'unknown'}): servers must support TLS 1.3 "
            "(NIST SP 800-52r2 §3.1)"
        )
    return f"{scan.endpoint}: TLS 1.3 accepted with {', '.join(suites)}"


def weak_suite_reason(suite: str) -> str | None:
    """Why an OpenSSL-named suite is ruled out (NULL, export, anonymous, RC4, DES), or None."""
    for fragment, reason in WEAK_SUITE_CLASSES:
        if fragment in suite.split("-") or (fragment == "DES" and "DES" in suite):
            return reason
    return None


@check("NET-TLS-03")
def cipher_suites(ctx: CheckContext) -> str:
    """No weak suite on any protocol; every TLS 1.2 suite has an ephemeral key exchange."""
    scan = tls_probe.scan(ctx.client)
    ctx.note("tls", f"cipher suites accepted per protocol at {scan.endpoint}", **scan.evidence())
    ctx.reproduce = f"python -m sslyze {SSLYZE_PROTOCOL_FLAGS} {scan.endpoint}"
    problems = []
    for protocol in tls_probe.PROTOCOL_COMMANDS:
        for suite in scan.accepted_suites(protocol):
            reason = weak_suite_reason(suite)
            if reason:
                problems.append(f"{protocol} accepts {suite} ({reason})")
    tls12 = scan.accepted_suites("TLS 1.2")
    no_fs = [s for s in tls12 if not s.startswith(FORWARD_SECRET_PREFIXES)]
    if no_fs:
        problems.append(
            f"TLS 1.2 accepts {', '.join(no_fs)} without forward secrecy (static key exchange, "
            "expected ECDHE or DHE)"
        )
    if problems:
        ctx.fail(
            f"{scan.endpoint}: {'; '.join(problems)} (NIST SP 800-52r2 §3.3.1; Mozilla "
            "intermediate configuration)"
        )
    total = sum(len(s) for s in scan.accepted.values())
    return (
        f"{scan.endpoint}: {total} accepted suites, none NULL, export, anonymous, RC4 or DES; "
        f"all {len(tls12)} TLS 1.2 suites forward secret"
    )


# -- certificates ----------------------------------------------------------------------------
def _tls_urls(ctx: CheckContext) -> list[str]:
    """The target's https endpoints (base, mutual TLS, token), one URL per host:port."""
    target = ctx.target
    urls = [target.base_url, target.mtls_url, target.oauth2.token_url if target.oauth2 else None]
    found: dict[tuple[str, int], str] = {}
    for url in urls:
        if url and urlsplit(url).scheme == "https":
            parts = urlsplit(url)
            found.setdefault((parts.hostname or "", parts.port or 443), url)
    if not found:
        ctx.fail(
            f"the target is not served over https ({target.base_url}): no certificate to check"
        )
    return list(found.values())


def _deployments(ctx: CheckContext) -> list[tuple[str, Any]]:
    """(endpoint, sslyze certificate deployment) for each of the target's https endpoints."""
    found = []
    for url in _tls_urls(ctx):
        scan = tls_probe.scan(ctx.client, url, protocols=(), certificate=True)
        info = scan.certificate
        if not info.certificate_deployments:
            raise Inconclusive(f"{scan.endpoint} sent no certificate")
        found.append((str(scan.endpoint), info.certificate_deployments[0]))
    return found


def _note_chain(ctx: CheckContext, endpoint: str, deployment: Any) -> None:
    chain = [certificates.facts(c) for c in deployment.received_certificate_chain]
    ctx.note("tls", f"certificate chain sent by {endpoint}", endpoint=endpoint, chain=chain)


@check("NET-CRT-01")
def certificate_chain_and_name(ctx: CheckContext) -> str:
    """Each endpoint's chain validates to the target's trust anchors for the endpoint's host."""
    if ctx.target.ca_bundle is not None:
        anchors_file = ctx.target.ca_bundle
    else:
        from sslyze.plugins.certificate_info.trust_stores.trust_store_repository import (
            TrustStoresRepository,
        )

        anchors_file = TrustStoresRepository.get_default().get_main_store().path
    try:
        anchors = certificates.load_anchors(anchors_file.read_bytes())
    except (OSError, ValueError) as exc:
        raise Inconclusive(f"cannot read the trust anchors {anchors_file}: {exc}") from None
    decided = []
    for endpoint, deployment in _deployments(ctx):
        _note_chain(ctx, endpoint, deployment)
        chain = list(deployment.received_certificate_chain)
        host = endpoint.rsplit(":", 1)[0]
        ctx.reproduce = (
            f"openssl s_client -connect {endpoint} -CAfile {anchors_file} -verify_return_error"
        )
        verified = certificates.validate_chain(chain, anchors, host)
        if isinstance(verified, str):
            leaf = chain[0]
            known = {c.subject for c in anchors} | {c.subject for c in chain}
            if leaf.issuer not in known:
                verified += (
                    f"; its issuer {leaf.issuer.rfc4514_string()} is neither a trust anchor "
                    "nor sent in the chain"
                )
            ctx.fail(
                f"the certificate of {endpoint} ({certificates.name_of(leaf)}, issued by "
                f"{leaf.issuer.rfc4514_string()}, names "
                f"{', '.join(certificates.subject_alt_names(leaf)) or 'none'}) does not validate "
                f"to the trust anchors in {anchors_file} for host {host}: {verified} "
                "(RFC 5280 §6; RFC 6125 §6)"
            )
        path = " → ".join(certificates.name_of(c) for c in verified)
        decided.append(f"{endpoint}: {path}")
    return f"chains validate to {anchors_file} with matching names: {'; '.join(decided)}"


@check("NET-CRT-02")
def certificate_validity(ctx: CheckContext) -> str:
    """Every certificate sent is within its validity period with enough days left."""
    minimum = int(ctx.params.get("min_days_left", 14))
    warn_under = int(ctx.params.get("warn_days_left", 30))
    now = dt.datetime.now(dt.UTC)
    soonest: tuple[float, str] | None = None
    for endpoint, deployment in _deployments(ctx):
        _note_chain(ctx, endpoint, deployment)
        for cert in deployment.received_certificate_chain:
            name = f"the certificate {certificates.name_of(cert)} of {endpoint}"
            start, end = certificates.not_before(cert), certificates.not_after(cert)
            if now < start:
                ctx.fail(
                    f"{name} is not valid yet: valid from {start:%Y-%m-%d %H:%M} UTC "
                    "(RFC 5280 §4.1.2.5)"
                )
            if now > end:
                ctx.fail(f"{name} expired {end:%Y-%m-%d %H:%M} UTC (RFC 5280 §4.1.2.5)")
            days = (end - now).total_seconds() / 86400
            if soonest is None or days < soonest[0]:
                soonest = (days, f"{name} expires {end:%Y-%m-%d} ({days:.1f} days left)")
    assert soonest is not None
    days, where = soonest
    if days < minimum:
        ctx.fail(f"{where}: at least {minimum} days expected (profile parameter min_days_left)")
    if days < warn_under:
        raise NonConformance(
            f"{where}: renew it; fewer than {warn_under} days left (profile parameter "
            "warn_days_left)",
            advisory=True,
        )
    return f"every certificate valid; the soonest: {where}"


@check("NET-CRT-03")
def certificate_strength(ctx: CheckContext) -> str:
    """RSA keys >= 2048 bits, EC keys >= 256 bits, no SHA-1 (or MD5) signatures in the chain."""
    min_rsa = int(ctx.params.get("min_rsa_bits", 2048))
    min_ec = int(ctx.params.get("min_ec_bits", 256))
    problems, seen = [], []
    for endpoint, deployment in _deployments(ctx):
        _note_chain(ctx, endpoint, deployment)
        for index, cert in enumerate(deployment.received_certificate_chain):
            role = "the leaf" if index == 0 else f"chain certificate {index + 1}"
            algorithm, bits = certificates.key_description(cert)
            seen.append(f"{algorithm} {bits}/{certificates.signature_hash(cert)}")
            for problem in (
                certificates.key_problem(cert, min_rsa, min_ec),
                certificates.signature_problem(cert),
            ):
                if problem:
                    problems.append(
                        f"{role} of {endpoint} ({certificates.name_of(cert)}) has {problem}"
                        if not problem.startswith("signed")
                        else f"{role} of {endpoint} ({certificates.name_of(cert)}) is {problem}"
                    )
    if problems:
        ctx.fail(
            f"{'; '.join(problems)} (NIST SP 800-52r2 §3.2; profile parameters min_rsa_bits, "
            "min_ec_bits)"
        )
    return f"every certificate sent is strong enough: {', '.join(seen)}"


# -- plain HTTP --------------------------------------------------------------------------------
REFUSED_MARK = "connection refused"


@check("NET-HTTP-01")
def plain_http_refused(ctx: CheckContext) -> str:
    """Plain HTTP is refused, or redirected (301/308) to https on the same host, never content."""
    base = urlsplit(ctx.target.base_url)
    http_base = ctx.target.http_url or f"http://{base.hostname}"
    paths = [ctx.target.catalog_path]
    try:
        paths += [urlsplit(d.url).path for d in ctx.discovery.openapi_documents()]
    except (PreconditionMissing, Inconclusive) as exc:
        ctx.note("note", f"only the catalogue path was tried: {getattr(exc, 'reason', exc)}")
    decided = []
    for path in dict.fromkeys(paths):
        url = http_base.rstrip("/") + path
        try:
            exchange = ctx.client.get(url, follow_redirects=False)
        except Inconclusive as exc:
            if REFUSED_MARK in exc.message:
                ctx.note("tcp", f"GET {url}: connection refused", url=url)
                decided.append(f"{path}: connection refused")
                continue
            raise
        ctx.cite(exchange, "plain HTTP")
        where = f"GET {url} → {exchange.status}"
        if exchange.status in (301, 308):
            location = urlsplit(urljoin(url, exchange.header("Location") or ""))
            if location.scheme != "https" or location.hostname != urlsplit(url).hostname:
                ctx.fail(
                    f"{where} redirects to {location.geturl()!r}, expected https on the same host "
                    "(NL API Design Rules; RFC 6797 §7.2)"
                )
            decided.append(f"{path}: {exchange.status} to {location.geturl()}")
        elif 400 <= exchange.status < 500:
            decided.append(f"{path}: refused with {exchange.status}")
        else:
            ctx.reproduce = ctx.client.curl(exchange)
            what = f"{len(exchange.body)} bytes of {exchange.media_type or 'content'}"
            ctx.fail(
                f"{where} with {what} over plain HTTP; expected a refusal or a 301/308 redirect "
                "to https without content (NL API Design Rules; RFC 6797 §7.2)"
            )
    return "plain HTTP never serves content: " + "; ".join(decided)


# -- mutual TLS --------------------------------------------------------------------------------
@check("NET-MTLS-01")
def mutual_tls(ctx: CheckContext) -> str:
    """No client certificate or an untrusted one is refused; the target's own one is accepted."""
    url = ctx.target.mtls_url
    if not url:
        raise PreconditionMissing("the target names no mutual-TLS endpoint (mtls_url)")
    own = ctx.target.client_certificate
    if own is None:
        raise PreconditionMissing("the target names no client certificate (client_certificate)")
    attempts = [
        mtls_probe.attempt(ctx.client, url, "no client certificate", None),
        mtls_probe.attempt(
            ctx.client,
            url,
            "a client certificate from an unknown CA",
            mtls_probe.untrusted_client_certificate(),
        ),
        mtls_probe.attempt(
            ctx.client, url, f"the client certificate {own.cert.name}", (own.cert, own.key)
        ),
    ]
    for a in attempts:
        ctx.note(
            "tls", a.summary(), url=url, presented=a.presented, accepted=a.accepted, detail=a.detail
        )
    ctx.reproduce = (
        f"openssl s_client -connect {urlsplit(url).netloc} -CAfile {ctx.target.ca_bundle}"
    )
    broken = [a for a in attempts if a.broken]
    if broken:
        raise Inconclusive(
            f"{url} does not complete a TLS handshake: {'; '.join(a.summary() for a in broken)}"
        )
    wrongly = [a for a in attempts[:2] if a.accepted]
    if wrongly:
        ctx.fail(
            f"{url} accepted {' and '.join(a.summary() for a in wrongly)}: an endpoint requiring "
            "mutual TLS must refuse it (RFC 8446 §4.3.2, §4.4.2.4; RFC 8705)"
        )
    if not attempts[2].accepted:
        ctx.fail(
            f"{url} refused {attempts[2].summary()}: a client certificate chaining to the "
            "agreed CA must be accepted (RFC 8446 §4.4.2; RFC 8705 §2)"
        )
    return f"{url}: " + "; ".join(a.summary() for a in attempts)


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


def _protected_get(ctx: CheckContext) -> tuple[str, str, list[str]]:
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
    raise PreconditionMissing("the OpenAPI document declares no protected GET operation")


@check("NET-AUTH-02")
def bad_tokens_refused(ctx: CheckContext) -> str:
    """A made-up token gets 401 invalid_token; a token without the scope gets 403."""
    if ctx.target.oauth2 is None:
        raise PreconditionMissing("the target names no OAuth2 client (credentials.oauth2)")
    op_id, url, required = _protected_get(ctx)
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


# -- headers, methods, CORS --------------------------------------------------------------------
def _personal_data_urls(ctx: CheckContext) -> list[str]:
    """Paths whose answers carry personal data: profile parameter, then the declared resources."""
    paths = [str(p) for p in ctx.params.get("personal_data_paths", []) or []]
    resources = ctx.inputs.get("resources") or {}
    if isinstance(resources, dict):
        paths += [
            str(r["collection"])
            for r in resources.values()
            if isinstance(r, dict) and r.get("collection")
        ]
    return [ctx.client.url(p) for p in dict.fromkeys(paths)]


@check("NET-HDR-01")
def security_headers(ctx: CheckContext) -> str:
    """nosniff on every answer; Cache-Control: no-store on answers carrying personal data."""
    urls = [ctx.client.url(ctx.target.catalog_path)]
    try:
        urls += [d.url for d in ctx.discovery.openapi_documents()]
    except (PreconditionMissing, Inconclusive) as exc:
        ctx.note("note", f"the OpenAPI documents were not checked: {getattr(exc, 'reason', exc)}")
    personal = _personal_data_urls(ctx)
    problems, checked = [], 0
    for url in dict.fromkeys(urls + personal):
        exchange = ctx.client.get(url, follow_redirects=False)
        ctx.cite(exchange, "security headers")
        checked += 1
        where = f"GET {url} → {exchange.status}"
        nosniff = (exchange.header("X-Content-Type-Options") or "").strip().lower()
        if nosniff != "nosniff":
            problems.append(
                f"{where} has X-Content-Type-Options "
                f"{exchange.header('X-Content-Type-Options')!r}, expected 'nosniff'"
            )
        if url in personal:
            directives = {
                d.strip().lower() for d in (exchange.header("Cache-Control") or "").split(",")
            }
            if "no-store" not in directives:
                problems.append(
                    f"{where} carries personal data with Cache-Control "
                    f"{exchange.header('Cache-Control')!r}, expected no-store (RFC 9111 §5.2.2.5)"
                )
    if problems:
        ctx.fail("; ".join(problems) + " (OWASP Secure Headers Project)")
    return (
        f"{checked} answers carry X-Content-Type-Options: nosniff; {len(personal)} with personal "
        "data carry Cache-Control: no-store"
    )


@check("NET-METH-01")
def http_methods(ctx: CheckContext) -> str:
    """HEAD answers like GET; an undeclared method gets 405 with Allow; no slash redirect."""
    limit = max(1, int(ctx.params.get("max_paths", 3)))
    candidates = []
    for doc in ctx.discovery.openapi_documents():
        for path, item in (doc.data.get("paths") or {}).items():
            if isinstance(item, dict) and "{" not in path and isinstance(item.get("get"), dict):
                declared = {m for m in HTTP_METHODS if isinstance(item.get(m), dict)}
                candidates.append((doc.server_url() + path, declared))
    if not candidates:
        raise PreconditionMissing(
            "the OpenAPI document declares no GET operation without path parameters"
        )
    decided = []
    for url, _ in candidates[:limit]:
        get = ctx.client.get(url, follow_redirects=False)
        head = ctx.client.request("HEAD", url, follow_redirects=False)
        ctx.cite(get, "GET")
        ctx.cite(head, "HEAD")
        if head.status != get.status or head.body:
            ctx.fail(
                f"HEAD {url} answered {head.status} with {len(head.body)} body bytes while GET "
                f"answered {get.status}: HEAD must answer like GET, without content "
                "(RFC 9110 §9.3.2)"
            )
        slash = ctx.client.get(url + "/", follow_redirects=False)
        ctx.cite(slash, "trailing slash")
        if 300 <= slash.status < 400:
            ctx.fail(
                f"GET {url}/ answered {slash.status} to {slash.header('Location')!r}: a trailing "
                "slash must not be redirected (NL API Design Rules)"
            )
        decided.append(f"{urlsplit(url).path}: HEAD={head.status}, '/'→{slash.status}")
    url, declared = candidates[0]
    undeclared = next(m for m in ("delete", "put", "patch", "post") if m not in declared)
    if SafetyClass.WRITE not in ctx.allow:
        raise PreconditionMissing(
            f"HEAD and trailing slash verified ({'; '.join(decided)}); the 405 probe sends "
            f"{undeclared.upper()}: opt in with --allow write"
        )
    wrong = ctx.client.request(undeclared.upper(), url, follow_redirects=False)
    ctx.cite(wrong, f"undeclared {undeclared.upper()}")
    allow = wrong.header("Allow")
    if wrong.status != 405 or allow is None:
        ctx.reproduce = ctx.client.curl(wrong)
        ctx.fail(
            f"{undeclared.upper()} {url} (not declared for the path) answered {wrong.status} with "
            f"Allow {allow!r}; expected 405 with an Allow header (RFC 9110 §15.5.6)"
        )
    return f"{'; '.join(decided)}; {undeclared.upper()} → 405 Allow: {allow}"


@check("NET-CORS-01")
def cors_preflight(ctx: CheckContext) -> str:
    """A preflight from a foreign origin gets no grant; never `*` with credentials."""
    origin = str(ctx.params.get("foreign_origin", "https://foreign-origin.invalid"))
    urls = [ctx.client.url(ctx.target.catalog_path)]
    try:
        urls += [d.url for d in ctx.discovery.openapi_documents()]
    except (PreconditionMissing, Inconclusive) as exc:
        ctx.note("note", f"only the catalogue was tried: {getattr(exc, 'reason', exc)}")
    decided = []
    for url in dict.fromkeys(urls):
        exchange = ctx.client.request(
            "OPTIONS",
            url,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
            follow_redirects=False,
        )
        ctx.cite(exchange, f"CORS preflight from {origin}")
        granted = exchange.header("Access-Control-Allow-Origin")
        credentials = (exchange.header("Access-Control-Allow-Credentials") or "").strip().lower()
        where = f"OPTIONS {url} from Origin {origin} → {exchange.status}"
        if granted is not None and granted.strip() == "*" and credentials == "true":
            ctx.fail(
                f"{where} grants Access-Control-Allow-Origin: * with "
                "Access-Control-Allow-Credentials: true (Fetch standard §3.2.5: never both)"
            )
        if granted is not None and granted.strip() in ("*", origin):
            ctx.fail(
                f"{where} grants Access-Control-Allow-Origin {granted!r} to an origin that is not "
                "allowed (Fetch standard §3.2.5, CORS protocol)"
            )
        decided.append(f"{urlsplit(url).path} → {exchange.status}, no grant")
    return f"preflights from {origin}: {'; '.join(decided)}"


# -- behaviour under load (class `load`) -------------------------------------------------------
def _service_level(ctx: CheckContext) -> dict[str, Any]:
    """The catalogue's declared service levels (extension member `service-level`), or {}."""
    try:
        for api in ctx.discovery.apis():
            found = api.extensions.get("service-level")
            if isinstance(found, dict):
                return found
    except (PreconditionMissing, Inconclusive):
        pass
    return {}


@check("NET-RATE-01")
def rate_limited(ctx: CheckContext) -> str:
    """Past the declared rate, a burst of authenticated GETs gets 429 with Retry-After."""
    declared = _service_level(ctx).get("rate_limit") or {}
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
    if bound <= limit:
        raise PreconditionMissing(
            f"max_requests {bound} cannot exceed the declared {limit} per {window:g} s"
        )
    op_id, url, _ = _protected_get(ctx)
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


@check("NET-LOAD-01")
def under_load(ctx: CheckContext) -> str:
    """`concurrency` clients send `requests` GETs: no connection error or 5xx, p95 within target."""
    concurrency = int(ctx.params.get("concurrency", 10))
    total = int(ctx.params.get("requests", 200))
    levels = _service_level(ctx)
    target_ms = ctx.params.get("p95_ms") or levels.get("p95_latency_ms")
    if not target_ms:
        raise PreconditionMissing(
            "no declared p95 latency: neither service-level.p95_latency_ms in the catalogue nor "
            "the profile parameter p95_ms"
        )
    path = ctx.params.get("path")
    if not path:
        status_links = [h for api in ctx.discovery.apis() for h in api.hrefs("status")]
        path = status_links[0] if status_links else ctx.target.catalog_path
    url = ctx.client.url(str(path))
    result = bursts.burst(ctx.client, url, total=total, concurrency=concurrency)
    p95_ms = result.percentile(95) * 1000
    ctx.note("load", f"{total} GET {url} from {concurrency} clients", url=url, **result.evidence())
    server_errors = {s: n for s, n in result.statuses.items() if s >= 500}
    summary = f"{result.sent} GET {url} from {concurrency} concurrent clients"
    if result.errors:
        ctx.fail(f"{summary}: connection errors {dict(result.errors)} (EIF technical layer)")
    if server_errors:
        ctx.fail(f"{summary}: server errors {server_errors}")
    if p95_ms > float(target_ms):
        ctx.fail(
            f"{summary}: p95 latency {p95_ms:.0f} ms exceeds the declared {float(target_ms):g} ms "
            f"(p50 {result.percentile(50) * 1000:.0f} ms, "
            f"max {result.percentile(100) * 1000:.0f} ms)"
        )
    return f"{summary}: no errors, p95 {p95_ms:.0f} ms within {float(target_ms):g} ms"
