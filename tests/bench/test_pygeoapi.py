"""The suite's profiles against pygeoapi 0.21 (an OGC API server from PyPI), run on loopback.

pygeoapi is what government open-data portals run to publish geodata (OGC API - Features). The
bench runs it unchanged (tests/bench/pygeoapi_serve.py adds an access log around its Flask app)
with the configuration in tests/bench/pygeoapi_data/config.yml and three drinking-water taps as
data; its OpenAPI document is the one `pygeoapi openapi generate` writes for that configuration. No
api-catalog: the target names the OpenAPI document with `openapi:`, as an agency without an RFC
9727 catalogue would.

Facts about pygeoapi's answers that the comments below rely on were checked by hand (curl, and
reading pygeoapi/openapi.py and pygeoapi/flask_app.py of the installed 0.21.0).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.core.model import Outcome
from conformance.inputs.target import Target

from .pygeoapi_server import Pygeoapi, free_port
from .support import (
    NOT_JUDGED,
    WRITE_METHODS,
    BenchRun,
    assert_sound,
    run_suite,
    verdicts,
    write_target,
)

# every test here starts pygeoapi (a few seconds: it imports rasterio, shapely, pyproj)
pytestmark = pytest.mark.slow

PASS, FAIL, WARN, SKIP, ERROR = (
    Outcome.PASS,
    Outcome.FAIL,
    Outcome.WARN,
    Outcome.SKIP,
    Outcome.ERROR,
)

# the target file an agency running this pygeoapi would write (no catalogue, so `openapi:`)
TARGET = """\
name: pygeoapi-taps
base_url: {url}
openapi: {url}/v1/openapi?f=json
{extra}safety:
  max_rps: 200      # loopback: the cap only has to keep sslyze's ~500 connections bounded
  timeout_s: 10
"""


def _target(server: Pygeoapi, directory: Path, extra: str = "") -> Target:
    return write_target(directory, "pygeoapi", TARGET.format(url=server.base_url, extra=extra))


def _no_writes(server: Pygeoapi, since: int) -> None:
    """pygeoapi's access log, from entry `since` on (one test's run), shows no write and no
    credentials: the run allowed no `write` and the target names no credentials."""
    sent = server.requests()[since:]
    assert sent, "pygeoapi logged no request at all"
    writes = [r for r in sent if r["method"] in WRITE_METHODS]
    assert not writes, f"the suite sent writes although write was not allowed: {writes}"
    assert not [r for r in sent if r["authorization"]], "credentials sent: the target has none"


@pytest.fixture(scope="module")
def departmental(pygeoapi_http: Pygeoapi, tmp_path_factory: pytest.TempPathFactory) -> BenchRun:
    """The departmental profile, whole, on plain-HTTP pygeoapi."""
    target = _target(pygeoapi_http, tmp_path_factory.mktemp("departmental"))
    before = len(pygeoapi_http.requests())
    run = run_suite(target, profile="departmental")
    assert_sound(run, [pygeoapi_http.port])
    _no_writes(pygeoapi_http, before)
    return run


def test_departmental_profile(departmental: BenchRun, pygeoapi_http: Pygeoapi) -> None:
    verdicts(
        departmental,
        {
            # pygeoapi has no RFC 9727 api-catalog: GET /.well-known/api-catalog gets Flask's
            # 404 page (the path is outside pygeoapi's /v1 routes). The MUST is not met.
            "DEP-CAT-01": FAIL,
            # the generated document's responses are $refs to the OGC's published schemas, e.g.
            # paths['/'].get.responses['200'] → https://schemas.opengis.net/ogcapi/features/
            # part1/1.0/openapi/ogcapi-features-1.yaml#/components/responses/LandingPage
            # (pygeoapi/openapi.py, OPENAPI_YAML). Not on the target's hosts, so the suite must
            # not fetch them and cannot validate: error (undecided), never pass or fail.
            "DEP-OAS-01": ERROR,
            # everything that depends on DEP-OAS-01 is skipped naming it (catalogue depends_on)
            "DEP-OAS-02": SKIP,
            "DEP-OAS-03": SKIP,
            "DEP-VER-01": SKIP,
            "DEP-VER-02": SKIP,
            "DEP-DEP-01": SKIP,
            # the catalogue-based requirements have nothing to read: skipped
            "DEP-SVC-01": SKIP,
            "DEP-SLA-01": SKIP,
            "DEP-SLA-02": SKIP,
            "DEP-AGR-01": SKIP,
            "DEP-HLT-01": SKIP,
            "DEP-DOC-01": SKIP,
            # an unknown path under the server URL (/v1/conformance-no-such-path-…) gets Flask's
            # default 404 page, text/html, not application/problem+json (RFC 9457)
            "DEP-ERR-01": FAIL,
        },
    )
    assert "schemas.opengis.net" in departmental.message("DEP-OAS-01")
    assert "depends on DEP-OAS-01" in departmental.message("DEP-OAS-02")
    assert "text/html" in departmental.message("DEP-ERR-01")


def test_openapi_rules_without_validation(pygeoapi_http: Pygeoapi, tmp_path: Path) -> None:
    """The rules that read the document, asked for one by one (`--requirement`), so that
    DEP-OAS-01's error does not skip them: they need no $ref resolved."""
    before = len(pygeoapi_http.requests())
    run = run_suite(
        _target(pygeoapi_http, tmp_path),
        ["DEP-OAS-02", "DEP-OAS-03", "DEP-VER-01", "DEP-VER-02", "DEP-DEP-01"],
    )
    assert_sound(run, [pygeoapi_http.port])
    verdicts(
        run,
        {
            # servers[0].url is http://127.0.0.1:PORT/v1 (server.url of the config + the /v1
            # prefix): not https
            "DEP-OAS-02": FAIL,
            # pygeoapi documents OPTIONS /collections/taps/items and OPTIONS
            # /collections/taps/items/{featureId} with a 200 answer only (openapi.py, the
            # 'options' operations): no 4xx. Every other operation has operationId, summary
            # and a 400 or 404. A SHOULD: warn.
            "DEP-OAS-03": WARN,
            # pygeoapi's own answers carry API-Version: 1.2.0 (api_rules.version_header), but
            # the unknown path /v1/conformance-no-such-path-… is answered by Flask, outside
            # pygeoapi's API class, without the header
            "DEP-VER-01": FAIL,
            # every path is /v1/… (url_prefix v{api_major}) and info.version is 1.2.0
            "DEP-VER-02": PASS,
            # no operation of the generated document is deprecated
            "DEP-DEP-01": NOT_JUDGED,
        },
    )
    assert "is not https" in run.message("DEP-OAS-02")
    assert "OPTIONS /collections/taps/items" in run.message("DEP-OAS-03")
    assert "(and 1 more)" in run.message("DEP-OAS-03")
    assert "unknown path" in run.message("DEP-VER-01")
    assert "no API-Version header" in run.message("DEP-VER-01")
    _no_writes(pygeoapi_http, before)


