"""The commented target file `conformance init` writes from a `Survey`.

Every value it infers is written with a comment saying where it came from; everything else is
left commented, with what it is for, so the file runs as it is and says what is left to fill
in. Inputs are listed from their declarations (`declared_inputs`), so a new input shows up in
every file written after it is declared. Secrets are never written, only the environment
variable a credential would be read from, and credentials stay commented until given.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from conformance.client.survey import Survey
from conformance.core.inputs import Input, declared_inputs
from conformance.inputs.target import DEFAULT_CATALOG_PATH, ClientCertificate, SafetyPolicy

#: how deep an example built from an input's JSON Schema goes
EXAMPLE_DEPTH = 6
#: environment variable names start with at most this many characters of the target's name
ENV_PREFIX_CHARS = 24
#: comment lines are wrapped at this width
WIDTH = 98


@dataclass
class Draft:
    """The text of a target file, what it sets and what is left for the user."""

    text: str = ""
    found: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass
class _Lines:
    lines: list[str] = field(default_factory=list)

    def comment(self, text: str, indent: int = 0) -> None:
        """Comment lines, each wrapped at WIDTH (a long URL is never broken)."""
        for line in text.splitlines():
            lead = " " * (len(line) - len(line.lstrip()))
            wrapped = textwrap.wrap(
                line,
                WIDTH - indent - 2,
                subsequent_indent=lead + "  ",
                break_long_words=False,
                break_on_hyphens=False,
            )
            self.lines.extend(f"{' ' * indent}# {part}" for part in wrapped or [""])

    def value(self, key: str, value: Any, indent: int = 0, *, active: bool = True) -> None:
        """`key: value` as YAML at `indent`; commented (`# key: value`) when not active."""
        # leaf collections in flow style (`key: {a: 1}`) when that fits on a line, never the
        # mapping holding the key
        dumped = ""
        for flow in (None, False) if isinstance(value, dict | list) else (False,):
            dumped = yaml.safe_dump(
                {key: value},
                allow_unicode=True,
                sort_keys=False,
                default_flow_style=flow,
                width=WIDTH if flow is False else 10 * WIDTH,
            )
            if all(len(line) + indent <= WIDTH for line in dumped.splitlines()):
                break
        prefix = " " * indent + ("" if active else "# ")
        self.lines.extend(prefix + line for line in dumped.splitlines())

    def blank(self) -> None:
        self.lines.append("")


def env_prefix(name: str) -> str:
    """The start of the environment variables a target's credentials are read from."""
    words = [w for w in re.split(r"[^A-Z0-9]+", name.upper()) if w]
    prefix = words[0] if words else ""
    for word in words[1:]:
        if len(prefix) + len(word) >= ENV_PREFIX_CHARS:
            break
        prefix += "_" + word
    return prefix if prefix and not prefix[0].isdigit() else "AGENCY"


def target_name(found: Survey) -> tuple[str, str]:
    """A name for the target (the OpenAPI title as a slug, else the host) and where it is from."""
    for document in found.documents:
        info = document.data.get("info")
        title = info.get("title") if isinstance(info, dict) else None
        slug = re.sub(r"[^a-z0-9]+", "-", str(title or "").lower()).strip("-")[:60].strip("-")
        if slug:
            return slug, f"from {document.url} info.title"
    return found.target.name, "the base URL's host"


