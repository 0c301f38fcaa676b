"""A local Tencent Cloud for tests: cloud API 3.0 (JSON) and COS (XML) on 127.0.0.1.

Every request is authenticated as the real services do it: TC3-HMAC-SHA256 over the canonical
request, with the timestamp's skew and date checked and temporary keys' tokens matched; COS
q-sign (sha1) over the signed headers and URL parameters, with the signing window checked. JSON
answers carry exactly `Content-Type: application/json` (the SDK ignores errors under any other
type). Faults are injected per `service:Action` (and region): an error document (JSON, or COS XML with
its HTTP status: AccessDenied 403, SlowDown 503), or a bare HTTP status with an HTML page; JSON
answers can also be changed (`mangle`: a field missing, a total as text), cut off mid-body
(`reset`), or carry an error message that echoes the request's credentials (`echo_credentials`). COS
requests are routed by their Host header (<bucket>.cos.<region>.myqcloud.com), since the SDK
connects to the fake's address but names the bucket's domain. The CVM instance metadata paths
are served too, for the CVM-role credentials.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from tests.fakes.tencent_accounts import FakeAccount
from tests.fakes.tencent_handlers import (
    JSON_HANDLERS,
    REGIONAL_SERVICES,
    VERSIONS,
    FakeError,
    bucket_answer,
    cos_error_xml,
    list_buckets_xml,
)
from tests.fakes.tencent_products import PRODUCT_HANDLERS, PRODUCT_REGIONAL_SERVICES, PRODUCT_VERSIONS

MAX_SKEW = 300
UNAUTHORIZED = "AuthFailure.UnauthorizedOperation"


@dataclass
class Key:
    secret_key: str
    account: str
    principal: str                 # the root UIN, a sub-user UIN, or "role:<arn>"
    token: str | None = None
    expires: float | None = None


@dataclass
class Fault:
    operation: str
    code: str
    status: int = 200              # 200: an API error document; otherwise a bare HTTP status
    times: int | None = 1          # None: every time
    region: str | None = None
    message: str = ""
    kind: str = "error"            # error | rewrite | reset
    rewrite: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    echo_credentials: bool = False


@dataclass
class Seen:
    operation: str
    region: str | None
    secret_id: str


@dataclass
class TencentFake:
    accounts: dict[str, FakeAccount] = field(default_factory=dict)
    keys: dict[str, Key] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    calls: list[Seen] = field(default_factory=list)
    latency: float = 0.0
    instance_role: tuple[str, str] | None = None   # (role name, account UIN) for the metadata paths
    role_duration: int | None = None               # force the lifetime of assumed-role keys
    cos_page_size: int = 1000                      # GET Service answers at most this many buckets
    json_content_type: str = "application/json"   # what JSON answers are labelled (the SDK is picky)
    metadata_hits: int = 0
    rejected: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # -- setup -------------------------------------------------------------------------------

    def add_account(self, account: FakeAccount, secret_id: str | None = None, secret_key: str | None = None,
                    principal: str | None = None) -> FakeAccount:
        self.accounts[account.uin] = account
        if secret_id and secret_key:
            self.keys[secret_id] = Key(secret_key, account.uin, principal or account.uin)
        return account

    def fail(self, operation: str, code: str, *, times: int | None = 1, region: str | None = None,
             status: int = 200, message: str = "", echo_credentials: bool = False) -> None:
        with self._lock:
            self.faults.append(Fault(operation, code, status, times, region, message,
                                     echo_credentials=echo_credentials))

    def mangle(self, operation: str, rewrite: Callable[[dict[str, Any]], dict[str, Any]], *,
               times: int | None = None, region: str | None = None) -> None:
        """The JSON answer of `operation` (inside Response), changed by `rewrite` before it is sent."""
        with self._lock:
            self.faults.append(Fault(operation, "", 200, times, region, kind="rewrite", rewrite=rewrite))

    def reset(self, operation: str, *, times: int | None = None, region: str | None = None) -> None:
        """The connection drops after the first chunk of the answer."""
        with self._lock:
            self.faults.append(Fault(operation, "", 200, times, region, kind="reset"))

    def deny(self, operation: str, region: str | None = None) -> None:
        resource = f"qcs::{operation.split(':', maxsplit=1)[0]}:{region or ''}:uin/*"
        self.fail(operation, UNAUTHORIZED, times=None, region=region,
                  message=f"you are not authorized to perform operation ({operation}) resource ({resource}) "
                          "has no permission")

    def count(self, operation: str | None = None) -> int:
        with self._lock:
            return sum(1 for c in self.calls if operation in (None, c.operation))

    def operations(self) -> Counter[str]:
        with self._lock:
            return Counter(c.operation for c in self.calls)

    @property
    def endpoint(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[TencentFake]:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = _Server(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)

    # -- request plumbing ----------------------------------------------------------------------

    def _fault(self, operation: str, region: str | None, kinds: tuple[str, ...] = ("error",)) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.operation == operation and fault.kind in kinds and fault.region in (None, region):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None

    def _record(self, operation: str, region: str | None, secret_id: str) -> None:
        with self._lock:
            self.calls.append(Seen(operation, region, secret_id))

    def _reject(self, reason: str) -> None:
        with self._lock:
            self.rejected.append(reason)

    def key_for(self, secret_id: str, token: str | None) -> Key:
        key = self.keys.get(secret_id)
        if key is None:
            raise FakeError("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your "
                            "SecretId is correct.")
        if key.token is not None and key.token != token:
            raise FakeError("AuthFailure.TokenFailure", "Token verification failed.")
        if key.expires is not None and key.expires < time.time():
            raise FakeError("AuthFailure.TokenFailure", "The token has expired.")
        return key

    # -- STS -----------------------------------------------------------------------------------

    def sts(self, action: str, key: Key, params: dict[str, Any]) -> dict[str, Any]:
        if action == "GetCallerIdentity":
            role = key.principal.startswith("role:")
            user_id = f"4611686018427397920:{key.principal.rsplit('/', 1)[-1]}" if role else key.principal
            arn = (f"qcs::sts:{key.account}:assumed-role/4611686018427397920/mlpscan" if role
                   else f"qcs::cam::uin/{key.account}:uin/{key.principal}")
            return {"Arn": arn, "AccountId": key.account, "UserId": user_id, "PrincipalId": key.account,
                    "Type": "CAMRole" if role else "CAMUser"}
        if action == "AssumeRole":
            arn = params.get("RoleArn")
            if not isinstance(params.get("RoleSessionName"), str) or not arn:
                raise FakeError("MissingParameter", "RoleArn and RoleSessionName are required")
            target = next((a.uin for a in self.accounts.values() if arn in a.roles and a.roles[arn] == key.account),
                          None)
            if target is None:
                raise FakeError("InternalError.GetRoleError", f"role {arn} cannot be assumed by {key.account}")
            duration = self.role_duration or int(params.get("DurationSeconds") or 7200)
            secret_id = f"AKIDtmp{uuid.uuid4().hex[:20]}"
            token = uuid.uuid4().hex * 4
            expires = int(time.time()) + duration
            with self._lock:
                self.keys[secret_id] = Key(uuid.uuid4().hex, target, f"role:{arn}", token, expires)
            return {"Credentials": {"Token": token, "TmpSecretId": secret_id,
                                    "TmpSecretKey": self.keys[secret_id].secret_key},
                    "ExpiredTime": expires,
                    "Expiration": datetime.fromtimestamp(expires, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        raise FakeError("InvalidAction", f"sts:{action} is not served by this fake")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many clients open connections at once; the default backlog of 5 drops SYNs, and each drop
    # costs a one-second retransmission.
    request_queue_size = 256


class _Handler(BaseHTTPRequestHandler):
    owner: TencentFake
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, content_type: str, body: str | bytes) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # -- JSON APIs -----------------------------------------------------------------------------

    def do_POST(self) -> None:
        body = self._body()
        fake = self.owner
        action = self.headers.get("X-TC-Action", "")
        region = self.headers.get("X-TC-Region")
        try:
            service, secret_id = self._verify_tc3(body)
            operation = f"{service}:{action}"
            if self.headers.get("X-TC-Version") != {**VERSIONS, **PRODUCT_VERSIONS}.get(service):
                raise FakeError("InvalidParameterValue.VersionNotSupported",
                                f"version {self.headers.get('X-TC-Version')} of {service}")
            key = fake.key_for(secret_id, self.headers.get("X-TC-Token"))
            params = json.loads(body or b"{}")
            if service in (*REGIONAL_SERVICES, *PRODUCT_REGIONAL_SERVICES) and not region:
                raise FakeError("MissingParameter", "the Region parameter is required")
            fake._record(operation, region, secret_id)
            if fake.latency:
                time.sleep(fake.latency)
            fault = fake._fault(operation, region)
            if fault is not None and fault.status != 200:
                self._send(fault.status, "text/html", f"<html><body>{fault.status} {fault.code}</body></html>")
                return
            if fault is not None:
                message = fault.message or fault.code
                if fault.echo_credentials:   # a gateway quoting the request it refused
                    message += (f" (request from SecretId={secret_id}, "
                                f"X-TC-Token: {self.headers.get('X-TC-Token', '')})")
                raise FakeError(fault.code, message)
            if service == "sts":
                answer = fake.sts(action, key, params)
            else:
                handler = JSON_HANDLERS.get(operation) or PRODUCT_HANDLERS.get(operation)
                if handler is None:
                    raise FakeError("InvalidAction", f"{operation} is not served by this fake")
                answer = handler(fake.accounts[key.account], key.principal, region or "", params)
            broken = fake._fault(operation, region, ("rewrite", "reset"))
            if broken is not None and broken.kind == "reset":
                self._reset()
                return
            if broken is not None and broken.rewrite is not None:
                answer = broken.rewrite(answer)
            self._json({**answer, "RequestId": str(uuid.uuid4())})
        except FakeError as exc:
            self._json({"Error": {"Code": exc.code, "Message": exc.message}, "RequestId": str(uuid.uuid4())})

    def _reset(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"e\r\n{\"Response\": {\r\n")
        self.wfile.flush()
        self.close_connection = True

    def _json(self, response: dict[str, Any]) -> None:
        self._send(200, self.owner.json_content_type, json.dumps({"Response": response}))

    def _verify_tc3(self, body: bytes) -> tuple[str, str]:
        """The service and SecretId of a correctly signed request; FakeError otherwise."""
        fake = self.owner
        auth = self.headers.get("Authorization", "")
        content_type = self.headers.get("Content-Type", "")
        host = self.headers.get("Host", "")
        if not auth.startswith("TC3-HMAC-SHA256 ") or content_type != "application/json" or self.path != "/":
            fake._reject(f"malformed request: {auth[:30]!r} {content_type!r} {self.path!r}")
            raise FakeError("AuthFailure.InvalidAuthorization", "Authorization header or request malformed")
        fields = dict(part.strip().split("=", 1) for part in auth[len("TC3-HMAC-SHA256 "):].split(","))
        secret_id, date, service, terminal = fields["Credential"].split("/")
        timestamp = int(self.headers.get("X-TC-Timestamp", "0"))
        if abs(time.time() - timestamp) > MAX_SKEW:
            raise FakeError("AuthFailure.SignatureExpire", "Signature expired: the timestamp is more than 5 minutes "
                            "away from the server time")
        if date != datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d") or terminal != "tc3_request":
            raise FakeError("AuthFailure.SignatureFailure", "credential scope does not match the timestamp")
        key = fake.keys.get(secret_id)
        if key is None:
            raise FakeError("AuthFailure.SecretIdNotFound", "The SecretId is not found")
        if fields.get("SignedHeaders") != "content-type;host":
            raise FakeError("AuthFailure.SignatureFailure", "SignedHeaders must be content-type;host")
        canonical = "\n".join(["POST", "/", "", f"content-type:{content_type}", f"host:{host}", "",
                               "content-type;host", hashlib.sha256(body).hexdigest()])
        to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), f"{date}/{service}/tc3_request",
                             hashlib.sha256(canonical.encode()).hexdigest()])
        signing = _hmac(_hmac(_hmac(("TC3" + key.secret_key).encode(), date), service), "tc3_request")
        expected = hmac.new(signing, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, fields.get("Signature", "")):
            fake._reject(f"bad TC3 signature for {secret_id}")
            raise FakeError("AuthFailure.SignatureFailure", "The provided credentials could not be validated. "
                            "Please check your signature is correct.")
        return service, secret_id

    # -- COS and instance metadata -----------------------------------------------------------------

    def do_GET(self) -> None:
        self._body()
        if self.path.startswith("/latest/meta-data/"):
            self._metadata()
            return
        fake = self.owner
        host = self.headers.get("Host", "")
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        bucket, region = _bucket_host(host)
        operation = "cos:GetService" if bucket is None else f"cos:GetBucket{_SUBRESOURCES.get(parts.query.split('=')[0], '?')}"
        try:
            key = fake.key_for(*self._verify_cos(parts.path, query))
            fake._record(operation, region, self._cos_ak())
            if fake.latency:
                time.sleep(fake.latency)
            fault = fake._fault(operation, region)
            if fault is not None and fault.status != 200:
                self._send(fault.status, "text/html", f"<html><body>{fault.status} {fault.code}</body></html>")
                return
            if fault is not None:
                code = "AccessDenied" if fault.code == UNAUTHORIZED else fault.code
                raise FakeError(code, fault.message or code, _COS_STATUS.get(code, 400))
            account = fake.accounts[key.account]
            if bucket is None:
                size = min(int(query.get("max-keys", "1000")), fake.cos_page_size)
                self._send(200, "application/xml", list_buckets_xml(account, query.get("marker", ""), size))
                return
            found = next((b for b in account.buckets if b["Name"] == bucket and b["Location"] == region), None)
            if found is None:
                raise FakeError("NoSuchBucket", "The specified bucket does not exist.", 404)
            status, content_type, body = bucket_answer(account, found, parts.query.split("=")[0])
            self._send(status, content_type, body)
        except FakeError as exc:
            status = exc.status if exc.status != 200 else 403
            self._send(status, "application/xml", cos_error_xml(exc, parts.path))

    def _cos_ak(self) -> str:
        return dict(parse_qsl(self.headers.get("Authorization", ""))).get("q-ak", "")

    def _verify_cos(self, path: str, query: dict[str, str]) -> tuple[str, str | None]:
        """SecretId and token of a correctly q-signed request; FakeError(403) otherwise."""
        fake = self.owner
        fields = dict(parse_qsl(self.headers.get("Authorization", ""), keep_blank_values=True))
        if fields.get("q-sign-algorithm") != "sha1" or "q-signature" not in fields:
            raise FakeError("AccessDenied", "Access Denied.", 403)
        start, end = (int(t) for t in fields["q-sign-time"].split(";"))
        if not start - MAX_SKEW <= time.time() <= end:
            raise FakeError("RequestTimeTooSkewed", "The difference between the request time and the server's "
                            "time is too large.", 403)
        secret_id = fields["q-ak"]
        token = self.headers.get("x-cos-security-token")
        key = fake.keys.get(secret_id)
        if key is None:
            raise FakeError("InvalidAccessKeyId", "The access key Id format you provided is invalid.", 403)
        # the SDK signs the host name without a port (production endpoints have none)
        lowered = {k.lower(): v for k, v in self.headers.items()}
        lowered["host"] = lowered.get("host", "").split(":", 1)[0]
        header_names = [h for h in fields.get("q-header-list", "").split(";") if h]
        param_names = [p for p in fields.get("q-url-param-list", "").split(";") if p]
        signed_headers = "&".join(f"{h}={quote(lowered.get(h, ''), '-_.~')}" for h in sorted(header_names))
        lower_query = {k.lower(): v for k, v in query.items()}
        signed_params = "&".join(f"{p}={quote(lower_query.get(p, ''), '-_.~')}" for p in sorted(param_names))
        if "host" not in header_names or not set(param_names) <= set(lower_query):
            raise FakeError("AccessDenied", "the host header must be signed, and only parameters sent", 403)
        http_string = f"get\n{path}\n{signed_params}\n{signed_headers}\n"
        to_sign = f"sha1\n{fields['q-sign-time']}\n{hashlib.sha1(http_string.encode()).hexdigest()}\n"
        sign_key = hmac.new(key.secret_key.encode(), fields["q-key-time"].encode(), hashlib.sha1).hexdigest()
        expected = hmac.new(sign_key.encode(), to_sign.encode(), hashlib.sha1).hexdigest()
        if not hmac.compare_digest(expected, fields["q-signature"]):
            fake._reject(f"bad COS signature for {secret_id}")
            raise FakeError("SignatureDoesNotMatch", "The Signature you specified does not match.", 403)
        return secret_id, token

    def _metadata(self) -> None:
        fake = self.owner
        with fake._lock:
            fake.metadata_hits += 1
        base = "/latest/meta-data/cam/security-credentials/"
        if fake.instance_role is None or not self.path.startswith(base):
            self._send(404, "text/plain", "not found")
            return
        name, account = fake.instance_role
        if self.path == base:
            self._send(200, "text/plain", name)
            return
        secret_id, token, expires = f"AKIDcvm{uuid.uuid4().hex[:20]}", uuid.uuid4().hex * 4, int(time.time()) + 3600
        with fake._lock:
            fake.keys[secret_id] = Key(uuid.uuid4().hex, account, f"role:cvm/{name}", token, expires)
        self._send(200, "application/json", json.dumps({
            "TmpSecretId": secret_id, "TmpSecretKey": fake.keys[secret_id].secret_key, "Token": token,
            "ExpiredTime": expires, "Expiration": "", "Code": "Success"}))


_COS_STATUS = {"AccessDenied": 403, "SlowDown": 503, "InternalError": 500}
_SUBRESOURCES = {"encryption": "Encryption", "versioning": "Versioning", "acl": "ACL", "policy": "Policy",
                 "lifecycle": "Lifecycle", "replication": "Replication", "referer": "Referer"}


def _bucket_host(host: str) -> tuple[str | None, str | None]:
    """('bucket-125...', 'ap-guangzhou') for <bucket>.cos.<region>.myqcloud.com; (None, None) otherwise."""
    name = host.split(":", 1)[0]
    if ".cos." in name and name.endswith(".myqcloud.com"):
        bucket, _, rest = name.partition(".cos.")
        return bucket, rest[: -len(".myqcloud.com")]
    return None, None


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()
