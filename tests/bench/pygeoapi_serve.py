"""Serve pygeoapi (its Flask app, as installed from PyPI) on loopback with an access log.

Run by the `pygeoapi` fixture of test_pygeoapi.py as a child process:

    python pygeoapi_serve.py PORT ACCESS_LOG [CERT KEY]

PYGEOAPI_CONFIG and PYGEOAPI_OPENAPI must be set (pygeoapi reads them when its app is imported).
The app is pygeoapi's own `pygeoapi.flask_app.APP`, unchanged; the only thing added is a WSGI
middleware that appends one JSON line per request to ACCESS_LOG (method, path, query, status,
whether credentials were sent), so that a test can see every request the suite made. With CERT
and KEY the server speaks TLS (werkzeug's ssl_context, Python's default TLS settings).
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import run_simple

StartResponse = Callable[..., Any]


class AccessLog:
    """WSGI middleware: one JSON line per request, written when the answer starts."""

    def __init__(self, app: Callable[..., Iterable[bytes]], path: str) -> None:
        self.app = app
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (open for the process)
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def logging_start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            entry = {
                "method": environ.get("REQUEST_METHOD", ""),
                "path": environ.get("PATH_INFO", ""),
                "query": environ.get("QUERY_STRING", ""),
                "status": int(status.split(" ", 1)[0]),
                "authorization": "HTTP_AUTHORIZATION" in environ,
            }
            with self.lock:
                self.file.write(json.dumps(entry) + "\n")
                self.file.flush()
            return start_response(status, headers, *args)

        return self.app(environ, logging_start)


def main() -> None:
    """Start the server (blocks until the process is terminated)."""
    port, log = int(sys.argv[1]), sys.argv[2]
    tls = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else None
    # importing the app reads PYGEOAPI_CONFIG and PYGEOAPI_OPENAPI
    from pygeoapi.flask_app import APP  # type: ignore[import-untyped]

    APP.wsgi_app = AccessLog(APP.wsgi_app, log)
    run_simple("127.0.0.1", port, APP, threaded=True, ssl_context=tls)


if __name__ == "__main__":
    main()
