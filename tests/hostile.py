"""A scripted HTTP/1.1 server on 127.0.0.1 that answers with raw bytes: what a buggy or hostile S3 server
(or a proxy in front of one) can really put on the wire - whitespace-only 200s, duplicate responses,
bodies trickled a byte at a time, bodies far larger than any S3 document.

Each request is read whole (head, then ``Content-Length`` bytes) and handed to ``answer(request)``,
which returns an iterable of raw byte strings to write, or of ``(bytes, seconds)`` to write then wait.
``Close`` in that iterable closes the connection at that point. With ``head_only``, ``answer`` is
called as soon as a request's head has arrived, its body left unread (a server that gives up on an
upload). With ``tls``, a server-side TLS context, every connection is TLS (its handshake made in the
connection's thread: a client that refuses the certificate ends only that connection). The server
and every connection thread stop in ``close()``.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Self


class Close:
    """Marker: close the connection here."""


CLOSE = Close()
Piece = bytes | tuple[bytes, float] | Close


@dataclass
class Received:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    #: the connection's ordinal (1 for the first connection accepted) and the request's on it
    connection: int
    number: int = field(default=1)


def response(status: int, body: bytes = b"", headers: dict[str, str] | None = None, *, length: bool = True) -> bytes:
    """A response's bytes; ``length=False`` leaves out Content-Length (close-delimited when closed)."""
    reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "X")
    lines = [f"HTTP/1.1 {status} {reason}"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class HostileServer:
    def __init__(
        self,
        answer: Callable[[Received], Iterable[Piece]],
        *,
        head_only: bool = False,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._answer = answer
        self._head_only = head_only
        self._tls = tls
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self._listener.getsockname()[1]}"
        self.received: list[Received] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._stopping = threading.Event()
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closed = True
        self._stopping.set()  # ends every pause at once
        try:  # wakes the accept() blocked in its thread (closing the socket alone does not)
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self._closed:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                ordinal = self.connections
                self._sockets.append(sock)
            thread = threading.Thread(target=self._serve, args=(sock, ordinal), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, sock: socket.socket, ordinal: int) -> None:
        buffer = b""
        number = 0
        try:
            if self._tls is not None:
                plain, sock = sock, self._tls.wrap_socket(sock, server_side=True)
                with self._lock:  # close() shuts the TLS socket down (the plain one is detached)
                    self._sockets[self._sockets.index(plain)] = sock
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                method, target, _ = request_line.split(" ", 2)
                headers = {}
                for line in header_lines:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = 0 if self._head_only else int(headers.get("content-length", "0"))
                while len(buffer) < length:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                body, buffer = buffer[:length], buffer[length:]
                number += 1
                received = Received(method, target, headers, body, ordinal, number)
                with self._lock:
                    self.received.append(received)
                for piece in self._answer(received):
                    if isinstance(piece, Close):
                        return
                    if isinstance(piece, tuple):
                        data, pause = piece
                        sock.sendall(data)
                        if self._stopping.wait(pause):
                            return
                    else:
                        sock.sendall(piece)
        except OSError:
            return
        finally:
            sock.close()
