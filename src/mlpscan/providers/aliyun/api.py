"""The Api the shared runner calls: requests signed per services.yaml, bounded retries, ApiError.

RPC and ROA calls go through aliyun-python-sdk-core (`AcsClient` + `CommonRequest`), OSS through
oss2, Log Service through a signed request (sls.py). The core SDK retries only some ECS calls and
OSS/SLS not at all within a bound, so every call here has its SDK retries off and is retried by
cloud.retry (full jitter, CloudOptions bounds) on throttling, 5xx and lost connections. Denials and
every other error are raised at once as ApiError with the service's own code; the runner turns
them into `error` findings that name `service:Action`. Messages never carry a key or token.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import weakref
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest

from mlpscan._version import __version__
from mlpscan.providers.aliyun.credentials import AssumeRole, Credentials, CredentialsError, CredentialSource
from mlpscan.providers.aliyun.oss import OssClient, OssError
from mlpscan.providers.aliyun.services import Route, ServiceTable
from mlpscan.providers.aliyun.sls import SlsClient, SlsError
from mlpscan.providers.cloud.collect import CloudOptions
from mlpscan.providers.cloud.retry import with_retries
from mlpscan.providers.cloud.runner import ApiError
from mlpscan.providers.cloud.secrets import Secrets
from mlpscan.providers.cloud.spec import Call

# The core SDK logs every server error at ERROR level itself; mlpscan reports them as findings.
logging.getLogger("aliyunsdkcore").setLevel(logging.CRITICAL)

# Worth another attempt: throttling, the server's own trouble, a lost connection. Never denials.
TRANSIENT_CODES = frozenset({
    "ServiceUnavailable", "InternalError", "UnknownError", "InternalServerError", "ServerBusy",
    "RequestTimeout", "ReadQuotaExceed", "QpsLimitExceeded", "TooManyRequests", "RequestError",
    "SDK.HttpError", "SDK.TimeoutError",
})
LOST_CONNECTION = frozenset({"ChunkedEncodingError", "ConnectionError", "ProtocolError", "ReadTimeout",
                             "ConnectTimeout", "IncompleteRead", "RemoteDisconnected"})
NAME_RESOLUTION = re.compile(r"NameResolutionError|Name or service not known|nodename nor servname|"
                             r"getaddrinfo failed|Failed to resolve|No address associated", re.IGNORECASE)
SUCCESS_CODES = frozenset({"200", "OK", "Success", "0"})
ERROR_DOCUMENT_FIELDS = frozenset({"Code", "code", "Message", "message", "RequestId", "requestId", "HostId",
                                   "Recommend", "AccessDeniedDetail", "Success", "success", "Data"})
PATH_PARAM = re.compile(r"\[(\w+)\]")   # a ROA path's parameters, as the core SDK writes them
REGION_PARAM = "region"   # routes one call (an OSS bucket's, a log project's) to that region; not sent
HOST_PARAM = "endpoint"   # the host a listing named for the resource (an OSS bucket's); not sent


class AliyunError(ApiError):
    def __init__(self, code: str, message: str, transient: bool) -> None:
        super().__init__(code, message)
        self.transient = transient


def is_transient(code: str, status: int | None, message: str = "") -> bool:
    if code in ("RequestError", "SDK.HttpError") and NAME_RESOLUTION.search(message):
        return False   # the endpoint does not exist (a service not offered in that region)
    return (code.startswith("Throttling") or code in TRANSIENT_CODES
            or (status is not None and (status >= 500 or status == 429)))


def scrub(text: str, credentials: Credentials | None) -> str:
    """Error text without the credentials in any encoding (SDK connection errors quote the signed
    URL; SignatureDoesNotMatch quotes the string to sign), shortened."""
    secrets = Secrets()
    if credentials is not None:
        secrets.add(credentials.access_key_id, *credentials.secrets())
    return secrets.scrub(text)[:500]


def error_document(answer: dict[str, Any]) -> tuple[str, str] | None:
    """(code, message) when a 200 answer is an error document ({"Code": "Throttling.User", ...})
    rather than the action's result: an error code and message and nothing else."""
    code = answer.get("Code", answer.get("code"))
    message = answer.get("Message", answer.get("message"))
    if (not isinstance(code, str) or not code or code in SUCCESS_CODES or not isinstance(message, str)
            or answer.get("Success", answer.get("success")) is True):
        return None
    if set(answer) - ERROR_DOCUMENT_FIELDS:
        return None
    return code, message


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


