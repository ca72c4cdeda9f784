"""The target's credentials on the suite's requests: a bearer token (given, or from the OAuth2
client-credentials grant, cached), or an API key where the OpenAPI apiKey scheme puts it."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from conformance.client.deadline import Deadline
from conformance.client.exchange import (
    Exchange,
    RateLimiter,
    record_exchange,
    transport_reason,
    within_deadline,
)
from conformance.client.redaction import Redactor
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.inputs.target import Target


class CredentialsMixin:
    """Credentials for HttpClient (which provides the attributes declared below)."""

    target: Target
    redactor: Redactor
    _limiter: RateLimiter
    _session: requests.Session
    _token: tuple[str, float] | None
    _token_lock: threading.Lock
    _api_key_scheme: tuple[str, str] | None

    def _read_limited(self, response: requests.Response, started: float, url: str) -> bytes:
        raise NotImplementedError

    def has_credentials(self) -> bool:
        """Whether the target names credentials the suite can send (without using them)."""
        t = self.target
        return t.bearer_token is not None or t.oauth2 is not None or t.api_key is not None

    def credentials_ready(self) -> None:
        """Make sure credentials can be sent (a token fetched, an API key placed); else
        PreconditionMissing saying what is missing."""
        if self.target.bearer_token is not None or self.target.oauth2 is not None:
            self.bearer_token()
        elif self.target.api_key is not None:
            self._api_key_placement()
        else:
            raise PreconditionMissing(
                "the target names no credentials (oauth2, bearer_token or api_key)"
            )

    def use_api_key_scheme(self, location: str, name: str) -> None:
        """Where the target's API key goes, as the OpenAPI document's apiKey scheme says (the
        target file's own `in` and `name` win)."""
        with self._token_lock:
            if self._api_key_scheme is None:
                self._api_key_scheme = (location, name)

    def _api_key_placement(self) -> tuple[str, str]:
        key = self.target.api_key
        if key is not None and key.location and key.name:
            return key.location, key.name
        if self._api_key_scheme is None:
            raise PreconditionMissing(
                "the target's api_key says neither `in` nor `name`, and no OpenAPI document "
                "declares an apiKey security scheme"
            )
        return self._api_key_scheme

    def _with_credentials(self, url: str, headers: dict[str, str]) -> str:
        """Add the target's credentials to a request: a bearer token, else its API key in the
        header, query parameter or cookie it belongs in. Returns the URL to send to."""
        if self.target.bearer_token is not None or self.target.oauth2 is not None:
            headers["Authorization"] = f"Bearer {self.bearer_token()}"
            return url
        key = self.target.api_key
        if key is None:
            raise PreconditionMissing(
                "the target names no credentials (oauth2, bearer_token or api_key)"
            )
        location, name = self._api_key_placement()
        secret = key.secret.reveal()
        self.redactor.add_secret(secret)
        if location == "header":
            headers[name] = secret
        elif location == "cookie":
            cookie = headers.get("Cookie")
            headers["Cookie"] = f"{cookie}; {name}={secret}" if cookie else f"{name}={secret}"
        else:
            parts = urlsplit(url)
            query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), (name, secret)])
            url = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
        return url

    def bearer_token(self) -> str:
        """A bearer token: the configured one, or one from the OAuth2 token endpoint (cached)."""
        if self.target.bearer_token is not None:
            token = self.target.bearer_token.reveal()
            self.redactor.add_secret(token)
            return token
        oauth = self.target.oauth2
        if oauth is None:
            raise PreconditionMissing(
                "the target names no bearer credentials (oauth2 or bearer_token)"
            )
        with self._token_lock:
            if self._token and self._token[1] > time.monotonic():
                return self._token[0]
            secret = oauth.client_secret.reveal()
            self.redactor.add_secret(secret)
            form = {"grant_type": "client_credentials"}
            if oauth.scope:
                form["scope"] = oauth.scope
            exchange = self.token_request(oauth.token_url, form, oauth.client_id, secret)
            try:
                payload = exchange.json()
                token, lifetime = str(payload["access_token"]), float(payload.get("expires_in", 60))
            except (ValueError, KeyError, TypeError):
                raise Inconclusive(
                    f"the token endpoint {oauth.token_url} answered {exchange.status} without a "
                    "usable access_token"
                ) from None
            self.redactor.add_secret(token)
            self._token = (token, time.monotonic() + max(lifetime - 30, lifetime / 2))
            return token

    def token_request(
        self, token_url: str, form: dict[str, str], client_id: str, secret: str
    ) -> Exchange:
        """POST an OAuth2 token request (client authentication by HTTP Basic), within limits."""
        self._limiter.wait()
        started = time.monotonic()
        timeout = self.target.safety.timeout_s
        try:
            with Deadline(timeout) as deadline:
                response = self._session.post(
                    token_url,
                    data=form,
                    auth=(client_id, secret),
                    stream=True,
                    allow_redirects=False,
                    timeout=(timeout, timeout),
                )
                body = self._read_limited(response, started, token_url)
            within_deadline(deadline, token_url)
        except requests.exceptions.RequestException as exc:
            within_deadline(deadline, token_url)
            raise Inconclusive(
                f"cannot reach the token endpoint {token_url}: {transport_reason(exc)}"
            ) from None
        exchange = Exchange(
            "POST",
            token_url,
            dict(response.request.headers),
            response.request.body if isinstance(response.request.body, bytes) else None,
            response.status_code,
            response.headers,
            body,
            time.monotonic() - started,
        )
        record_exchange(exchange)
        return exchange
