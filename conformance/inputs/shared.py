"""Inputs that checks of several levels read, declared here because levels do not import each
other: `resources` (network NET-HDR-01, data DATA-*, business BUS-SIG-01) and `idempotency`
(data DATA-ENC-01, business BUS-IDEM-01). Every other input is declared in the module of the
checks that read it (conformance.core.inputs; profiles/README.md lists them)."""

from __future__ import annotations

from conformance.core.inputs import declare_input

#: the agency's sample resources: a collection to list, where its items are, how to address one;
#: optionally an XSD and a Schematron (files, or documents on the target), identifier fields,
#: code list bindings (JSON pointer -> code list name) and a JSON/XML field map
RESOURCES = declare_input(
    "resources",
    {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "required": ["collection", "items", "item", "key"],
            "properties": {
                "collection": {"type": "string"},
                "items": {"type": "string"},
                "item": {"type": "string"},
                "key": {"type": "string"},
                "xsd": {"type": "string"},
                "identifiers": {
                    "type": "object",
                    "additionalProperties": {"enum": ["citizen-id", "uscc"]},
                },
                "schematron": {"type": "string"},
                "field_map": {
                    "type": "object",
                    "description": (
                        "DATA-CNEG-01: JSON pointer -> XPath of the same field in the XML"
                    ),
                    "propertyNames": {"pattern": "^(/.*)?$"},
                    "additionalProperties": {"type": "string", "minLength": 1},
                },
                "xml_namespaces": {
                    "type": "object",
                    "description": "prefixes the field_map XPaths use -> namespace URI",
                    "additionalProperties": {"type": "string"},
                },
                "codelists": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "additionalProperties": False,
        },
    },
    paths=("/*/xsd", "/*/schematron"),
    description="the agency's sample resources (collection, items, XSD, Schematron, fields)",
)

#: a POST operation with two different bodies it accepts (BUS-IDEM-01; DATA-ENC-01 writes the
#: first when no inputs.encoding is given)
IDEMPOTENCY = declare_input(
    "idempotency",
    {
        "type": "object",
        "required": ["operation", "body", "other_body"],
        "properties": {
            "operation": {"type": "string"},
            "body": {"type": "object"},
            "other_body": {"type": "object"},
            "id": {"type": "string"},
        },
        "additionalProperties": False,
    },
    description="a POST operation and two bodies it accepts",
)
