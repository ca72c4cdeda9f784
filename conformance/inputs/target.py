"""Targets: what the suite needs to reach an agency (URLs, trust anchors, credentials, limits)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.core.errors import TargetError, did_you_mean
from conformance.core.inputs import InputProblem, check_inputs
from conformance.core.model import SafetyClass, TargetSummary
from conformance.inputs.secrets import SecretRef
from conformance.inputs.yamlsource import YamlDocument, load_yaml

DEFAULT_CATALOG_PATH = "/.well-known/api-catalog"


@dataclass(frozen=True, slots=True)
class OAuth2Client:
    """OAuth2 client-credentials grant (RFC 6749 §4.4)."""

    token_url: str
    client_id: str
    client_secret: SecretRef
    scope: str = ""


#: where an API key may travel (OpenAPI 3.1 §4.8.27 Security Scheme Object, apiKey `in`)
API_KEY_LOCATIONS = ("header", "query", "cookie")


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key, and where it goes; `location` and `name` unset mean: as the OpenAPI document's
    apiKey security scheme says."""

    secret: SecretRef
    location: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    """A client certificate and its key, for mutual TLS."""

    cert: Path
    key: Path


#: how the TLS requirements probe an endpoint (SafetyPolicy.tls_scan; `conformance run --tls-scan`)
TLS_SCANS = ("minimal", "full")


@dataclass(frozen=True, slots=True)
class SafetyPolicy:
    """Limits that keep a run safe against a production system."""

    allow: frozenset[SafetyClass] = frozenset({SafetyClass.READ})
    max_rps: float = 10.0
    timeout_s: float = 10.0
    max_response_bytes: int = 5_000_000
    max_redirects: int = 5
    #: how the TLS requirements probe an endpoint: "minimal" (a handshake per accepted cipher
    #: suite, network/tls_handshakes.py) or "full" (sslyze's plugins: every suite of every
    #: protocol, some 540 handshakes)
    tls_scan: str = "minimal"


@dataclass(frozen=True, slots=True)
class Target:
    """One agency under test."""

    name: str
    base_url: str
    catalog_path: str = DEFAULT_CATALOG_PATH
    #: OpenAPI documents named directly (URLs, or absolute paths of local files): when given,
    #: the suite reads these instead of the api-catalog's service-desc links
    openapi: tuple[str, ...] = ()
    http_url: str | None = None
    mtls_url: str | None = None
    extra_hosts: tuple[str, ...] = ()
    ca_bundle: Path | None = None
    oauth2: OAuth2Client | None = None
    bearer_token: SecretRef | None = None
    api_key: ApiKey | None = None
    client_certificate: ClientCertificate | None = None
    safety: SafetyPolicy = field(default_factory=SafetyPolicy)
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def hosts(self) -> frozenset[str]:
        """Hosts the suite may talk to for this target (redirects and links stay within them)."""
        urls = [self.base_url, self.http_url, self.mtls_url]
        if self.oauth2:
            urls.append(self.oauth2.token_url)
        found = {urlsplit(u).hostname or "" for u in urls if u}
        return frozenset(found | set(self.extra_hosts)) - {""}

    @property
    def catalog_url(self) -> str:
        """Where the api-catalog is: `catalog:` as a URL, or a path; a well-known path is at the
        root of the origin (RFC 8615 §3), whatever path the base URL has."""
        path = self.catalog_path
        if path.startswith(("http://", "https://")):
            return path
        if path.startswith("/.well-known/"):
            parts = urlsplit(self.base_url)
            return f"{parts.scheme}://{parts.netloc}{path}"
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def summary(self) -> TargetSummary:
        """How reports name the target (no credentials)."""
        return TargetSummary(self.name, self.base_url)

    def with_safety(self, **changes: Any) -> Target:
        """A copy with some safety limits changed."""
        return replace(self, safety=replace(self.safety, **changes))


_TOP_KEYS = {
    "name",
    "base_url",
    "catalog",
    "openapi",
    "http_url",
    "mtls_url",
    "allowed_hosts",
    "trust",
    "credentials",
    "safety",
    "inputs",
}
_SAFETY_KEYS = {"allow", "max_rps", "timeout_s", "max_response_bytes", "max_redirects"}


def _fail(doc: YamlDocument, path: tuple[str | int, ...], problem: str) -> TargetError:
    line = doc.line(*path)
    where = f"{doc.file}:{line}" if line else doc.file
    return TargetError(f"{where}: {'.'.join(map(str, path)) or 'target'}: {problem}")