class Transport:
    """Sends one routed request with given credentials; no retries here."""

    def __init__(self, options: CloudOptions, endpoint: str | None) -> None:
        self.options = options
        self.override = endpoint                      # scheme://host[:port] for every service, or None
        self._acs: tuple[tuple[str, str | None], AcsClient] | None = None
        self._lock = threading.Lock()
        self.oss = OssClient(pool_size=max(10, options.api_workers), connect_timeout=options.connect_timeout)
        self.sls = SlsClient(pool_size=max(10, options.api_workers),
                             timeout=(options.connect_timeout, options.read_timeout))
        self._clients: list[AcsClient] = []   # every client made, so close() reaches their pools
        # Connection pools are closed when the transport goes away, or at close(): no socket is left
        # for the garbage collector to find open.
        self.close = weakref.finalize(self, _close_all, self.oss.session.session, self.sls.session,
                                      self._clients)

    def send(self, route: Route, params: dict[str, Any], credentials: Credentials) -> dict[str, Any]:
        try:
            if route.protocol in ("rpc", "roa"):
                return self._acs_call(route, params, credentials)
            if route.protocol == "oss":
                params = dict(params)     # the same params go to every attempt: do not change them
                host = str(params.pop(HOST_PARAM, None) or route.host)
                return self.oss.call(route.action, self._url(host), route.region or "", params,
                                     credentials=credentials, path_style=self.override is not None)
            return self._sls_call(route, params, credentials)
        except ServerException as exc:
            code, message = _server_error(exc)
            transient = is_transient(code, exc.get_http_status())
            raise AliyunError(code, scrub(message, credentials), transient) from None
        except ClientException as exc:
            code, message = str(exc.get_error_code()), scrub(str(exc.get_error_msg()), credentials)
            raise AliyunError(code, message, is_transient(code, None, message)) from None
        except (OssError, SlsError) as exc:
            message = scrub(exc.message, credentials)
            raise AliyunError(exc.code, message, is_transient(exc.code, exc.status, message)) from None
        except AliyunError:
            raise
        except ValueError as exc:   # a 200 whose body is not JSON (JSONDecodeError)
            raise AliyunError("MalformedResponse", f"the answer is not JSON: {scrub(str(exc), credentials)}",
                              transient=False) from None
        except OSError as exc:      # a connection reset or a truncated body the SDK did not wrap
            raise AliyunError(type(exc).__name__, scrub(str(exc), credentials), transient=True) from None
        except Exception as exc:    # ChunkedEncodingError and the like, from the SDK's vendored requests
            name = type(exc).__name__
            raise AliyunError(name, scrub(str(exc), credentials), transient=name in LOST_CONNECTION) from None

    def _url(self, host: str) -> str:
        return self.override or f"https://{host}"

    def _client(self, credentials: Credentials) -> AcsClient:
        """One client (connection pool) for the current credentials; a new one after a refresh."""
        key = (credentials.access_key_id, credentials.security_token)
        with self._lock:
            if self._acs is None or self._acs[0] != key:
                client = AcsClient(credentials.access_key_id, credentials.access_key_secret, "cn-hangzhou",
                                   auto_retry=False, connect_timeout=self.options.connect_timeout,
                                   timeout=self.options.read_timeout,
                                   pool_size=max(10, self.options.api_workers))
                client.append_user_agent("mlpscan", __version__)
                self._acs = (key, client)
                self._clients.append(client)
            return self._acs[1]

    def _acs_call(self, route: Route, params: dict[str, Any], credentials: Credentials) -> dict[str, Any]:
        parts = urlsplit(self._url(route.host))
        request = CommonRequest(domain=parts.netloc, version=route.version, product=route.product,
                                action_name=route.action, uri_pattern=route.path)
        request.set_method(route.method)
        request.set_protocol_type(parts.scheme)      # the SDK's default is http: never in production
        request.set_accept_format("JSON")
        in_path = set(PATH_PARAM.findall(route.path or ""))
        for name, value in params.items():
            if value is None:
                continue
            if name in in_path:      # ROA: /openapi/instances/[InstanceId]
                request.add_path_param(name, _text(value))
            else:
                request.add_query_param(name, _text(value))
        missing = sorted(in_path - {name for name, value in params.items() if value is not None})
        if missing:
            needs = ", ".join(missing)
            raise AliyunError("MissingInput", f"{route.service}:{route.action} needs {needs} for its path, "
                                              "and the resource does not say it", transient=False)
        if route.region and "RegionId" not in params:
            request.add_query_param("RegionId", route.region)
        if credentials.security_token:   # what the SDK's StsTokenSigner adds, signed like the rest
            if route.protocol == "rpc":
                request.add_query_param("SecurityToken", credentials.security_token)
            else:
                request.add_header("x-acs-security-token", credentials.security_token)
        body = self._client(credentials).do_action_with_exception(request)
        answer = json.loads(body) if body else {}
        if isinstance(answer, dict):
            failure = error_document(answer)
            if failure is not None:
                code, message = failure
                raise AliyunError(code, scrub(message, credentials), is_transient(code, None, message))
            answer.pop("RequestId", None)
            answer.pop("requestId", None)
            return answer
        return {"Items": answer}

    def _sls_call(self, route: Route, params: dict[str, Any], credentials: Credentials) -> dict[str, Any]:
        """ListProject at the region's endpoint; ListLogStores and GetLogStore at the project's."""
        query = {name: str(value) for name, value in params.items()
                 if name not in ("project", "logstore") and value is not None}
        if route.action == "ListProject":
            return self.sls.get(self._url(route.host), None, "/", credentials,
                                virtual_host=self.override is None, params=query, region=route.region or "")
        project = str(params["project"])
        if route.action == "ListLogStores":
            resource = "/logstores"
        elif route.action == "GetLogStore":
            resource = f"/logstores/{params['logstore']}"
        else:
            raise KeyError(f"log:{route.action} is not implemented by the SLS adapter")
        return self.sls.get(self._url(route.host), project, resource, credentials,
                            virtual_host=self.override is None, params=query)


