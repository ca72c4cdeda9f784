"""The requirement catalogue, the check registry and the public API."""

from __future__ import annotations

import re

import pytest

import conformance
from conformance.core.catalogue import load_catalogue
from conformance.core.errors import RegistryError, UsageError
from conformance.core.model import Level
from conformance.core.registry import check, registered_checks


def test_catalogue_holds_every_requirement_of_the_spec(shared_dir):
    spec = (shared_dir / "SPEC.md").read_text("utf-8")
    spec_ids = re.findall(r"^\| ([A-Z]+-[A-Z]+-\d\d) \|", spec, flags=re.MULTILINE)
    assert spec_ids
    assert list(load_catalogue()) == spec_ids


def test_catalogue_keywords_and_classes_match_the_spec(shared_dir):
    spec = (shared_dir / "SPEC.md").read_text("utf-8")
    rows = re.findall(
        r"^\| ([A-Z]+-[A-Z]+-\d\d) \| (MUST|SHOULD|MAY) \|.*\| ([a-z]+)(?: \(.*\))? \|$",
        spec,
        flags=re.MULTILINE,
    )
    catalogue = load_catalogue()
    assert [rid for rid, _, _ in rows] == list(catalogue)
    for rid, keyword, safety in rows:
        assert (catalogue[rid].keyword.value, catalogue[rid].safety.value) == (keyword, safety), rid


def test_every_requirement_has_a_check_or_a_stated_reason_never_both():
    checks = registered_checks()
    for rid, req in load_catalogue().items():
        assert (rid in checks) != bool(req.pending), rid
        if rid in checks:
            assert req.how_tested, f"{rid} has a check but no how_tested text"


def test_every_level_has_implemented_checks():
    checks = registered_checks()
    levels = {load_catalogue()[rid].level for rid in checks}
    assert levels == set(Level)


def test_dependencies_name_known_requirements_declared_earlier():
    ids = list(load_catalogue())
    for rid, req in load_catalogue().items():
        for dep in req.depends_on:
            assert ids.index(dep) < ids.index(rid), (rid, dep)


def test_registry_refuses_an_unknown_requirement_with_a_suggestion():
    with pytest.raises(RegistryError, match=r"unknown requirement 'NET-HST-01' \(did you mean"):
        check("NET-HST-01")


def test_registry_refuses_a_second_check_for_a_requirement():
    def another(ctx):  # pragma: no cover - never runs
        return "never"

    with pytest.raises(RegistryError, match="DEP-CAT-01 already has a check"):
        check("DEP-CAT-01")(another)


def test_unknown_id_lookup_suggests_the_closest():
    with pytest.raises(UsageError, match="did you mean DEP-CAT-01"):
        load_catalogue().get_or_raise("DEP-CAT-1")


def test_public_api_is_complete():
    public = {
        name
        for name, value in vars(conformance).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("conformance")
    }
    assert public <= set(conformance.__all__)
    for name in conformance.__all__:
        assert hasattr(conformance, name), name
