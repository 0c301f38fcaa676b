"""Error answers and the paging styles of the Alibaba Cloud APIs the fake serves."""

from __future__ import annotations

import base64
from typing import Any


class FakeError(Exception):
    """An error answer: HTTP status, the service's code and message."""

    def __init__(self, status: int, code: str, message: str = "") -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message or code


def token(scope: str, position: int) -> str:
    return base64.urlsafe_b64encode(f"{scope}:{position}".encode()).decode()


def token_position(value: str | None, scope: str) -> int:
    if not value:
        return 0
    try:
        found_scope, _, position = base64.urlsafe_b64decode(value.encode()).decode().rpartition(":")
        if found_scope == scope:
            return int(position)
    except ValueError:
        pass
    raise FakeError(400, "InvalidNextToken.Malformed", "The specified NextToken is invalid.")


def marker_page(items: list[dict[str, Any]], params: dict[str, str], outer: str, inner: str,
                size: int) -> dict[str, Any]:
    """RAM-style: MaxItems, Marker -> IsTruncated, Marker (an opaque token: here the next index)."""
    start = int(params.get("Marker") or 0)
    page = items[start:start + size]
    answer: dict[str, Any] = {outer: {inner: page}, "IsTruncated": start + size < len(items)}
    if answer["IsTruncated"]:
        answer["Marker"] = str(start + size)
    return answer


def number_page(items: list[dict[str, Any]], params: dict[str, str], outer: str, inner: str,
                size: int) -> dict[str, Any]:
    """ECS-style: PageNumber, PageSize -> TotalCount."""
    number = int(params.get("PageNumber") or 1)
    return {outer: {inner: items[(number - 1) * size:number * size]}, "TotalCount": len(items),
            "PageNumber": number, "PageSize": size}




def token_page(items: list[dict[str, Any]], params: dict[str, str], key: str, scope: str, size: int) -> dict[str, Any]:
    """NextToken/MaxResults (ALB, SLB listeners): `key` holds the page, NextToken is absent on the last one."""
    start = token_position(params.get("NextToken"), scope)
    page, rest = items[start:start + size], items[start + size:]
    answer: dict[str, Any] = {key: page, "TotalCount": len(items), "MaxResults": size}
    if rest:
        answer["NextToken"] = token(scope, start + size)
    return answer
