"""Serve cratb's WSGI application for the API benchmark: ``python -m
benchmarks.resistance.serve PORT``.

Django's ``runserver`` writes a response's headers and body in two small packets, and
Nagle's algorithm then holds the second until the client's delayed acknowledgement
(about 40 ms): a network artefact that production servers (gunicorn, uWSGI) avoid by
setting TCP_NODELAY. This server is Python's threaded WSGI reference server with
TCP_NODELAY, so the benchmark measures the application, not that artefact.
"""

from __future__ import annotations

import socket
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Handler(WSGIRequestHandler):
    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main(argv: list[str]) -> int:
    from cratb.bootstrap import setup_django

    setup_django()
    from cratb.wsgi import application

    port = int(argv[0])
    with make_server("127.0.0.1", port, application, _Server, _Handler) as server:
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
