"""What the resource specs cannot say as data: the credential report join and open-port expansion."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from mlpscan.providers.aws.exports import (
    GET_BUCKET_LOCATION,
    cloudfront_exports,
    peering_exports,
    rds_exports,
    s3_exports,
    tgw_exports,
    trail_exports,
)
from mlpscan.providers.aws.protection import GET_DETECTOR, guardduty_detectors
from mlpscan.providers.aws.protection import KEY as DETECTORS
from mlpscan.providers.cloud.address_sets import NamedSets, Unresolved, world_families
from mlpscan.providers.cloud.exports import KEY as EXPORTS
from mlpscan.providers.cloud.exposure import Rule, first_match
from mlpscan.providers.cloud.runner import ApiError, Hook, HookContext, with_failed_calls
from mlpscan.providers.cloud.spec import Call
from mlpscan.snapshot import Resource

GENERATE_REPORT = Call(call="iam:GenerateCredentialReport")
GET_REPORT = Call(call="iam:GetCredentialReport")
GENERATE_SETTING = "generate_credential_report"   # in Account.shared: CloudOptions' choice
DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")
NO_FRESH_REPORT = ("ReportNotPresent", "ReportExpired", "ReportInProgress")
REPORT_KEY = "CredentialReport"
ROOT_KEY = "RootUser"
ROOT_ROW = "<root_account>"
REPORT_POLLS = 20          # GenerateCredentialReport is asynchronous: STARTED, INPROGRESS, COMPLETE
REPORT_POLL_SECONDS = 1.0
NEVER = ("N/A", "no_information", "not_supported", "")
WORLD = ("0.0.0.0/0", "::/0")
PREFIX_LISTS = "aws.ec2.managed_prefix_list"
ENTRIES = "GetManagedPrefixListEntries"   # where the list's resource keeps its entries
WORLD_OPEN_FIELDS = ("WorldOpenRanges", "WorldOpenPorts", "WorldOpenWideRanges", "WorldOpenUnresolved")
WIDEST_LISTED_RANGE = 1024  # a wider range open to the world is reported as such, not port by port
PROTOCOLS = {"-1": "all", "tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp"}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def credential_report(context: HookContext, clock: Callable[[], datetime] = utc_now) -> list[Resource]:
    """Join each user with its credential-report row and how long it has been idle (from `clock`).

    The report is the one read that says, per user, whether a console password exists, whether
    MFA is active and when each access key was last used.
    """
    if not context.resources:
        return []
    try:
        rows = _report_rows(context)
    except ApiError as exc:
        reason = f"{exc.code}: {exc.message}"[:500]
        return [_failed(r, f"iam:GetCredentialReport {reason}") for r in context.resources]
    now = clock()
    joined = []
    for resource in context.resources:
        row = rows.get(resource.name or "")
        if row is None:   # created after the report was generated: unknown, not compliant
            joined.append(_failed(resource, "iam:GetCredentialReport: the user is not in the report yet"))
            continue
        data = {**resource.data, REPORT_KEY: row, "Activity": _activity(row, now)}
        joined.append(resource.model_copy(update={"data": data}))
    return joined


def root_user(context: HookContext) -> list[Resource]:
    """Say whether the account has a root user at all, with its credential-report row.

    Accounts in the China partition (and GovCloud) have no root user: the report has no
    <root_account> row, and GetAccountSummary's AccountMFAEnabled 0 means nothing there.
    """
    try:
        rows = _report_rows(context)
    except ApiError as exc:
        reason = f"iam:GetCredentialReport {exc.code}: {exc.message}"[:500]
        return [_failed(r, reason, keys=(ROOT_KEY,)) for r in context.resources]
    row = rows.get(ROOT_ROW)
    root = {"present": row is not None, **({REPORT_KEY: row} if row else {})}
    return [r.model_copy(update={"data": {**r.data, ROOT_KEY: root}}) for r in context.resources]


def _report_rows(context: HookContext) -> dict[str, dict[str, str]]:
    """The account's credential report, fetched once and shared by the hooks that read it."""
    shared = context.account.shared
    if REPORT_KEY not in shared:
        try:
            shared[REPORT_KEY] = _fetch_report(context)
        except ApiError as exc:
            shared[REPORT_KEY] = exc
    found = shared[REPORT_KEY]
    if isinstance(found, ApiError):
        raise found
    rows: dict[str, dict[str, str]] = found
    return rows


