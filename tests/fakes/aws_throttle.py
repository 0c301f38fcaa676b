"""A loopback proxy in front of moto's server that plants the faults real AWS and networks produce.

moto never throttles, answers in a millisecond and always answers in shape; real AWS and the
networks in front of it do none of that. The proxy forwards every request and, for the operations
told, instead:
- throttles: the JSON-protocol error the SDK expects (HTTP 400, `__type: ThrottlingException`) for
  the next N calls of an operation matched on the X-Amz-Target header suffix (`throttle`);
- answers with a canned status, body and content type (`answer`: an error document, a 200 that is
  not JSON, an error message quoting the request's credentials);
- rewrites the upstream answer's body (`rewrite`: a field removed, a truncation without its
  marker, a repeated token, a credential report with dates nobody can read);
- stalls without answering (`stall`), for read timeouts.
Operations are named as the API names them: the X-Amz-Target suffix (JSON protocols), the
`Action` form parameter (query protocols: IAM, STS, EC2), or `ListBuckets` for S3's GET on `/`.
A rule may be limited to one region (the SigV4 credential scope's) and may skip the first
`after` matching calls. `latency` delays every forwarded call.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import BaseServer
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

S = TypeVar("S", bound=BaseServer)
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class Rule:
    operation: str
    times: int | None                  # None: every time
    after: int = 0                     # matching calls let through before the rule applies
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    rewrite: Callable[[bytes], bytes] | None = None
    stall: float = 0.0
    seen: int = 0
    region: str | None = None          # only calls signed for this region


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
        self.rules: list[Rule] = []
        self.applied: dict[str, int] = {}
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def throttle(self, target_suffix: str, times: int) -> None:
        with self.lock:
            self.remaining[target_suffix] = times

    def answer(self, operation: str, status: int, body: str | bytes, content_type: str = "application/json", *,
               times: int | None = None, after: int = 0, region: str | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        with self.lock:
            self.rules.append(Rule(operation, times, after, status, data, content_type, region=region))

    def rewrite(self, operation: str, change: Callable[[bytes], bytes], *, times: int | None = None,
                after: int = 0) -> None:
        with self.lock:
            self.rules.append(Rule(operation, times, after, rewrite=change))

    def stall(self, operation: str, seconds: float, *, times: int | None = None) -> None:
        with self.lock:
            self.rules.append(Rule(operation, times, stall=seconds))

    def should_throttle(self, target: str) -> bool:
        with self.lock:
            for suffix, left in self.remaining.items():
                if target.endswith(suffix) and left > 0:
                    self.remaining[suffix] = left - 1
                    self.throttled[suffix] = self.throttled.get(suffix, 0) + 1
                    return True
        return False

    def rule_for(self, operation: str, region: str) -> Rule | None:
        with self.lock:
            for rule in self.rules:
                if rule.operation != operation or rule.times == 0 or rule.region not in (None, region):
                    continue
                rule.seen += 1
                if rule.seen <= rule.after:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                self.applied[operation] = self.applied.get(operation, 0) + 1
                return rule
        return None


def operation_of(method: str, path: str, target: str, body: bytes) -> str:
    if target:
        return target.rsplit(".", 1)[-1]
    parts = urlsplit(path)
    action = parse_qs(parts.query).get("Action") or parse_qs(body.decode("utf-8", "replace")).get("Action")
    if action:
        return action[0]
    if method == "GET" and parts.path in ("", "/"):
        return "ListBuckets"
    return f"{method} {parts.path}"


class _Handler(BaseHTTPRequestHandler):
    server: ThrottlingProxy
    disable_nagle_algorithm = True   # headers and body go out separately: avoid 40 ms per call
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.calls += 1
        if self.server.latency:
            time.sleep(self.server.latency)
        target = self.headers.get("X-Amz-Target", "")
        if self.server.should_throttle(target):
            payload = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
            self._reply(400, payload, "application/x-amz-json-1.1")
            return
        scope = re.search(r"Credential=[^/]+/\d+/([^/]+)/", self.headers.get("Authorization", ""))
        rule = self.server.rule_for(operation_of(self.command, self.path, target, body), scope.group(1) if scope else "")
        if rule is not None and rule.stall:
            time.sleep(rule.stall)
            self.close_connection = True
            return
        if rule is not None and rule.rewrite is None:
            self._reply(rule.status, rule.body, rule.content_type)
            return
        upstream = http.client.HTTPConnection(*self.server.upstream, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["Host"] = self.headers.get("Host", "")
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
            if rule is not None and rule.rewrite is not None:
                payload = rule.rewrite(payload)
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
def serving(server: S) -> Iterator[S]:
    """``server`` answering on its own thread until the block ends, then shut down and closed."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def throttling_proxy(upstream: str, latency: float = 0.0) -> Iterator[ThrottlingProxy]:
    with serving(ThrottlingProxy(upstream, latency)) as proxy:
        yield proxy
