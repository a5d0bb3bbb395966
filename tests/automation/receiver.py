"""A real HTTP server on 127.0.0.1 that records what webhooks send it and answers as told."""

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class Receiver:
    """`answers`: the status of each request in turn (the last one repeats); `hold`: seconds to wait
    before answering the first `hold_count` requests (a slow receiver)."""

    def __init__(self, answers=(200,), hold: float = 0.0, hold_count: int = 0):
        self.answers = list(answers)
        self.hold = hold
        self.hold_count = hold_count
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(
                        Received(self.command, self.path, dict(self.headers.items()), body, time.monotonic())
                    )
                    index = len(receiver.received) - 1
                    status = receiver.answers[min(index, len(receiver.answers) - 1)]
                if index < receiver.hold_count:
                    time.sleep(receiver.hold)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                answer = f"answer {index + 1}".encode()
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
