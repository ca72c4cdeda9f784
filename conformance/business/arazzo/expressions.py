"""Arazzo 1.0 runtime expressions (`$statusCode`, `$response.body#/id`, ...) and simple criteria.

Runtime expressions follow the ABNF of Arazzo 1.0.1 §"Runtime Expressions"; a string value that
is one expression keeps the type of what it references, and `{$...}` embeds expressions in text.
Simple conditions (Arazzo §"Criterion Object") combine expressions and literals (`true`,
`false`, `null`, numbers, 'single-quoted strings') with `== != < <= > >= ! && ||` and
parentheses; comparisons are loose, and string comparisons are case-insensitive, as the
specification says.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

_NAME = r"[A-Za-z0-9_\-]+"
_OUTPUT = r"[A-Za-z0-9_.\-]+"
_POINTER = r"(?:#(?P<pointer>(?:/[^/\s]*)*))?"
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_EXPRESSION = re.compile(
    r"\$(?:"
    r"(?P<simple>url|method|statusCode)"
    rf"|(?P<message>request|response)\.(?:header\.(?P<header>{_TOKEN})"
    rf"|query\.(?P<query>[^\s#]+)|path\.(?P<path>[^\s#]+)|(?P<body>body){_POINTER})"
    rf"|inputs\.(?P<input>{_NAME}){_POINTER.replace('pointer', 'ipointer')}"
    rf"|outputs\.(?P<output>{_OUTPUT}?){_POINTER.replace('pointer', 'opointer')}"
    rf"|steps\.(?P<step>{_NAME})\.outputs\.(?P<step_output>{_OUTPUT}?)"
    rf"{_POINTER.replace('pointer', 'spointer')}"
    rf"|workflows\.(?P<workflow>{_NAME})\.(?P<wf_part>inputs|outputs)\.(?P<wf_name>{_OUTPUT}?)"
    rf"{_POINTER.replace('pointer', 'wpointer')}"
    rf"|sourceDescriptions\.(?P<source>{_NAME})\.(?P<source_ref>{_NAME})"
    rf"|components\.(?P<kind>parameters|successActions|failureActions|inputs)\.(?P<comp>{_OUTPUT})"
    r")"
)
_EMBEDDED = re.compile(r"\{(\$[^{}]*)\}")
HINT = (
    "expected $url, $method, $statusCode, $request.<source>, $response.<source> "
    "(header.<name>, query.<name>, path.<name>, body[#/pointer]), $inputs.<name>, "
    "$outputs.<name>, $steps.<stepId>.outputs.<name>, $workflows.<id>.outputs.<name>"
)


class ExpressionError(ValueError):
    """A runtime expression or a condition that does not follow the Arazzo syntax."""


class Unresolved(LookupError):
    """A well-formed expression whose value is not available (absent header, pointer, output)."""


@dataclass(frozen=True, slots=True)
class Message:
    """The parts of a request or a response that expressions can read."""

    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    has_body: bool = False
    query: Mapping[str, str] = field(default_factory=dict)
    path: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        """A header value, case-insensitively; Unresolved when absent."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        raise Unresolved(f"no {name} header")


@dataclass
class Scope:
    """What expressions can see while a step runs."""

    inputs: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    workflows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    url: str | None = None
    method: str | None = None
    status_code: int | None = None
    request: Message | None = None
    response: Message | None = None


@dataclass(frozen=True, slots=True)
class Expression:
    """One parsed runtime expression."""

    text: str
    groups: Mapping[str, str | None]

    def evaluate(self, scope: Scope) -> Any:
        """The referenced value (its type preserved); Unresolved when it is not available."""
        g = self.groups
        if g["simple"]:
            value = {"url": scope.url, "method": scope.method, "statusCode": scope.status_code}
            if value[g["simple"]] is None:
                raise Unresolved(f"{self.text} is not known before a request is sent")
            return value[g["simple"]]
        if g["message"]:
            return _message_value(self, scope)
        if g["input"]:
            return pointer_get(_get(scope.inputs, g["input"], "input"), g["ipointer"])
        if g["output"] is not None and g["step"] is None:
            return pointer_get(_get(scope.outputs, g["output"], "output"), g["opointer"])
        if g["step"]:
            outputs = _get(scope.steps, g["step"], "completed step")
            value = _get(outputs, g["step_output"] or "", f"output of step {g['step']}")
            return pointer_get(value, g["spointer"])
        if g["workflow"]:
            workflow = _get(scope.workflows, g["workflow"], "completed workflow")
            part = workflow.get(g["wf_part"] or "", {})
            return pointer_get(_get(part, g["wf_name"] or "", g["wf_part"] or ""), g["wpointer"])
        raise Unresolved(f"{self.text} names a document object, not a runtime value")


