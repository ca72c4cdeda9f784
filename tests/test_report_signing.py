"""Signed reports: a vendor signs run.json, an operator verifies it (and notices any change)."""

from __future__ import annotations

import copy
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from cli_support import conformance
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.core.errors import UsageError
from conformance.core.model import Evidence, Keyword, Level, Outcome, Report, Result, TargetSummary
from conformance.core.summary import level_verdicts, overall_verdict
from conformance.reports import read_json, validate_report_dict, write_reports
from conformance.reports.json_report import read_json_dict
from conformance.reports.signing import (
    generate_key_pair,
    key_id,
    load_private_key,
    load_public_key,
    sign_report,
    verify_report,
)


@pytest.fixture
def report() -> Report:
    result = Result(
        requirement="NET-HSTS-01",
        level=Level.NETWORK,
        keyword=Keyword.MUST,
        target="agency",
        outcome=Outcome.FAIL,
        message="max-age=86400 is below 31536000",
        evidence=(Evidence(kind="http", summary="GET / → 200", detail={"elapsed_ms": 12.5}),),
    )
    levels = level_verdicts((result,))
    return Report(
        schema_version="1.0",
        suite={"name": "interop-conformance", "version": "0.1.0"},
        profile={"name": "network", "digest": "sha256:abc", "source": "profiles/network.yaml"},
        started="2026-11-29T08:00:00+00:00",
        finished="2026-11-29T08:00:05+00:00",
        seed=7,
        targets=(TargetSummary("agency", "https://127.0.0.1:8443/"),),
        results=(result,),
        levels=levels,
        verdict=overall_verdict(levels, True),
    )


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "vendor.key", tmp_path / "vendor.pub"
    generate_key_pair(private, public)
    return private, public


def signed(report: Report, private: Path) -> dict[str, Any]:
    return sign_report(report.to_dict(), load_private_key(private))


def test_signed_report_verifies_with_the_pinned_key(report, keys):
    private, public = keys
    data = signed(report, private)
    assert validate_report_dict(data) == []
    outcome = verify_report(data, load_public_key(public))
    assert outcome.valid, outcome.reason
    assert outcome.key_id == key_id(load_public_key(public))
    assert "pinned" in outcome.reason
    assert verify_report(data).valid  # without a pin: consistent, but says whose key it is not


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(verdict="incomplete"),
        lambda d: d["results"][0].update(outcome="pass"),
        lambda d: d["results"][0]["evidence"][0]["detail"].update(elapsed_ms=12.6),
        lambda d: d["targets"][0].update(base_url="https://127.0.0.1:9443"),
        lambda d: d.update(seed=8),
        lambda d: d["results"].append(copy.deepcopy(d["results"][0])),
    ],
    ids=["verdict", "outcome", "evidence", "target", "seed", "added result"],
)
def test_any_change_breaks_the_signature(report, keys, change):
    private, public = keys
    data = signed(report, private)
    change(data)
    outcome = verify_report(data, load_public_key(public))
    assert not outcome.valid
    assert "the report was changed" in outcome.reason


def test_formatting_and_member_order_do_not_matter(report, keys):
    private, public = keys
    data = signed(report, private)
    reordered = json.loads(json.dumps(dict(reversed(list(data.items()))), separators=(",", ":")))
    assert verify_report(reordered, load_public_key(public)).valid


def test_another_key_is_refused(report, keys, tmp_path):
    private, _ = keys
    generate_key_pair(tmp_path / "other.key", tmp_path / "other.pub")
    data = signed(report, private)
    outcome = verify_report(data, load_public_key(tmp_path / "other.pub"))
    assert not outcome.valid
    assert "not with the pinned key" in outcome.reason


def test_a_swapped_in_key_must_match_its_own_id(report, keys):
    private, _ = keys
    data = signed(report, private)
    forger = Ed25519PrivateKey.generate()
    resigned = sign_report(data, forger)  # a forger re-signs the changed report with own key
    resigned["signature"]["key_id"] = data["signature"]["key_id"]
    outcome = verify_report(resigned)
    assert not outcome.valid
    assert "is not the key's ID" in outcome.reason


def test_unsigned_report_is_a_usage_error(report):
    with pytest.raises(UsageError, match="not signed"):
        verify_report(report.to_dict())


def test_key_files_are_checked_and_never_overwritten(keys, tmp_path):
    private, public = keys
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    with pytest.raises(UsageError, match="exists: not overwriting"):
        generate_key_pair(private, tmp_path / "new.pub")
    with pytest.raises(UsageError, match=r"vendor\.pub: not an unencrypted PEM private key"):
        load_private_key(public)
    ec_key = tmp_path / "ec.key"
    ec_key.write_bytes(
        generate_private_key(SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(UsageError, match="expected an Ed25519 private key"):
        load_private_key(ec_key)
    with pytest.raises(UsageError, match=r"missing\.key: cannot read the signing key"):
        load_private_key(tmp_path / "missing.key")


def test_written_reports_carry_the_signature_only_in_run_json(report, keys, tmp_path):
    private, public = keys
    paths = write_reports(report, tmp_path / "out", ["json", "junit"], load_private_key(private))
    data = read_json_dict(paths["json"])
    assert verify_report(data, load_public_key(public)).valid
    assert read_json(paths["json"]).verdict == report.verdict  # still reads as a report
    assert b"BEGIN PRIVATE KEY" not in paths["json"].read_bytes()


def test_cli_keygen_run_verify(tmp_path):
    made = conformance("keygen", "--out", "vendor", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    run = conformance(
        "run",
        "--profile",
        "departmental",
        "--requirement",
        "DEP-CAT-01",
        "--sign-key",
        "vendor.key",
        "-q",
        cwd=tmp_path,
    )
    # one requirement of the profile: never conformant, and the signed report says so
    assert run.returncode == 2, run.stdout + run.stderr
    good = conformance("verify", "reports/run.json", "--public-key", "vendor.pub", cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("valid reports/run.json: signed by the pinned key sha256:")
    assert "verdict incomplete" in good.stdout
    assert "scope: NARROWED to 1 of the profile's" in good.stdout
    assert "--requirement DEP-CAT-01" in good.stdout

    data = json.loads((tmp_path / "reports/run.json").read_text())
    data["scope"]["narrowed"] = False
    data["verdict"] = "conformant"
    (tmp_path / "widened.json").write_text(json.dumps(data))
    widened = conformance("verify", "widened.json", "--public-key", "vendor.pub", cwd=tmp_path)
    assert widened.returncode == 1  # the scope is signed with everything else

    data = json.loads((tmp_path / "reports/run.json").read_text())
    data["results"][0]["message"] = "edited"
    (tmp_path / "edited.json").write_text(json.dumps(data))
    bad = conformance("verify", "edited.json", "--public-key", "vendor.pub", cwd=tmp_path)
    assert bad.returncode == 1
    assert "INVALID edited.json: the signature does not match the content" in bad.stderr

    wrong_key = conformance("run", "--sign-key", "vendor.pub", cwd=tmp_path)
    assert wrong_key.returncode == 2
    assert wrong_key.stderr.startswith("error: vendor.pub: not an unencrypted PEM private key")
