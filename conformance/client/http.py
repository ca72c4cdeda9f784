"""The one HTTP client every check uses: limits, rate cap, redirect policy, evidence capture.

Safe by default: read-only methods unless the run allows `write`, a request-rate cap shared by
every check on the target, per-request time and size limits, redirects followed only within the
target's hosts, and credentials redacted from every recorded exchange.
"""

from __future__ import annotations

import json
import shlex
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from conformance.client.credentials import CredentialsMixin
from conformance.client.deadline import Deadline, mount
from conformance.client.exchange import (
    DECLARED_RATE_SHARE,
    REDIRECT_STATUSES,
    Exchange,
    ExchangeStats,
    RateLimiter,
    Recorder,
    record_exchange,
    recording,
    too_slow,
    transport_reason,
    within_deadline,
)
from conformance.client.redaction import Redactor
from conformance.client.run_cache import RunCache
from conformance.client.safe_reads import REMEMBERED, SAFE, SafeReads, request_key
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.model import Evidence, SafetyClass
from conformance.inputs.target import Target

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EVIDENCE_BODY_CHARS = 4000
USER_AGENT = "interop-conformance/0.1 (+conformance test suite)"

# re-exported: the client's own names, where checks and tests have always imported them
__all__ = [
    "DECLARED_RATE_SHARE",
    "EVIDENCE_BODY_CHARS",
    "READ_METHODS",
    "USER_AGENT",
    "Exchange",
    "ExchangeStats",
    "HttpClient",
    "RateLimiter",
    "Recorder",
    "recording",
]


