"""Many agencies at once: ten targets side by side against one target alone, at a low rate cap.

Plain script; prints one JSON object:

    .venv/bin/python benchmarks/bench_fleet_concurrency.py [--targets 10] [--max-rps 2]
        [--profile departmental]

One reference agency is started; the fleet is `--targets` targets that all point at it under
different names (each with its own client, so its own rate cap). It runs the profile on one
target, then on the fleet with `Engine.run(concurrency=targets)`, and reports both walls and
their ratio (issue 15's target: ten targets cost at most 3 × one target's wall time on 2 cores).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.reference import running_reference


def _wall(targets: list, profile: str, max_rps: float, concurrency: int) -> tuple[float, int]:
    engine = Engine(load_profile(profile), targets, seed=1, max_rps=max_rps)
    started = time.monotonic()
    report = engine.run(concurrency=concurrency)
    return time.monotonic() - started, len(report.results)


def main(argv: list[str] | None = None) -> int:
    """Run both and print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--max-rps", type=float, default=2.0)
    parser.add_argument("--profile", default="departmental")
    args = parser.parse_args(argv)
    with running_reference() as target:
        one, one_results = _wall([target], args.profile, args.max_rps, 1)
        fleet = [dataclasses.replace(target, name=f"agency-{i}") for i in range(args.targets)]
        many, many_results = _wall(fleet, args.profile, args.max_rps, args.targets)
    print(
        json.dumps(
            {
                "benchmark": f"{args.targets} targets side by side vs one, --max-rps "
                f"{args.max_rps:g}, profile {args.profile}",
                "one_target_s": round(one, 1),
                "fleet_s": round(many, 1),
                "results": {"one": one_results, "fleet": many_results},
                "ratio": round(many / one, 2),
                "target_ratio": 3.0,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
