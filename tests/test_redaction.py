"""Credentials never reach a report: headers, URLs, bodies, known secret values."""

from __future__ import annotations

from conformance.client.redaction import REDACTED, Redactor


def test_sensitive_headers_are_masked_whole():
    headers = Redactor().headers({"Authorization": "Bearer abc", "Cookie": "s=1", "Accept": "x"})
    assert headers == {"Authorization": REDACTED, "Cookie": REDACTED, "Accept": "x"}


def test_known_secrets_are_masked_anywhere():
    r = Redactor()
    r.add_secret("tok-ABCDEFG")
    assert r.text("echo: tok-ABCDEFG!") == f"echo: {REDACTED}!"
    assert r.headers({"X-Debug": "tok-ABCDEFG"}) == {"X-Debug": REDACTED}


def test_sensitive_fields_in_json_form_and_query_are_masked():
    r = Redactor()
    assert "hunter2" not in r.text('{"client_secret": "hunter2", "scope": "a"}')
    assert "hunter2" not in r.text("grant_type=client_credentials&client_secret=hunter2")
    url = r.url("https://u:pw@host/p?access_token=abc123&q=1")
    assert "abc123" not in url
    assert "pw" not in url
    assert "q=1" in url
    assert r.value({"nested": [{"password": "pw1", "name": "n"}]}) == {
        "nested": [{"password": REDACTED, "name": "n"}]
    }


def test_short_values_are_not_treated_as_secrets():
    r = Redactor()
    r.add_secret("a")
    assert r.text("a cat") == "a cat"
