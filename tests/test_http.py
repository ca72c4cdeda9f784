"""The HTTP layer against a real loopback server: limits, redirects, write guard, evidence."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from typing import ClassVar

import pytest

from conformance.client.http import HttpClient, RateLimiter, recording
from conformance.client.redaction import REDACTED
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.model import SafetyClass
from conformance.inputs.target import SafetyPolicy, Target


class Handler(http.server.BaseHTTPRequestHandler):
    """Routes for the HTTP-layer tests."""

    hits: ClassVar[list[str]] = []
    dripped: ClassVar[list[int]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        Handler.hits.append(self.path)
        port = self.server.server_address[1]
        if self.path == "/big":
            self._send(200, b"x" * 20_000)
        elif self.path == "/redirect-on":
            self._send(308, b"", {"Location": "/ok"})
        elif self.path == "/redirect-off":
            self._send(302, b"", {"Location": f"http://localhost:{port}/ok"})
        elif self.path == "/loop":
            self._send(302, b"", {"Location": "/loop"})
        elif self.path.startswith("/drip"):
            self._drip(with_length=self.path == "/drip-length")
        elif self.path == "/echo":
            self._send(200, self.headers.get("Authorization", "").encode())
        else:
            self._send(200, b'{"ok": true}', {"Content-Type": "application/json"})

    def do_POST(self) -> None:
        Handler.hits.append("POST " + self.path)
        self._send(201, b"{}")

    def _drip(self, *, with_length: bool) -> None:
        """One byte every 20 ms for up to 10 s: each read is quick, the answer never ends."""
        self.send_response(200)
        if with_length:
            self.send_header("Content-Length", "500")
        self.end_headers()
        sent = 0
        while sent < 500:
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:
                break
            sent += 1
            time.sleep(0.02)
        Handler.dripped.append(sent)
        self.close_connection = True

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def client(base_url: str, **safety: object) -> HttpClient:
    policy = SafetyPolicy(max_rps=1000, **safety)  # type: ignore[arg-type]
    return HttpClient(Target(name="t", base_url=base_url, safety=policy))


def test_get_and_media_type(base_url):
    exchange = client(base_url).get("/ok")
    assert exchange.status == 200
    assert exchange.media_type == "application/json"
    assert exchange.json() == {"ok": True}


def test_response_over_the_size_limit_is_inconclusive(base_url):
    with pytest.raises(Inconclusive, match="larger than the 1000-byte limit"):
        client(base_url, max_response_bytes=1000).get("/big")


@pytest.mark.parametrize("path", ["/drip-length", "/drip-until-close"])
def test_a_dripping_answer_is_cut_at_the_per_request_time_limit(base_url, path):
    # Every read gets a byte well within timeout_s; only a wall-clock deadline ends the exchange.
    Handler.dripped.clear()
    with pytest.raises(Inconclusive, match="per-request time limit"):
        client(base_url, timeout_s=0.3).get(path)
    for _ in range(100):  # the server notices the shut connection at its next write
        if Handler.dripped:
            break
        time.sleep(0.05)
    assert Handler.dripped, "the server never saw the connection shut"
    assert Handler.dripped[0] < 500  # cut off: the drip did not run out


def test_redirects_are_followed_on_the_target_hosts_only(base_url):
    c = client(base_url)
    assert c.get("/redirect-on").url.endswith("/ok")
    Handler.hits.clear()
    off = c.get("/redirect-off")
    assert off.status == 302
    assert Handler.hits == ["/redirect-off"]


def test_redirect_loops_are_bounded(base_url):
    with pytest.raises(Inconclusive, match="more than 2 redirects"):
        client(base_url, max_redirects=2).get("/loop")


def test_requests_off_the_target_hosts_are_refused(base_url):
    port = base_url.rsplit(":", 1)[1]
    with pytest.raises(Inconclusive, match="not one of the target's hosts"):
        client(base_url).get(f"http://localhost:{port}/ok")


def test_write_methods_need_an_opt_in(base_url):
    Handler.hits.clear()
    with pytest.raises(PreconditionMissing, match=r"opt in with --allow write"):
        client(base_url).request("POST", "/applications", json_body={})
    assert Handler.hits == []
    allowed = HttpClient(
        Target(name="t", base_url=base_url), allow=frozenset({SafetyClass.READ, SafetyClass.WRITE})
    )
    assert allowed.request("POST", "/applications", json_body={}).status == 201


def test_unreachable_target_is_inconclusive_not_a_failure():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(Inconclusive, match=r"connection refused|cannot reach"):
        client(f"http://127.0.0.1:{port}").get("/ok")


def test_evidence_redacts_the_bearer_token(base_url, monkeypatch):
    from conformance.inputs.secrets import SecretRef

    monkeypatch.setenv("T_TOKEN", "very-secret-token")
    target = Target(name="t", base_url=base_url, bearer_token=SecretRef(env="T_TOKEN"))
    c = HttpClient(target)
    seen = []
    with recording(seen.append):
        exchange = c.get("/echo", auth=True)
    assert seen == [exchange]
    evidence = c.evidence(exchange)
    text = repr(evidence.to_dict())
    assert "very-secret-token" not in text
    assert evidence.detail["request"]["headers"]["Authorization"] == REDACTED
    assert "$CONFORMANCE_TOKEN" in evidence.detail["curl"]


def test_rate_limiter_spaces_requests_by_the_interval():
    limiter = RateLimiter(rps=1000)
    limiter.wait()
    first = limiter._next
    limiter.wait()
    assert limiter._next == pytest.approx(first + 0.001, abs=1e-3)


def _waits(http_client: HttpClient, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The rate (requests/s) of every limiter each request waits for, in order."""
    waited: list[float] = []
    original = RateLimiter.wait

    def wait(self: RateLimiter) -> None:
        waited.append(round(1 / self._interval, 6))
        original(self)

    monkeypatch.setattr(RateLimiter, "wait", wait)
    return waited


def test_requests_keep_under_a_declared_rate_limit(base_url, monkeypatch):
    http_client = client(base_url)
    http_client.keep_under(50.0)
    waited = _waits(http_client, monkeypatch)
    http_client.get("/ok")
    http_client.get("/ok", headers={"Authorization": "Bearer x"})
    # the run's cap (1000/s), then 80 % of the declared 50/s, for every request
    assert waited == [1000.0, 40.0, 1000.0, 40.0]


def test_a_rate_declared_per_client_paces_only_requests_with_credentials(base_url, monkeypatch):
    http_client = client(base_url)
    http_client.keep_under(50.0, authenticated_only=True)
    waited = _waits(http_client, monkeypatch)
    http_client.get("/ok")
    http_client.get("/ok", headers={"authorization": "Bearer x"})
    assert waited == [1000.0, 1000.0, 40.0]


def test_a_higher_declared_rate_never_loosens_a_lower_one(base_url):
    http_client = client(base_url)
    http_client.keep_under(50.0)
    http_client.keep_under(500.0)
    assert http_client.declared_rps == 50.0