def test_data_profile(pygeoapi_http: Pygeoapi, tmp_path: Path) -> None:
    before = len(pygeoapi_http.requests())
    run = run_suite(_target(pygeoapi_http, tmp_path), profile="data")
    assert_sound(run, [pygeoapi_http.port])
    verdicts(
        run,
        {
            # every operation's responses (and /collections/taps/items' sortby parameter) refer
            # to schemas.opengis.net or raw.githubusercontent.com: not fetched, so no operation
            # can be judged; below min_coverage 1 that is an error, never a pass
            "DATA-SCH-01": ERROR,
            "DATA-SCH-02": ERROR,
            "DATA-NEG-01": ERROR,
            # the third tap's "inspected" is "2026-05-04 11:20" (tests/bench/pygeoapi_data/
            # taps.geojson): no seconds, no offset, a space for T: not RFC 3339 §5.6. pygeoapi
            # passes feature properties through unchanged (GET /v1/collections/taps/items).
            "DATA-FMT-01": FAIL,
            # writes not allowed; nothing declared in inputs
            "DATA-NEG-02": SKIP,
            "DATA-ENC-01": SKIP,
            "DATA-XML-01": NOT_JUDGED,
            "DATA-XML-02": NOT_JUDGED,
            "DATA-CNEG-01": NOT_JUDGED,
            "DATA-CL-01": NOT_JUDGED,
            "DATA-ID-01": NOT_JUDGED,
            "DATA-RDF-01": NOT_JUDGED,
        },
    )
    assert "2026-05-04 11:20" in run.message("DATA-FMT-01")
    _no_writes(pygeoapi_http, before)


def test_writes_only_where_allowed(pygeoapi_http: Pygeoapi, tmp_path: Path) -> None:
    """With `write` allowed, the checks that need it run; pygeoapi shows which writes came."""
    target = write_target(
        tmp_path,
        "pygeoapi-write",
        TARGET.format(url=pygeoapi_http.base_url, extra="").replace(
            "safety:\n", "safety:\n  allow: [write]\n"
        ),
    )
    before = len(pygeoapi_http.requests())
    run = run_suite(target, ["NET-METH-01", "DATA-NEG-02"], profile="full")
    assert_sound(run, [pygeoapi_http.port])
    verdicts(
        run,
        {
            # GET /v1/, /v1/openapi, /v1/conformance answer HEAD with GET's status, the trailing
            # slash is not redirected, and DELETE /v1/ gets Flask's 405 with Allow: OPTIONS,
            # GET, HEAD
            "NET-METH-01": PASS,
            # pygeoapi ignores an Accept it cannot serve: GET /v1/ with Accept:
            # application/x-conformance-unsupported answers 200 JSON. HTTP lets a server
            # disregard Accept (RFC 9110 §12.5.1), but the requirement asks for 406; no
            # operation has a request body, so only the Accept probes are sent
            "DATA-NEG-02": FAIL,
        },
    )
    assert "expected 406" in run.message("DATA-NEG-02")
    writes = [r for r in pygeoapi_http.requests()[before:] if r["method"] in WRITE_METHODS]
    # the only write is NET-METH-01's probe of a method /v1/ does not declare, refused
    assert [(w["method"], w["path"], w["status"]) for w in writes] == [("DELETE", "/v1/", 405)]