def _close_all(oss: Any, sls: Any, clients: list[AcsClient]) -> None:
    for session in (oss, sls, *(client.session for client in clients)):
        session.close()


def _server_error(exc: ServerException) -> tuple[str, str]:
    """ROA services answer {"code", "message"} in lower case, which the core SDK does not read."""
    code, message = str(exc.get_error_code()), str(exc.get_error_msg())
    if code == "SDK.UnknownServerError" and "{" in message:
        try:
            body = json.loads(message[message.index("{"):])
        except ValueError:
            return code, message
        if isinstance(body, dict) and (body.get("code") or body.get("Code")):
            return (str(body.get("code") or body.get("Code")),
                    str(body.get("message") or body.get("Message") or ""))
    return code, message


def _transient(exc: ApiError) -> bool:
    return isinstance(exc, AliyunError) and exc.transient


def assume_role_with(services: ServiceTable, transport: Transport, options: CloudOptions,
                     secrets: Secrets | None = None) -> AssumeRole:
    """STS AssumeRole made with explicit base credentials (not the scan's), retried like any call."""
    route = services.route("sts", "AssumeRole", None)
    known = secrets if secrets is not None else Secrets()

    def assume(credentials: Credentials, params: Mapping[str, str]) -> Mapping[str, Any]:
        known.add(credentials.access_key_id, *credentials.secrets())
        return with_retries(lambda: transport.send(route, dict(params), credentials), _transient,
                            max_attempts=options.max_attempts, base=options.backoff_base,
                            cap=options.backoff_cap, deadline=options.call_deadline)

    return assume


class AliyunApi:
    """The runner's Api: routes `service:Action`, fans list parameters out, retries within bounds."""

    def __init__(self, services: ServiceTable, transport: Transport, credentials: CredentialSource,
                 options: CloudOptions, secrets: Secrets | None = None) -> None:
        self.services = services
        self.transport = transport
        self.credentials = credentials
        self.options = options
        self.secrets = secrets if secrets is not None else Secrets()

    def call(self, call: Call, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        params = dict(params)
        routed = params.pop(REGION_PARAM, None)
        route = self.services.route(call.service, call.action, str(routed) if routed else region)
        each = route.each
        if each is not None and each in params and not isinstance(params[each], str):
            values = params.pop(each)
            if not isinstance(values, list):
                raise ApiError("MissingInput", f"{each} could not be read from the resource, so "
                                               f"{call.call} was not called (an earlier call failed?)")
            return {"Results": [{each: value, **self._one(route, {**params, each: value})}
                                for value in values]}
        return self._one(route, params)

    def _one(self, route: Route, params: dict[str, Any]) -> dict[str, Any]:
        def attempt() -> dict[str, Any]:
            try:
                credentials = self.credentials.current()    # refreshes temporary credentials when due
            except CredentialsError as exc:
                raise ApiError("NoCredentials", str(exc)) from None
            except ApiError as exc:   # the role could not be assumed again mid-scan
                raise ApiError(exc.code, f"renewing the temporary credentials: {exc.message}") from None
            self.secrets.add(credentials.access_key_id, *credentials.secrets())
            return self.transport.send(route, params, credentials)

        return with_retries(attempt, _transient,
                            max_attempts=self.options.max_attempts, base=self.options.backoff_base,
                            cap=self.options.backoff_cap, deadline=self.options.call_deadline)
