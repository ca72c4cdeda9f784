"""Requests generated from an OpenAPI document by schemathesis, sent through the suite's client.

Positive (schema-valid) or negative (schema-violating) cases, in schemathesis' generation modes;
a judge decides each answer (documented and schema-valid, not a server error, refused).

schemathesis (4.x) only generates the cases and judges the answers; every request goes out
through :class:`~conformance.client.http.HttpClient`, so the target's rate cap, time and size
limits, host allow-list, CA bundle and credential redaction apply to generated traffic as to any
other.
Hypothesis runs seeded (the run's seed), without an example database, and shrinks a failing case
to a minimal one; answers are cached per exact request, so shrinking and Hypothesis' final
replay never resend a request already sent, and a request budget bounds the whole run.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.errors import LoaderError
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode

from conformance.client.http import Exchange, HttpClient
from conformance.client.judges import Violation, conformance_judge, negative_judge
from conformance.client.progress import progress
from conformance.client.references import bundled
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.documents.openapi import OpenApiDocument
from conformance.documents.openapi_bundle import MISSING_KEY, unavailable_reached

# Headers the suite's client sets itself, and schemathesis' random per-case marker.
_DROPPED_HEADERS = frozenset(
    {"user-agent", "accept-encoding", "connection", "content-length", "x-schemathesis-testcaseid"}
)
# Health checks about generation speed or size say nothing about the agency.
SUPPRESSED_HEALTH_CHECKS = (
    hypothesis.HealthCheck.too_slow,
    hypothesis.HealthCheck.filter_too_much,
    hypothesis.HealthCheck.data_too_large,
    hypothesis.HealthCheck.large_base_example,
    hypothesis.HealthCheck.differing_executors,
)


@dataclass(frozen=True, slots=True)
class Plan:
    """What to generate: methods, examples, the request budget, the seed, positive or negative."""

    methods: frozenset[str]
    max_examples: int
    max_requests: int
    seed: int
    mode: str = "positive"
    # schemathesis' coverage cases first: deterministic, one violated keyword each (negative).
    coverage: bool = False


@dataclass
class Run:
    """What a generated run did, operation by operation, and the requests it sent.

    Every selected operation ends in exactly one of: `exercised` (answers judged), `skipped`
    (the suite lacked something: credentials, request budget), `not_applicable` (nothing to
    generate for it in this mode), `generation_errors` (its requests could not be generated) or
    `transport_errors` (the target did not answer usably). Coverage is judged on that split.
    """

    violations: list[Violation] = field(default_factory=list)
    exercised: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    not_applicable: dict[str, str] = field(default_factory=dict)
    sent: int = 0
    unsendable: int = 0
    budget_exhausted: bool = False
    transport_errors: dict[str, str] = field(default_factory=dict)
    generation_errors: dict[str, str] = field(default_factory=dict)
    #: documents the OpenAPI document refers to that could not be had (URL → reason)
    unavailable_refs: dict[str, str] = field(default_factory=dict)

    def asked(self) -> list[str]:
        """Every operation the run was asked to cover (not-applicable ones left out)."""
        found = [*self.exercised, *self.skipped, *self.generation_errors, *self.transport_errors]
        return list(dict.fromkeys(found))

    def judged(self) -> list[str]:
        """The operations whose answers were judged, with no error on the way."""
        failed = self.generation_errors.keys() | self.transport_errors.keys()
        return [op for op in self.exercised if op not in failed]


class _Found(Exception):
    """Raised inside the Hypothesis test so that it shrinks towards a minimal failing case."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(f"{len(violations)} violation(s)")
        self.violations = violations


def load_schema(document: OpenApiDocument, data: dict[str, Any] | None = None) -> Any:
    """A schemathesis schema for `document` (or its bundled `data`: see
    :func:`~conformance.client.references.bundled`, so that schemathesis never fetches a
    `$ref` itself), aimed at the document's server URL, with no config discovery."""
    # `format` is left to DATA-FMT-01: in JSON Schema 2020-12 it is an annotation unless a
    # vocabulary asserts it (§7.2.1), and one fault must not fail two requirements.
    # DATA-NEG-01 asks for a refusal, and a refusal is any 4xx (a 5xx is DATA-SCH-02's).
    config = SchemathesisConfig.from_dict(
        {
            "checks": {
                "response_schema_conformance": {"validate-formats": False},
                "negative_data_rejection": {"expected-statuses": ["4xx"]},
            }
        }
    )
    source = document.data if data is None else data
    schema = schemathesis.openapi.from_dict(copy.deepcopy(source), config=config)
    schema.config.update(base_url=document.server_url())
    return schema


