"""TCP endpoints that do not speak TLS: behaviours for the `tcp_server` fixture (conftest.py).

Their names are the ids of the tests parametrized with them: keep them as they are.
"""

from __future__ import annotations

import socket


def _plain_text(conn: socket.socket) -> None:
    conn.recv(1024)
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    conn.close()


def _close_at_once(conn: socket.socket) -> None:
    conn.close()


def _never_answer(conn: socket.socket) -> None:
    conn.recv(1024)  # keep the connection open and silent until the server stops