def _fetch_report(context: HookContext) -> dict[str, dict[str, str]]:
    """Refresh the report (unless told not to, or denied), then read it.

    GenerateCredentialReport is the one call that is not Describe/List/Get: it makes IAM build
    the report again (at most every four hours; no setting changes). Without it, the report IAM
    already holds is read: IAM itself refuses one older than four hours (ReportExpired) or absent
    (ReportNotPresent), and that refusal is the error the checks report.
    """
    api = context.account.api
    refreshed = ""
    if context.account.shared.get(GENERATE_SETTING, True):
        try:
            for _ in range(REPORT_POLLS):
                if api.call(GENERATE_REPORT, None, {}).get("State") == "COMPLETE":
                    break
                time.sleep(REPORT_POLL_SECONDS)
        except ApiError as exc:
            if exc.code not in DENIED:
                raise
            refreshed = f"{GENERATE_REPORT.call} was denied ({exc.code}), so the report IAM holds was read: "
    try:
        answer = api.call(GET_REPORT, None, {})
    except ApiError as exc:
        if exc.code in NO_FRESH_REPORT:
            raise ApiError(exc.code, f"{refreshed}no credential report younger than four hours exists "
                                     f"({exc.message}); generate one (aws iam generate-credential-report) "
                                     f"or allow {GENERATE_REPORT.call}") from None
        raise
    content = answer.get("Content")
    if not isinstance(content, str):
        raise ApiError("MalformedResponse", f"{GET_REPORT.call} answered without the report's Content")
    rows = list(csv.DictReader(io.StringIO(content)))
    if rows and "user" not in rows[0]:
        raise ApiError("MalformedResponse", f"{GET_REPORT.call}: the report has no 'user' column")
    return {row["user"]: row for row in rows}


def _activity(row: dict[str, str], now: datetime) -> dict[str, Any]:
    """Days since the user last signed in or used a key (since creation if never), and idle keys."""
    uses = [row.get("password_last_used", ""), row.get("access_key_1_last_used_date", ""),
            row.get("access_key_2_last_used_date", "")]
    last = max((_when(u) for u in uses if u not in NEVER), default=None)
    since = last or _when(row.get("user_creation_time", ""))
    idle_keys = []
    for number in ("1", "2"):
        if row.get(f"access_key_{number}_active") != "true":
            continue
        used = row.get(f"access_key_{number}_last_used_date", "")
        rotated = row.get(f"access_key_{number}_last_rotated", "")
        reference = _when(used) if used not in NEVER else _when(rotated) if rotated not in NEVER else None
        idle_keys.append({"key": number, "days_idle": _days(now, reference)})
    return {"last_used": last.isoformat() if last else None, "days_idle": _days(now, since),
            "active_keys": idle_keys}


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _days(now: datetime, then: datetime | None) -> int | None:
    return None if then is None else max(0, (now - then).days)


def _failed(resource: Resource, reason: str, keys: tuple[str, ...] = (REPORT_KEY, "Activity")) -> Resource:
    return with_failed_calls(resource, dict.fromkeys(keys, reason))


def world_open_ports(context: HookContext) -> list[Resource]:
    """Add what a security group opens to the whole Internet: rules whose source is 0.0.0.0/0 or
    ::/0, or a managed prefix list whose entries cover either (AWS-managed lists such as
    com.amazonaws.<region>.s3 are judged by their entries like any other).

    WorldOpenRanges lists each open tcp/udp range ("all" traffic is 0-65535); WorldOpenPorts
    expands the ranges up to 1024 ports wide, and wider ones are named in WorldOpenWideRanges.
    ICMP has no ports and is left out. A prefix list that could not be read (its listing or
    entries denied, its id not listed) leaves WorldOpenRanges and WorldOpenPorts unknown (null)
    and WorldOpenUnresolved says why, unless the rules read already open whatever it could;
    WorldOpenWideRanges keeps the wide ranges open for sure.
    """
    prefix_lists = NamedSets.of(context, PREFIX_LISTS, "PrefixListId", "prefix list")
    return [_world_open(resource, prefix_lists) for resource in context.resources]


def _world_open(resource: Resource, prefix_lists: NamedSets) -> Resource:
    open_rules: list[tuple[str, int, int]] = []
    walked: list[Rule] = []
    for rule in resource.data.get("IpPermissions", []):
        protocol = PROTOCOLS.get(str(rule.get("IpProtocol")))
        if protocol is None:
            continue
        low, high = rule.get("FromPort"), rule.get("ToPort")
        if protocol == "all" or low is None or high is None or low < 0:
            low, high = 0, 65535
        unresolved = None
        try:
            families = _world_families(rule, resource.region, prefix_lists)
        except Unresolved as exc:
            families, unresolved = frozenset(("ipv4", "ipv6")), str(exc)
        if not families:
            continue
        spans = tuple((proto, low, high) for proto in (("tcp", "udp") if protocol == "all" else (protocol,)))
        walked.append(Rule(accept=True, families=families, spans=spans, unresolved=unresolved))
        if unresolved is None:
            open_rules.append((protocol, low, high))
    ranges: list[dict[str, Any]] = []
    ports: set[int] = set()
    wide: list[str] = []
    for protocol, low, high in open_rules:
        ranges.append({"Protocol": protocol, "FromPort": low, "ToPort": high})
        if high - low + 1 > WIDEST_LISTED_RANGE:
            wide.append("all traffic" if protocol == "all" else f"{protocol} {low}-{high}")
        else:
            ports.update(range(low, high + 1))
    # Allow-only: an unread list matters when it could open more than the rules read already do.
    reasons = first_match(walked).unresolved
    data = {**resource.data, "WorldOpenRanges": None if reasons else ranges,
            "WorldOpenPorts": None if reasons else sorted(ports), "WorldOpenWideRanges": wide,
            "WorldOpenUnresolved": reasons}
    return resource.model_copy(update={"data": data})


def _world_families(rule: dict[str, Any], region: str | None, prefix_lists: NamedSets) -> frozenset[str]:
    """The families whose whole Internet a rule's sources cover. Families are merged in the
    result, so once one is found an unread prefix list could add nothing: Unresolved only when
    none is found and a list could not be read."""
    families = set()
    if any(r.get("CidrIp") in WORLD for r in rule.get("IpRanges", [])):
        families.add("ipv4")
    if any(r.get("CidrIpv6") in WORLD for r in rule.get("Ipv6Ranges", [])):
        families.add("ipv6")
    problems = []
    for named in [] if families else rule.get("PrefixListIds", []):
        try:
            entries = prefix_lists.get(region, str(named.get("PrefixListId"))).data.get(ENTRIES)
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise Unresolved(f"prefix list {named.get('PrefixListId')}: answered without its {ENTRIES}")
            families |= world_families(str(entry.get("Cidr")) for entry in entries)
        except Unresolved as exc:
            problems.append(str(exc))
    if not families and problems:
        raise Unresolved("; ".join(problems))
    return frozenset(families)


HOOKS: dict[str, Hook] = {
    "credential_report": Hook(credential_report, derives=(REPORT_KEY, "Activity")),
    "root_user": Hook(root_user, derives=(ROOT_KEY,)),
    "world_open_ports": Hook(world_open_ports, derives=WORLD_OPEN_FIELDS),
    "guardduty_detectors": Hook(guardduty_detectors, derives=(DETECTORS,)),
    **{name: Hook(run, derives=(EXPORTS,)) for name, run in (
        ("s3_exports", s3_exports), ("trail_exports", trail_exports), ("rds_exports", rds_exports),
        ("peering_exports", peering_exports), ("tgw_exports", tgw_exports),
        ("cloudfront_exports", cloudfront_exports))},
}
EXTRA_CALLS = (GENERATE_REPORT, GET_REPORT, GET_DETECTOR, GET_BUCKET_LOCATION)
