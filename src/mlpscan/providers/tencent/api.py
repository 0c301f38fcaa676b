"""The signed, retried transport: one `service:Action` call in, its answer as plain data out.

JSON APIs go through the SDK's CommonClient (TC3-HMAC-SHA256), COS through cos-python-sdk-v5.
Neither SDK retries usefully (the common package's standard retryer discards a successful
retry), so each call runs under cloud/retry.py: throttling (RequestLimitExceeded*), 5xx and
network errors are retried with jittered backoff; everything else, and whatever outlasts the
retries, becomes an ApiError naming its code, which the runner records against the API.
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import urlsplit

import requests
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_exception import CosClientError, CosServiceError
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from mlpscan.providers.cloud.collect import CloudOptions
from mlpscan.providers.cloud.retry import with_retries
from mlpscan.providers.cloud.runner import ApiError
from mlpscan.providers.cloud.secrets import Secrets
from mlpscan.providers.cloud.source import ConnectError
from mlpscan.providers.cloud.spec import Call
from mlpscan.providers.tencent.credentials import KeySource, SdkCredential
from mlpscan.providers.tencent.services import ServiceTable

MAX_MESSAGE = 400
TRANSIENT_CODES = ("ServerNetworkError", "ClientNetworkError", "InternalError", "SlowDown")

# Both SDKs log whole requests, session-token header included, at DEBUG, and COS logs every
# 404 ("no lifecycle configured") at ERROR. mlpscan reports failures itself, so they stay quiet.
for _sdk_logger in ("tencentcloud_sdk_common", "qcloud_cos"):
    logging.getLogger(_sdk_logger).setLevel(logging.CRITICAL)


class TransientApiError(ApiError):
    """Throttling, a 5xx answer or a network failure: worth another attempt."""


def _retryable(exc: ApiError) -> bool:
    return isinstance(exc, TransientApiError)


def _error(code: str, message: str) -> ApiError:
    transient = code.startswith("RequestLimitExceeded") or code in TRANSIENT_CODES
    return (TransientApiError if transient else ApiError)(code, message)


class TencentApi:
    """Implements the runner's Api protocol for one set of keys."""

    def __init__(self, table: ServiceTable, keys: KeySource, endpoint: str | None,
                 options: CloudOptions, secrets: Secrets | None = None) -> None:
        self.table = table
        self.keys = keys
        self.options = options
        self.secrets = secrets if secrets is not None else Secrets()
        self.endpoint = urlsplit(endpoint) if endpoint else None
        self._credential = SdkCredential(keys)
        self._local = threading.local()
        # One pool for every COS call; its size matches the number of calls in flight.
        self._cos_session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=max(options.api_workers, 4))
        self._cos_session.mount("https://", adapter)
        self._cos_session.mount("http://", adapter)

    def call(self, call: Call, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        def attempt() -> dict[str, Any]:
            try:
                keys = self.keys.keys()   # renews temporary keys when due
            except ApiError as exc:       # the role could not be assumed again mid-scan
                raise ApiError(exc.code, f"renewing the temporary keys: {exc.message}") from None
            except ConnectError as exc:   # nor the instance role's keys fetched again
                raise ApiError(exc.code, f"renewing the temporary keys ({exc.operation}): "
                                         f"{exc.message}") from None
            self.secrets.add(keys.secret_id, keys.secret_key, keys.token)
            try:
                if call.service == "cos":
                    return self._cos(call.action, dict(params))
                return self._json(call.service, call.action, region, params)
            except ApiError:
                raise
            except (requests.ConnectionError, requests.Timeout) as exc:   # reset, refused, timed out
                raise TransientApiError("ClientNetworkError", self._clean(str(exc))) from None
            except Exception as exc:   # an SDK surprise: an error for this call, never a crash
                raise ApiError(type(exc).__name__, self._clean(str(exc))) from None

        return with_retries(attempt, _retryable, max_attempts=self.options.max_attempts,
                            base=self.options.backoff_base, cap=self.options.backoff_cap,
                            deadline=self.options.call_deadline)

    # -- JSON APIs (cloud API 3.0) ---------------------------------------------------------

    def _json(self, service_name: str, action: str, region: str | None,
              params: dict[str, Any]) -> dict[str, Any]:
        service = self.table.services.get(service_name)
        if service is None:
            raise ApiError("UnknownService", f"{service_name} is not in providers/tencent/services.yaml")
        empty_when = service.skip_when_empty.get(action)
        if empty_when is not None and not params.get(empty_when):
            return {}
        header = self.table.region_header(service, region)
        client = self._client(service_name, service.version, header)
        request = dict(params)
        for name in service.string_params.get(action, []):
            if name in request:
                request[name] = str(request[name])
        try:
            answer = client.call_json(action, request)
        except TencentCloudSDKException as exc:
            if exc.code in self.table.not_offered:
                return {}
            raise _error(exc.code or "ClientError", self._clean(exc.message)) from None
        except ValueError as exc:  # a 200 whose body is not JSON
            raise _error("ServerNetworkError", f"unreadable answer: {self._clean(str(exc))}") from None
        response = answer.get("Response") if isinstance(answer, dict) else None
        if not isinstance(response, dict):
            raise _error("ServerNetworkError", "answer without a Response object")
        error = response.get("Error")
        if isinstance(error, dict):  # the SDK only looks for errors under an exact content type
            code = str(error.get("Code") or "UnknownError")
            if code in self.table.not_offered:
                return {}
            raise _error(code, self._clean(error.get("Message")))
        return {key: value for key, value in response.items() if key != "RequestId"}

    def _client(self, service: str, version: str, region: str) -> CommonClient:
        clients: dict[tuple[str, str], CommonClient] | None = getattr(self._local, "clients", None)
        if clients is None:
            clients = self._local.clients = {}
        client = clients.get((service, region))
        if client is None:
            if self.endpoint is not None:
                scheme, host = self.endpoint.scheme, self.endpoint.netloc
            else:
                scheme, host = "https", self.table.host(service, region)
            http = HttpProfile(protocol=scheme, endpoint=host, reqMethod="POST",
                               reqTimeout=(self.options.connect_timeout, self.options.read_timeout))
            client = CommonClient(service, version, self._credential, region,
                                  profile=ClientProfile(httpProfile=http, language="en-US"))
            clients[(service, region)] = client
        return client

    # -- COS (XML API) ---------------------------------------------------------------------

    def _cos(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        method = self.table.cos.actions.get(action)
        if method is None:
            raise ApiError("UnknownAction", f"cos:{action} is not in providers/tencent/services.yaml")
        region = params.pop("Region", None) or self.table.home_region
        client = CosS3Client(self._cos_config(str(region)), retry=0, session=self._cos_session)
        try:
            answer = getattr(client, method)(**params)
        except CosServiceError as exc:
            status = exc.get_status_code()
            digest = exc.get_digest_msg()  # the XML error as a dict; the headers when the body was empty
            if isinstance(digest, dict):
                code, message = str(digest.get("code") or f"HTTP{status}"), self._clean(digest.get("message"))
            else:
                code, message = f"HTTP{status}", "answer without an error document"
            if isinstance(status, int) and status >= 500:
                raise TransientApiError(code, message) from None
            raise _error(code, message) from None
        except CosClientError as exc:
            raise TransientApiError("ClientNetworkError", self._clean(str(exc))) from None
        result: dict[str, Any] = answer
        return result

    def _cos_config(self, region: str) -> CosConfig:
        keys = self.keys.keys()  # one consistent set for this request, even mid-renewal
        timeout = (self.options.connect_timeout, self.options.read_timeout)
        if self.endpoint is None:
            return CosConfig(Region=region, SecretId=keys.secret_id, SecretKey=keys.secret_key,
                             Token=keys.token, Scheme="https", Timeout=timeout,
                             ServiceDomain=self.table.cos.service_domain)
        return CosConfig(Region=region, SecretId=keys.secret_id, SecretKey=keys.secret_key,
                         Token=keys.token, Scheme=self.endpoint.scheme, Timeout=timeout,
                         IP=self.endpoint.hostname, Port=self.endpoint.port,
                         ServiceDomain=self.endpoint.netloc)

    # -- messages --------------------------------------------------------------------------

    def _clean(self, message: object) -> str:
        """Readable, bounded, and free of the keys in use in any encoding (a server could echo a header)."""
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        text = "" if message is None else str(message)
        return " ".join(self.secrets.scrub(text).split())[:MAX_MESSAGE]
