"""WWW-Authenticate challenges (RFC 9110 §11.6.1): which auth-schemes a server offers."""

from __future__ import annotations

import re

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_TOKEN68 = r"[A-Za-z0-9\-._~+/]+=*"
_PARAM = rf"{_TOKEN}[ \t]*=[ \t]*(?:{_TOKEN}|{_QUOTED})"
# challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]  (RFC 9110 §11.3)
_PARAMS = rf"{_PARAM}(?:[ \t]*,[ \t]*{_PARAM})*"
_CHALLENGE = re.compile(rf"(?P<scheme>{_TOKEN})(?:[ ]+(?:{_PARAMS}|{_TOKEN68}(?=[ \t]*(?:,|$))))?")


def challenge_schemes(value: str) -> list[str]:
    """The auth-schemes of a WWW-Authenticate value; ValueError when it holds no valid challenge."""
    schemes: list[str] = []
    pos, text = 0, value.strip()
    while pos < len(text):
        while pos < len(text) and text[pos] in " \t,":
            pos += 1
        if pos >= len(text):
            break
        match = _CHALLENGE.match(text, pos)
        if match is None:
            raise ValueError(f"not a challenge at {text[pos:]!r} (RFC 9110 §11.3)")
        schemes.append(match.group("scheme"))
        pos = match.end()
        if pos < len(text) and text[pos] not in " \t,":
            raise ValueError(f"unexpected {text[pos:]!r} after a challenge (RFC 9110 §11.3)")
    if not schemes:
        raise ValueError("the header is empty: it must hold at least one challenge (§11.6.1)")
    return schemes
