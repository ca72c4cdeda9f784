"""Inputs are declared by the checks that read them (conformance/core/inputs.py): closed names,
one path rule for the files they name, one way to read them."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from conformance.core import registry
from conformance.core.errors import PreconditionMissing, ProfileError, RegistryError, TargetError
from conformance.core.inputs import declare_input, declared_inputs, inputs_schema, local_file
from conformance.data.common import read_input_document
from conformance.data.rdf import RDF
from conformance.inputs.profile import load_profile
from conformance.inputs.shared import RESOURCES
from conformance.inputs.target import load_target_file
from conformance.reference import reference_inputs

LICENSE = "{collection: /v1/licenses, items: /items, item: '/v1/licenses/{code}', key: /code"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), "utf-8")
    return path


def profile_with(folder: Path, inputs: str, name: str = "profile.yaml") -> Path:
    return write(folder / name, "select: ['DATA-*']\ninputs:\n" + textwrap.indent(inputs, "  "))


def target_with(folder: Path, inputs: str) -> Path:
    body = textwrap.indent(textwrap.dedent(inputs), "  ")
    return write(folder / "target.yaml", f"base_url: https://agency.example\ninputs:\n{body}")


# -- closed names ------------------------------------------------------------------------------
def test_a_misspelt_input_in_a_profile_is_refused_naming_file_line_and_key(tmp_path: Path):
    path = profile_with(tmp_path, f"resorces:\n  license: {LICENSE}}}\n")
    with pytest.raises(ProfileError) as info:
        load_profile(str(path))
    assert str(info.value) == (
        f"{path}:3: inputs.resorces: unknown input (did you mean resources?)"
    )


def test_a_misspelt_input_in_a_target_file_is_refused_naming_file_line_and_key(tmp_path: Path):
    path = target_with(tmp_path, f"resorces:\n  license: {LICENSE}}}\n")
    with pytest.raises(TargetError) as info:
        load_target_file(path)
    assert str(info.value) == (
        f"{path}:3: inputs.resorces: unknown input (did you mean resources?)"
    )


def test_a_name_nothing_resembles_lists_what_the_checks_read(tmp_path: Path):
    with pytest.raises(TargetError, match=r"inputs.zzz: unknown input; the checks read: async, "):
        load_target_file(target_with(tmp_path, "zzz: 1\n"))


def test_a_value_its_declaration_refuses_names_the_line_of_the_field(tmp_path: Path):
    path = target_with(tmp_path, "rdf:\n  - {url: /catalogue}\n")
    with pytest.raises(TargetError, match=rf"^{re.escape(str(path))}:4: inputs.rdf.0: 'shapes'"):
        load_target_file(path)


def test_a_name_declared_twice_is_refused():
    assert declared_inputs()["resources"] is RESOURCES
    with pytest.raises(
        RegistryError, match=r"'resources' is already declared in conformance\.inputs"
    ):
        declare_input("resources", {"type": "object"})
    assert declared_inputs()["resources"] is RESOURCES


def test_a_declaration_must_be_a_valid_schema_with_pointer_patterns():
    with pytest.raises(RegistryError, match="not a valid JSON Schema"):
        declare_input("not-an-input", {"type": "no-such-type"})
    with pytest.raises(RegistryError, match="not a JSON pointer"):
        declare_input("not-an-input", {"type": "object"}, paths=("xsd",))
    assert "not-an-input" not in declared_inputs()


def test_the_assembled_schema_is_the_union_of_the_declarations():
    declared = declared_inputs()
    schema = inputs_schema()
    assert schema["properties"] == {name: d.schema for name, d in declared.items()}
    assert schema["additionalProperties"] is False
    homes = {name: d.module for name, d in declared.items()}
    assert homes["resources"] == homes["idempotency"] == "conformance.inputs.shared"
    assert homes["workflows"] == "conformance.business.wf"
    assert homes["rdf"] == "conformance.data.rdf"
    levels = (*registry.BUNDLED_LEVELS, "conformance.inputs.shared")
    assert all(module.startswith(levels) for module in homes.values()), homes


def test_every_declared_input_is_documented_with_its_home():
    readme = (Path(__file__).parents[1] / "profiles" / "README.md").read_text("utf-8")
    for name, declared in declared_inputs().items():
        assert f"| `{name}` | `{declared.module}` |" in readme, name


# -- one path rule -----------------------------------------------------------------------------
def test_a_relative_file_in_a_target_file_is_anchored_to_the_target_files_folder(tmp_path):
    xsd = write(tmp_path / "agency" / "schemas" / "license.xsd", "<schema/>")
    target = load_target_file(
        target_with(
            tmp_path / "agency", f"resources:\n  license: {LICENSE}, xsd: schemas/license.xsd}}\n"
        )
    )
    assert target.inputs["resources"]["license"]["xsd"] == xsd.resolve().as_uri()


def test_a_relative_file_in_a_profile_is_anchored_to_the_profiles_folder(tmp_path: Path):
    sch = write(tmp_path / "profiles" / "rules" / "license.sch", "<schema/>")
    shapes = write(tmp_path / "base" / "shapes.ttl", "")
    write(
        tmp_path / "base" / "base.yaml",
        "select: []\ninputs:\n  rdf: [{url: /c, shapes: shapes.ttl}]\n",
    )
    path = profile_with(
        tmp_path / "profiles",
        f"resources:\n  license: {LICENSE}, schematron: rules/license.sch}}\n",
    )
    path.write_text("extends: ../base/base.yaml\n" + path.read_text("utf-8"), "utf-8")
    profile = load_profile(str(path))
    assert profile.inputs["resources"]["license"]["schematron"] == sch.resolve().as_uri()
    # an extended profile's files are relative to that profile, not to the one extending it
    assert profile.inputs["rdf"][0]["shapes"] == shapes.resolve().as_uri()


def test_a_missing_file_is_refused_at_load_naming_file_line_and_key(tmp_path: Path):
    path = target_with(tmp_path, f"resources:\n  license: {LICENSE},\n    xsd: gone.xsd}}\n")
    with pytest.raises(TargetError) as info:
        load_target_file(path)
    assert str(info.value) == (
        f"{path}:5: inputs.resources.license.xsd: file not found: {tmp_path.resolve()}/gone.xsd"
    )
    profile = profile_with(tmp_path, "codelists:\n  divisions: lists/divisions.csv\n")
    with pytest.raises(ProfileError, match=r"profile.yaml:4: inputs.codelists.divisions: file not"):
        load_profile(str(profile))


def test_a_target_path_and_a_url_stay_documents_on_the_target(tmp_path: Path):
    target = load_target_file(
        target_with(
            tmp_path,
            f"""\
            resources:
              license: {LICENSE}, xsd: /v1/schemas/license.xsd,
                        schematron: https://agency.example/license.sch}}
            codelists: {{divisions: /v1/codelists/divisions.csv}}
            """,
        )
    )
    license_ = target.inputs["resources"]["license"]
    assert license_["xsd"] == "/v1/schemas/license.xsd"
    assert license_["schematron"] == "https://agency.example/license.sch"
    assert target.inputs["codelists"] == {"divisions": "/v1/codelists/divisions.csv"}


def test_built_in_shapes_and_code_list_names_are_untouched(tmp_path: Path):
    target = load_target_file(
        target_with(
            tmp_path,
            f"""\
            rdf: [{{relation: describedby, shapes: dcat-ap-3.0.1-subset}}]
            resources:
              license: {LICENSE}, codelists: {{/division_code: gb2260}}}}
            """,
        )
    )
    assert target.inputs["rdf"][0]["shapes"] == "dcat-ap-3.0.1-subset"
    assert target.inputs["resources"]["license"]["codelists"] == {"/division_code": "gb2260"}


def test_a_file_only_field_refuses_a_target_path_and_keeps_a_file_uri(tmp_path: Path):
    flow = write(tmp_path / "flows" / "a.arazzo.yaml", "arazzo: 1.0.1\n")
    path = target_with(tmp_path, "workflows: [flows/a.arazzo.yaml, /srv/b.arazzo.yaml]\n")
    with pytest.raises(TargetError, match=r"target.yaml:3: inputs.workflows.1: '/srv/b.arazzo"):
        load_target_file(path)
    target = load_target_file(target_with(tmp_path, f"workflows: [{flow.as_uri()}]\n"))
    assert target.inputs["workflows"] == [flow.resolve().as_uri()]
    secret = write(tmp_path / "secrets" / "second", "s3cret\n")
    target = load_target_file(
        target_with(
            tmp_path,
            "identities:\n  second: {client_id: b, client_secret: {file: secrets/second}}\n",
        )
    )
    uri = target.inputs["identities"]["second"]["client_secret"]["file"]
    assert local_file(uri) == secret.resolve()


# -- one reader --------------------------------------------------------------------------------
def test_a_handle_reads_the_merged_value_or_skips_naming_the_input():
    ctx = SimpleNamespace(inputs={"rdf": [{"url": "/c", "shapes": "dcat-ap-3.0.1-subset"}]})
    assert RDF.read(ctx) == ctx.inputs["rdf"]
    assert RESOURCES.read(ctx) is None
    with pytest.raises(PreconditionMissing, match=r"declares no inputs\.resources"):
        RESOURCES.require(ctx)


def test_a_handle_refuses_a_file_left_unanchored_or_a_value_out_of_shape():
    with pytest.raises(PreconditionMissing, match=r"inputs.rdf.0.shapes: 'shapes.ttl' is not anch"):
        RDF.read(SimpleNamespace(inputs={"rdf": [{"url": "/c", "shapes": "shapes.ttl"}]}))
    with pytest.raises(PreconditionMissing, match=r"inputs.rdf.0: 'shapes' is a required"):
        RDF.read(SimpleNamespace(inputs={"rdf": [{"url": "/c"}]}))


def test_a_reader_reads_a_file_uri_and_never_the_profiles_folder(tmp_path: Path):
    shapes = write(tmp_path / "shapes.ttl", "# shapes\n")
    ctx = SimpleNamespace()
    data, base, media = read_input_document(ctx, shapes.as_uri(), "shapes", "text/turtle")
    assert (data, base, media) == (b"# shapes\n", shapes.as_uri(), "text/turtle")
    with pytest.raises(PreconditionMissing, match="neither a URL, a path on the target nor a file"):
        read_input_document(ctx, "shapes.ttl", "shapes", "text/turtle")


def test_the_reference_agencys_inputs_follow_the_rule():
    inputs = reference_inputs()
    for name, value in inputs.items():
        assert declared_inputs()[name].problem(value) is None, name
    assert all(local_file(uri) and local_file(uri).is_file() for uri in inputs["workflows"])


def test_no_check_reads_an_input_by_name():
    """Checks read inputs through their declaration's handle, not `ctx.inputs[...]`."""
    root = Path(__file__).parents[1] / "conformance"
    offenders = []
    for package in ("departmental", "network", "data", "business"):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in {"inputs", "require_input"}
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "ctx"
                ):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []
