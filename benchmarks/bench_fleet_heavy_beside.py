"""CPU-heavy validation beside rate-capped agencies: does it hold them up?

Plain script; prints one JSON object:

    .venv/bin/python benchmarks/bench_fleet_heavy_beside.py [--light 5] [--heavy 2]
        [--max-rps 2]

Issue 15: with `--concurrency`, the agencies of a fleet share one process, so one agency's
CPU-heavy checks (the data level: schemathesis generation, XSD and Schematron, SHACL) must not
hold the others up. One reference agency is started. `--light` targets (the departmental level
at `--max-rps`, mostly waiting on their rate cap) run alone, then again while `--heavy` targets
run the data level at full speed, all side by side in this process. It reports the light
targets' wall both times, one heavy target's wall alone, the heavy ones' wall beside the light
ones (with the process's CPU seconds meanwhile), and the ratio (1.0: the heavy validation held
nobody up). The heavy targets share the interpreter's one core for Python code among
themselves; a fleet of CPU-bound agencies goes faster in processes (`--jobs`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import threading
import time

from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.target import Target
from conformance.reference import running_reference


def _timed(engine: Engine, concurrency: int, into: dict[str, float], key: str) -> None:
    started, cpu = time.monotonic(), time.process_time()
    engine.run(concurrency=concurrency)
    into[key] = time.monotonic() - started
    into[key + "_cpu"] = time.process_time() - cpu  # the whole process's, while it ran


def _named(target: Target, prefix: str, count: int) -> list[Target]:
    return [dataclasses.replace(target, name=f"{prefix}-{i}") for i in range(count)]


def main(argv: list[str] | None = None) -> int:
    """Run the light targets alone, then beside the heavy ones, and print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--light", type=int, default=5)
    parser.add_argument("--heavy", type=int, default=2)
    parser.add_argument("--max-rps", type=float, default=2.0)
    args = parser.parse_args(argv)
    walls: dict[str, float] = {}
    with running_reference() as target:
        light = _named(target, "light", args.light)

        def light_engine() -> Engine:
            return Engine(load_profile("departmental"), light, seed=1, max_rps=args.max_rps)

        def heavy_engine(count: int) -> Engine:
            return Engine(load_profile("data"), _named(target, "heavy", count), seed=1)

        _timed(light_engine(), args.light, walls, "alone")
        _timed(heavy_engine(1), 1, walls, "one_heavy")
        heavy = heavy_engine(args.heavy)
        beside = threading.Thread(target=_timed, args=(heavy, args.heavy, walls, "heavy"))
        beside.start()
        _timed(light_engine(), args.light, walls, "beside")
        beside.join()
    print(
        json.dumps(
            {
                "benchmark": f"{args.light} departmental targets at --max-rps {args.max_rps:g}, "
                f"alone and beside {args.heavy} data-level targets at full speed",
                "light_alone_s": round(walls["alone"], 1),
                "light_beside_heavy_s": round(walls["beside"], 1),
                "one_heavy_alone_s": round(walls["one_heavy"], 1),
                "heavy_beside_light_s": round(walls["heavy"], 1),
                "process_cpu_s_meanwhile": round(walls["heavy_cpu"], 1),
                "ratio": round(walls["beside"] / walls["alone"], 2),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
