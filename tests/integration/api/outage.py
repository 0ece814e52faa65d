"""A TCP relay in front of a real server that a test can cut and restore.

The application connects to the relay's port. ``cut()`` stands for the server
going away: every open connection is dropped and the port is either closed
(connections refused at once) or left listening without ever answering (a
host that accepts and then says nothing, the case a connect timeout is for).
``restore()`` relays again on the same port, as the server coming back.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Literal

__all__ = ["Relay"]

Outage = Literal["refused", "silent"]


class Relay:
    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._silent: socket.socket | None = None
        self.port = 0
        self._listen()

    def cut(self, outage: Outage = "refused") -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            dropped, self._open = self._open, set()
        if listener is not None:
            _close(listener)
        for conn in dropped:
            _close(conn)
        if outage == "silent":
            # Listening with a backlog and never accepting: the kernel completes
            # the handshake, and the client's first message goes unanswered.
            self._silent = _bound(self.port)
            self._silent.listen(64)

    def restore(self) -> None:
        if self._listener is not None:
            return  # not cut
        if self._silent is not None:
            _close(self._silent)
            self._silent = None
        self._listen()

    def close(self) -> None:
        self.cut()
        if self._silent is not None:
            _close(self._silent)
            self._silent = None

    def _listen(self) -> None:
        listener = _bound(self.port)
        listener.listen(64)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut: the listener was closed
            try:
                upstream = socket.create_connection(self._target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:
                    _close(client)
                    _close(upstream)
                    return
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _bound(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass  # one side went away, or the relay was cut
    finally:
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
