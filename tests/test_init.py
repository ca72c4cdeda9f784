"""`conformance init URL --write-target FILE`: a target file from what an agency publishes, that
loads with the project's own loader and runs as it is (real processes, loopback agencies)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.pygeoapi_server import Pygeoapi, serve
from bench.standin import StandIn, serving
from cli_support import conformance, free_port

from conformance.core.inputs import declared_inputs
from conformance.inputs.target import Target, load_target_file
from conformance.reference import reference_inputs

BENCH_OPENAPI = Path(__file__).parent / "bench" / "openapi"
API_REGISTER = BENCH_OPENAPI / "don-api-register" / "api" / "openapi.json"
# what the reference agency's own target says of its licences, which init must find by itself
RESOURCE_KEYS = ("collection", "items", "item", "key", "xsd", "schematron")


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def comments(text: str) -> str:
    """The file's comments as one line each, wrapped lines joined (for assertions on them)."""
    joined = re.sub(r"\n\s*#   ", " ", text)
    return "\n".join(line.strip() for line in joined.splitlines() if line.strip().startswith("#"))


def declared_everywhere(text: str, target: Target) -> None:
    """Every declared input is in the file: set (and loaded), or commented with its description."""
    for name, declared in declared_inputs().items():
        assert f"  # {name}: {declared.description}" in text, name
        assert name in target.inputs or f"  # {name}:" in text, name


