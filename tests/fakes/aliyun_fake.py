"""A local fake of the Alibaba Cloud APIs mlpscan reads, for the real SDK clients over real HTTP.

One ThreadingHTTPServer on 127.0.0.1 answers every product mlpscan calls, told apart as the real
endpoints would: RPC (`Action` + `Signature` in the query), ROA (`Authorization: acs ...`), OSS
(`OSS4-HMAC-SHA256`), Log Service (`LOG ...`) and the ECS metadata service (/latest/...).

Every request is authenticated as the real service would: the RPC HMAC-SHA1 signature (secret +
"&", SignatureNonce never reused, Timestamp within 15 minutes), the ROA signature (x-acs- headers
and the sorted query), OSS signature V4 (scope region must be the bucket's), the SLS v1 signature;
STS tokens must match and be unexpired. A key belongs to an account: its requests see only that
account's World, and AssumeRole issues temporary keys in the role's account.

Faults are injected per action: `fail(action, code, status, times=N)` (times=None: always),
optionally for one region or account; `latency` delays every answer. RPC answers can also be
broken the ways real networks and gateways break them (`break_answer`: a 200 that is an error
document, a body that is not JSON, a connection reset mid-body) or changed (`mangle`: a field
missing, a total as text, a truncation without its marker), and a SignatureDoesNotMatch can echo
the string to sign as the real service does (`fail(..., echo_string_to_sign=True)`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from tests.fakes.aliyun_paging import FakeError
from tests.fakes.aliyun_world import World

ROOT_KEY_ID, ROOT_SECRET = "LTAI5tFakeRootKey0001", "fake-root-secret-0001"
# Each product the fake serves, by the API version its requests are signed for (versions differ
# between products, so a version names its product), and the actions it answers: a wrong
# product/version for an action is a test failure. Several products share action names.
PRODUCTS = {
    "2015-04-01": "sts", "2015-05-01": "ram", "2019-08-15": "ims", "2014-05-26": "ecs",
    "2020-07-06": "actiontrail", "2014-08-15": "rds", "2016-04-28": "vpc", "2018-12-03": "sas",
    "2014-05-15": "slb", "2020-06-16": "alb", "2015-01-01": "kvstore", "2017-08-01": "polardb",
    "2015-12-01": "dds", "2019-03-15": "adb", "2017-06-26": "nas", "2017-09-12": "cen", "2018-05-10": "cdn",
    "2016-07-14": "apigateway", "2018-12-01": "cr", "2017-12-07": "cloudfw", "2020-01-01": "ddoscoo",
    "2021-10-01": "waf3", "2019-09-10": "waf2", "2017-09-08": "hbr",
}
ACTIONS = {
    "sts": {"GetCallerIdentity", "AssumeRole"},
    "ram": {"GetAccountAlias", "ListUsers", "GetUser", "GetLoginProfile", "GetUserMFAInfo", "ListPoliciesForUser",
            "ListAccessKeys", "GetAccessKeyLastUsed", "ListPolicies", "GetPolicy", "ListGroups", "ListUsersForGroup"},
    "ims": {"GetPasswordPolicy", "GetSecurityPreference", "GetAccountMFAInfo"},
    "ecs": {"DescribeRegions", "DescribeInstances", "DescribeDisks", "DescribeSnapshots", "DescribeSecurityGroups",
            "DescribeSecurityGroupAttribute", "DescribePrefixLists", "DescribePrefixListAttributes"},
    "actiontrail": {"DescribeTrails", "GetTrailStatus"},
    "rds": {"DescribeDBInstances", "DescribeDBInstanceTDE", "DescribeDBInstanceEncryptionKey",
            "DescribeSQLCollectorPolicy", "DescribeBackupPolicy", "DescribeDBInstanceNetInfo",
            "DescribeDBInstanceIPArrayList", "DescribeDBInstanceSSL", "DescribeInstanceCrossBackupPolicy"},
    "vpc": {"DescribeVpcs", "DescribeFlowLogs", "DescribeNatGateways", "DescribeForwardTableEntries",
            "DescribeNetworkAcls", "DescribeVSwitches"},
    "sas": {"DescribeVersionConfig", "DescribeCloudCenterInstances", "DescribeNoticeConfig",
            "DescribeSuspiciousOverallConfig", "DescribeVulList"},
    "slb": {"DescribeLoadBalancers", "DescribeLoadBalancerListeners", "DescribeAccessControlLists",
            "DescribeAccessControlListAttribute"},
    "alb": {"ListLoadBalancers", "GetLoadBalancerAttribute", "ListListeners", "GetListenerAttribute"},
    "kvstore": {"DescribeInstances", "DescribeInstanceAttribute", "DescribeSecurityIps", "DescribeDBInstanceNetInfo",
                "DescribeInstanceTDEStatus"},
    "polardb": {"DescribeDBClusters", "DescribeDBClusterAttribute", "DescribeDBClusterSSL", "DescribeDBClusterTDE",
                "DescribeBackupPolicy", "DescribeDBClusterAccessWhitelist", "DescribeDBClusterEndpoints"},
    "dds": {"DescribeDBInstances", "DescribeBackupPolicy", "DescribeDBInstanceSSL", "DescribeDBInstanceTDEInfo",
            "DescribeSecurityIps", "DescribeReplicaSetRole", "DescribeShardingNetworkAddress"},
    "adb": {"DescribeDBClusters", "DescribeAuditLogConfig"},
    "nas": {"DescribeFileSystems"},
    "hbr": {"DescribeBackupPlans", "DescribePolicyBindings"},
    "cen": {"DescribeCens", "DescribeCenAttachedChildInstances"},
    "cdn": {"DescribeUserDomains", "DescribeCdnDomainConfigs"},
    "apigateway": {"DescribeApiGroups"},
    "cr": {"ListInstance", "ListInstanceEndpoint"},
    "cloudfw": {"DescribeUserBuyVersion", "DescribeAssetList"},
    "ddoscoo": {"DescribeInstances"},
    "waf3": {"DescribeInstance"},
    "waf2": {"DescribeInstanceInfo"},
}
ROA_VERSIONS = {"2015-12-15": "cs", "2017-06-13": "elasticsearch"}
NODE_POOLS_PATH = re.compile(r"/clusters/(?P<cluster>[^/]+)/nodepools")   # cs DescribeClusterNodePools
THROTTLED = {"rpc": (400, "Throttling.User", "Request was denied due to user flow control."),
             "oss": (503, "ServiceUnavailable", "Please reduce your request rate."),
             "sls": (403, "ReadQuotaExceed", "Read quota exceeded."),
             "roa": (429, "Throttling.User", "Request was denied due to user flow control.")}


def percent(value: str) -> str:
    return quote(value, safe="-_.~")


def rpc_string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()) if k != "Signature")
    return f"{method}&%2F&{percent(canonical)}"


def v4_encode(text: str, slash: bool) -> str:
    """OSS V4 URI encoding: unreserved characters kept, '/' kept only in the path."""
    return quote(text, safe="-_.~" + ("/" if slash else ""))


def hmac_sha1_b64(key: str, text: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), text.encode(), hashlib.sha1).digest()).decode()


@dataclass
class Key:
    secret: str
    account: str
    token: str | None = None
    expires: datetime | None = None


@dataclass
class Fault:
    action: str
    code: str
    status: int
    times: int | None          # None: every time
    region: str | None = None
    account: str | None = None
    message: str = ""
    kind: str = "error"        # error | error_document | not_json | reset | rewrite
    rewrite: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    echo_string_to_sign: bool = False
    product: str | None = None     # RPC: only this product's action of that name (several share names)


@dataclass
class Seen:
    """One request as the fake saw it (after authentication)."""

    kind: str
    action: str
    region: str | None
    account: str | None
    status: int
    key_id: str | None = None
    product: str = ""          # RPC: the product the version names (several share action names)


@dataclass
class AliyunFake:
    worlds: dict[str, World] = field(default_factory=dict)
    keys: dict[str, Key] = field(default_factory=dict)
    roles: dict[str, tuple[str, str | None]] = field(default_factory=dict)   # role arn -> (account, external id)
    session_seconds: int = 3600
    latency: float = 0.0
    instance_role: str | None = None                 # the ECS metadata service's role, when offered
    faults: list[Fault] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    nonces: set[str] = field(default_factory=set)
    port: int = 0

    # -- setup ---------------------------------------------------------------------------------

    def add_account(self, world: World, key_id: str = ROOT_KEY_ID, secret: str = ROOT_SECRET) -> World:
        self.worlds[world.account_id] = world
        self.keys[key_id] = Key(secret=secret, account=world.account_id)
        return world

    def add_role(self, world: World, role: str = "mlpscan-audit", external_id: str | None = None) -> str:
        self.worlds[world.account_id] = world
        arn = f"acs:ram::{world.account_id}:role/{role}"
        self.roles[arn] = (world.account_id, external_id)
        return arn

    def fail(self, action: str, code: str, status: int = 403, *, times: int | None = None,
             region: str | None = None, account: str | None = None, message: str = "",
             echo_string_to_sign: bool = False, product: str | None = None) -> None:
        with self.lock:
            self.faults.append(Fault(action, code, status, times, region, account, message,
                                     echo_string_to_sign=echo_string_to_sign, product=product))

    def break_answer(self, action: str, how: str, *, times: int | None = None, region: str | None = None,
                     account: str | None = None, code: str = "Throttling.User",
                     message: str = "Request was denied due to user flow control.") -> None:
        """An RPC answer with status 200 that is not the action's result: an error document
        (`error_document`), a body that is not JSON (`not_json`), or a reset mid-body (`reset`)."""
        with self.lock:
            self.faults.append(Fault(action, code, 200, times, region, account, message=message, kind=how))

    def mangle(self, action: str, rewrite: Callable[[dict[str, Any]], dict[str, Any]], *,
               times: int | None = None, region: str | None = None, account: str | None = None) -> None:
        """The action's RPC answer, changed by `rewrite` before it is sent."""
        with self.lock:
            self.faults.append(Fault(action, "", 200, times, region, account, kind="rewrite", rewrite=rewrite))

    def throttle(self, action: str, kind: str = "rpc", *, times: int | None = None, region: str | None = None,
                 product: str | None = None) -> None:
        status, code, message = THROTTLED[kind]
        self.fail(action, code, status, times=times, region=region, message=message, product=product)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def calls(self, action: str | None = None, product: str | None = None) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if (action is None or s.action == action)
                    and (product is None or s.product == product)]

    @contextmanager
    def running(self) -> Iterator[AliyunFake]:
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()

    # -- helpers used by the handler -----------------------------------------------------------

    def record(self, seen: Seen) -> None:
        with self.lock:
            self.seen.append(seen)

    def injected(self, action: str, region: str | None, account: str | None,
                 kinds: tuple[str, ...] = ("error",), product: str = "") -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if (fault.action != action or fault.kind not in kinds or fault.region not in (None, region)
                        or fault.account not in (None, account) or fault.product not in (None, product)):
                    continue
                if fault.times is not None:
                    if fault.times <= 0:
                        continue
                    fault.times -= 1
                return fault
        return None

    def key(self, key_id: str, token: str | None) -> Key:
        found = self.keys.get(key_id)
        if found is None:
            raise FakeError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if found.token is not None:
            if token != found.token:
                raise FakeError(400, "InvalidSecurityToken.Mismatch", "Specified SecurityToken mismatch.")
            if found.expires is not None and found.expires <= datetime.now(timezone.utc):
                raise FakeError(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
        elif token:
            raise FakeError(400, "InvalidSecurityToken.MismatchWithAccessKey", "a long-term key sent a token")
        return found

    def nonce_once(self, nonce: str) -> None:
        with self.lock:
            if nonce in self.nonces:
                raise FakeError(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            self.nonces.add(nonce)

    def assume_role(self, caller: Key, params: dict[str, str]) -> dict[str, Any]:
        arn = params.get("RoleArn", "")
        if arn not in self.roles:
            raise FakeError(404, "EntityNotExist.Role", f"The role not exists: {arn}.")
        account, external_id = self.roles[arn]
        if external_id is not None and params.get("ExternalId") != external_id:
            raise FakeError(403, "NoPermission", "You are not authorized to do this action (ExternalId).")
        key_id, secret, token = f"STS.{secrets.token_hex(8)}", secrets.token_hex(16), secrets.token_hex(24)
        seconds = min(int(params.get("DurationSeconds") or 3600), self.session_seconds)
        expires = (datetime.now(timezone.utc) + timedelta(seconds=seconds)).replace(microsecond=0)
        with self.lock:
            self.keys[key_id] = Key(secret=secret, account=account, token=token, expires=expires)
        return {"Credentials": {"AccessKeyId": key_id, "AccessKeySecret": secret, "SecurityToken": token,
                                "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ")},
                "AssumedRoleUser": {"Arn": f"{arn}/{params.get('RoleSessionName')}",
                                    "AssumedRoleId": f"3000{secrets.randbelow(10**12):012d}"}}

    def issue_instance_credentials(self, world: World) -> dict[str, Any]:
        key_id, secret, token = f"STS.{secrets.token_hex(8)}", secrets.token_hex(16), secrets.token_hex(24)
        expires = (datetime.now(timezone.utc) + timedelta(seconds=self.session_seconds)).replace(microsecond=0)
        with self.lock:
            self.keys[key_id] = Key(secret=secret, account=world.account_id, token=token, expires=expires)
        return {"AccessKeyId": key_id, "AccessKeySecret": secret, "SecurityToken": token,
                "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"), "Code": "Success"}