def _url(doc: YamlDocument, value: Any, path: tuple[str, ...]) -> str:
    if not isinstance(value, str) or urlsplit(value).scheme not in {"http", "https"}:
        raise _fail(doc, path, f"expected an http(s) URL, got {value!r}")
    if not urlsplit(value).hostname:
        raise _fail(doc, path, f"URL {value!r} has no host")
    return value.rstrip("/")


def _file(doc: YamlDocument, value: Any, path: tuple[str, ...]) -> Path:
    if not isinstance(value, str):
        raise _fail(doc, path, f"expected a file path, got {value!r}")
    resolved = (Path(doc.file).parent / value).resolve()
    if not resolved.is_file():
        raise _fail(doc, path, f"file not found: {resolved}")
    return resolved


def _openapi(doc: YamlDocument, raw: Any) -> tuple[str, ...]:
    """`openapi:` — one URL or file, or a list of them; files anchored to the target file."""
    if raw is None:
        return ()
    entries = raw if isinstance(raw, list) else [raw]
    if not entries:
        raise _fail(doc, ("openapi",), "expected a URL or file of an OpenAPI document, or a list")
    found = []
    for i, entry in enumerate(entries):
        path = ("openapi", str(i)) if isinstance(raw, list) else ("openapi",)
        if isinstance(entry, str) and urlsplit(entry).scheme in {"http", "https"}:
            found.append(_url(doc, entry, path))
        else:
            found.append(str(_file(doc, entry, path)))
    return tuple(found)


def _secret(doc: YamlDocument, value: Any, path: tuple[str, ...]) -> SecretRef:
    """A credential by reference, resolved now: an unset variable or an unreadable file is the
    target file's mistake, found at load (with file and line), never a minute into the run."""
    if isinstance(value, dict) and set(value) == {"env"} and isinstance(value["env"], str):
        if value["env"] not in os.environ:
            raise _fail(doc, (*path, "env"), f"the environment variable {value['env']} is not set")
        return SecretRef(env=value["env"])
    if isinstance(value, dict) and set(value) == {"file"}:
        secret = SecretRef(file=_file(doc, value["file"], (*path, "file")))
        try:
            secret.reveal()
        except TargetError as exc:
            raise _fail(doc, (*path, "file"), str(exc)) from None
        return secret
    raise _fail(
        doc, path, "a credential must be {env: VARIABLE} or {file: PATH}, never the value itself"
    )


def _api_key(doc: YamlDocument, value: Any, path: tuple[str, ...]) -> ApiKey:
    """`api_key: {env: X}` (placed as the OpenAPI apiKey scheme says) or
    `api_key: {value: {env: X}, in: header|query|cookie, name: NAME}`."""
    if not isinstance(value, dict) or "value" not in value:
        return ApiKey(_secret(doc, value, path))
    for key in value:
        if key not in {"value", "in", "name"}:
            raise _fail(
                doc,
                (*path, str(key)),
                f"unknown key{did_you_mean(str(key), ('value', 'in', 'name'))}",
            )
    location, name = value.get("in"), value.get("name")
    if location not in API_KEY_LOCATIONS:
        raise _fail(doc, (*path, "in"), f"expected one of {', '.join(API_KEY_LOCATIONS)}")
    if not isinstance(name, str) or not name.strip():
        raise _fail(doc, (*path, "name"), "expected the header, query parameter or cookie name")
    return ApiKey(_secret(doc, value["value"], (*path, "value")), location, name.strip())


def _safety(doc: YamlDocument, raw: Any) -> SafetyPolicy:
    if raw is None:
        return SafetyPolicy()
    if not isinstance(raw, dict):
        raise _fail(doc, ("safety",), "expected a mapping")
    for key in raw:
        if key not in _SAFETY_KEYS:
            hint = did_you_mean(str(key), _SAFETY_KEYS)
            raise _fail(doc, ("safety", key), f"unknown key{hint}")
    allow = raw.get("allow", [])
    try:
        classes = frozenset({SafetyClass.READ, *(SafetyClass(c) for c in allow)})
    except (ValueError, TypeError):
        raise _fail(doc, ("safety", "allow"), "expected a list of: write, load") from None
    numbers: dict[str, Any] = {}
    for key in _SAFETY_KEYS - {"allow"}:
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise _fail(doc, ("safety", key), f"expected a positive number, got {value!r}")
            numbers[key] = value
    return SafetyPolicy(allow=classes, **numbers)


