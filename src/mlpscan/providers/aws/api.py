"""boto3 behind the runner's Api protocol: one client per service and region, answers as JSON data.

botocore retries in its `standard` mode with a bound (throttling and 5xx included); what still
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
from botocore.exceptions import BotoCoreError, ClientError

from mlpscan._version import __version__
from mlpscan.providers.cloud.collect import CloudOptions
from mlpscan.providers.cloud.runner import ApiError
from mlpscan.providers.cloud.spec import Call


def client_config(options: CloudOptions) -> Config:
    return Config(retries={"mode": "standard", "total_max_attempts": options.max_attempts},
                  connect_timeout=options.connect_timeout, read_timeout=options.read_timeout,
                  max_pool_connections=max(10, options.api_workers),
                  user_agent_extra=f"mlpscan/{__version__}")


class AwsApi:
    """Signed calls for one account; global services go to the home region's endpoint."""

    def __init__(self, session: boto3.Session, home_region: str, config: Config,
                 endpoint: str | None = None) -> None:
        self.session = session
        self.home_region = home_region
        self.config = config
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
        try:
            answer = getattr(client, xform_name(call.action))(**params)
        except ClientError as exc:
            raise _api_error(exc) from None
        except BotoCoreError as exc:    # endpoint unreachable, timeouts, no credentials, bad region
            raise ApiError(type(exc).__name__, str(exc)) from None
        answer.pop("ResponseMetadata", None)
        plain: dict[str, Any] = _plain(answer)
        return plain


def _api_error(exc: ClientError) -> ApiError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "ClientError")
    message = str(error.get("Message") or exc)
    attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts")
    if attempts:
        message = f"{message} (gave up after {attempts + 1} attempts)"
    return ApiError(code, message)


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
