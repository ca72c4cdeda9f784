"""The full profile at a production rate cap: what a run costs at `--max-rps 10`.

Plain script; prints one JSON object:

    .venv/bin/python benchmarks/bench_profile_rate.py [--max-rps 10] [--seed 1]

Runs README command 1 in this process twice on the bundled reference agency, with the same seed:
once at `--max-rps N` and once at full speed, counting what the agency received and what the
suite opened (the counters of bench_command1.py: requests served, TLS handshakes started). It
reports, for the capped run, wall seconds, requests and TLS handshakes, the three slowest
requirements, and whether every requirement got the same outcome as at full speed (issue 14's
target: at most 45 s at 10 requests/s, the same verdicts).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_command1 import _Counters  # a sibling script, not a package


def _run(max_rps: float | None, seed: int) -> dict[str, Any]:
    from conformance.cli import main

    counters = _Counters()
    with tempfile.TemporaryDirectory(prefix="bench-rate-") as out, counters.installed():
        args = ["run", "--out", out, "--format", "json", "--seed", str(seed), "-q"]
        if max_rps:
            args += ["--max-rps", str(max_rps)]
        started = time.monotonic()
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # only the JSON goes to stdout
                main(args, standalone_mode=False)
        except SystemExit as exc:
            code = exc.code
        else:
            code = 0
        wall = time.monotonic() - started
        report = json.loads((Path(out) / "run.json").read_text("utf-8"))
    outcomes = {r["requirement"]: r["outcome"] for r in report["results"]}
    slowest = sorted(report["results"], key=lambda r: -r["duration_s"])[:3]
    return {
        "exit_code": code,
        "verdict": report["verdict"],
        "wall_s": round(wall, 1),
        "requests": counters.requests,
        "tls_handshakes": counters.handshakes,
        "slowest": {r["requirement"]: round(r["duration_s"], 1) for r in slowest},
        "outcomes": outcomes,
    }


def main(argv: list[str] | None = None) -> int:
    """Run both and print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rps", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    capped = _run(args.max_rps, args.seed)
    free = _run(None, args.seed)
    differ = {
        rid: (outcome, free["outcomes"].get(rid))
        for rid, outcome in capped["outcomes"].items()
        if free["outcomes"].get(rid) != outcome
    }
    for run in (capped, free):
        run.pop("outcomes")
    print(
        json.dumps(
            {
                "benchmark": f"full profile, reference agency, --max-rps {args.max_rps:g}",
                "capped": capped,
                "full_speed": free,
                "same_verdicts": not differ,
                "differences": differ,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
