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

from conformance.model import SafetyClass
from conformance.secrets import SecretRef
from conformance.target import ClientCertificate, OAuth2Client, SafetyPolicy, Target

REFERENCE_NAME = "reference-agency"
# The reference agency is a test system: writes are allowed, and it can take a brisk pace.
REFERENCE_SAFETY = SafetyPolicy(
    allow=frozenset({SafetyClass.READ, SafetyClass.WRITE}), max_rps=200.0, timeout_s=10.0
)


def reference_inputs() -> dict[str, Any]:
    """What the reference agency offers to the data and business checks (its own inputs)."""
    import reference_agency

    workflows = Path(reference_agency.__file__).parent / "workflows"
    return {
        "resources": {
            "license": {
                "collection": "/v1/licenses",
                "items": "/items",
                "item": "/v1/licenses/{code}",
                "key": "/code",
                "xsd": "/v1/schemas/license.xsd",
                "identifiers": {"/code": "uscc", "/legal_representative/id_number": "citizen-id"},
            }
        },
        "workflows": sorted(str(p) for p in workflows.glob("*.arazzo.yaml")),
        "idempotency": {
            "operation": "createApplication",
            "body": _sample_application("北京示例科技有限公司"),
            "other_body": _sample_application("上海示例贸易有限公司"),
        },
    }


def _sample_application(enterprise: str) -> dict[str, Any]:
    return {
        "applicant": {"name": "张三", "id_number": "11010519491231002X"},
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
        inputs=reference_inputs(),
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
