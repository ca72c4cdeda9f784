"""The bundled reference agency as a target: start it, describe it, write its target file.

The only module of the engine that knows the reference agency (package `reference_agency`,
shipped from `fixtures/`); the CLI and the tests use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from conformance.core.inputs import check_inputs
from conformance.core.model import SafetyClass
from conformance.inputs.secrets import SecretRef
from conformance.inputs.target import ClientCertificate, OAuth2Client, SafetyPolicy, Target

REFERENCE_NAME = "reference-agency"
# The reference agency is a test system: writes are allowed, and it can take a brisk pace.
REFERENCE_SAFETY = SafetyPolicy(
    allow=frozenset({SafetyClass.READ, SafetyClass.WRITE, SafetyClass.LOAD}),
    max_rps=400.0,
    timeout_s=10.0,
)


def reference_inputs() -> dict[str, Any]:
    """What the reference agency offers to the data and business checks (its own inputs),
    through the rule every profile and target file follows (`check_inputs`): its workflows are
    files named relative to the agency's package folder, anchored as file:// URIs."""
    import reference_agency

    home = Path(reference_agency.__file__).parent
    workflows = [p.relative_to(home).as_posix() for p in (home / "workflows").glob("*.arazzo.yaml")]
    return check_inputs(_reference_inputs(sorted(workflows)), home)


def _reference_inputs(workflows: list[str]) -> dict[str, Any]:
    return {
        "resources": {
            "license": {
                "collection": "/v1/licenses",
                "items": "/items",
                "item": "/v1/licenses/{code}",
                "key": "/code",
                "xsd": "/v1/schemas/license.xsd",
                "schematron": "/v1/schemas/license.sch",
                "codelists": {"/division_code": "gb2260"},
                "identifiers": {"/code": "uscc", "/legal_representative/id_number": "citizen-id"},
                # issued_at is left out: its JSON type is DATA-SCH-01's, its offset DATA-FMT-01's.
                "field_map": {
                    "/code": "/lic:license/lic:code",
                    "/enterprise_name": "/lic:license/lic:enterprise_name",
                    "/legal_representative/name": "/lic:license/lic:legal_representative/lic:name",
                    "/legal_representative/id_number": (
                        "/lic:license/lic:legal_representative/lic:id_number"
                    ),
                    "/division_code": "/lic:license/lic:division_code",
                    "/status": "/lic:license/lic:status",
                },
                "xml_namespaces": {"lic": "urn:example:market-regulation:license:1"},
            }
        },
        "rdf": [{"relation": "describedby", "shapes": "dcat-ap-3.0.1-subset"}],
        "workflows": workflows,
        "idempotency": {
            "operation": "createApplication",
            "body": _sample_application("北京示例科技有限公司"),
            "other_body": _sample_application("上海示例贸易有限公司"),
        },
        # DATA-ENC-01: CJK text, with a character outside the Basic Multilingual Plane (𠮷).
        "encoding": {
            "operation": "createApplication",
            "body": _sample_application("成都𠮷祥·锦江数据服务有限公司", applicant="欧阳娜娜"),
        },
        "case": {
            "create": "createApplication",
            "body": _sample_application("广州示例咨询有限公司"),
            "read": "getApplication",
            "id_pointer": "/id",
            "state_pointer": "/state",
            "final_states": ["licensed", "rejected"],
            "trace_id_pointer": "/trace_id",
        },
        # How the reference agency is told where its peer is: PUT {url, ca_pem} (DELETE resets).
        "peer": {
            "configure": {"path": "/v1/admin/peer", "scope": "peer:admin"},
            "path": "/v1/identity-verifications",
            "answer": {"status": 200, "body": {"verified": True}},
            "request_schema": {
                "type": "object",
                "required": ["name", "id_number"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "id_number": {"type": "string", "pattern": "^[0-9]{17}[0-9X]$"},
                },
            },
        },
        "exploration": {
            "bodies": {"createApplication": _sample_application("成都示例软件有限公司")}
        },
        "state_machine": {
            "initial": "submitted",
            "states": ["submitted", "verifying", "approved", "rejected", "licensed", "withdrawn"],
            "transitions": [
                ["submitted", "verifying"],
                ["verifying", "approved"],
                ["verifying", "rejected"],
                ["approved", "licensed"],
                ["submitted", "withdrawn"],
                ["verifying", "withdrawn"],
            ],
            "strict": True,  # each read advances an application one state at most
            "illegal": [{"from": "licensed", "request": {"operation": "withdrawApplication"}}],
        },
        "async": {
            "operation": "createApplication",
            "headers": {"Prefer": "respond-async"},
            "body": _sample_application("杭州示例网络有限公司"),
        },
        "signatures": {
            "relation": "jwks-uri",
            "responses": [
                {"path": "/v1/licenses"},
                {
                    "resource": "license",
                    "media_types": ["application/json", "application/xml"],
                    "xml_signature": True,
                },
                {
                    "resource": "license",
                    "media_types": ["application/json", "application/xml"],
                    "jws": {"header": "X-JWS-Signature"},
                },
            ],
        },
        "consistency": [
            {
                "state": "licensed",
                "value": "/license_code",
                "related": "/v1/licenses",
                "items": "/items",
                "key": "/code",
            }
        ],
    }


