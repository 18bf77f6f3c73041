"""A webhook receiver on 127.0.0.1 that refuses its first `refuse` POSTs (HTTP 500), then keeps each
event it is sent, so a test sees the watcher retry and deliver."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Webhook:
    def __init__(self, refuse: int = 1) -> None:
        self.refuse = refuse
        self.received: list[dict[str, Any]] = []
        self.refused = 0
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with hook.lock:
                    refuse = hook.refused < hook.refuse
                    if refuse:
                        hook.refused += 1
                    else:
                        hook.received.append(json.loads(body))
                self.send_response(500 if refuse else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Webhook:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
