"""A case of the profile's process (inputs.case): create one, read it, follow its state.

case:
  create: createApplication          # operationId of the POST that opens a case
  body: {...}                        # a body it accepts
  read: getApplication               # operationId of the GET of one case (one path parameter)
  id_pointer: /id                    # the case id in the create answer
  state_pointer: /state              # the state in the read answer
  final_states: [licensed, rejected]
  trace_id_pointer: /trace_id        # optional: where the case shows its trace-id
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from conformance.business.arazzo.expressions import Unresolved, pointer_get
from conformance.client.context import CheckContext
from conformance.client.http import Exchange, HttpClient
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.inputs import declare_input
from conformance.documents.openapi import OpenApiDocument, Operation

CASE_KEYS = ("create", "body", "read", "id_pointer", "state_pointer")


#: how a case of the agency's process is opened, read and followed (see the module's docstring)
CASE = declare_input(
    "case",
    {
        "type": "object",
        "required": ["create", "body", "read", "id_pointer", "state_pointer"],
        "properties": {
            "create": {
                "type": "string",
                "description": "operationId of the POST that opens a case",
            },
            "body": {"type": "object"},
            "read": {"type": "string", "description": "operationId of the GET of one case"},
            "id_pointer": {"type": "string"},
            "state_pointer": {"type": "string"},
            "final_states": {"type": "array", "items": {"type": "string"}},
            "trace_id_pointer": {"type": "string"},
        },
        "additionalProperties": False,
    },
    description="how to open a case, read it and see its state",
)


def new_traceparent() -> tuple[str, str]:
    """A fresh W3C traceparent (version 00, sampled) and its trace-id."""
    trace_id = secrets.token_hex(16)
    return f"00-{trace_id}-{secrets.token_hex(8)}-01", trace_id


TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace-id of a traceparent header value (None when absent or malformed)."""
    match = TRACEPARENT.match((traceparent or "").strip().lower())
    return match.group(1) if match else None


@dataclass
class Case:
    """One case opened by a check, with every state it was seen in."""

    id: str
    url: str
    created: Exchange
    states: list[str] = field(default_factory=list)
    last: Exchange | None = None


@dataclass
class CaseDriver:
    """Opens and reads cases as the profile's inputs.case describes them."""

    ctx: CheckContext
    spec: dict[str, Any]
    create_doc: OpenApiDocument
    create_op: Operation
    read_doc: OpenApiDocument
    read_op: Operation

    @classmethod
    def from_inputs(cls, ctx: CheckContext) -> CaseDriver:
        """The driver for inputs.case (skip when the profile declares none)."""
        spec = CASE.require(ctx)
        missing = [k for k in CASE_KEYS if not isinstance(spec, dict) or k not in spec]
        if missing:
            raise PreconditionMissing(f"inputs.case lacks {', '.join(missing)}")
        create_doc, create_op = _operation(ctx, str(spec["create"]))
        read_doc, read_op = _operation(ctx, str(spec["read"]))
        if create_op.method != "post" or read_op.method != "get":
            raise PreconditionMissing(
                f"inputs.case: {spec['create']} must be a POST and {spec['read']} a GET"
            )
        return cls(ctx, spec, create_doc, create_op, read_doc, read_op)

    @property
    def final_states(self) -> frozenset[str]:
        """States after which a case no longer moves."""
        return frozenset(str(s) for s in self.spec.get("final_states", []))

    def create(
        self, headers: Mapping[str, str] | None = None, client: HttpClient | None = None
    ) -> Case:
        """Open a case (Inconclusive when the sample body is refused)."""
        http = client or self.ctx.client
        url = self.create_doc.url_for(self.create_op, {})
        send = {"Accept": "application/json", **(headers or {})}
        auth = self.create_doc.is_protected(self.create_op)
        exchange = http.request("POST", url, headers=send, json_body=self.spec["body"], auth=auth)
        self.ctx.cite(exchange, f"open a case ({self.spec['create']})")
        if not 200 <= exchange.status < 300:
            raise Inconclusive(
                f"inputs.case.body was refused with {exchange.status}: {exchange.text()[:200]}"
            )
        case_id = self._pointer(exchange, str(self.spec["id_pointer"]), "id_pointer")
        params = self.read_op.path.split("{")[1:]
        if len(params) != 1:
            raise PreconditionMissing(
                f"inputs.case.read {self.spec['read']} needs one path parameter"
            )
        values = {params[0].split("}")[0]: str(case_id)}
        case = Case(str(case_id), self.read_doc.url_for(self.read_op, values), exchange)
        # The create answer need not show the state; the first read does.
        with suppress(ValueError, Unresolved):
            case.states.append(str(pointer_get(exchange.json(), str(self.spec["state_pointer"]))))
        return case

    def read(
        self,
        case: Case,
        note: str = "",
        headers: Mapping[str, str] | None = None,
        client: HttpClient | None = None,
    ) -> tuple[Exchange, str | None]:
        """Read the case once: the exchange and its state (None when the read was refused)."""
        http = client or self.ctx.client
        send = {"Accept": "application/json", **(headers or {})}
        auth = self.read_doc.is_protected(self.read_op)
        exchange = http.get(case.url, headers=send, auth=auth)
        self.ctx.cite(exchange, note or f"read the case ({self.spec['read']})")
        if exchange.status != 200:
            return exchange, None
        state = str(self._pointer(exchange, str(self.spec["state_pointer"]), "state_pointer"))
        case.states.append(state)
        case.last = exchange
        return exchange, state

    def follow(self, case: Case, max_reads: int, headers: Mapping[str, str] | None = None) -> str:
        """Read until a final state (at most `max_reads` reads); the last state seen."""
        state = case.states[-1] if case.states else ""
        for attempt in range(1, max_reads + 1):
            exchange, seen = self.read(case, f"read {attempt}/{max_reads}", headers)
            if seen is None:
                raise Inconclusive(
                    f"reading the case {case.id} answered {exchange.status}: "
                    f"{exchange.text()[:200]}"
                )
            state = seen
            if state in self.final_states:
                break
        return state

    def value(self, exchange: Exchange, pointer: str, name: str) -> Any:
        """A value of an answer by JSON pointer (Inconclusive naming the input when absent)."""
        return self._pointer(exchange, pointer, name)

    def _pointer(self, exchange: Exchange, pointer: str, name: str) -> Any:
        try:
            return pointer_get(exchange.json(), pointer)
        except (ValueError, Unresolved):
            raise Inconclusive(
                f"the answer of {exchange.method} {exchange.url} has nothing at {pointer} "
                f"(inputs.case.{name})"
            ) from None


def _operation(ctx: CheckContext, operation_id: str) -> tuple[OpenApiDocument, Operation]:
    for document in ctx.discovery.openapi_documents():
        operation = document.operation(operation_id)
        if operation is not None:
            url = document.url_for(operation, {})
            if url.startswith("http://") and ctx.target.base_url.startswith("https://"):
                raise PreconditionMissing(
                    f"the OpenAPI servers URL gives {url}: plain http, so nothing is sent to it "
                    "(see DEP-OAS-02)"
                )
            return document, operation
    raise PreconditionMissing(f"the target's OpenAPI declares no operation {operation_id!r}")