def _file(path: Path, destination: Path) -> str:
    """A path as the target file names it: relative to its folder when below it."""
    try:
        return path.resolve().relative_to(destination.resolve().parent).as_posix()
    except ValueError:
        return str(path.resolve())


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def example(schema: Any, depth: int = 0) -> Any:
    """A value of the shape `schema` asks for, with placeholders: what a commented input shows."""
    if not isinstance(schema, dict) or depth > EXAMPLE_DEPTH:
        return "..."
    for key in ("examples", "enum"):
        if isinstance(schema.get(key), list) and schema[key]:
            return schema[key][0]
    for key in ("default", "const"):
        if key in schema:
            return schema[key]
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    kind = schema.get("type")
    if isinstance(alternatives, list) and alternatives and not kind and "properties" not in schema:
        return example(alternatives[0], depth + 1)
    if kind == "object" or "properties" in schema or "additionalProperties" in schema:
        properties = _mapping(schema.get("properties"))
        required = list(schema.get("required") or [])
        if isinstance(alternatives, list) and alternatives:
            first = _mapping(alternatives[0])
            required += [r for r in first.get("required") or [] if r not in required]
        names = required or list(properties)
        if names:
            return {n: example(properties.get(n, {}), depth + 1) for n in names}
        extra = schema.get("additionalProperties")
        return {"name": example(extra, depth + 1)} if isinstance(extra, dict) else {}
    if kind == "array":
        count = schema.get("minItems")
        repeat = count if isinstance(count, int) and count > 1 else 1
        return [example(schema.get("items", {}), depth + 1)] * repeat
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return "..."


def _header(out: _Lines, found: Survey, destination: Path) -> None:
    today = dt.date.today().isoformat()
    out.comment(
        f"Target file for {found.target.base_url}, written by `conformance init` on {today}.\n"
        "Each value set below was read from what the agency publishes: the comment above it\n"
        "says where. What could not be read is left commented, with what it is for: uncomment\n"
        "it and fill it in. Files are relative to this file. Run it as it is:\n"
        f"  conformance run --target {destination.name} --profile departmental"
    )
    if found.produced or found.consumed:
        out.comment(f"The operations produce: {', '.join(found.produced) or 'nothing documented'}")
        out.comment(f"and consume: {', '.join(found.consumed) or 'nothing documented'}")
    if found.writes:
        out.comment(f"Operations that write (inputs name them): {', '.join(found.writes)}")
    out.blank()


def _where(out: _Lines, draft: Draft, found: Survey, destination: Path) -> None:
    name, source = target_name(found)
    out.comment(source)
    out.value("name", name)
    out.comment("given to `conformance init`")
    out.value("base_url", found.target.base_url)
    catalog = found.target.catalog_url
    if found.apis:
        draft.found.append(f"api-catalog at {catalog} ({len(found.apis)} API(s))")
        out.comment(f"the api-catalog (RFC 9727) is at {catalog}, where the suite reads it")
    else:
        draft.missing.append("catalog (no api-catalog found)")
        out.comment(
            f"catalog: where the api-catalog (RFC 9727) is; not found at {catalog}: "
            f"{found.catalog_problem}"
        )
    out.value("catalog", DEFAULT_CATALOG_PATH, active=False)
    urls = [d.url for d in found.documents]
    if found.target.openapi:
        unread = "" if found.documents else f"; it could not be read: {found.openapi_problem}"
        out.comment(f"given to `conformance init` (--openapi){unread}")
        given = [
            u if u.startswith(("http://", "https://")) else _file(Path(u), destination)
            for u in found.target.openapi
        ]
        out.value("openapi", given[0] if len(given) == 1 else given)
    elif found.openapi_origin == "catalog":
        out.comment(
            "openapi: the OpenAPI document(s), when there is no api-catalog; the suite reads the "
            "api-catalog's service-desc links:\n  " + "\n  ".join(urls)
        )
        out.value("openapi", urls[0] if len(urls) == 1 else urls, active=False)
    elif found.documents:
        out.comment(found.openapi_origin)
        out.value("openapi", urls[0] if len(urls) == 1 else urls)
    else:
        draft.missing.append("openapi (no OpenAPI document found)")
        out.comment(f"openapi: the OpenAPI document(s), URL or file; {found.openapi_problem}")
        out.value("openapi", f"{found.target.base_url}/openapi.json", active=False)
    for document in found.documents:
        operations = sum(1 for _ in document.operations())
        draft.found.append(f"OpenAPI {document.version} at {document.url} ({operations} ops)")
    host = urlsplit(found.target.base_url).hostname or ""
    out.comment(f"http_url: the plain-HTTP listener, when it is not http://{host} (port 80)")
    out.value("http_url", f"http://{host}:8080", active=False)
    mtls = found.security.mutual_tls
    out.comment(
        "mtls_url: where mutual TLS is required"
        + (f" (declared: from {mtls})" if mtls else " (the OpenAPI declares none)")
    )
    if mtls:
        draft.missing.append("mtls_url (the OpenAPI declares mutual TLS)")
    out.value("mtls_url", found.target.base_url, active=False)
    hosts = found.foreign_hosts
    out.comment(
        f"allowed_hosts: the OpenAPI servers name {', '.join(hosts)}; add them only if they are "
        "this agency's (the suite talks to no other host)"
        if hosts
        else "allowed_hosts: further hosts of this agency the suite may talk to"
    )
    out.value("allowed_hosts", hosts, active=False)
    out.blank()