Judge = Callable[[Any, Exchange, str], list[Violation]]


class GeneratedRunner:
    """Generates requests per operation (the plan's mode), sends them, and judges each answer."""

    def __init__(
        self,
        client: HttpClient,
        document: OpenApiDocument,
        plan: Plan,
        judge: Judge | None = None,
    ) -> None:
        self.client = client
        self.document = document
        self.plan = plan
        self.judge: Judge = judge or conformance_judge
        self.run = Run()
        self._cache: dict[tuple[Any, ...], tuple[Exchange, list[Violation]]] = {}
        self._protected = {
            (op.method.upper(), op.path): document.is_protected(op) for op in document.operations()
        }
        self._limit = 0
        self._op_error: Inconclusive | None = None
        self._auth_headers = {
            (op.method.upper(), op.path)
            for op in document.operations()
            for p in op.parameters
            if str(p.get("in")) == "header" and str(p.get("name", "")).lower() == "authorization"
        }
        self._optional = {
            (op.method.upper(), op.path, str(p.get("in")), str(p.get("name", "")).lower())
            for op in document.operations()
            for p in op.parameters
            if not p.get("required", False)
        }

    def execute(self) -> Run:
        """Exercise every selected operation of the document, sharing the request budget.

        Each operation gets an even share of what is left of the budget when its turn comes
        (so every operation is tried before any gets more); a failure on one operation never
        stops the others. Only after STOP_AFTER_DEAD operations in a row got no usable answer
        are the rest left untried, each listed with the reason.
        """
        bundle = bundled(self.client, self.document)
        self.run.unavailable_refs = dict(bundle.missing)
        try:
            schema = load_schema(self.document, bundle.data)
        except LoaderError as exc:
            raise Inconclusive(f"schemathesis cannot load {self.document.url}: {exc}") from None
        operations = []
        for result in schema.get_all_operations():
            if isinstance(result, Err):  # an operation schemathesis cannot read
                error = result.err()
                where = f"{getattr(error, 'method', '') or ''} {getattr(error, 'path', '') or ''}"
                self.run.generation_errors[where.strip() or "?"] = self._explain(str(error))
                continue
            found = result.ok()
            if found.method.upper() not in self.plan.methods:
                continue
            item = (bundle.data.get("paths") or {}).get(str(found.path)) or {}
            spec = {"shared": item.get("parameters"), "own": item.get(found.method.lower())}
            unavailable = unavailable_reached(bundle.data, spec)
            if unavailable is not None:
                # schemathesis would generate and judge it as if the reference were empty
                self.run.generation_errors[str(found.label)] = (
                    f"its schema refers to {unavailable}, which the suite could not use: "
                    f"{bundle.missing[unavailable]}"
                )
                continue
            operations.append(found)
        dead = 0
        for i, operation in enumerate(operations):
            if dead >= STOP_AFTER_DEAD:
                self.run.transport_errors[str(operation.label)] = (
                    f"not tried: the {dead} operations before it got no usable answer"
                )
                continue
            left = self.plan.max_requests - self.run.sent
            share = left // (len(operations) - i) or min(left, 1)
            self._exercise(operation, share)
            dead = dead + 1 if str(operation.label) in self.run.transport_errors else 0
        return self.run

    def _explain(self, message: str) -> str:
        """A generation error's text, naming the referenced document behind a bundle gap."""
        for i, (url, reason) in enumerate(self.run.unavailable_refs.items()):
            if f"{MISSING_KEY}/{i}" in message:
                return f"its schema refers to {url}, which the suite could not use: {reason}"
        return message[:300]

    def _exercise(self, operation: Any, share: int) -> None:
        label = str(operation.label)
        auth = self._protected.get((operation.method.upper(), str(operation.path)), False)
        if auth:
            try:
                self.client.credentials_ready()
            except PreconditionMissing as exc:
                self.run.skipped[label] = f"protected and {exc.reason}"
                return
        if share <= 0:
            self.run.budget_exhausted = True
            self.run.skipped[label] = (
                f"request budget spent before this operation (max_requests "
                f"{self.plan.max_requests})"
            )
            return
        test = self._hypothesis_test(operation, auth)
        self._limit, self._op_error = self.run.sent + share, None
        before = self.run.sent
        try:
            test()
        except _Found as found:
            self.run.violations.extend(found.violations)
        except hypothesis.errors.HypothesisException as exc:
            if self._mode is GenerationMode.NEGATIVE and isinstance(
                exc, hypothesis.errors.Unsatisfiable
            ):
                # No parameter and no body: nothing of the request can violate the schema.
                self.run.not_applicable[label] = "nothing in its request can violate the schema"
                return
            self.run.generation_errors[label] = f"{type(exc).__name__}: {exc}"[:300]
        if self._op_error is not None:
            self.run.transport_errors[label] = self._op_error.message
        if self.run.sent > before:
            self.run.exercised.append(label)
        elif label not in self.run.generation_errors and label not in self.run.transport_errors:
            self.run.generation_errors[label] = (
                "no generated request could be sent (HTTP cannot carry its header values)"
            )

    def _hypothesis_test(self, operation: Any, auth: bool) -> Callable[[], None]:
        settings = hypothesis.settings(
            max_examples=self.plan.max_examples,
            database=None,
            derandomize=False,
            deadline=None,
            suppress_health_check=SUPPRESSED_HEALTH_CHECKS,
            phases=(hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink),
            report_multiple_bugs=False,
            verbosity=hypothesis.Verbosity.quiet,
            print_blob=False,
        )

        @hypothesis.given(case=operation.as_strategy(generation_mode=self._mode))
        def test(case: Any) -> None:
            violations = self._judge(case, auth)
            if violations:
                raise _Found(violations)

        if self.plan.coverage:
            # Hypothesis runs explicit examples in reverse order of attachment.
            for case in reversed(self._coverage_cases(operation)):
                test = hypothesis.example(case=case)(test)
        return hypothesis.seed(self.plan.seed)(settings(test))

    def _coverage_cases(self, operation: Any) -> list[Any]:
        """schemathesis' coverage-phase cases of the plan's mode, at most the request budget."""
        schema = operation.schema
        config = schema.config.generation_for(operation=operation, phase="coverage")
        cases = schema.iter_coverage_cases(
            operation, generation_modes=[self._mode], generation_config=config
        )
        # Other methods on the path are NET-METH-01's probes, and may be writes.
        own = (c for c in cases if str(c.method).upper() == operation.method.upper())
        limit = max(self.plan.max_requests - self.run.sent, 0)
        return [_one_violation(case, self._optional) for case in itertools.islice(own, limit)]

    def _sends_own_authorization(self, case: Any, prepared: requests.PreparedRequest) -> bool:
        """Whether a negative case's Authorization header (or its absence) is the violation.

        When the operation declares an Authorization header parameter, schemathesis leaves it
        out or breaks it on purpose; adding the suite's credentials would undo the violation and
        blame the agency for accepting a valid request.
        """
        operation = (str(case.operation.method).upper(), str(case.operation.path))
        if self._mode is not GenerationMode.NEGATIVE or operation not in self._auth_headers:
            return False
        if not any(name.lower() == "authorization" for name in prepared.headers):
            return True  # the declared header is missing on purpose
        components = getattr(getattr(case, "meta", None), "components", None) or {}
        return any(
            str(getattr(location, "value", location)) == "header" and info.mode.is_negative
            for location, info in components.items()
        )

    @property
    def _mode(self) -> GenerationMode:
        return GenerationMode(self.plan.mode)

    def _judge(self, case: Any, auth: bool) -> list[Violation]:
        prepared = prepare(case, self.document.server_url())
        key = (prepared.method, prepared.url, prepared.body, tuple(sorted(_headers(prepared))))
        if key in self._cache:
            return self._cache[key][1]
        if self.run.sent >= self._limit or self._op_error is not None:
            self.run.budget_exhausted = self.run.sent >= self._limit
            return []  # nothing more goes out; Hypothesis keeps the last failure it saw
        if not _sendable(prepared):
            self.run.unsendable += 1
            return []  # a negative header value HTTP cannot carry (CR, LF, non-Latin-1)
        self.run.sent += 1
        progress(
            f"{self.run.sent} of at most {self.plan.max_requests} generated requests "
            f"({self.plan.mode}), now {case.operation.label}"
        )
        use_auth = auth and not self._sends_own_authorization(case, prepared)

        def send() -> Exchange:
            return self.client.request(
                str(prepared.method),
                str(prepared.url),
                headers=dict(_headers(prepared)),
                body=prepared.body,
                auth=use_auth,
                follow_redirects=False,
                reuse=True,  # an earlier check's answer to this very request is its answer
            )

        try:
            if str(prepared.method).upper() in SAFE_METHODS:
                exchange = read_once(self.client, (*key, use_auth), send)
            else:
                exchange = send()
        except Inconclusive as exc:
            self._op_error = exc
            return []
        violations = self.judge(case, exchange, str(case.operation.label))
        self._cache[key] = (exchange, violations)
        return violations


