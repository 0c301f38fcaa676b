"""The credentials a scan uses, in every encoding a server or an SDK may echo them, kept out of text.

Servers quote what they were sent: Alibaba's SignatureDoesNotMatch message carries the string to
sign, in which the AccessKeyId and the SecurityToken are percent-encoded twice; SDK connection
errors quote the signed URL (encoded once); a proxy may echo a header as it came. Every provider
registers each credential value it signs with (base keys, and each temporary set when it is
issued or renewed) with the account's Secrets; the runner scrubs every message it records with it,
before anything reaches the snapshot, a report or the terminal.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import quote, quote_plus

MASK = "***"
SHORTEST = 6    # shorter values would mangle ordinary words; no real key, secret or token is this short
# Name=value pairs whose value is a credential or a signature, whatever the value is.
SECRET_FIELDS = re.compile(
    r"((?:SecurityToken|Signature|AccessKeyId|AccessKeySecret|SecretId|SecretKey|x-acs-security-token|"
    r"x-oss-security-token|X-TC-Token|X-Amz-Security-Token|X-Amz-Credential|X-Amz-Signature|q-ak|"
    r"q-signature)[\"']?\s*(?:=|:|%3D|%253D)\s*[\"']?)[^&\s'\",)]+", re.IGNORECASE)
# What a server says it expected to be signed: it repeats the request's parameters, credentials included.
STRING_TO_SIGN = re.compile(r"(string[ -]?to[ -]?sign\s*(?:is)?\s*:?).*", re.IGNORECASE | re.DOTALL)


def encodings(value: str) -> set[str]:
    """The value as sent and as percent-encoded once or twice (query strings, strings to sign)."""
    once = {quote(value, safe=""), quote(value, safe="-_.~"), quote_plus(value)}
    twice = {quote(encoded, safe="") for encoded in once} | {quote(encoded, safe="-_.~") for encoded in once}
    return {value} | once | twice


class Secrets:
    """The credential values of one account's scan (thread-safe: temporary keys arrive mid-scan)."""

    def __init__(self) -> None:
        self._values: frozenset[str] = frozenset()
        self._ordered: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add(self, *values: str | None) -> None:
        """Register credential values (cheap when they are known already: called on every request)."""
        fresh = {value for value in values if value and len(value) >= SHORTEST} - self._values
        if not fresh:
            return
        with self._lock:
            self._values = self._values | fresh
            forms = {form for value in self._values for form in encodings(value)}
            self._ordered = tuple(sorted(forms, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """The text without any registered credential (in any encoding), signed-request fields or
        a server's string to sign."""
        for form in self._ordered:   # longest first: an encoded form may contain the plain one
            if form in text:
                text = text.replace(form, MASK)
        text = STRING_TO_SIGN.sub(r"\1 (withheld: it repeats the request's credentials)", text)
        return SECRET_FIELDS.sub(rf"\1{MASK}", text)