def _trust(out: _Lines, found: Survey, destination: Path) -> None:
    out.lines.append("trust:")
    bundle = found.target.ca_bundle
    if bundle is not None:
        out.comment("given to `conformance init` (--ca-bundle)", 2)
        out.value("ca_bundle", _file(bundle, destination), 2)
    else:
        out.comment("ca_bundle: trust anchors (default: the system store)", 2)
        out.value("ca_bundle", "./agency-ca.pem", 2, active=False)
    out.blank()


def _credentials(
    out: _Lines, draft: Draft, found: Survey, cert: ClientCertificate | None, destination: Path
) -> None:
    env = env_prefix(target_name(found)[0])
    security = found.security
    out.comment("never the values: each secret is read from {env: VARIABLE} or {file: PATH}")
    out.lines.append("credentials:")
    if security.oauth2 is not None:
        oauth2 = security.oauth2
        draft.found.append(f"OAuth2 client credentials, token URL {oauth2.token_url}")
        draft.missing.append(f"credentials.oauth2: client_id, and {env}_CLIENT_SECRET set")
        out.comment(f"from {oauth2.source}: give client_id, set {env}_CLIENT_SECRET", 2)
        value = {
            "token_url": oauth2.token_url,
            "client_id": "...",
            "client_secret": {"env": f"{env}_CLIENT_SECRET"},
            "scope": " ".join(oauth2.scopes),
        }
        out.value("oauth2", value, 2, active=False)
    if security.bearer is not None:
        draft.found.append("HTTP bearer authentication")
        draft.missing.append(f"credentials.bearer_token: {env}_TOKEN set")
        out.comment(f"from {security.bearer}", 2)
        out.value("bearer_token", {"env": f"{env}_TOKEN"}, 2, active=False)
    if security.api_key is not None:
        key = security.api_key
        draft.found.append(f"API key in {key.location} {key.name}")
        draft.missing.append(f"credentials.api_key: {env}_API_KEY set")
        out.comment(f"from {key.source}", 2)
        value = {"value": {"env": f"{env}_API_KEY"}, "in": key.location, "name": key.name}
        out.value("api_key", value, 2, active=False)
    for note in security.notes:
        out.comment(note, 2)
    if not (security.oauth2 or security.bearer or security.api_key):
        out.comment("the OpenAPI declares no scheme the suite can use; one of:", 2)
        out.value("bearer_token", {"env": f"{env}_TOKEN"}, 2, active=False)
        out.value("api_key", {"env": f"{env}_API_KEY"}, 2, active=False)
    if cert is not None:
        draft.found.append("client certificate (given)")
        out.comment("given to `conformance init` (--client-cert, --client-key): mutual TLS", 2)
        paths = {"cert": _file(cert.cert, destination), "key": _file(cert.key, destination)}
        out.value("client_certificate", paths, 2)
    else:
        out.comment("client_certificate: a certificate and its key, for mutual TLS", 2)
        paths = {"cert": "./client.pem", "key": "./client.key"}
        out.value("client_certificate", paths, 2, active=False)
    out.blank()


