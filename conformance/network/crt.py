"""NET-CRT-01: the chain validates to the profile's trust anchors and the name matches the host;
NET-CRT-02: the certificate is in its validity period with at least 14 days left (a warning
under 30); NET-CRT-03: RSA keys >= 2048 bits, EC keys >= 256 bits, no SHA-1 signatures."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, NonConformance
from conformance.core.registry import check
from conformance.network import certificates, tls_probe


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

        with certificates.public_store_warnings_quiet():  # sslyze loads its store on first use
            anchors_file = TrustStoresRepository.get_default().get_main_store().path
    try:
        anchors = certificates.load_anchors(anchors_file.read_bytes())
    except (OSError, ValueError) as exc:
        raise Inconclusive(f"cannot read the trust anchors {anchors_file}: {exc}") from None
    decided: list[str] = []
    linted: list[str] = []
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
        lint = certificates.validate_chain(chain, anchors, host, web_pki=True)
        if isinstance(lint, str):
            linted.append(f"{endpoint}: {lint}")
    if linted:
        raise NonConformance(
            f"chains validate to {anchors_file} with matching names ({'; '.join(decided)}), but "
            f"break the Web PKI certificate profile that some clients enforce: "
            f"{'; '.join(linted)} (RFC 5280 §4.2; CA/Browser Forum Baseline Requirements §7.1)",
            advisory=True,
        )
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