class _Handler(BaseHTTPRequestHandler):
    fake: AliyunFake
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True      # else Nagle + delayed ACK cost ~40 ms per call

    def log_message(self, format: str, *args: Any) -> None:   # quiet
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    # -- routing -------------------------------------------------------------------------------

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        self.query = dict(parse_qsl(parts.query, keep_blank_values=True))
        self.path_only = parts.path
        if self.fake.latency:
            time.sleep(self.fake.latency)
        authorization = self.headers.get("Authorization", "")
        try:
            if parts.path.startswith("/latest/"):
                self._metadata(parts.path)
            elif authorization.startswith("OSS4-HMAC-SHA256 "):
                self._oss(authorization)
            elif authorization.startswith("LOG "):
                self._sls(authorization)
            elif authorization.startswith("acs "):
                self._roa(authorization)
            elif "Signature" in self.query or b"Signature=" in self.body:
                self._rpc()
            else:
                raise FakeError(400, "MissingSignature", "the request is not signed")
        except FakeError as exc:
            self._error(exc)

    def _kind(self) -> str:
        authorization = self.headers.get("Authorization", "")
        if authorization.startswith("OSS4"):
            return "oss"
        if authorization.startswith("LOG "):
            return "sls"
        return "roa" if authorization.startswith("acs ") else "rpc"

    def _error(self, exc: FakeError) -> None:
        kind = self._kind()
        if kind == "oss":
            body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{exc.code}</Code>'
                    f"<Message>{exc.message}</Message><RequestId>fake-request</RequestId></Error>").encode()
            self._send(exc.status, body, "application/xml")
        elif kind == "sls":
            self._send(exc.status, json.dumps({"errorCode": exc.code, "errorMessage": exc.message}).encode())
        elif kind == "roa":
            self._send(exc.status, json.dumps({"code": exc.code, "message": exc.message,
                                               "requestId": "fake-request"}).encode())
        else:
            self._send(exc.status, json.dumps({"Code": exc.code, "Message": exc.message,
                                               "RequestId": "fake-request"}).encode())

    def _send(self, status: int, body: bytes, content_type: str = "application/json;charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-oss-request-id", "fake-request")
        self.end_headers()
        self.wfile.write(body)

    def _world(self, key: Key) -> World:
        return self.fake.worlds[key.account]

    def _answer(self, kind: str, action: str, region: str | None, key: Key, key_id: str,
                produce: Any, product: str = "") -> Any:
        fault = self.fake.injected(action, region, key.account, product=product)
        if fault is not None:
            self.fake.record(Seen(kind, action, region, key.account, fault.status, key_id, product))
            message = fault.message or f"injected {fault.code}"
            if fault.echo_string_to_sign:   # as ECS/RAM/STS word it, the whole signed request repeated
                message = (f"Specified signature is not matched with our calculation. server string to sign "
                           f"is:{getattr(self, 'string_to_sign', '')}")
            raise FakeError(fault.status, fault.code, message)
        try:
            answer = produce()
        except FakeError as exc:
            self.fake.record(Seen(kind, action, region, key.account, exc.status, key_id, product))
            raise
        self.fake.record(Seen(kind, action, region, key.account, 200, key_id, product))
        return answer

    # -- RPC (HMAC-SHA1 over the sorted, percent-encoded parameters) ----------------------------

    def _rpc(self) -> None:
        params = dict(self.query)
        params.update(dict(parse_qsl(self.body.decode(), keep_blank_values=True)))
        for required in ("Action", "Version", "AccessKeyId", "SignatureMethod", "SignatureNonce", "Timestamp"):
            if required not in params:
                raise FakeError(400, "MissingParameter", f"{required} is mandatory for this action.")
        if params["SignatureMethod"] != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0":
            raise FakeError(400, "InvalidSignatureMethod", "HMAC-SHA1 / 1.0 expected")
        stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        if abs(datetime.now(timezone.utc) - stamp) > timedelta(minutes=15):
            raise FakeError(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        key = self.fake.key(params["AccessKeyId"], params.get("SecurityToken"))
        expected = hmac_sha1_b64(key.secret + "&", rpc_string_to_sign(self.command, params))
        if not hmac.compare_digest(expected, params.get("Signature", "")):
            raise FakeError(400, "SignatureDoesNotMatch",
                            f"Specified signature is not matched with our calculation. server string to sign "
                            f"is:{rpc_string_to_sign(self.command, params)}")
        self.fake.nonce_once(params["SignatureNonce"])
        self.string_to_sign = rpc_string_to_sign(self.command, params)
        action, version = params["Action"], params["Version"]
        product = PRODUCTS.get(version, "")
        if action not in ACTIONS.get(product, ()):
            raise FakeError(400, "InvalidVersion", f"{action} is not offered in version {version}")
        region = params.get("RegionId")
        world = self._world(key)

        def produce() -> Any:
            if action == "GetCallerIdentity":
                return {"AccountId": world.account_id, "Arn": f"acs:ram::{world.account_id}:user/scanner",
                        "IdentityType": "RAMUser" if key.token is None else "AssumedRoleUser",
                        "UserId": "2035000000000001", "PrincipalId": "2035000000000001"}
            if action == "AssumeRole":
                return self.fake.assume_role(key, params)
            return world.answer(action, params, region, product)

        answer = self._answer("rpc", action, region, key, params["AccessKeyId"], produce, product)
        broken = self.fake.injected(action, region, key.account, ("error_document", "not_json", "reset", "rewrite"))
        if broken is not None and broken.kind == "rewrite" and broken.rewrite is not None:
            answer = broken.rewrite(answer)
        elif broken is not None:
            self._broken(broken)
            return
        self._send(200, json.dumps({**answer, "RequestId": "fake-request"}).encode())

    def _broken(self, fault: Fault) -> None:
        if fault.kind == "error_document":   # a gateway's 200 carrying the error
            body = json.dumps({"Code": fault.code, "Message": fault.message, "RequestId": "fake-request",
                               "HostId": "ecs.aliyuncs.com"}).encode()
            self._send(200, body)
        elif fault.kind == "not_json":
            self._send(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        else:                                # the connection drops after the first chunk of the body
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b'11\r\n{"AccountId": "12\r\n')
            self.wfile.flush()
            self.close_connection = True

    # -- ROA (signed headers; the key is the secret alone) ----------------------------------------

    def _roa(self, authorization: str) -> None:
        key_id, _, signature = authorization[len("acs "):].partition(":")
        key = self.fake.key(key_id, self.headers.get("x-acs-security-token"))
        signed_headers = sorted((name.lower(), value) for name, value in self.headers.items()
                                if name.lower().startswith("x-acs-"))
        query = "&".join(f"{k}={v}" if v != "" else k for k, v in sorted(self.query.items()))
        text = (f"{self.command}\n{self.headers.get('Accept', '')}\n{self.headers.get('Content-MD5', '')}\n"
                f"{self.headers.get('Content-Type', '')}\n{self.headers.get('Date', '')}\n"
                + "".join(f"{k}:{v}\n" for k, v in signed_headers)
                + unquote(self.path_only) + (f"?{query}" if query else ""))
        if not hmac.compare_digest(hmac_sha1_b64(key.secret, text), signature):
            raise FakeError(400, "SignatureDoesNotMatch", f"server string to sign is:{text}")
        product = ROA_VERSIONS.get(self.headers.get("x-acs-version", ""))
        region = self.query.get("region_id") or self.query.get("RegionId") or self.headers.get("x-acs-region-id")
        world = self._world(key)
        if self.command != "GET":
            raise FakeError(404, "InvalidAction.NotFound", f"{self.command} {self.path_only}")
        pools = NODE_POOLS_PATH.fullmatch(self.path_only)
        if product == "cs" and self.path_only == "/api/v1/clusters":
            answer = self._answer("roa", "DescribeClustersV1", region, key, key_id,
                                  lambda: world.clusters_page(self.query, region or ""))
        elif product == "cs" and pools is not None:
            answer = self._answer("roa", "DescribeClusterNodePools", region, key, key_id,
                                  lambda: world.cluster_node_pools(pools["cluster"], self.query, region or ""))
        elif product == "elasticsearch" and self.path_only.startswith("/openapi/instances"):
            action, _ = world.elasticsearch(self.path_only, self.query, region or "")
            answer = self._answer("roa", action, region, key, key_id,
                                  lambda: world.elasticsearch(self.path_only, self.query, region or "")[1])
        else:
            raise FakeError(404, "InvalidAction.NotFound", f"{self.command} {self.path_only} "
                                                           f"(version {self.headers.get('x-acs-version')})")
        self._send(200, json.dumps(answer).encode())

    # -- OSS (signature V4) ----------------------------------------------------------------------

    def _oss(self, authorization: str) -> None:
        fields = dict(part.strip().split("=", 1) for part in authorization[len("OSS4-HMAC-SHA256 "):].split(","))
        key_id, date, scope_region, product, terminal = fields["Credential"].split("/")
        key = self.fake.key(key_id, self.headers.get("x-oss-security-token"))
        if product != "oss" or terminal != "aliyun_v4_request" or fields.get("AdditionalHeaders"):
            raise FakeError(403, "SignatureDoesNotMatch", "unexpected V4 scope")
        stamp = self.headers.get("x-oss-date", "")
        if stamp[:8] != date or abs(datetime.now(timezone.utc) - datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
                                    .replace(tzinfo=timezone.utc)) > timedelta(minutes=15):
            raise FakeError(403, "RequestTimeTooSkewed", "The difference between the request time and the server's "
                                                         "time is too large.")
        query = "&".join(f"{v4_encode(k, False)}={v4_encode(v, False)}" if v else v4_encode(k, False)
                         for k, v in sorted(self.query.items()))
        headers = sorted((name.lower(), value) for name, value in self.headers.items()
                         if name.lower().startswith("x-oss-") or name.lower() in ("content-type", "content-md5"))
        canonical = (f"{self.command}\n{v4_encode(unquote(self.path_only), True)}\n{query}\n"
                     + "".join(f"{k}:{v}\n" for k, v in headers)
                     + f"\n\n{self.headers.get('x-oss-content-sha256', '')}")
        scope = f"{date}/{scope_region}/oss/aliyun_v4_request"
        text = f"OSS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        signing = hmac.new(("aliyun_v4" + key.secret).encode(), date.encode(), hashlib.sha256).digest()
        for part in (scope_region, "oss", "aliyun_v4_request"):
            signing = hmac.new(signing, part.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(hmac.new(signing, text.encode(), hashlib.sha256).hexdigest(),
                                   fields.get("Signature", "")):
            raise FakeError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
        world = self._world(key)
        bucket_name = self.path_only.strip("/").split("/", 1)[0]
        if not bucket_name:
            action, region = "ListBuckets", scope_region
            answer = self._answer("oss", action, region, key, key_id, lambda: world.list_buckets_xml(
                self.query.get("marker", ""), world.size(self.query.get("max-keys"), 100)))
            self._send(200, answer.encode(), "application/xml")
            return
        bucket = world.bucket(bucket_name)
        if bucket.region != scope_region:   # a bucket answers only at its own region's endpoint
            raise FakeError(403, "AccessDenied", "The bucket you are attempting to access must be addressed "
                                                 f"using the specified endpoint (oss-{bucket.region}).")
        sub = next((name for name in ("bucketInfo", "policy", "lifecycle", "referer", "replication")
                    if name in self.query), None)
        action = {"bucketInfo": "GetBucketInfo", "policy": "GetBucketPolicy", "lifecycle": "GetBucketLifecycle",
                  "referer": "GetBucketReferer", "replication": "GetBucketReplication"}.get(sub or "", "Unknown")

        def produce() -> tuple[str, str]:
            if action == "GetBucketInfo":
                return world.bucket_info_xml(bucket), "application/xml"
            if action == "GetBucketPolicy":
                if bucket.policy is None:
                    raise FakeError(404, "NoSuchBucketPolicy", "The bucket policy does not exist.")
                return json.dumps(bucket.policy), "application/json"
            if action == "GetBucketLifecycle":
                return world.lifecycle_xml(bucket), "application/xml"
            if action == "GetBucketReferer":
                return world.referer_xml(bucket), "application/xml"
            if action == "GetBucketReplication":
                return world.replication_xml(bucket), "application/xml"
            raise FakeError(400, "NotImplemented", f"the fake does not serve {self.path}")

        body, content_type = self._answer("oss", action, bucket.region, key, key_id, produce)
        self._send(200, body.encode(), content_type)

    # -- Log Service (signature v1; the project is the Host's first label) -----------------------

    def _sls(self, authorization: str) -> None:
        key_id, _, signature = authorization[len("LOG "):].partition(":")
        key = self.fake.key(key_id, self.headers.get("x-acs-security-token"))
        if self.headers.get("x-log-apiversion") != "0.6.0" or self.headers.get("x-log-signaturemethod") != "hmac-sha1":
            raise FakeError(400, "InvalidAPIVersion", "0.6.0 with hmac-sha1 expected")
        date = parsedate_to_datetime(self.headers.get("Date", "Thu, 01 Jan 1970 00:00:00 GMT"))
        if abs(datetime.now(timezone.utc) - date) > timedelta(minutes=15):
            raise FakeError(400, "RequestTimeExpired", "Request time is expired.")
        # x-log-date repeats Date for proxies that drop it; the official SDK adds it after signing
        signed = "".join(f"{k}:{v}\n" for k, v in sorted((n.lower(), v) for n, v in self.headers.items()
                                                       if n.lower().startswith(("x-log-", "x-acs-"))
                                                       and n.lower() not in ("x-log-date",)
                                                       and not n.lower().startswith("x-log-meta-")))
        query = "&".join(f"{k}={v}" for k, v in sorted(self.query.items()))
        text = (f"{self.command}\n{self.headers.get('Content-MD5', '')}\n{self.headers.get('Content-Type', '')}\n"
                f"{self.headers.get('Date')}\n{signed}{unquote(self.path_only)}{'?' + query if query else ''}")
        if not hmac.compare_digest(hmac_sha1_b64(key.secret, text), signature):
            raise FakeError(401, "SignatureNotMatch", "signature not match")
        host = self.headers.get("Host", "")
        world = self._world(key)
        if self.path_only == "/":   # ListProject: the region's endpoint (its first label), no project
            region = host.split(".", 1)[0]
            answer = self._answer("sls", "ListProject", region, key, key_id,
                                  lambda: world.projects(region, self.query))
            self._send(200, json.dumps(answer).encode(), "application/json")
            return
        project = host.split(".", 1)[0]
        if self.path_only == "/logstores":
            answer = self._answer("sls", "ListLogStores", None, key, key_id,
                                  lambda: world.logstore_names(project, self.query, world.logstores))
        elif self.path_only.startswith("/logstores/"):
            name = unquote(self.path_only[len("/logstores/"):])
            answer = self._answer("sls", "GetLogStore", None, key, key_id, lambda: world.logstore(project, name))
        else:
            raise FakeError(404, "InvalidAction.NotFound", self.path_only)
        self._send(200, json.dumps(answer).encode(), "application/json")

    # -- the ECS metadata service (IMDSv2) -------------------------------------------------------

    def _metadata(self, path: str) -> None:
        fake = self.fake
        if fake.instance_role is None:
            raise FakeError(404, "NotFound", "no metadata service here")
        if self.command == "PUT" and path == "/latest/api/token":
            self._send(200, b"fake-imds-token", "text/plain")
            return
        if self.headers.get("X-aliyun-ecs-metadata-token") != "fake-imds-token":
            raise FakeError(401, "Unauthorized", "metadata token required")
        prefix = "/latest/meta-data/ram/security-credentials/"
        if path == prefix:
            self._send(200, fake.instance_role.encode(), "text/plain")
        elif path == prefix + fake.instance_role:
            world = next(iter(fake.worlds.values()))
            self._send(200, json.dumps(fake.issue_instance_credentials(world)).encode(), "text/plain")
        else:
            raise FakeError(404, "NotFound", path)