def _safety(out: _Lines) -> None:
    defaults = SafetyPolicy()
    out.comment("limits that keep a run safe; commented, the defaults apply")
    out.lines.append("safety:")
    out.comment(
        "allow: add `write` for a test system (workflows create data), `load` for bursts", 2
    )
    out.value("allow", [], 2, active=False)
    for key, what in (
        ("max_rps", "the request-rate cap"),
        ("timeout_s", "per request, wall clock"),
        ("max_response_bytes", "an answer larger is cut off"),
    ):
        out.comment(f"{key}: {what}", 2)
        out.value(key, getattr(defaults, key), 2, active=False)
    out.blank()


def _inferred(found: Survey) -> dict[str, tuple[Any, list[str]]]:
    """The inputs the survey could give a value, with the comment lines saying where from."""
    inferred: dict[str, tuple[Any, list[str]]] = {}
    if found.resources:
        comments = [f"{r.name}: from {r.source}" for r in found.resources]
        comments.append("(NET-HDR-01 takes each collection to carry personal data: no-store)")
        inferred["resources"] = ({r.name: r.spec for r in found.resources}, comments)
    if found.rdf:
        inferred["rdf"] = ([entry for entry, _ in found.rdf], [where for _, where in found.rdf])
    if found.signed:
        value: dict[str, Any] = {"responses": [entry for entry, _ in found.signed]}
        comments = [where for _, where in found.signed]
        if found.relation("jwks-uri"):
            value = {"relation": "jwks-uri", **value}
            comments.append(f"the keys: the api-catalog's jwks-uri {found.relation('jwks-uri')[0]}")
        inferred["signatures"] = (value, comments)
    return inferred


def _commented(declared: Input, found: Survey) -> tuple[Any, list[str]]:
    """The example a commented input shows, and notes on it."""
    if declared.name == "resources" and found.unsampled:
        first = found.unsampled[0][0]
        spec = {
            "collection": found.relative(first.collection),
            "items": first.items if first.items is not None else "/items",
            "item": found.relative(first.item),
            "key": f"/{first.variable}",
        }
        return {first.name: spec}, [f"an example from {first.source}"]
    return example(declared.schema), []


def _inputs(out: _Lines, draft: Draft, found: Survey) -> None:
    inferred = _inferred(found)
    out.comment("what the agency's own documents do not say (profiles/README.md lists them)")
    out.lines.append("inputs:")
    for name, declared in declared_inputs().items():
        out.comment(f"{name}: {declared.description or 'see ' + declared.module}", 2)
        if name in inferred:
            value, comments = inferred[name]
            draft.found.append(f"inputs.{name}: {', '.join(map(str, _names(value)))}")
            for comment in comments:
                out.comment(comment, 2)
            out.value(name, value, 2)
        else:
            value, comments = _commented(declared, found)
            draft.missing.append(f"inputs.{name}")
            for comment in comments:
                out.comment(comment, 2)
            out.value(name, value, 2, active=False)
        if name == "resources":
            for candidate, why in found.unsampled:
                out.comment(f"not sampled: {candidate.name} ({candidate.source}): {why}", 2)


def _names(value: Any) -> list[Any]:
    """What the summary names of an inferred input: resource names, signed responses, ..."""
    if isinstance(value, dict) and "responses" in value:
        value = value["responses"]
    if isinstance(value, list):
        return [next(iter(e.values())) if isinstance(e, dict) and e else e for e in value]
    return list(value) if isinstance(value, dict) else [value]


def draft_target(
    found: Survey, destination: Path, client_certificate: ClientCertificate | None = None
) -> Draft:
    """The commented target file for what `found` says, to be written at `destination`."""
    draft, out = Draft(), _Lines()
    _header(out, found, destination)
    if found.produced or found.consumed:
        draft.found.append(
            f"media types: {len(found.produced)} produced, {len(found.consumed)} consumed "
            "(listed at the top of the file)"
        )
    _where(out, draft, found, destination)
    _trust(out, found, destination)
    _credentials(out, draft, found, client_certificate, destination)
    _safety(out)
    _inputs(out, draft, found)
    draft.text = "\n".join(out.lines) + "\n"
    return draft
