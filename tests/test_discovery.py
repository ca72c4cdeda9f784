"""Discovery: what a target publishes, read once per run, and what the run takes from it."""

from __future__ import annotations

from conformance.client.discovery import Discovery
from conformance.client.http import HttpClient
from conformance.documents.service_levels import DeclaredRate, declared_rate


def test_the_suite_keeps_its_pace_under_the_rate_the_catalogue_declares(reference_target):
    client = HttpClient(reference_target)
    assert client.declared_rps is None
    Discovery(client).apis()
    # the reference agency declares 100 authenticated requests per second and client
    assert client.declared_rps == 100.0
    assert client.declared_per_client


def test_declared_rates_are_read_leniently_and_never_guessed():
    assert declared_rate({"rate_limit": {"requests": 60, "window_s": 60}}) == DeclaredRate(
        1.0, per_client=False
    )
    assert declared_rate({"rate_limit": {"requests": 5, "per": "client"}}) == DeclaredRate(
        5.0, per_client=True
    )
    for unreadable in (
        None,
        {},
        {"rate_limit": "fast"},
        {"rate_limit": {"requests": 0}},
        {"rate_limit": {"requests": True}},
        {"rate_limit": {"window_s": 1}},
    ):
        assert declared_rate(unreadable) is None