#: methods whose answer a run may read twice without asking twice (RFC 9110 §9.2.1: safe)
SAFE_METHODS = frozenset({"GET", "HEAD"})


def read_once(client: HttpClient, key: tuple[Any, ...], send: Callable[[], Exchange]) -> Exchange:
    """The answer to a safe generated request, sent at most once per run.

    DATA-SCH-01 and DATA-SCH-02 generate the same valid requests (same seed, same operations);
    at an agency's rate cap the second copy would cost as much as the first and teach nothing,
    since a safe request's answer is the same answer. Each check still judges it its own way.
    """
    return client.run_cache.once("generated-reads", key, send)


#: after this many operations in a row with no usable answer, the rest are not tried
STOP_AFTER_DEAD = 3

PositiveRunner = GeneratedRunner  # the name DATA-SCH-01 and its tests know


def negative_run(client: HttpClient, document: OpenApiDocument, plan: Plan) -> Run:
    """The negative run of `plan` on `document`, judged by `negative_judge`, once per run.

    DATA-SCH-02 and DATA-NEG-01 read the same schema-violating requests: sent once per client
    (one client per target and run), each check reading its own violations.
    """
    return client.run_cache.once(
        "negative-requests",
        (document.url, plan),
        lambda: GeneratedRunner(client, document, plan, negative_judge).execute(),
    )


