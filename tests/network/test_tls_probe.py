"""The TLS probe the TLS and certificate checks share (conformance/network/tls_probe.py): one
scan per run, extended on demand; only the target's hosts; a failed handshake is not retried."""

from __future__ import annotations

import dataclasses

import pytest

from conformance.client.http import HttpClient
from conformance.core.errors import NonConformance
from conformance.inputs.target import Target
from conformance.network import tls_probe

from .tcp_endpoints import _close_at_once


@pytest.mark.parametrize("mode", ["minimal", "full"])
def test_tls_scan_is_cached_per_run_and_extended_on_demand(clean, mode):
    client = HttpClient(
        dataclasses.replace(clean, safety=dataclasses.replace(clean.safety, tls_scan=mode))
    )
    try:
        first = tls_probe.scan(client, protocols=("TLS 1.2",))
        assert tls_probe.scan(client, protocols=("TLS 1.2",)) is first
        assert (first.scans, first.mode) == (1, mode)
        assert tls_probe.scan(client, protocols=("TLS 1.2", "TLS 1.3")) is first
        assert (first.scans, sorted(first.accepted)) == (2, ["TLS 1.2", "TLS 1.3"])
        assert tls_probe.scan(client, protocols=(), certificate=True) is first
        # the minimal probe keeps the chain of its first handshake: no scan for the certificate
        assert (first.scans, first.certificate is not None) == (2 if mode == "minimal" else 3, True)
        other_run = HttpClient(clean)
        assert tls_probe.scan(other_run, protocols=("TLS 1.3",)) is not first
        other_run.close()
    finally:
        client.close()


def test_tls_probe_refuses_hosts_off_the_target(clean):
    client = HttpClient(clean)
    with pytest.raises(tls_probe.Inconclusive, match="not one of the target's hosts"):
        tls_probe.scan(client, "https://192.0.2.1:443")
    with pytest.raises(NonConformance, match="served over plain http"):
        tls_probe.scan(client, clean.http_url)


def test_an_endpoint_without_tls_is_not_scanned_twice_in_a_run(tcp_server):
    port = tcp_server(_close_at_once)
    client = HttpClient(Target(name="not-tls", base_url=f"https://127.0.0.1:{port}"))
    with pytest.raises(tls_probe.Inconclusive) as first:
        tls_probe.scan(client)
    with pytest.raises(tls_probe.Inconclusive) as second:
        tls_probe.scan(client, protocols=("TLS 1.3",))
    assert second.value is first.value
