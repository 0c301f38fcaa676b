"""Log Service (SLS) reads as signed HTTP requests (signature v1, `LOG ak:sig`).

The SLS SDK is not used for the reads mlpscan needs (ListProject, ListLogStores, GetLogStore): it
sends project calls to `<project>.<endpoint>` (so a test endpoint on 127.0.0.1:PORT cannot be
reached without touching a private attribute), retries every 5xx ten times with a fixed one-second
sleep outside any bound, and changes the process locale on each signature. The requests below are
what it would send.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from email.utils import formatdate
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from mlpscan.providers.aliyun.credentials import Credentials

API_VERSION = "0.6.0"


class SlsError(Exception):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def string_to_sign(method: str, headers: dict[str, str], resource: str, params: dict[str, str]) -> str:
    """Method, Content-MD5, Content-Type, Date, the x-log-/x-acs- headers, the resource and its query."""
    signed = "".join(f"{key}:{headers[key]}\n" for key in sorted(headers)
                     if key.lower().startswith("x-acs-")
                     or (key.lower().startswith("x-log-") and not key.lower().startswith("x-log-meta-")))
    query = "&".join(f"{key}={value}" for key, value in sorted(params.items()))
    return (f"{method}\n{headers.get('Content-MD5', '')}\n{headers.get('Content-Type', '')}\n"
            f"{headers['Date']}\n{signed}{resource}{'?' + query if query else ''}")


def signature(secret: str, text: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()).decode()


class SlsClient:
    def __init__(self, pool_size: int, timeout: tuple[float, float]) -> None:
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.timeout = timeout

    def get(self, base_url: str, project: str | None, resource: str, credentials: Credentials, *,
            virtual_host: bool, params: dict[str, str] | None = None, region: str = "") -> dict[str, Any]:
        """GET `resource` (with its query `params`) of `project` at
        https://<project>.<region>.log.aliyuncs.com (virtual_host), or at a fixed test or private
        endpoint that learns the project from the Host header. Without a project (ListProject), at the
        region's own endpoint, which a fixed endpoint learns from the Host header too."""
        query = dict(params or {})
        headers = {"x-log-apiversion": API_VERSION, "x-log-signaturemethod": "hmac-sha1",
                   "x-log-bodyrawsize": "0", "Date": formatdate(usegmt=True)}
        if credentials.security_token:
            headers["x-acs-security-token"] = credentials.security_token
        signed = signature(credentials.access_key_secret, string_to_sign("GET", headers, resource, query))
        headers["Authorization"] = f"LOG {credentials.access_key_id}:{signed}"
        parts = urlsplit(base_url)
        if project is None:
            url = base_url + quote(resource)
            if not virtual_host:
                headers["Host"] = f"{region}.{parts.netloc}"
        elif virtual_host:
            url = f"{parts.scheme}://{project}.{parts.netloc}{quote(resource)}"
        else:
            url = base_url + quote(resource)
            headers["Host"] = f"{project}.{parts.netloc}"
        try:
            answer = self.session.get(url, headers=headers, params=query, timeout=self.timeout,
                                      allow_redirects=False)
        except requests.RequestException as exc:
            raise SlsError("RequestError", type(exc).__name__, -2) from None
        try:
            body = answer.json()
        except ValueError:
            body = None
        if answer.status_code != 200 or not isinstance(body, dict):
            error = body if isinstance(body, dict) else {}
            raise SlsError(str(error.get("errorCode") or f"HTTP{answer.status_code}"),
                           str(error.get("errorMessage") or answer.text[:200]), answer.status_code)
        return body