def _one_violation(case: Any, optional: set[tuple[str, str, str, str]]) -> Any:
    """The coverage case with only its own violation: other negated optional parameters go.

    schemathesis' coverage cases for a body keyword also carry, e.g., an empty optional header
    that violates its minLength; an agency refusing that header would hide how it treats the body.
    """
    meta = getattr(case, "meta", None)
    own = getattr(getattr(getattr(meta, "phase", None), "data", None), "parameter_location", None)
    if meta is None or own is None:
        return case
    containers = {"header": case.headers, "query": case.query, "cookie": case.cookies}
    method, path = case.operation.method.upper(), str(case.operation.path)
    for location, info in list(meta.components.items()):
        container = containers.get(str(location.value))
        if location == own or not info.mode.is_negative or container is None:
            continue
        names = list(container)
        if all((method, path, str(location.value), n.lower()) in optional for n in names):
            for name in names:
                del container[name]
            del meta.components[location]
    return case


def _sendable(prepared: requests.PreparedRequest) -> bool:
    """Whether every header is one HTTP/1.1 can carry (RFC 9110 §5.5: no CR, LF or NUL)."""
    for name, value in prepared.headers.items():
        try:
            requests.utils.check_header_validity((name, value))
            str(value).encode("latin-1")
        except (requests.exceptions.InvalidHeader, UnicodeEncodeError):
            return False
    return True


def prepare(case: Any, base_url: str) -> requests.PreparedRequest:
    """The HTTP request a schemathesis case stands for (URL with query, serialised body)."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    request = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=kwargs.get("headers") or {},
        params=kwargs.get("params") or {},
        cookies=kwargs.get("cookies") or {},
        json=kwargs.get("json"),
        data=kwargs.get("data"),
        files=kwargs.get("files"),
    )
    return request.prepare()


def _headers(prepared: requests.PreparedRequest) -> Iterable[tuple[str, str]]:
    return [
        (str(name), str(value))
        for name, value in prepared.headers.items()
        if name.lower() not in _DROPPED_HEADERS
    ]
