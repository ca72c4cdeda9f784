"""The run's answers to safe requests (conformance/client/safe_reads.py), on a loopback server:
what is handed out again, what is sent afresh, and what a write makes the client forget."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from conformance.client.http import HttpClient, recording
from conformance.client.safe_reads import SafeReads
from conformance.core.model import SafetyClass
from conformance.inputs.target import SafetyPolicy, Target

POST_STATUSES = {"/created": 201, "/refused": 400, "/broken": 500}


class Handler(http.server.BaseHTTPRequestHandler):
    """Counts every request it serves; answers by path."""

    hits: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        Handler.hits.append(f"GET {self.path}")
        if self.path == "/failing":
            self._send(503, b"down")
        elif self.path == "/moved":
            self._send(308, b"", {"Location": "/item"})
        else:
            self._send(200, b'{"n": %d}' % len(Handler.hits))

    def do_POST(self) -> None:
        Handler.hits.append(f"POST {self.path}")
        self._send(POST_STATUSES[self.path], b"{}")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {**(headers or {}), "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(base_url: str) -> Iterator[HttpClient]:
    Handler.hits.clear()
    policy = SafetyPolicy(max_rps=1000)
    http_client = HttpClient(
        Target(name="t", base_url=base_url, safety=policy),
        allow=frozenset({SafetyClass.READ, SafetyClass.WRITE}),
    )
    yield http_client
    http_client.close()


def test_a_reused_answer_is_not_sent_again_and_shows_in_the_evidence(client):
    first = client.get("/item", headers={"Accept": "application/json"})
    seen = []
    with recording(seen.append):
        again = client.get("/item", headers={"accept": "application/json"}, reuse=True)
    assert len(Handler.hits) == 1, Handler.hits  # header names compare case-insensitively
    assert again.body == first.body
    assert again.reused
    assert not first.reused
    assert seen == [again]  # the asking check's evidence holds the answer it judged
    assert "not sent again" in client.evidence(again).summary
    assert client.evidence(again).detail["reused"] is True


def test_without_reuse_or_with_other_headers_the_request_is_sent(client):
    client.get("/item")
    client.get("/item")  # a latency sample, a state read: asked for afresh
    client.get("/item", headers={"Accept": "application/xml"}, reuse=True)
    client.get("/item", auth=False, reuse=True)  # the same request as the first two: reused
    assert len(Handler.hits) == 3, Handler.hits
    assert client.get("/other", reuse=True).status == 200  # nothing remembered: sent
    assert len(Handler.hits) == 4


@pytest.mark.parametrize("path", ["/created", "/broken"])
def test_a_write_that_may_have_happened_forgets_every_answer(client, path):
    client.get("/item")
    client.request("POST", path, body=b"{}")
    client.get("/item", reuse=True)
    assert Handler.hits == ["GET /item", f"POST {path}", "GET /item"]


def test_a_refused_write_changes_nothing(client):
    client.get("/item")
    client.request("POST", "/refused", body=b"{}")
    client.get("/item", reuse=True)
    assert Handler.hits == ["GET /item", "POST /refused"]


def test_server_errors_and_redirects_are_never_handed_out_again(client):
    assert client.get("/failing").status == 503
    assert client.get("/failing", reuse=True).status == 503
    moved = client.get("/moved", follow_redirects=False)
    assert moved.status == 308
    assert client.get("/moved", follow_redirects=False, reuse=True).status == 308
    # followed, /moved ends at /item: that answer is /item's, not /moved's own
    client.get("/moved")
    client.get("/moved", follow_redirects=False, reuse=True)
    assert [h.split()[1] for h in Handler.hits] == [
        "/failing",
        "/failing",
        "/moved",
        "/moved",
        "/moved",
        "/item",
        "/moved",
    ]


def test_an_answer_kept_without_redirect_serves_either_redirect_policy(client):
    client.get("/item")  # follow_redirects by default; the answer is /item's own
    client.get("/item", follow_redirects=False, reuse=True)
    assert len(Handler.hits) == 1


def test_requests_are_compared_as_sent_with_the_sessions_own_headers(client):
    client.get("/item")  # requests sends Accept: */* when the caller names none
    client.get("/item", headers={"Accept": "*/*"}, reuse=True)
    assert len(Handler.hits) == 1


def test_a_write_with_no_answer_forgets_too():
    reads = SafeReads()
    reads.answer("k", "u", lambda: _exchange("u"), reuse=False)
    assert len(reads) == 1
    reads.after_write(None)
    assert len(reads) == 0


def _exchange(url: str):  # type: ignore[no-untyped-def]
    from requests.structures import CaseInsensitiveDict

    from conformance.client.exchange import Exchange

    return Exchange("GET", url, {}, None, 200, CaseInsensitiveDict(), b"", 0.0)