def _get(mapping: Mapping[str, Any], key: str, what: str) -> Any:
    if key not in mapping:
        raise Unresolved(f"no {what} {key!r}")
    return mapping[key]


def _message_value(expr: Expression, scope: Scope) -> Any:
    g = expr.groups
    message = scope.request if g["message"] == "request" else scope.response
    if message is None:
        raise Unresolved(f"no {g['message']} yet for {expr.text}")
    if g["header"]:
        return message.header(g["header"])
    if g["query"]:
        return _get(message.query, g["query"], "query parameter")
    if g["path"]:
        return _get(message.path, g["path"], "path parameter")
    if not message.has_body:
        raise Unresolved(f"the {g['message']} has no body")
    return pointer_get(message.body, g["pointer"])


def pointer_get(document: Any, pointer: str | None) -> Any:
    """The value at an RFC 6901 JSON pointer ('' or None: the whole document)."""
    if not pointer:
        return document
    current = document
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        elif isinstance(current, str | bytes) and not isinstance(document, dict | list):
            raise Unresolved(f"the body is not JSON, so #{pointer} cannot be read")
        else:
            raise Unresolved(f"nothing at #{pointer}")
    return current


def parse_expression(text: str) -> Expression:
    """Parse one runtime expression; ExpressionError when it is not one."""
    match = _EXPRESSION.fullmatch(text.strip())
    if match is None:
        raise ExpressionError(f"{text!r} is not a runtime expression ({HINT})")
    return Expression(text.strip(), match.groupdict())


def embedded(text: str) -> list[str]:
    """The expressions embedded in `text` with `{$...}`."""
    return _EMBEDDED.findall(text)