def test_network_profile_over_tls(pygeoapi_https: Pygeoapi, tmp_path: Path) -> None:
    """pygeoapi behind werkzeug's TLS (Python's ssl defaults), with a CA made for the run."""
    closed = free_port()  # nothing listens there: plain HTTP is refused
    extra = (
        f"http_url: http://127.0.0.1:{closed}\ntrust: {{ca_bundle: {pygeoapi_https.ca_bundle}}}\n"
    )
    target = _target(pygeoapi_https, tmp_path, extra)
    before = len(pygeoapi_https.requests())
    run = run_suite(target, profile="network")
    assert_sound(run, [pygeoapi_https.port, closed])
    verdicts(
        run,
        {
            # Python's ssl server context (werkzeug's ssl_context): TLS 1.2 minimum, TLS 1.3
            # on, only ECDHE/DHE suites for TLS 1.2 (sslyze's scan, in the evidence: 8 suites
            # accepted, 3 with TLS 1.3, 5 with TLS 1.2)
            "NET-TLS-01": PASS,
            "NET-TLS-02": PASS,
            "NET-TLS-03": PASS,
            # the chain validates to the run's CA (trust.ca_bundle) and names 127.0.0.1; the
            # trustme 1.2.1 leaf is valid until 3000-01-01, with a P-256 key signed with SHA-256
            "NET-CRT-01": PASS,
            "NET-CRT-02": PASS,
            "NET-CRT-03": PASS,
            # nothing serves plain HTTP (http_url is a closed port): refused, which passes
            "NET-HTTP-01": PASS,
            # pygeoapi sends no Strict-Transport-Security
            "NET-HSTS-01": FAIL,
            # no mtls_url, no protected operation, no OAuth2 client
            "NET-MTLS-01": NOT_JUDGED,
            "NET-AUTH-01": NOT_JUDGED,
            "NET-AUTH-02": NOT_JUDGED,
            "NET-AUTH-03": NOT_JUDGED,
            # pygeoapi sends no X-Content-Type-Options: nosniff (a SHOULD: warn)
            "NET-HDR-01": WARN,
            # HEAD and the trailing slash are fine (strict_slashes off); the 405 probe is a
            # write, so the check stops there: skip
            "NET-METH-01": SKIP,
            # server.cors is off: no Access-Control-Allow-Origin for the foreign origin
            "NET-CORS-01": PASS,
            # load not allowed
            "NET-RATE-01": SKIP,
            "NET-LOAD-01": SKIP,
        },
    )
    assert "HEAD" in run.message("NET-METH-01")
    _no_writes(pygeoapi_https, before)


def test_openapi_rules_over_tls(pygeoapi_https: Pygeoapi, tmp_path: Path) -> None:
    trust = f"trust: {{ca_bundle: {pygeoapi_https.ca_bundle}}}\n"
    before = len(pygeoapi_https.requests())
    run = run_suite(_target(pygeoapi_https, tmp_path, trust), ["DEP-OAS-02"])
    assert_sound(run, [pygeoapi_https.port])
    # over TLS, servers[0].url is https://127.0.0.1:PORT/v1; info has title, version 1.2.0 and
    # contact {name, url: https://example.org} (pygeoapi's gen_contact takes metadata.provider)
    verdicts(run, {"DEP-OAS-02": PASS})
    _no_writes(pygeoapi_https, before)


@pytest.mark.filterwarnings("error")  # as this project's pytest config, and any `-W error` run
def test_certificate_against_the_default_trust_store(
    pygeoapi_https: Pygeoapi, tmp_path: Path
) -> None:
    before = len(pygeoapi_https.requests())
    run = run_suite(_target(pygeoapi_https, tmp_path), ["NET-CRT-01"], profile="network")
    assert_sound(run, [pygeoapi_https.port])
    # the certificate comes from a CA made for the run, which is not in the Mozilla store the
    # suite uses when the target names no ca_bundle: the chain does not validate
    verdicts(run, {"NET-CRT-01": FAIL})
    # NET-CRT-01 only shakes hands (sslyze): pygeoapi's HTTP log has nothing new to show
    assert len(pygeoapi_https.requests()) == before
