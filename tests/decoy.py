"""A local HTTP listener that records every request: proof that nothing was fetched."""

from __future__ import annotations

import http.server
import threading


class Decoy:
    def __init__(self):
        self.requests: list[str] = []
        decoy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                decoy.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.end_headers()
                self.wfile.write(b'{"@context": {"name": "http://schema.org/name"}}')

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
