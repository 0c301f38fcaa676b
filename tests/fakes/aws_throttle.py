"""A loopback proxy in front of moto's server that throttles chosen operations and adds latency.

moto never throttles and answers in a millisecond; real AWS does neither. The proxy answers the JSON-protocol error the SDK expects
(HTTP 400, `__type: ThrottlingException`) for the next N calls of an operation (matched on the
X-Amz-Target header, e.g. 'Logs_20140328.DescribeLogGroups') and forwards everything else.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class ThrottlingProxy(ThreadingHTTPServer):
    daemon_threads = True

    request_queue_size = 256

    def __init__(self, upstream: str, latency: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.latency = latency           # seconds added to every forwarded call
        self.calls = 0
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.remaining: dict[str, int] = {}
        self.throttled: dict[str, int] = {}
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def throttle(self, target_suffix: str, times: int) -> None:
        with self.lock:
            self.remaining[target_suffix] = times

    def should_throttle(self, target: str) -> bool:
        with self.lock:
            for suffix, left in self.remaining.items():
                if target.endswith(suffix) and left > 0:
                    self.remaining[suffix] = left - 1
                    self.throttled[suffix] = self.throttled.get(suffix, 0) + 1
                    return True
        return False


class _Handler(BaseHTTPRequestHandler):
    server: ThrottlingProxy
    disable_nagle_algorithm = True   # headers and body go out separately: avoid 40 ms per call
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.calls += 1
        if self.server.latency:
            time.sleep(self.server.latency)
        if self.server.should_throttle(self.headers.get("X-Amz-Target", "")):
            payload = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        upstream = http.client.HTTPConnection(*self.server.upstream, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["Host"] = self.headers.get("Host", "")
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        finally:
            upstream.close()

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _relay


@contextmanager
def throttling_proxy(upstream: str, latency: float = 0.0) -> Iterator[ThrottlingProxy]:
    proxy = ThrottlingProxy(upstream, latency)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
