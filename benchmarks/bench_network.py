"""How long the network checks take on the reference agency, and how many TLS handshakes they cost.

Plain script; prints one JSON object:

    PYTHONPATH=.:fixtures python benchmarks/bench_network.py [--repeat 3] [--fault NET-TLS-01]

What is measured, per repetition, on a freshly started reference agency:
- `net_tls_01_s`: wall time of NET-TLS-01 alone (one sslyze scan of SSL 2.0 .. TLS 1.3);
- `tls_connections`: TLS connections sslyze opened for it, counted on the client side by
  wrapping sslyze's `SslConnection.connect` (each is one TCP connection and one handshake
  attempt; the server cannot count refused handshakes because they never reach the app);
- `other_network_checks`: every other implemented network check, with its outcome and time, run
  after NET-TLS-01 in the same run (so TLS checks reuse the cached scan);
- `http_requests_server_side`: requests the agency received during the whole run
  (`ReferenceAgency.request_count()`), i.e. what the HTTP-based checks cost;
- `tls_connections_total`: every TLS connection sslyze opened in the run (the protocol scan plus
  the certificate scans of each https endpoint); the mutual-TLS probes (3 connections) and the
  HTTP clients' connections are not sslyze's and not counted.
The full network profile runs, the load checks included unless `--no-load`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


def _count_tls_connections() -> dict[str, int]:
    """Wrap sslyze's SslConnection.connect to count connection attempts (benchmark only)."""
    from sslyze.connection_helpers.tls_connection import SslConnection

    counter = {"connections": 0}
    lock = threading.Lock()
    original = SslConnection.connect

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        with lock:
            counter["connections"] += 1
        original(self, *args, **kwargs)

    SslConnection.connect = counting  # type: ignore[method-assign]
    return counter


def _one_run(faults: tuple[str, ...], counter: dict[str, int], load: bool) -> dict[str, Any]:
    from reference_agency import ReferenceAgency

    from conformance.core.catalogue import load_catalogue
    from conformance.core.model import Level, SafetyClass
    from conformance.core.registry import registered_checks
    from conformance.engine import Engine
    from conformance.inputs.profile import load_profile
    from conformance.reference import reference_target

    catalogue = load_catalogue()
    network = [
        rid
        for rid in catalogue
        if catalogue[rid].level is Level.NETWORK and rid in registered_checks()
    ]
    with (
        tempfile.TemporaryDirectory(prefix="bench-network-") as tmp,
        ReferenceAgency(faults=faults, workdir=Path(tmp) / "agency") as agency,
    ):
        target = reference_target(agency, Path(tmp) / "secret")
        allow = [SafetyClass.LOAD] if load else []
        engine = Engine(load_profile("full"), [target], only=network, seed=1, allow=allow)
        plan = {p.requirement.id: p for p in engine.plan()}
        before_requests, before_tls = agency.request_count(), counter["connections"]
        started = time.monotonic()
        tls = engine.execute(plan["NET-TLS-01"])
        tls_s = time.monotonic() - started
        tls_connections = counter["connections"] - before_tls
        others = {}
        for rid in network:
            if rid == "NET-TLS-01":
                continue
            result = engine.execute(plan[rid])
            others[rid] = {"outcome": result.outcome.value, "seconds": result.duration_s}
        total_s = time.monotonic() - started
        engine.close()
        return {
            "net_tls_01_s": tls_s,
            "net_tls_01_outcome": tls.outcome.value,
            "tls_connections": tls_connections,
            "other_network_checks": others,
            "network_checks_total_s": total_s,
            "tls_connections_total": counter["connections"] - before_tls,
            "http_requests_server_side": agency.request_count() - before_requests,
        }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fault", action="append", default=[])
    parser.add_argument(
        "--no-load", action="store_true", help="leave out NET-RATE-01 and NET-LOAD-01"
    )
    args = parser.parse_args(argv)
    from sslyze.__version__ import __version__ as sslyze_version

    counter = _count_tls_connections()
    runs = [_one_run(tuple(args.fault), counter, not args.no_load) for _ in range(args.repeat)]
    summary = {
        "benchmark": "network checks on the reference agency",
        "faults": args.fault,
        "repeat": args.repeat,
        "sslyze": sslyze_version,
        "net_tls_01_s_median": round(statistics.median(r["net_tls_01_s"] for r in runs), 3),
        "network_checks_total_s_median": round(
            statistics.median(r["network_checks_total_s"] for r in runs), 3
        ),
        "load_checks": not args.no_load,
        "tls_connections_per_scan": sorted({r["tls_connections"] for r in runs}),
        "tls_connections_full_profile": sorted({r["tls_connections_total"] for r in runs}),
        "runs": [
            {
                **r,
                "net_tls_01_s": round(r["net_tls_01_s"], 3),
                "network_checks_total_s": round(r["network_checks_total_s"], 3),
                "other_network_checks": {
                    k: {**v, "seconds": round(v["seconds"], 3)}
                    for k, v in r["other_network_checks"].items()
                },
            }
            for r in runs
        ],
    }
    json.dump(summary, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
