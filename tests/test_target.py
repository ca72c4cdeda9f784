"""Target files: URLs, trust anchors, credentials by reference only, safety limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.core.errors import TargetError
from conformance.core.model import SafetyClass
from conformance.inputs.target import load_target_file, resolve_target


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "target.yaml"
    path.write_text(text, "utf-8")
    return path


def test_url_target_is_read_only_with_default_limits():
    target = resolve_target("https://api.example.gov/agency/")
    assert target.base_url == "https://api.example.gov/agency"
    assert target.safety.allow == frozenset({SafetyClass.READ})
    assert target.hosts == frozenset({"api.example.gov"})


def test_target_file_with_credentials_by_reference(tmp_path, monkeypatch):
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n", "utf-8")
    (tmp_path / "secret").write_text("s3cr3t-value\n", "utf-8")
    path = write(
        tmp_path,
        "name: agency\nbase_url: https://127.0.0.1:8443\ntrust: {ca_bundle: ca.pem}\n"
        "credentials:\n  oauth2:\n    token_url: https://127.0.0.1:8443/token\n"
        "    client_id: suite\n    client_secret: {file: secret}\n"
        "  bearer_token: {env: AGENCY_TOKEN}\n"
        "safety: {allow: [write], max_rps: 3}\n",
    )
    monkeypatch.setenv("AGENCY_TOKEN", "tok-123456")
    target = load_target_file(path)
    assert target.ca_bundle == tmp_path / "ca.pem"
    assert target.oauth2 is not None
    assert target.oauth2.client_secret.reveal() == "s3cr3t-value"
    assert "s3cr3t" not in repr(target)
    assert target.bearer_token is not None
    assert target.bearer_token.reveal() == "tok-123456"
    assert target.safety.allow == frozenset({SafetyClass.READ, SafetyClass.WRITE})
    assert target.safety.max_rps == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("base_url: ftp://x\n", ":1: base_url: expected an http(s) URL"),
        ("base_url: https://x\nsafety: {max_rps: -1}\n", ":2: safety.max_rps: expected a positive"),
        ("base_url: https://x\nsafty: {}\n", ":2: safty: unknown key (did you mean safety?)"),
        (
            "base_url: https://x\ncredentials:\n  bearer_token: abc\n",
            ":3: credentials.bearer_token: a credential must be {env: VARIABLE} or {file: PATH}",
        ),
        (
            "base_url: https://x\ntrust: {ca_bundle: missing.pem}\n",
            ":2: trust.ca_bundle: file not found",
        ),
        ("name: x\n", ": target: base_url is required"),
        (
            "base_url: https://x\ntrust: {ca_bundel: ca.pem}\n",
            ":2: trust.ca_bundel: unknown key (did you mean ca_bundle?)",
        ),
        (
            "base_url: https://x\ncredentials:\n  api_key: {value: {env: K}, in: body, name: k}\n",
            ":3: credentials.api_key.in: expected one of header, query, cookie",
        ),
        (
            "base_url: https://x\ncredentials:\n  api_key: {value: {env: K}, where: header}\n",
            ":3: credentials.api_key.where: unknown key",
        ),
        ("base_url: https://x\nopenapi: []\n", ":2: openapi: expected a URL or file"),
        ("base_url: https://x\nopenapi: missing.yaml\n", ":2: openapi: file not found"),
    ],
)
def test_malformed_target_file_names_line_and_field(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(TargetError) as info:
        load_target_file(path)
    assert str(info.value).startswith(str(path))
    assert expected in str(info.value)


def test_an_unset_credential_variable_is_found_at_load_with_file_and_line(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
    path = write(
        tmp_path, "base_url: https://x\ncredentials:\n  bearer_token: {env: NO_SUCH_TOKEN}\n"
    )
    with pytest.raises(TargetError) as info:
        load_target_file(path)
    assert f"{path}:3: credentials.bearer_token.env: the environment variable NO_SUCH_TOKEN" in (
        str(info.value)
    )


def test_an_unreadable_credential_file_is_found_at_load(tmp_path):
    (tmp_path / "secret").mkdir()  # a folder where the secret file should be
    path = write(tmp_path, "base_url: https://x\ncredentials:\n  bearer_token: {file: secret}\n")
    with pytest.raises(TargetError, match=r":3: credentials\.bearer_token\.file"):
        load_target_file(path)


def test_neither_url_nor_file():
    with pytest.raises(TargetError, match="neither an http"):
        resolve_target("no-such-target.yaml")


def test_api_keys_and_openapi_documents_named_in_the_target_file(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENCY_KEY", "key-123456")
    (tmp_path / "api.yaml").write_text("openapi: 3.1.0\n")
    path = write(
        tmp_path,
        "base_url: https://agency.example\n"
        "openapi: [api.yaml, https://agency.example/openapi.json]\n"
        "credentials:\n"
        "  api_key: {value: {env: AGENCY_KEY}, in: query, name: apikey}\n",
    )
    target = load_target_file(path)
    assert target.openapi == (str(tmp_path / "api.yaml"), "https://agency.example/openapi.json")
    monkeypatch.setenv("AGENCY_KEY", "key-123456")
    assert target.api_key is not None
    assert (target.api_key.location, target.api_key.name) == ("query", "apikey")
    assert target.api_key.secret.reveal() == "key-123456"
