"""NET-TLS-01: SSL 3.0, TLS 1.0 and TLS 1.1 are refused; TLS 1.2 is accepted; NET-TLS-02: TLS 1.3
is accepted; NET-TLS-03: no NULL, export, anonymous, RC4, DES/3DES suites; TLS 1.2 suites give
forward secrecy."""

from __future__ import annotations

from conformance.client.context import CheckContext
from conformance.core.registry import check
from conformance.network import tls_probe

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