def _credentials(doc: YamlDocument, raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(doc, ("credentials",), "expected a mapping")
    found: dict[str, Any] = {}
    for key, value in raw.items():
        path = ("credentials", key)
        if key == "oauth2":
            if not isinstance(value, dict) or not {
                "token_url",
                "client_id",
                "client_secret",
            } <= set(value):
                raise _fail(doc, path, "needs token_url, client_id and client_secret")
            found["oauth2"] = OAuth2Client(
                token_url=_url(doc, value["token_url"], (*path, "token_url")),
                client_id=str(value["client_id"]),
                client_secret=_secret(doc, value["client_secret"], (*path, "client_secret")),
                scope=str(value.get("scope", "")),
            )
        elif key == "bearer_token":
            found["bearer_token"] = _secret(doc, value, path)
        elif key == "api_key":
            found["api_key"] = _api_key(doc, value, path)
        elif key == "client_certificate":
            if not isinstance(value, dict) or set(value) != {"cert", "key"}:
                raise _fail(doc, path, "needs cert and key (file paths)")
            found["client_certificate"] = ClientCertificate(
                _file(doc, value["cert"], (*path, "cert")), _file(doc, value["key"], (*path, "key"))
            )
        else:
            known = ("oauth2", "bearer_token", "api_key", "client_certificate")
            raise _fail(doc, path, f"unknown credential{did_you_mean(str(key), known)}")
    return found


def _inputs(doc: YamlDocument, raw: Any) -> dict[str, Any]:
    """The target's own inputs (same names and shapes as a profile's), checked against the
    inputs the checks declare; each local file anchored to the target file's folder."""
    if raw is None:
        return {}
    try:
        return check_inputs(raw, Path(doc.file).parent)
    except InputProblem as exc:
        raise _fail(doc, ("inputs", *exc.path), exc.problem) from None


def load_target_file(path: Path) -> Target:
    """Read a target file; every mistake names the file, the line and the field."""
    doc = load_yaml(path, lambda f, line, fld, p: TargetError(f"{f}:{line or ''}: {fld}: {p}"))
    raw = doc.data
    if not isinstance(raw, dict):
        raise _fail(doc, (), "a target file is a mapping with at least base_url")
    for key in raw:
        if key not in _TOP_KEYS:
            raise _fail(doc, (str(key),), f"unknown key{did_you_mean(str(key), _TOP_KEYS)}")
    if "base_url" not in raw:
        raise _fail(doc, (), "base_url is required")
    base_url = _url(doc, raw["base_url"], ("base_url",))
    trust = raw.get("trust") or {}
    if not isinstance(trust, dict):
        raise _fail(doc, ("trust",), "expected a mapping with ca_bundle")
    for key in trust:
        if key != "ca_bundle":
            hint = did_you_mean(str(key), ["ca_bundle"])
            raise _fail(doc, ("trust", str(key)), f"unknown key{hint}")
    hosts = raw.get("allowed_hosts") or []
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise _fail(doc, ("allowed_hosts",), "expected a list of host names")
    return Target(
        name=str(raw.get("name") or urlsplit(base_url).netloc),
        base_url=base_url,
        catalog_path=str(raw.get("catalog", DEFAULT_CATALOG_PATH)),
        openapi=_openapi(doc, raw.get("openapi")),
        http_url=_url(doc, raw["http_url"], ("http_url",)) if raw.get("http_url") else None,
        mtls_url=_url(doc, raw["mtls_url"], ("mtls_url",)) if raw.get("mtls_url") else None,
        extra_hosts=tuple(hosts),
        ca_bundle=_file(doc, trust["ca_bundle"], ("trust", "ca_bundle"))
        if "ca_bundle" in trust
        else None,
        safety=_safety(doc, raw.get("safety")),
        inputs=_inputs(doc, raw.get("inputs")),
        **_credentials(doc, raw.get("credentials")),
    )


def resolve_target(spec: str) -> Target:
    """A target from a URL or from the path of a target file."""
    if spec.startswith(("http://", "https://")):
        parts = urlsplit(spec)
        if not parts.hostname:
            raise TargetError(f"target URL {spec!r} has no host")
        base = f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")
        return Target(name=parts.netloc, base_url=base)
    path = Path(spec)
    if not path.exists():
        raise TargetError(f"target {spec!r} is neither an http(s) URL nor an existing file")
    return load_target_file(path)
