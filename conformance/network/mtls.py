"""NET-MTLS-01: where the profile requires mutual TLS: no client certificate or an untrusted one is
refused; a trusted one is accepted."""

from __future__ import annotations

from urllib.parse import urlsplit

from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.network import mtls_probe


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
