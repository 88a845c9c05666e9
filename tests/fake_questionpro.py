"""A local QuestionPro on 127.0.0.1 speaking the regenerate endpoint's protocol.

It keeps one valid key, rotates it on a good request, and can be scripted to fail in
every way the real service or a proxy in front of it can: each entry of ``script`` is
used by one regenerate call, then ``ok``.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests import corpus
from tests.loopback import LoopbackServer

PATH = "/a/api/v2/apikey/regenerate"

ERRORS = {
    400: ("BAD_REQUEST", "Invalid URL parameters"),
    401: ("UNAUTHORIZED", "Incorrect API Key"),
    403: ("FORBIDDEN", "The user does not have permission to access the resource"),
    404: ("NOT_FOUND", "The resource that you're trying to access doesn't exist"),
    429: ("TOO_MANY_REQUESTS", "API call limit exceeded"),
    500: ("INTERNAL_SERVER_ERROR", "We are not able to process your request"),
}


def error_body(status: int, error_id: str | int, *, loose: bool = False) -> bytes:
    name, message = ERRORS[status]
    if loose:  # the published examples: unquoted docs value, id as a string
        return (
            '{\n"response": {\n"error": {\n"docs": www.questionpro.com/api/error-codes.html\n'
            f'"name": "{name}",\n"httpStatusCode": {status},\n"id" : "{error_id}",\n'
            f'"message": "{message}",\n"resourceUrl":"resource_url"\n}}\n}}\n}}'
        ).encode()
    return json.dumps(
        {
            "response": {
                "error": {
                    "docs": "https://www.questionpro.com/api/error-codes.html",
                    "name": name,
                    "httpStatusCode": status,
                    "id": error_id,
                    "message": message,
                    "resourceUrl": "resource_url",
                }
            }
        }
    ).encode()


@dataclass
class FakeQuestionPro:
    valid_key: str
    other_keys: set[str] = field(default_factory=set)  # more valid keys (other users of the account)
    script: list[str] = field(default_factory=list)
    calls: int = 0
    rotations: int = 0
    hang_seconds: float = 5.0
    request_ids: list[str] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)  # every key this server ever handed out
    seen_headers: list[dict[str, str]] = field(default_factory=list)
    drip_interval: float = 0.2  # "drip": seconds between the bytes of a never-ending reply
    bytes_sent: int = 0  # "huge": how much of an endless body the client read before closing
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:  # keep keys out of test logs
                pass

            def do_GET(self) -> None:
                fake.handle(self)

        self.server = LoopbackServer(Handler)
        return self.server.url

    def stop(self) -> None:
        self.server.stop()

    def _rotate(self, old_key: str) -> tuple[str, str]:
        new_key, request_id = corpus.new_key(), f"{corpus.new_uuid()}-rid"
        if old_key == self.valid_key:
            self.valid_key = new_key
        else:
            self.other_keys.discard(old_key)
            self.other_keys.add(new_key)
        self.rotations += 1
        self.request_ids.append(request_id)
        self.issued.append(new_key)
        return new_key, request_id

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        if h.path.split("?")[0] != PATH:
            self._send(h, 404, error_body(404, 1040))
            return
        with self.lock:
            self.calls += 1
            self.seen_headers.append(dict(h.headers))
            action = self.script.pop(0) if self.script else "ok"
            key_ok = h.headers.get("api-key") in {self.valid_key, *self.other_keys}
            rotated = None
            if (
                action
                in (
                    "ok",
                    "ok-loose",
                    "timeout-after-rotate",
                    "drop-after-rotate",
                    "malformed-after-rotate",
                    "html-502-after-rotate",
                    "drip-after-rotate",
                    "huge-after-rotate",
                    "ok-gzip",
                    "ok-no-request-id",
                    "gzip-bomb-after-rotate",
                    "ok-no-request-id",
                    "ok-hostile-request-id",
                )
                and key_ok
            ):
                rotated = self._rotate(h.headers.get("api-key", ""))
        if action.startswith("error:"):
            _, status, error_id = action.split(":")
            self._send(h, int(status), error_body(int(status), error_id if not error_id.isdigit() else int(error_id)))
        elif action.startswith("loose-error:"):
            _, status, error_id = action.split(":")
            self._send(h, int(status), error_body(int(status), error_id, loose=True))
        elif action == "429-retry-after":
            self._send(h, 429, error_body(429, "1013"), {"Retry-After": "0"})
        elif action.startswith("429-retry-after:"):  # any Retry-After value, as a proxy might send
            self._send(h, 429, error_body(429, "1013"), {"Retry-After": action.split(":", 1)[1]})
        elif action == "429-no-retry":
            self._send(h, 429, error_body(429, "1013"))
        elif action == "html-403":
            self._send(h, 403, b"<html><body>Forbidden by firewall</body></html>", ctype="text/html")
        elif action == "redirect":
            self._send(h, 302, b"", {"Location": "https://elsewhere.example/steal"})
        elif rotated is None:
            self._send(h, 401, error_body(401, "1010"))
        elif action == "timeout-after-rotate":
            time.sleep(self.hang_seconds)
            self._send(h, 200, json.dumps({"response": {"apiKey": rotated[0]}, "requestID": rotated[1]}).encode())
        elif action == "drop-after-rotate":
            h.connection.shutdown(socket.SHUT_RDWR)
            h.close_connection = True
        elif action == "malformed-after-rotate":
            self._send(h, 200, b'{"response": {"status": "ok"}')
        elif action == "html-502-after-rotate":
            self._send(h, 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", ctype="text/html")
        elif action == "drip-after-rotate":  # a body that never ends, one byte at a time
            self._drip(h, b'{"response": {"apiKey": "' + rotated[0].encode() + b'"' + b" " * 100_000)
        elif action == "huge-after-rotate":  # 3 GB announced, zeros until the client hangs up
            self._endless(h)
        elif action == "ok-no-request-id":  # a reply without the requestID the docs show
            self._send(h, 200, json.dumps({"response": {"apiKey": rotated[0]}}).encode())
        elif action == "ok-gzip":  # a compressing proxy or CDN, although identity was asked for
            body = json.dumps({"response": {"apiKey": rotated[0]}, "requestID": rotated[1]}).encode()
            self._send(h, 200, gzip.compress(body), {"Content-Encoding": "gzip"})
        elif action == "gzip-bomb-after-rotate":  # 64 MiB of zeros in ~64 KiB
            self._send(h, 200, gzip.compress(b"{" + b" " * (64 * 1024**2)), {"Content-Encoding": "gzip"})
        elif action == "ok-no-request-id":  # a reply that omits requestID
            self._send(h, 200, json.dumps({"response": {"apiKey": rotated[0]}}).encode())
        elif action == "ok-hostile-request-id":  # a requestID that would close the marker comment
            hostile = "x --> [click](https://evil.example) @octocat `"
            self._send(h, 200, json.dumps({"response": {"apiKey": rotated[0]}, "requestID": hostile}).encode())
        elif action == "ok-loose":  # the published success example: apiKey unquoted
            self._send(
                h, 200, f'{{\n"response": {{\n"apiKey": {rotated[0]}\n}},\n"requestID": "{rotated[1]}"\n}}'.encode()
            )
        else:
            self._send(h, 200, json.dumps({"response": {"apiKey": rotated[0]}, "requestID": rotated[1]}).encode())

    def _drip(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        try:
            for i in range(len(body)):
                h.wfile.write(body[i : i + 1])
                h.wfile.flush()
                time.sleep(self.drip_interval)
        except OSError:  # the client gave up: what it should do
            h.close_connection = True

    def _endless(self, h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(3 * 1024**3))
        h.end_headers()
        chunk = b"{" + b" " * 65535
        try:
            while self.bytes_sent < 3 * 1024**3:
                h.wfile.write(chunk)
                self.bytes_sent += len(chunk)
        except OSError:
            h.close_connection = True

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        ctype: str = "application/json",
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)
