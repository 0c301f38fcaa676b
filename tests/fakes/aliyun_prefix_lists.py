"""ECS prefix lists in the fake Alibaba account, as the ECS API (2014-05-26) answers them.

DescribePrefixLists pages by NextToken and MaxResults (at most 100, 10 by default; the token is
empty once nothing follows): PrefixLists.PrefixList[] with PrefixListId, PrefixListName,
AddressFamily, MaxEntries, AssociationCount, CreationTime. DescribePrefixListAttributes answers one
list with its Entries.Entry[] (Cidr, Description), or 404 InvalidPrefixListId.NotFound.
World mixes this in; its `prefix_lists` holds each region's lists, entries under "_entries".
"""

from __future__ import annotations

import base64
from typing import Any

from tests.fakes.aliyun_paging import FakeError


class PrefixListWorld:
    prefix_lists: dict[str, list[dict[str, Any]]]   # region -> lists (entries under "_entries")

    def _DescribePrefixLists(self, params: dict[str, str], region: str) -> Any:
        size = int(params.get("MaxResults") or 10)
        if not 1 <= size <= 100:
            raise FakeError(400, "InvalidParameter", "MaxResults must be between 1 and 100")
        lists = [{k: v for k, v in listed.items() if k != "_entries"} | {"AssociationCount": 1}
                 for listed in self.prefix_lists.get(region, [])]
        start = _position(params.get("NextToken"), region)
        page, rest = lists[start:start + size], lists[start + size:]
        return {"PrefixLists": {"PrefixList": page},
                "NextToken": base64.urlsafe_b64encode(f"{region}:{start + size}".encode()).decode() if rest else ""}

    def _DescribePrefixListAttributes(self, params: dict[str, str], region: str) -> Any:
        for listed in self.prefix_lists.get(region, []):
            if listed["PrefixListId"] == params.get("PrefixListId"):
                return {**{k: v for k, v in listed.items() if k != "_entries"},
                        "Entries": {"Entry": [{"Cidr": cidr, "Description": ""} for cidr in listed["_entries"]]}}
        raise FakeError(404, "InvalidPrefixListId.NotFound", "The specified prefix list was not found.")


def _position(token: str | None, region: str) -> int:
    if not token:
        return 0
    scope, _, position = base64.urlsafe_b64decode(token.encode()).decode().rpartition(":")
    if scope != region or not position.isdigit():
        raise FakeError(400, "InvalidNextToken.Malformed", "The specified NextToken is invalid.")
    return int(position)


def prefix_list(region: str, number: int, cidrs: list[str], *, family: str = "IPv4") -> dict[str, Any]:
    """One prefix list as DescribePrefixLists lists it, its entries kept for the attributes call."""
    return {"PrefixListId": f"pl-{region[-4:]}{number:06d}", "PrefixListName": f"list-{number}",
            "AddressFamily": family, "MaxEntries": 20, "Description": "", "CreationTime": "2025-03-10T02:00Z",
            "_entries": cidrs}