class HttpClient(CredentialsMixin):
    """HTTP(S) to one target, within its safety policy."""

    def __init__(
        self,
        target: Target,
        *,
        allow: frozenset[SafetyClass] | None = None,
        redactor: Redactor | None = None,
        max_rps: float | None = None,
    ) -> None:
        self.target = target
        self.allow = allow if allow is not None else target.safety.allow
        self.redactor = redactor or Redactor()
        self.stats = ExchangeStats()
        #: what this run computes once for this target (TLS scans, shared generated requests)
        self.run_cache = RunCache()
        #: this run's answers to GET and HEAD, for callers that ask with `reuse=True`
        self.safe_reads = SafeReads()
        #: the run's request-rate cap for this client (requests per second)
        self.max_rps: float = max_rps or target.safety.max_rps
        self._limiter = RateLimiter(self.max_rps)
        self._declared_limiter: RateLimiter | None = None
        #: the rate the target declares it allows (requests/s), once discovery has read it
        self.declared_rps: float | None = None
        self.declared_per_client = False
        self._pace_lock = threading.Lock()
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT
        self._session.verify = str(target.ca_bundle) if target.ca_bundle else True
        self._session.trust_env = False  # never route government traffic through a stray proxy
        mount(self._session)  # per-request wall-clock limit: a drip cannot stretch it
        self._token: tuple[str, float] | None = None
        self._token_lock = threading.Lock()
        self._api_key_scheme: tuple[str, str] | None = None

    # -- addressing -----------------------------------------------------------------------
    def url(self, path_or_url: str) -> str:
        """An absolute URL: paths are taken relative to the target's base URL."""
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return self.target.base_url.rstrip("/") + "/" + path_or_url.lstrip("/")

    def on_target(self, url: str) -> bool:
        """Whether `url` is on one of the target's hosts."""
        return (urlsplit(url).hostname or "") in self.target.hosts

    def pace(self) -> None:
        """Wait for the run's shared rate cap (for libraries that open their own connections)."""
        self._limiter.wait()

    def keep_under(self, declared_rps: float, *, authenticated_only: bool = False) -> None:
        """Send requests at most at DECLARED_RATE_SHARE of the rate the target declares.

        The suite's ordinary traffic must never meet the agency's rate limit: a 429 there would
        be a verdict on the suite's pace, not on the agency. Only NET-RATE-01's deliberate burst
        (its own connections) goes past it. With `authenticated_only` (a limit declared per
        client) only requests that carry credentials are counted. The run's cap still applies.
        """
        with self._pace_lock:
            if self.declared_rps is not None and self.declared_rps <= declared_rps:
                return
            self.declared_rps = declared_rps
            self.declared_per_client = authenticated_only
            self._declared_limiter = RateLimiter(declared_rps * DECLARED_RATE_SHARE)

    # -- requests -------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        json_body: Any = None,
        auth: bool = False,
        client_cert: bool = False,
        follow_redirects: bool = True,
        reuse: bool = False,
    ) -> Exchange:
        """Send one request (following on-target redirects) and return the final exchange.

        With `reuse`, a GET or HEAD the run has already had a final answer to (and no write
        since) is not sent again: that answer is returned (see `client.safe_reads`)."""
        method = method.upper()
        if method not in READ_METHODS and SafetyClass.WRITE not in self.allow:
            raise PreconditionMissing(
                f"{method} is a write: opt in with --allow write, or `allow: [write]` in the "
                "profile's or target's safety section"
            )
        send_headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False)
            send_headers.setdefault("Content-Type", "application/json")
        data = body.encode("utf-8") if isinstance(body, str) else body
        url = self.url(path_or_url)
        if auth:
            url = self._with_credentials(url, send_headers)

        def send() -> Exchange:
            return self._follow(
                method, url, send_headers, data, client_cert, auth, follow_redirects
            )

        if method in REMEMBERED:
            # the headers as sent: the session's own (Accept: */*, ...) under the caller's
            named = {name.lower() for name in send_headers}
            session = self._session.headers.items()
            sent = {k: str(v) for k, v in session if k.lower() not in named} | send_headers
            key = request_key(method, url, sent, data, client_cert)
            return self.safe_reads.answer(key, url, send, reuse=reuse)
        if method in SAFE:
            return send()
        status: int | None = None
        try:
            exchange = send()
            status = exchange.status
            return exchange
        finally:
            self.safe_reads.after_write(status)

    def _follow(
        self,
        method: str,
        url: str,
        send_headers: dict[str, str],
        data: bytes | None,
        client_cert: bool,
        auth: bool,
        follow_redirects: bool,
    ) -> Exchange:
        """Send, and follow on-target redirects when asked to; the final exchange."""
        for _ in range(self.target.safety.max_redirects + 1):
            exchange = self._send(method, url, send_headers, data, client_cert, auth)
            location = exchange.header("Location")
            if not (follow_redirects and exchange.status in REDIRECT_STATUSES and location):
                return exchange
            next_url = urljoin(url, location)
            if not self.on_target(next_url):
                return exchange  # never follow a redirect off the target's hosts
            if exchange.status == 303:
                method, data = "GET", None
            url = next_url
        raise Inconclusive(f"more than {self.target.safety.max_redirects} redirects from {url}")

    def get(self, path_or_url: str, **kwargs: Any) -> Exchange:
        """GET shorthand."""
        return self.request("GET", path_or_url, **kwargs)

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        data: bytes | None,
        client_cert: bool,
        authenticated: bool = False,
    ) -> Exchange:
        if not self.on_target(url):
            raise Inconclusive(f"refused to contact {url}: not one of the target's hosts")
        cert = None
        if client_cert:
            cc = self.target.client_certificate
            if cc is None:
                raise PreconditionMissing("the target names no client certificate for mutual TLS")
            cert = (str(cc.cert), str(cc.key))
        policy = self.target.safety
        self._limiter.wait()
        declared = self._declared_limiter
        if declared is not None and (
            not self.declared_per_client
            or authenticated
            or any(k.lower() == "authorization" for k in headers)
        ):
            declared.wait()
        started = time.monotonic()
        try:
            with Deadline(policy.timeout_s) as deadline:
                response = self._session.request(
                    method,
                    url,
                    headers=headers,
                    data=data,
                    cert=cert,
                    stream=True,
                    allow_redirects=False,
                    timeout=(policy.timeout_s, policy.timeout_s),
                )
                body = self._read_limited(response, started, url)
            within_deadline(deadline, url)
        except requests.exceptions.RequestException as exc:
            self.stats.transport_errors += 1
            within_deadline(deadline, url)
            if isinstance(exc, requests.exceptions.SSLError):
                raise Inconclusive(
                    f"TLS failure talking to {url}: {transport_reason(exc)}"
                ) from None
            if isinstance(exc, requests.exceptions.Timeout):
                raise Inconclusive(f"no answer from {url} within {policy.timeout_s:g} s") from None
            raise Inconclusive(f"cannot reach {url}: {transport_reason(exc)}") from None
        except Inconclusive:
            self.stats.transport_errors += 1
            raise
        elapsed = time.monotonic() - started
        self.stats.latencies_s.append(elapsed)
        if response.status_code >= 500:
            self.stats.server_errors += 1
        exchange = Exchange(
            method,
            url,
            dict(response.request.headers),
            data,
            response.status_code,
            response.headers,
            body,
            elapsed,
        )
        record_exchange(exchange)
        return exchange

    def _read_limited(self, response: requests.Response, started: float, url: str) -> bytes:
        limit, timeout = self.target.safety.max_response_bytes, self.target.safety.timeout_s
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise Inconclusive(f"answer from {url} is larger than the {limit}-byte limit")
                if time.monotonic() - started > timeout:
                    raise Inconclusive(too_slow(url, timeout))
                chunks.append(chunk)
        finally:
            response.close()
        return b"".join(chunks)

    # -- evidence -------------------------------------------------------------------------
    def evidence(self, exchange: Exchange, note: str = "") -> Evidence:
        """The redacted evidence of one exchange, with a curl line to replay it."""
        r = self.redactor
        body_text = exchange.text()
        summary = (
            f"{exchange.method} {r.url(exchange.url)} → {exchange.status}"
            f" {exchange.media_type or '(no content type)'} ({exchange.elapsed_s * 1000:.0f} ms)"
        )
        if exchange.reused:
            summary += " (the run's earlier answer to this request, not sent again)"
        detail: dict[str, Any] = {
            "request": {
                "method": exchange.method,
                "url": r.url(exchange.url),
                "headers": r.headers(exchange.request_headers),
                "body": r.text(exchange.request_body.decode("utf-8", "replace"))[
                    :EVIDENCE_BODY_CHARS
                ]
                if exchange.request_body
                else None,
            },
            "response": {
                "status": exchange.status,
                "headers": r.headers(exchange.headers),
                "body": r.text(body_text[:EVIDENCE_BODY_CHARS]),
                "body_truncated": len(body_text) > EVIDENCE_BODY_CHARS,
            },
            "elapsed_ms": round(exchange.elapsed_s * 1000, 1),
            "reused": exchange.reused,
            "curl": self.curl(exchange),
        }
        if note:
            detail["note"] = note
        return Evidence("http", f"{note}: {summary}" if note else summary, detail)

    def curl(self, exchange: Exchange) -> str:
        """A shell line that replays the exchange, credentials as environment variables."""
        parts = ["curl", "-sS", "-i", "-X", exchange.method]
        if self.target.ca_bundle:
            parts += ["--cacert", str(self.target.ca_bundle)]
        for name, value in exchange.request_headers.items():
            if name.lower() in {"user-agent", "accept-encoding", "connection", "content-length"}:
                continue
            if name.lower() == "authorization":
                parts += ["-H", "Authorization: Bearer $CONFORMANCE_TOKEN"]
            else:
                parts += ["-H", f"{name}: {self.redactor.text(value)}"]
        if exchange.request_body:
            parts += [
                "--data-binary",
                self.redactor.text(exchange.request_body.decode("utf-8", "replace")),
            ]
        parts.append(self.redactor.url(exchange.url))
        return " ".join(
            shlex.quote(p) if not p.startswith("Authorization: Bearer $") else f'"{p}"'
            for p in parts
        )

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()