def results(out: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((out / "run.json").read_text("utf-8"))["results"]
    return found


# -- the reference agency ----------------------------------------------------------------------
@pytest.mark.slow
def test_on_the_reference_agency_init_writes_a_target_the_departmental_profile_runs(
    reference_target: Target, tmp_path: Path
) -> None:
    assert reference_target.ca_bundle
    assert reference_target.client_certificate
    assert reference_target.oauth2 is not None
    cert = reference_target.client_certificate
    proc = conformance(
        *("init", reference_target.base_url, "--write-target", "agency.yaml"),
        *("--ca-bundle", str(reference_target.ca_bundle)),
        *("--client-cert", str(cert.cert), "--client-key", str(cert.key)),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    path = tmp_path / "agency.yaml"
    text = path.read_text("utf-8")
    target = load_target_file(path)
    assert target.base_url == reference_target.base_url
    assert target.ca_bundle == reference_target.ca_bundle
    assert target.client_certificate == cert  # given, so set
    assert target.oauth2 is None  # the secret is never known: left commented
    # the licences as the reference agency's own inputs declare them, found by sampling
    ours = reference_inputs()
    license_ = {k: ours["resources"]["license"][k] for k in RESOURCE_KEYS}
    assert target.inputs["resources"] == {"license": license_}
    assert target.inputs["rdf"] == ours["rdf"]  # the catalogue's describedby is DCAT
    assert target.inputs["signatures"] == {
        "relation": "jwks-uri",
        "responses": [{"path": "/v1/licenses"}, {"resource": "license"}],
    }
    said = comments(text)
    document = f"{reference_target.base_url}/v1/openapi.json"
    assert f"# from {document} components.securitySchemes.oauth2.flows.clientCredentials" in said
    assert f"# license: from {document} paths./licenses.get and paths./licenses/{{code}}" in said
    assert f"#   token_url: {reference_target.oauth2.token_url}" in text
    assert "#   client_secret: {env: MARKET_REGULATION_CLIENT_SECRET}" in text
    assert reference_target.oauth2.client_secret.reveal() not in text
    declared_everywhere(text, target)
    assert "still to fill in" in proc.stdout
    assert "credentials.oauth2" in proc.stdout

    run = conformance(
        *("run", "--target", "agency.yaml", "--profile", "departmental", "--out", "reports"),
        "-q",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    outcomes = {r["requirement"]: r["outcome"] for r in results(tmp_path / "reports")}
    assert len(outcomes) == 14
    # nothing undecided, and nothing skipped: init inferred every input the departmental checks
    # read (the agency is conformant, so every requirement passes)
    assert set(outcomes.values()) == {"pass"}, outcomes


def test_untrusted_tls_is_one_line_naming_the_ca_bundle_and_nothing_is_written(
    reference_target: Target, tmp_path: Path
) -> None:
    proc = conformance(
        "init", reference_target.base_url, "--write-target", "agency.yaml", cwd=tmp_path
    )
    line = one_line_error(proc)
    assert "TLS failure" in line
    assert "--ca-bundle" in line
    assert list(tmp_path.iterdir()) == []


# -- an agency that is not the reference agency: a published document, no catalogue ------------
@pytest.fixture
def api_register() -> Iterator[StandIn]:
    """developer.overheid.nl's API register document, published unchanged at /openapi.json (a
    usual place), and no api-catalog: every other path is a 404 problem."""
    with serving(StandIn()) as standin:
        standin.publish("/openapi.json", API_REGISTER, "application/json")
        yield standin


def test_without_a_catalogue_init_finds_the_openapi_in_a_usual_place(
    api_register: StandIn, tmp_path: Path
) -> None:
    base = api_register.base_url
    (tmp_path / "register.yaml").write_text("name: older\n", "utf-8")
    proc = conformance("init", base, "--write-target", "register.yaml", "--force", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    path = tmp_path / "register.yaml"
    text = path.read_text("utf-8")
    target = load_target_file(path)
    assert target.openapi == (f"{base}/openapi.json",)
    assert "\n# catalog: /.well-known/api-catalog\n" in text  # commented: there is none
    assert target.catalog_path == "/.well-known/api-catalog"
    said = comments(text)
    assert "# from a usual place: GET /openapi.json answered one" in said
    assert "not found at " + base + "/.well-known/api-catalog: the api-catalog answered 404" in said
    # the document's schemes (API_REGISTER lines 1666-1687: apiKey X-Api-Key, and OAuth2 client
    # credentials at auth.developer.overheid.nl), commented: no secret is known
    assert target.api_key is None
    assert target.oauth2 is None
    assert "name: X-Api-Key" in text
    assert "#     tokenUrl" not in text
    token = "https://auth.developer.overheid.nl/realms/don/protocol/openid-connect/token"
    assert f"#   token_url: {token}" in text
    # its servers are the real register's host: named, never allowed by init
    assert target.extra_hosts == ()
    assert "# allowed_hosts: [api.developer.overheid.nl]" in text
    assert "not sampled: api " in said
    assert "not on the target's hosts" in said
    assert "resources" not in target.inputs
    declared_everywhere(text, target)
    # read only, and only the stand-in's base URL, catalogue and document
    asked = {(entry.method, entry.path) for entry in api_register.log}
    assert asked == {("GET", "/"), ("GET", "/.well-known/api-catalog"), ("GET", "/openapi.json")}

    run = conformance(
        *("run", "--target", "register.yaml", "--profile", "departmental", "--out", "reports"),
        "-q",
        cwd=tmp_path,
    )
    found = {r["requirement"]: r for r in results(tmp_path / "reports")}
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    assert found["DEP-CAT-01"]["outcome"] == "fail"  # no catalogue: the MUST is not met
    assert found["DEP-OAS-01"]["outcome"] == "pass"  # read from the file's `openapi:`
    assert not [r for r in found.values() if "internal error" in r["message"]]


def test_a_local_openapi_file_given_is_written_relative_to_the_target_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "specs").mkdir()
    local = tmp_path / "specs" / "register.json"
    local.write_bytes(API_REGISTER.read_bytes())
    with serving(StandIn()) as standin:  # publishes nothing: a 404 problem for every path
        proc = conformance(
            *("init", standin.base_url, "--write-target", "t.yaml"),
            *("--openapi", "specs/register.json"),
            cwd=tmp_path,
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (tmp_path / "t.yaml").read_text("utf-8")
    assert "# given to `conformance init` (--openapi)\nopenapi: specs/register.json\n" in text
    target = load_target_file(tmp_path / "t.yaml")
    assert target.openapi == (str(local),)
    assert target.api_key is None  # its X-Api-Key scheme is read from the file, left commented
    assert "name: X-Api-Key" in text
    # the usual places are not tried when the document is given
    assert {entry.path for entry in standin.log} == {"/", "/.well-known/api-catalog"}


def test_pygeoapi_its_landing_page_links_the_openapi_and_its_features_are_sampled(
    pygeoapi_http: Pygeoapi, tmp_path: Path
) -> None:
    base = f"{pygeoapi_http.base_url}/v1"
    before = len(pygeoapi_http.requests())
    proc = conformance("init", base, "--write-target", "geo.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    target = load_target_file(tmp_path / "geo.yaml")
    said = comments((tmp_path / "geo.yaml").read_text("utf-8"))
    # the OGC API landing page links its OpenAPI document as service-desc
    assert "# from the base URL's links: GET /openapi answered one" in said
    assert target.openapi == (f"{base}/openapi",)
    # GET /collections/taps/items is a GeoJSON FeatureCollection (`features`); each feature's
    # `id` is its path variable featureId (tests/bench/pygeoapi_data/taps.geojson)
    assert target.inputs["resources"] == {
        "tap": {
            "collection": "/collections/taps/items",
            "items": "/features",
            "item": "/collections/taps/items/{featureId}",
            "key": "/id",
        }
    }
    # /jobs lists no job on a fresh pygeoapi: not a resource (its `links` are not items)
    assert "GET /jobs listed no items" in said
    methods = {r["method"] for r in pygeoapi_http.requests()[before:]}
    assert methods == {"GET"}


@pytest.fixture(scope="module")
def pygeoapi_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pygeoapi]:
    """pygeoapi (from PyPI, the bench's configuration) over plain HTTP on loopback."""
    yield from serve(tmp_path_factory.mktemp("pygeoapi"), tls=False)


# -- what init refuses -------------------------------------------------------------------------
def test_where_nothing_is_published_init_says_where_else_to_look(tmp_path: Path) -> None:
    from agencies import agency

    with agency(lambda _path, _headers: (404, {"Content-Type": "text/plain"}, b"")) as (url, _):
        proc = conformance("init", url, "--write-target", "bare.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "nothing beyond the base URL" in proc.stdout
    assert "if the API is under a path (such as /v1), give that URL" in proc.stdout
    assert load_target_file(tmp_path / "bare.yaml").openapi == ()


def test_a_hostile_catalogue_is_said_and_the_file_still_written(tmp_path: Path) -> None:
    from agencies import agency

    def deep(path: str, _headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if path == "/.well-known/api-catalog":  # nested far past the parser's limit of 100
            return 200, {"Content-Type": "application/linkset+json"}, b"[" * 5000 + b"]" * 5000
        return 404, {"Content-Type": "text/plain"}, b""

    with agency(deep) as (url, _):
        proc = conformance("init", url, "--write-target", "deep.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "nests deeper than 100 levels" in (tmp_path / "deep.yaml").read_text("utf-8")


def test_an_existing_file_is_refused_before_any_request_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("mine\n", "utf-8")
    url = f"http://127.0.0.1:{free_port()}"  # unreachable: the refusal comes first
    line = one_line_error(conformance("init", url, "--write-target", "t.yaml", cwd=tmp_path))
    assert "t.yaml exists" in line
    assert "--force" in line
    assert (tmp_path / "t.yaml").read_text("utf-8") == "mine\n"


def test_an_unreachable_url_is_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    url = f"https://127.0.0.1:{free_port()}"
    line = one_line_error(conformance("init", url, "--write-target", "t.yaml", cwd=tmp_path))
    assert "is unreachable" in line
    assert url in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--client-cert", "c.pem"), "--client-cert and --client-key go together"),
        (("--openapi", "missing.json"), "neither an http(s) URL nor an existing file"),
    ],
)
def test_incomplete_options_are_refused(tmp_path: Path, args: tuple[str, ...], words: str) -> None:
    (tmp_path / "c.pem").write_text("not used\n", "utf-8")
    url = f"http://127.0.0.1:{free_port()}"
    proc = conformance("init", url, "--write-target", "t.yaml", *args, cwd=tmp_path)
    assert words in one_line_error(proc)
    assert not (tmp_path / "t.yaml").exists()