def _sample_application(enterprise: str, applicant: str = "张三") -> dict[str, Any]:
    return {
        "applicant": {"name": applicant, "id_number": "11010519491231002X"},
        "enterprise": {
            "name": enterprise,
            "division_code": "110105",
            "registered_capital": {"amount": 1000000, "currency": "CNY"},
        },
    }


def reference_target(agency: Any, secret_file: Path) -> Target:
    """The Target that describes a running ReferenceAgency (the secret lives in `secret_file`)."""
    secret_file.write_text(agency.client_secret, "utf-8")
    secret_file.chmod(0o600)
    second = agency.clients[1]
    second_file = secret_file.with_name(secret_file.name + "-second")
    second_file.write_text(second.client_secret, "utf-8")
    second_file.chmod(0o600)
    identities = {
        "second": {"client_id": second.client_id, "client_secret": {"file": second_file.name}},
        "change": {"operation": "withdrawApplication"},
        "without_privilege": "applications:read",
    }
    return Target(
        name=REFERENCE_NAME,
        base_url=agency.base_url,
        http_url=agency.http_url,
        mtls_url=agency.peer_url,
        ca_bundle=Path(agency.ca_bundle),
        oauth2=OAuth2Client(
            token_url=agency.token_url,
            client_id=agency.client_id,
            client_secret=SecretRef(file=secret_file),
            scope=agency.scopes,
        ),
        client_certificate=ClientCertificate(Path(agency.client_cert), Path(agency.client_key)),
        safety=REFERENCE_SAFETY,
        inputs={
            **reference_inputs(),
            **check_inputs({"identities": identities}, second_file.parent),
        },
    )


def target_file_text(target: Target) -> str:
    """The target file (YAML) for `target`: URLs, CA bundle, credentials by file, inputs."""
    if target.oauth2 is None or target.client_certificate is None:
        raise ValueError("not a reference-agency target")
    secret = target.oauth2.client_secret
    data = {
        "name": target.name,
        "base_url": target.base_url,
        "http_url": target.http_url,
        "mtls_url": target.mtls_url,
        "trust": {"ca_bundle": str(target.ca_bundle)},
        "credentials": {
            "oauth2": {
                "token_url": target.oauth2.token_url,
                "client_id": target.oauth2.client_id,
                "client_secret": {"file": str(secret.file)},
                "scope": target.oauth2.scope,
            },
            "client_certificate": {
                "cert": str(target.client_certificate.cert),
                "key": str(target.client_certificate.key),
            },
        },
        "safety": {
            "allow": sorted(c.value for c in target.safety.allow - {SafetyClass.READ}),
            "max_rps": target.safety.max_rps,
        },
        "inputs": target.inputs,
    }
    header = (
        "# Target file written by `conformance serve-reference`: the bundled reference agency.\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@contextmanager
def running_reference(faults: Iterable[str] = (), workdir: Path | None = None) -> Iterator[Target]:
    """Start the reference agency (with `faults`) and yield it as a Target; stop it after."""
    import tempfile

    from reference_agency import ReferenceAgency

    with tempfile.TemporaryDirectory(prefix="conformance-ref-") as tmp:
        base = workdir or Path(tmp)
        with ReferenceAgency(faults=tuple(faults), workdir=base / "agency") as agency:
            yield reference_target(agency, base / "client_secret")
