"""Declared service levels and data-sharing agreements, read from an api-catalog link context.

The shape (see profiles/README.md, "Departmental inputs: service levels and agreements") sits in
the link context object of the API it concerns, beside its link relations::

    "service-level": {"availability": 0.995, "p95_latency_ms": 800, "error_budget": 0.01,
                      "support": {"email": "...", "url": "..."}},
    "data-sharing-agreements": [{"id": "...", "parties": [{"name": "...", "role": "provider",
                                 "url": "..."}], "legal_basis": "...",
                                 "valid_from": "YYYY-MM-DD", "valid_until": "YYYY-MM-DD"}]
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SERVICE_LEVEL = "service-level"
AGREEMENTS = "data-sharing-agreements"


@dataclass(frozen=True, slots=True)
class ServiceLevel:
    """What one API promises: availability and error budget as fractions, p95 in ms."""

    availability: float
    p95_latency_ms: float
    error_budget: float
    support: dict[str, str]


@dataclass(frozen=True, slots=True)
class Agreement:
    """One declared data-sharing agreement (validity dates inclusive)."""

    id: str
    parties: tuple[dict[str, str], ...]
    legal_basis: str
    valid_from: dt.date
    valid_until: dt.date

    def in_force(self, day: dt.date) -> bool:
        """Whether `day` lies within the validity period."""
        return self.valid_from <= day <= self.valid_until

    def names(self, peer: str) -> bool:
        """Whether a party of this agreement is `peer` (by name or by URL)."""
        wanted = peer.rstrip("/").lower()
        return any(
            wanted in {p.get("name", "").lower(), p.get("url", "").rstrip("/").lower()}
            for p in self.parties
        )


@dataclass(frozen=True, slots=True)
class DeclaredRate:
    """A rate limit an API declares: requests per second, and whether it counts per OAuth2
    client (`per: client`: only requests that carry the client's credentials) or all requests."""

    rps: float
    per_client: bool


def declared_rate(service_level: Any) -> DeclaredRate | None:
    """The rate a service level's `rate_limit` {requests, window_s, per} allows, or None when
    it declares none (or none that can be read: NET-RATE-01 reports that)."""
    if not isinstance(service_level, dict):
        return None
    limit = service_level.get("rate_limit")
    if not isinstance(limit, dict):
        return None
    try:
        requests = _number(limit.get("requests"), "rate_limit.requests", 1, 1e9)
        window_s = _number(limit.get("window_s", 1), "rate_limit.window_s", 1e-3, 86400 * 366)
    except ValueError:
        return None
    return DeclaredRate(requests / window_s, per_client=limit.get("per") == "client")


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} is {value!r}, expected a number")
    if not low <= value <= high:
        raise ValueError(f"{name} is {value!r}, expected a number from {low:g} to {high:g}")
    return float(value)


def parse_service_level(value: Any) -> ServiceLevel:
    """A `service-level` member; ValueError naming the first defect."""
    if not isinstance(value, dict):
        raise ValueError(f"{SERVICE_LEVEL} is {type(value).__name__}, expected an object")
    missing = [k for k in ("availability", "p95_latency_ms", "support") if k not in value]
    if missing:
        raise ValueError(f"{SERVICE_LEVEL} has no {', '.join(missing)}")
    availability = _number(value["availability"], "availability", 0.0, 1.0)
    p95 = _number(value["p95_latency_ms"], "p95_latency_ms", 0.0, 3_600_000.0)
    if p95 <= 0:
        raise ValueError("p95_latency_ms is 0, expected a positive number of milliseconds")
    budget = value.get("error_budget", round(1.0 - availability, 9))
    budget = _number(budget, "error_budget", 0.0, 1.0)
    support = value["support"]
    if not isinstance(support, dict) or not any(
        isinstance(support.get(k), str) and support[k].strip() for k in ("email", "url")
    ):
        raise ValueError(f"support is {support!r}, expected an object with an email or a url")
    contact = {k: str(v) for k, v in support.items() if isinstance(v, str)}
    return ServiceLevel(availability, p95, budget, contact)


def _date(value: Any, name: str) -> dt.date:
    if not isinstance(value, str):
        raise ValueError(f"{name} is {value!r}, expected a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} is {value!r}, expected a date (YYYY-MM-DD)") from None


def parse_agreements(value: Any) -> list[Agreement]:
    """A `data-sharing-agreements` member; ValueError naming the first defect."""
    if not isinstance(value, list):
        raise ValueError(f"{AGREEMENTS} is {type(value).__name__}, expected an array")
    found = []
    for i, item in enumerate(value):
        where = f"{AGREEMENTS}[{i}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where} is not an object")
        for key in ("id", "legal_basis"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise ValueError(f"{where}.{key} is {item.get(key)!r}, expected a non-empty string")
        parties = item.get("parties")
        if (
            not isinstance(parties, list)
            or len(parties) < 2
            or not all(isinstance(p, dict) and isinstance(p.get("name"), str) for p in parties)
        ):
            raise ValueError(f"{where}.parties is {parties!r}, expected two or more named parties")
        start = _date(item.get("valid_from"), f"{where}.valid_from")
        end = _date(item.get("valid_until"), f"{where}.valid_until")
        if end < start:
            raise ValueError(f"{where} ends ({end}) before it starts ({start})")
        cleaned = tuple({k: str(v) for k, v in p.items() if isinstance(v, str)} for p in parties)
        found.append(Agreement(item["id"], cleaned, item["legal_basis"], start, end))
    return found


def providers(agreements: Sequence[Agreement]) -> list[str]:
    """The peers the agreements name as providers (URL if given, else name)."""
    return list(
        dict.fromkeys(
            p.get("url") or p["name"]
            for a in agreements
            for p in a.parties
            if p.get("role", "").lower() == "provider"
        )
    )


def p95(values: Sequence[float]) -> float:
    """The 95th percentile by the nearest-rank method (the value 95 % of samples do not exceed)."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
