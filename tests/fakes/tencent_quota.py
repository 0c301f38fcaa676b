"""Tencent Cloud's API gateway quota in front of the Tencent fake: per action and key, counted per
second by arrival (cloud API "API 频率限制说明": 20 a second per action by default), answering
`RequestLimitExceeded` beyond it as the gateway does (HTTP 200, an error document). COS requests are
passed through uncounted: COS has limits of its own.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests


class QuotaProxy(ThreadingHTTPServer):
    """Counts each action's calls per second per key; beyond ``per_second``, RequestLimitExceeded."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, upstream: str, per_second: int) -> None:
        super().__init__(("127.0.0.1", 0), _QuotaHandler)
        self.upstream = upstream
        self.per_second = per_second
        self.windows: Counter[tuple[str, str, int]] = Counter()
        self.throttled = 0
        self.forwarded = 0
        self.lock = threading.Lock()
        self.session = requests.Session()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _QuotaHandler(BaseHTTPRequestHandler):
    server: QuotaProxy
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = (self.headers.get("Authorization", "").split("Credential=")[-1].split("/")[0],
               self.headers.get("X-TC-Action", ""), int(time.time()))
        proxy = self.server
        with proxy.lock:
            proxy.windows[key] += 1
            over = proxy.windows[key] > proxy.per_second
            proxy.throttled += over
            proxy.forwarded += not over
        if over:
            self._send(200, json.dumps({"Response": {"Error": {
                "Code": "RequestLimitExceeded", "Message": "Your current request times equals to `6` in a second, "
                "which exceeds the frequency limit"}, "RequestId": "quota"}}).encode())
            return
        self._forward("POST", body)

    def do_GET(self) -> None:   # COS: counted by its own limits, not the cloud API gateway's
        self._forward("GET", b"")

    def _forward(self, method: str, body: bytes) -> None:
        headers = {k: v for k, v in self.headers.items() if k.lower() != "content-length"}
        answer = self.server.session.request(method, self.server.upstream + self.path, data=body, timeout=30,
                                             headers=headers)
        self._send(answer.status_code, answer.content, answer.headers.get("Content-Type", "application/json"))

    def _send(self, status: int, data: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
