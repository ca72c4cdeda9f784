"""The Strict-Transport-Security header field, parsed by the grammar of RFC 6797 §6.1."""

from __future__ import annotations

import re
from dataclasses import dataclass

# RFC 9110 §5.6.2 token; RFC 9110 §5.6.4 quoted-string (RFC 6797 §6.1 uses the RFC 2616 forms)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_QUOTED = re.compile(r'"((?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[\t \x21-\x7e\x80-\xff])*)"')
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class HstsPolicy:
    """A valid STS policy: max-age in seconds, includeSubDomains, preload, and every directive."""

    max_age: int
    include_subdomains: bool
    preload: bool
    directives: dict[str, str | None]


def _skip_ows(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _first_field(value: str) -> tuple[str, bool]:
    """The first of several header fields that were folded with commas (RFC 6797 §8.1)."""
    in_quotes = escaped = False
    for i, char in enumerate(value):
        if escaped:
            escaped = False
        elif char == "\\" and in_quotes:
            escaped = True
        elif char == '"':
            in_quotes = not in_quotes
        elif char == "," and not in_quotes:
            return value[:i], True
    return value, False


def parse_hsts(value: str) -> HstsPolicy:
    """Parse a Strict-Transport-Security value; ValueError names what makes it invalid.

    Directive names are case-insensitive, values are tokens or quoted strings, each directive
    appears at most once, max-age is required and is delta-seconds (RFC 6797 §6.1, §6.1.1).
    When several fields were folded into one with commas, only the first counts (§8.1).
    """
    text, _ = _first_field(value)
    directives: dict[str, str | None] = {}
    pos = 0
    while True:
        pos = _skip_ows(text, pos)
        if pos < len(text) and text[pos] != ";":
            name_match = _TOKEN.match(text, pos)
            if name_match is None:
                raise ValueError(f"expected a directive name at {text[pos:]!r} (RFC 6797 §6.1)")
            name = name_match.group().lower()
            pos = _skip_ows(text, name_match.end())
            directive_value: str | None = None
            if pos < len(text) and text[pos] == "=":
                pos = _skip_ows(text, pos + 1)
                token = _TOKEN.match(text, pos)
                quoted = _QUOTED.match(text, pos)
                if token is not None:
                    directive_value, pos = token.group(), token.end()
                elif quoted is not None:
                    directive_value, pos = _unquote(quoted.group(1)), quoted.end()
                else:
                    raise ValueError(
                        f"directive {name} has no valid value at {text[pos:]!r} "
                        "(a token or a quoted string, RFC 6797 §6.1)"
                    )
                pos = _skip_ows(text, pos)
            if name in directives:
                raise ValueError(f"directive {name} appears more than once (RFC 6797 §6.1)")
            directives[name] = directive_value
        if pos >= len(text):
            break
        if text[pos] != ";":
            raise ValueError(f"expected ';' between directives at {text[pos:]!r} (RFC 6797 §6.1)")
        pos += 1
    return _policy(directives)


def _policy(directives: dict[str, str | None]) -> HstsPolicy:
    if "max-age" not in directives:
        raise ValueError("the max-age directive is missing; it is required (RFC 6797 §6.1.1)")
    raw = directives["max-age"]
    if raw is None or not _DIGITS.fullmatch(raw):
        raise ValueError(f"max-age {raw!r} is not delta-seconds (digits only, RFC 6797 §6.1.1)")
    if directives.get("includesubdomains") is not None:
        raise ValueError("includeSubDomains takes no value (RFC 6797 §6.1.2)")
    return HstsPolicy(
        max_age=int(raw),
        include_subdomains="includesubdomains" in directives,
        preload="preload" in directives,
        directives=directives,
    )


def several_fields(value: str) -> bool:
    """Whether `value` folds more than one header field (only the first one counts)."""
    return _first_field(value)[1]