def expressions_in(value: Any) -> Iterator[str]:
    """Every runtime expression in a value: whole `$...` strings and embedded `{$...}`."""
    if isinstance(value, str):
        if value.startswith("$"):
            yield value
        else:
            yield from embedded(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from expressions_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from expressions_in(item)


def as_text(value: Any) -> str:
    """How a value reads when embedded in a string."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return json.dumps(value, ensure_ascii=False)


def resolve(value: Any, scope: Scope, escape: Callable[[str], str] | None = None) -> Any:
    """`value` with every expression replaced by its value (recursively through objects).

    A string that is one expression keeps the referenced type; embedded ones are written as
    text, passed through `escape` (e.g. XML escaping for an XML payload template).
    """
    if isinstance(value, str):
        if value.startswith("$"):
            return parse_expression(value).evaluate(scope)

        def substitute(match: re.Match[str]) -> str:
            text = as_text(parse_expression(match.group(1)).evaluate(scope))
            return escape(text) if escape else text

        return _EMBEDDED.sub(substitute, value)
    if isinstance(value, dict):
        return {k: resolve(v, scope, escape) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, scope, escape) for v in value]
    return value


# -- simple conditions ------------------------------------------------------------------------
_TOKENS = re.compile(
    r"\s*(?:(?P<op>&&|\|\||==|!=|<=|>=|<|>|!|\(|\))"
    r"|(?P<string>'(?:[^']|'')*')"
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])"
    r"|(?P<word>true|false|null)(?![\w$])"
    r"|(?P<expr>\$[^\s()!=<>&|]+))"
)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_WORDS = {"true": True, "false": False, "null": None}
Node = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Condition:
    """A parsed simple condition."""

    text: str
    tree: Node

    def evaluate(self, scope: Scope) -> tuple[bool, list[str]]:
        """Whether it holds, and what each expression in it evaluated to (for messages)."""
        seen: list[str] = []
        return bool(_eval(self.tree, scope, seen)), seen


def parse_condition(text: str) -> Condition:
    """Parse a simple condition; ExpressionError (with the column) when it is malformed."""
    tokens = _tokenize(text)
    parser = _Parser(text, tokens)
    tree = parser.parse_or()
    if parser.pos != len(tokens):
        raise ExpressionError(f"unexpected {tokens[parser.pos][1]!r} in condition {text!r}")
    return Condition(text, tree)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    stripped = text.rstrip()
    while pos < len(stripped):
        match = _TOKENS.match(stripped, pos)
        if match is None or match.end() == pos:
            rest = stripped[pos:].strip()
            raise ExpressionError(
                f"cannot read {rest[:30]!r} at column {pos + 1} of condition {text!r}"
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    if not tokens:
        raise ExpressionError("empty condition")
    return tokens


class _Parser:
    """Recursive descent: or > and > not > comparison > operand."""

    def __init__(self, text: str, tokens: list[tuple[str, str]]) -> None:
        self.text, self.tokens, self.pos = text, tokens, 0

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self._peek() == "||":
            self.pos += 1
            node = ("or", node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_not()
        while self._peek() == "&&":
            self.pos += 1
            node = ("and", node, self.parse_not())
        return node

    def parse_not(self) -> Node:
        if self._peek() == "!":
            self.pos += 1
            return ("not", self.parse_not())
        left = self.parse_operand()
        op = self._peek()
        if op in _COMPARE:
            self.pos += 1
            return ("cmp", op, left, self.parse_operand())
        return left

    def parse_operand(self) -> Node:
        if self.pos >= len(self.tokens):
            raise ExpressionError(f"condition {self.text!r} ends where a value was expected")
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if value == "(" and kind == "op":
            node = self.parse_or()
            if self._peek() != ")":
                raise ExpressionError(f"missing ')' in condition {self.text!r}")
            self.pos += 1
            return node
        if kind == "string":
            return ("lit", value[1:-1].replace("''", "'"))
        if kind == "number":
            return ("lit", float(value) if any(c in value for c in ".eE") else int(value))
        if kind == "word":
            return ("lit", _WORDS[value])
        if kind == "expr":
            return ("expr", parse_expression(value))
        raise ExpressionError(f"unexpected {value!r} in condition {self.text!r}")


def _eval(node: Node, scope: Scope, seen: list[str]) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "expr":
        expr: Expression = node[1]
        try:
            value = expr.evaluate(scope)
        except Unresolved as exc:
            seen.append(f"{expr.text} is absent ({exc})")
            return _ABSENT
        seen.append(f"{expr.text} was {_show(value)}")
        return value
    if kind == "not":
        return not _truthy(_eval(node[1], scope, seen))
    if kind == "and":
        return _truthy(_eval(node[1], scope, seen)) and _truthy(_eval(node[2], scope, seen))
    if kind == "or":
        return _truthy(_eval(node[1], scope, seen)) or _truthy(_eval(node[2], scope, seen))
    return compare(node[1], _eval(node[2], scope, seen), _eval(node[3], scope, seen))


class _Absent:
    """An operand whose expression could not be resolved: every comparison with it fails."""


_ABSENT = _Absent()


def _truthy(value: Any) -> bool:
    return value is not _ABSENT and bool(value)


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else as_text(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            return value
    return value


def compare(op: str, left: Any, right: Any) -> bool:
    """A loose comparison: numbers and numeric strings compare as numbers, strings ignore case."""
    if left is _ABSENT or right is _ABSENT:
        return False
    left_num = isinstance(left, int | float) and not isinstance(left, bool)
    right_num = isinstance(right, int | float) and not isinstance(right, bool)
    if left_num and isinstance(right, str):
        right = _number(right)
    elif right_num and isinstance(left, str):
        left = _number(left)
    if isinstance(left, str) and isinstance(right, str):
        left, right = left.casefold(), right.casefold()
    try:
        return bool(_COMPARE[op](left, right))
    except TypeError:
        return op == "!="
