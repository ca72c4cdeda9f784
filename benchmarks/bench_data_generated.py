"""Generated requests per second: the suite's schemathesis runner against plain `schemathesis run`.

Plain script; prints one JSON object:

    python benchmarks/bench_data_generated.py [--examples 10] [--seed 1] [--repeat 3]

Both sides run on one freshly started reference agency, on the same OpenAPI document, the GET
operations only (what DATA-SCH-01 exercises by default), positive generation, the same
`--max-examples`/`max_examples`, seed and four conformance checks (status code, content type,
headers, body schema), a bearer token for every request and the agency's CA:

- `suite`: `conformance.client.generated.GeneratedRunner` as DATA-SCH-01 drives it, through the
  suite's HttpClient (limits, redaction, evidence) with its rate cap lifted (a rate cap is a policy,
  not overhead);
- `schemathesis_run`: the CLI, `--phases fuzzing --mode positive --workers 1`, in a subprocess;
  its wall time is reported as is and without the interpreter start and `import schemathesis`
  (`startup_s`, measured separately), which the suite does not pay per run.

Requests are counted by the agency (`request_count("/v1/")`, token requests excluded), so both
sides are measured the same way. `overhead` = bare rps / suite rps (target: at most 1.2).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHECKS = (
    "status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)


def _suite(agency: Any, target: Any, examples: int, seed: int) -> dict[str, float]:
    from conformance.client.generated import GeneratedRunner, Plan
    from conformance.client.http import HttpClient
    from conformance.documents.openapi import OpenApiDocument

    client = HttpClient(target, max_rps=100_000.0)
    client.bearer_token()
    answer = client.get("/v1/openapi.json")
    document = OpenApiDocument(answer.url, answer.json())
    plan = Plan(frozenset({"GET"}), max_examples=examples, max_requests=100_000, seed=seed)
    before = _count(agency)
    started = time.perf_counter()
    run = GeneratedRunner(client, document, plan).execute()
    elapsed = time.perf_counter() - started
    client.close()
    return {
        "requests": _count(agency) - before,
        "seconds": elapsed,
        "violations": len(run.violations),
    }


def _bare(agency: Any, token: str, examples: int, seed: int) -> dict[str, float]:
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{agency.base_url}/v1/openapi.json",
        "--phases", "fuzzing", "--mode", "positive", "--workers", "1",
        "-n", str(examples), "--seed", str(seed), "--checks", CHECKS,
        "--include-method", "GET", "--tls-verify", str(agency.ca_bundle),
        "-H", f"Authorization: Bearer {token}", "--generation-database", "none",
        "--suppress-health-check", "all", "--continue-on-failure",
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-st-") as tmp:
        before = _count(agency)
        started = time.perf_counter()
        done = subprocess.run(command, cwd=tmp, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"schemathesis run failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"requests": _count(agency) - before, "seconds": elapsed}


def _startup() -> float:
    """Seconds for a new interpreter to import schemathesis (what the CLI pays before testing)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import schemathesis.cli"], check=True)
    return time.perf_counter() - started


def _count(agency: Any) -> float:
    return float(agency.request_count("/v1/") - agency.request_count("/v1/oauth2/"))


def main() -> None:
    """Run both sides `--repeat` times and print the medians as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from reference_agency import ReferenceAgency

    from conformance.client.http import HttpClient
    from conformance.reference import reference_target

    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    suite, bare, startup = [], [], []
    with (
        tempfile.TemporaryDirectory(prefix="bench-data-") as tmp,
        ReferenceAgency(workdir=Path(tmp) / "agency") as agency,
    ):
        target = reference_target(agency, Path(tmp) / "secret")
        token = HttpClient(target).bearer_token()
        for _ in range(args.repeat):
            suite.append(_suite(agency, target, args.examples, args.seed))
            bare.append(_bare(agency, token, args.examples, args.seed))
            startup.append(_startup())
    start_s = statistics.median(startup)
    suite_rps = statistics.median(s["requests"] / s["seconds"] for s in suite)
    bare_rps = statistics.median(b["requests"] / b["seconds"] for b in bare)
    bare_rps_no_start = statistics.median(b["requests"] / (b["seconds"] - start_s) for b in bare)
    print(
        json.dumps(
            {
                "examples": args.examples,
                "seed": args.seed,
                "repeat": args.repeat,
                "suite": {"runs": suite, "requests_per_s": round(suite_rps, 1)},
                "schemathesis_run": {
                    "runs": bare,
                    "startup_s": round(start_s, 2),
                    "requests_per_s": round(bare_rps, 1),
                    "requests_per_s_without_startup": round(bare_rps_no_start, 1),
                },
                "overhead": round(bare_rps / suite_rps, 2),
                "overhead_without_startup": round(bare_rps_no_start / suite_rps, 2),
                "target_overhead": 1.2,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
