"""Redaction: credentials never reach a report, a log or an attachment."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "[REDACTED]"
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)
SENSITIVE_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "password",
        "client_assertion",
        "api_key",
        "token",
    }
)
_FIELD_IN_TEXT = re.compile(
    r'(?P<key>"?(?:' + "|".join(sorted(SENSITIVE_FIELDS)) + r')"?\s*[:=]\s*"?)(?P<value>[^"&\s,}]+)'
)


class Redactor:
    """Removes known secret values and sensitive fields from headers, URLs and bodies."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add_secret(self, value: str) -> None:
        """Remember a secret (a client secret, an issued token) so it is masked wherever seen."""
        if len(value) >= 6:
            with self._lock:
                self._secrets.add(value)

    def text(self, value: str) -> str:
        """Mask every known secret and every sensitive `key=value` / `"key": "value"` pair."""
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return _FIELD_IN_TEXT.sub(lambda m: m.group("key") + REDACTED, value)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Copy headers, masking sensitive ones entirely and secrets inside others."""
        return {
            name: REDACTED if name.lower() in SENSITIVE_HEADERS else self.text(str(value))
            for name, value in headers.items()
        }

    def url(self, url: str) -> str:
        """Mask sensitive query parameters and user information in a URL."""
        parts = urlsplit(url)
        query = urlencode(
            [
                (k, REDACTED if k.lower() in SENSITIVE_FIELDS else v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
            ],
            safe="[]",
        )
        netloc = parts.netloc.rsplit("@", 1)[-1]
        if "@" in parts.netloc:
            netloc = f"{REDACTED}@{netloc}"
        return self.text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))

    def value(self, data: Any) -> Any:
        """Redact a JSON-like structure recursively."""
        if isinstance(data, Mapping):
            return {
                k: REDACTED if str(k).lower() in SENSITIVE_FIELDS else self.value(v)
                for k, v in data.items()
            }
        if isinstance(data, list | tuple):
            return [self.value(v) for v in data]
        if isinstance(data, str):
            return self.text(data)
        return data
