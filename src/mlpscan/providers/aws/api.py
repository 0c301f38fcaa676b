"""boto3 behind the runner's Api protocol: one client per service and region, answers as JSON data.

botocore's own retries are off: every call runs under cloud/retry.py like the other clouds, so it
is bounded by attempts and by a deadline over all of them. Throttling, 5xx, the transient codes
and lost connections are retried (the classes botocore's standard mode retries); what still
fails comes back as ApiError with the service's own error code, so it becomes an `error`.
"""

from __future__ import annotations

import base64
import threading
from datetime import date, datetime
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError

from mlpscan._version import __version__
from mlpscan.providers.cloud.collect import CloudOptions
from mlpscan.providers.cloud.retry import with_retries
from mlpscan.providers.cloud.runner import ApiError
from mlpscan.providers.cloud.source import ConnectError
from mlpscan.providers.cloud.spec import Call

# What botocore's standard retry mode treats as throttled or transient (botocore.retries.standard).
THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
    "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
    "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException"})
TRANSIENT_CODES = frozenset({"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
                             "InternalError", "InternalFailure", "ServiceUnavailable"})
TRANSIENT_STATUS = frozenset({429, 500, 502, 503, 504})


def client_config(options: CloudOptions) -> Config:
    return Config(retries={"mode": "standard", "total_max_attempts": 1},
                  connect_timeout=options.connect_timeout, read_timeout=options.read_timeout,
                  max_pool_connections=max(10, options.api_workers),
                  user_agent_extra=f"mlpscan/{__version__}")


class AwsError(ApiError):
    def __init__(self, code: str, message: str, transient: bool) -> None:
        super().__init__(code, message)
        self.transient = transient


def _transient(exc: ApiError) -> bool:
    return isinstance(exc, AwsError) and exc.transient


class AwsApi:
    """Signed calls for one account; global services go to the home region's endpoint."""

    def __init__(self, session: boto3.Session, home_region: str, config: Config, options: CloudOptions,
                 endpoint: str | None = None) -> None:
        self.session = session
        self.home_region = home_region
        self.config = config
        self.options = options
        self.endpoint = endpoint
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()   # boto3 sessions are not thread-safe; clients are

    def client(self, service: str, region: str | None) -> Any:
        key = (service, region or self.home_region)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                found = self.session.client(service, region_name=key[1], endpoint_url=self.endpoint,
                                            config=self.config)
                self._clients[key] = found
            return found

    def call(self, call: Call, region: str | None, params: dict[str, Any]) -> dict[str, Any]:
        client = self.client(call.service, region)
        method = getattr(client, xform_name(call.action))
        answer: dict[str, Any] = with_retries(lambda: _attempt(method, params), _transient,
                                              max_attempts=self.options.max_attempts,
                                              base=self.options.backoff_base, cap=self.options.backoff_cap,
                                              deadline=self.options.call_deadline)
        return answer


def _attempt(method: Any, params: dict[str, Any]) -> dict[str, Any]:
    try:
        answer = method(**params)
    except ClientError as exc:
        raise _api_error(exc) from None
    except (ConnectionError, HTTPClientError) as exc:   # unreachable, reset, timed out: worth another try
        raise AwsError(type(exc).__name__, str(exc), transient=True) from None
    except BotoCoreError as exc:    # no credentials, a bad region, a body that cannot be parsed
        raise AwsError(type(exc).__name__, str(exc), transient=False) from None
    except ConnectError as exc:     # the assumed role could not be renewed mid-scan
        raise AwsError(exc.code, f"{exc.operation}: {exc.message}", transient=False) from None
    answer.pop("ResponseMetadata", None)
    plain: dict[str, Any] = _plain(answer)
    return plain


def _api_error(exc: ClientError) -> AwsError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "ClientError")
    message = str(error.get("Message") or exc)
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    transient = code in THROTTLING_CODES or code in TRANSIENT_CODES or status in TRANSIENT_STATUS
    return AwsError(code, message, transient)


def _plain(value: Any) -> Any:
    """JSON-able data: timestamps as ISO 8601 text, bytes (the credential report) decoded."""
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    return value
