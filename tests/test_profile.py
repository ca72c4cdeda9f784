"""Profiles: bundled ones load; every mistake names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.core.catalogue import load_catalogue
from conformance.core.errors import ProfileError
from conformance.core.model import Level, SafetyClass
from conformance.inputs.profile import BUNDLED, load_profile


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return str(path)


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_profiles_load(name):
    profile = load_profile(name)
    assert profile.requirements
    assert profile.digest.startswith("sha256:")


def test_each_level_profile_selects_exactly_its_level():
    from conformance.core.catalogue import load_catalogue

    catalogue = load_catalogue()
    for level in Level:
        profile = load_profile(level.value)
        assert {catalogue[r].level for r in profile.requirements} == {level}


def test_full_selects_every_requirement_read_only_by_default():
    profile = load_profile("full")
    assert list(profile.requirements) == list(load_catalogue())
    assert profile.allow == frozenset({SafetyClass.READ})


def test_extends_selection_parameters_and_safety(tmp_path):
    spec = write(
        tmp_path,
        "mine.yaml",
        "name: mine\nextends: network\nexclude: ['NET-LOAD-01', 'NET-RATE-01']\n"
        "parameters:\n  NET-HSTS-01: {min_max_age: 63072000}\n"
        "safety: {allow: [write], max_rps: 2}\n",
    )
    profile = load_profile(spec)
    assert "NET-LOAD-01" not in profile.requirements
    assert "NET-TLS-01" in profile.requirements
    assert profile.params_for("NET-HSTS-01") == {"min_max_age": 63072000}
    assert SafetyClass.WRITE in profile.allow
    assert profile.max_rps == 2


def test_digest_changes_with_content(tmp_path):
    a = load_profile(write(tmp_path, "a.yaml", "extends: network\n"))
    b = load_profile(write(tmp_path, "b.yaml", "extends: network\nexclude: [NET-LOAD-01]\n"))
    assert a.digest != b.digest


@pytest.mark.parametrize(
    ("text", "line", "field", "problem"),
    [
        ("name: x\nslect: ['DEP-*']\n", 2, "slect", "did you mean select"),
        ("name: x\nselect: ['DEP-CAT-1']\n", 2, "select.0", "did you mean DEP-CAT-01"),
        ("name: x\nselect: ['XYZ-*']\n", 2, "select.0", "matches no requirement"),
        (
            "select: ['NET-*']\nparameters:\n  NET-HSTS-01:\n    min_max_age: soon\n",
            4,
            "parameters.NET-HSTS-01.min_max_age",
            "expected int",
        ),
        (
            "select: ['NET-*']\nparameters:\n  NET-HSTS-01:\n    max_age: 5\n",
            4,
            "parameters.NET-HSTS-01.max_age",
            "did you mean min_max_age",
        ),
        ("select: ['NET-*']\nsafety:\n  allow: [delete]\n", 3, "safety.allow.0", "'delete'"),
        ("name: x\nselect: [DEP-*\n", 3, "syntax", ""),
        ("name: x\nextends: netwrk\n", 2, "extends", "did you mean network"),
    ],
)
def test_malformed_profile_names_file_line_and_field(tmp_path, text, line, field, problem):
    spec = write(tmp_path, "bad.yaml", text)
    with pytest.raises(ProfileError) as info:
        load_profile(spec)
    message = str(info.value)
    assert message.startswith(f"{spec}:{line}: {field}:"), message
    assert problem in message


def test_extends_cycle_is_refused(tmp_path):
    write(tmp_path, "a.yaml", "extends: b.yaml\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\n")
    with pytest.raises(ProfileError, match="cycle"):
        load_profile(str(tmp_path / "a.yaml"))


def test_unknown_profile_name_suggests_a_bundled_one():
    with pytest.raises(ProfileError, match="did you mean network"):
        load_profile("netwrk")


def test_inputs_are_validated(tmp_path):
    spec = write(
        tmp_path,
        "bad.yaml",
        "select: ['DATA-*']\ninputs:\n  resources:\n    license:\n      collection: /x\n",
    )
    with pytest.raises(
        ProfileError, match=r"bad.yaml:4: inputs.resources.license: 'items' is a required"
    ):
        load_profile(spec)


def test_a_misspelt_nested_key_names_its_line_and_the_closest_key(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("name: p\nextends: full\nsafety:\n  alow: [write]\n", "utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(str(path))
    assert ":4: safety.alow: unknown key (did you mean allow?)" in str(info.value)
