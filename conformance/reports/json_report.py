"""run.json: the canonical report, written from the model and read back only once it validates."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jsonschema import Draft202012Validator

from conformance.core.errors import UsageError
from conformance.core.model import Report

SCHEMA_RESOURCE = "run.schema.json"
MAX_PROBLEMS_SHOWN = 5
MAX_MESSAGE_CHARS = 200


@cache
def run_schema() -> dict[str, Any]:
    """The published JSON Schema of run.json (shipped in `conformance.data`)."""
    text = resources.files("conformance.resources").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    """One validator with format checking on (date-time must be RFC 3339)."""
    return Draft202012Validator(run_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def report_json(report: Report, signing_key: Ed25519PrivateKey | None = None) -> str:
    """The run.json text: UTF-8 friendly, indented, keys in the model's stable order; with a
    ``signature`` member when a signing key is given (see `conformance.reports.signing`)."""
    data = report.to_dict()
    if signing_key is not None:
        from conformance.reports.signing import sign_report

        data = sign_report(data, signing_key)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_json(report: Report, path: Path, signing_key: Ed25519PrivateKey | None = None) -> Path:
    """Write run.json to `path` (signed with `signing_key`, if given) and return it."""
    path = Path(path)
    path.write_text(report_json(report, signing_key), encoding="utf-8")
    return path


def validate_report_dict(data: Any) -> list[str]:
    """Every way `data` breaks the run.json schema, as `$.json.path: problem` lines."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{e.json_path}: {_shorten(e.message)}" for e in errors]


def read_json(path: Path) -> Report:
    """Read a run.json back into the model, refusing (UsageError) one that breaks the schema."""
    return Report.from_dict(read_json_dict(path))


def read_json_dict(path: Path) -> dict[str, Any]:
    """The run.json object at `path` as parsed, refusing (UsageError) one that breaks the
    schema."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the report: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start}): run.json is UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); expected a run.json"
        ) from exc
    problems = validate_report_dict(data)
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        tail = f"\n  ... and {more} more" if more else ""
        raise UsageError(
            f"{path}: not a valid run.json (schema {run_schema()['$id']}):\n  "
            + "\n  ".join(shown)
            + tail
        )
    assert isinstance(data, dict)  # the schema says so
    return data


def _shorten(message: str) -> str:
    """Cut a validator message that quotes a whole (possibly huge) instance."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return message[: MAX_MESSAGE_CHARS - 1] + "…"
