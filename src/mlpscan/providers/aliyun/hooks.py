"""What the API answers cannot say by themselves, added to the resources after collection.

Each hook keeps the raw answers and adds derived keys (`LoginActivity`, `AccessKeyActivity`,
`LogRetention`, `LogProtection`, `WorldOpen`, `WorldOpenRanges`, `ForwardedPorts`, `NodeZones` from
node_zones.py, `BackupProtection` from nas_backup.py and `DataExports` from export.py) that checks
read. When an answer a derived key depends on failed, the derived key is recorded as failed too, so
every check reading it reports `error`.
Times are measured from the collection, so evaluating the snapshot later gives the same result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from mlpscan.providers.aliyun.credentials import parse_time, utc_now
from mlpscan.providers.aliyun.export import (
    bucket_data_export,
    cen_data_export,
    database_data_export,
    trail_data_export,
)
from mlpscan.providers.aliyun.nas_backup import KEY as BACKUP_PROTECTION
from mlpscan.providers.aliyun.nas_backup import nas_backup_protection
from mlpscan.providers.aliyun.node_zones import KEY as NODE_ZONES
from mlpscan.providers.aliyun.node_zones import cluster_node_zones
from mlpscan.providers.cloud.address_sets import NamedSets, Unresolved, world_families
from mlpscan.providers.cloud.exports import KEY as EXPORTS
from mlpscan.providers.cloud.exposure import PROTOCOLS, WORLD, FirstMatch, Rule, first_match, merged
from mlpscan.providers.cloud.runner import ApiError, Hook, HookContext, with_failed_calls
from mlpscan.providers.cloud.spec import Call
from mlpscan.snapshot import FAILED_CALLS_KEY, Resource

GET_LOG_STORE = Call(call="log:GetLogStore")
GET_BUCKET_LIFECYCLE = Call(call="oss:GetBucketLifecycle", absent=["NoSuchLifecycle"])
GET_BUCKET_INFO = Call(call="oss:GetBucketInfo")
HOOK_CALLS = (GET_LOG_STORE, GET_BUCKET_LIFECYCLE, GET_BUCKET_INFO)   # made here, outside resources.yaml
LOG_STORE_ABSENT = ("LogStoreNotExist", "ProjectNotExist")
PERMANENT_TTL = 3650            # SLS: a ttl of 3650 days means "keep permanently"
WIDE_RANGE = 1024               # a world-open range wider than this is reported as a range
DEFAULT_PRIORITY = 1            # ECS: a rule created without a priority has priority 1
PREFIX_LISTS = "aliyun.ecs.prefix_list"
PREFIX_LIST_ENTRIES = "DescribePrefixListAttributes"   # where a prefix list keeps its Entries.Entry
WORLD_OPEN_FIELDS = ("WorldOpen", "WorldOpenRanges", "WorldOpenUnresolved")
PROJECT_ARN = re.compile(r"^acs:log:(?P<region>[^:]+):[^:]*:project/(?P<project>[^/]+)$")

Clock = Callable[[], datetime]


def _with(resource: Resource, derived: dict[str, Any], failed: dict[str, str]) -> Resource:
    updated = resource.model_copy(update={"data": {**resource.data, **derived}})
    return with_failed_calls(updated, failed) if failed else updated


def _failed_inputs(resource: Resource, keys: Iterable[str]) -> str | None:
    failed = resource.data.get(FAILED_CALLS_KEY, {})
    reasons = [failed[key] for key in keys if key in failed]
    return "derived from an answer that could not be read: " + "; ".join(reasons) if reasons else None


def _days_since(text: str | None, now: datetime) -> int | None:
    if not text:
        return None
    return max((now - parse_time(text)).days, 0)


def mask_key_id(key_id: str) -> str:
    """Access key ids are kept recognisable (as the console shows them) but not whole."""
    return f"{key_id[:4]}****{key_id[-4:]}" if len(key_id) > 8 else "****"


# -- RAM users ---------------------------------------------------------------------------------

def user_activity(context: HookContext, clock: Clock = utc_now) -> list[Resource]:
    """Days since each console user last logged in, and since each active key was last used."""
    now = clock()
    return [_user_activity(resource, now) for resource in context.resources]


def _user_activity(resource: Resource, now: datetime) -> Resource:
    data = resource.data
    derived: dict[str, Any] = {}
    failed: dict[str, str] = {}
    login_problem = _failed_inputs(resource, ("GetUser", "GetLoginProfile"))
    if login_problem:
        failed["LoginActivity"] = login_problem
    else:
        user = data.get("GetUser") or {}
        last_login = user.get("LastLoginDate") or None
        created = user.get("CreateDate") or data.get("CreateDate")
        derived["LoginActivity"] = {
            "console_login": data.get("GetLoginProfile") is not None, "last_login": last_login,
            "days_idle": _days_since(last_login or created, now),
            "idle_since": "last login" if last_login else "creation (never logged in)",
            "as_of": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
    key_problem = _failed_inputs(resource, ("ListAccessKeys", "GetAccessKeyLastUsed"))
    if key_problem:
        failed["AccessKeyActivity"] = key_problem
    else:
        used = {entry.get("UserAccessKeyId"): entry.get("LastUsedDate")
                for entry in data.get("GetAccessKeyLastUsed") or []}
        keys = []
        for key in data.get("ListAccessKeys") or []:
            if key.get("Status") != "Active":
                continue
            last_used = used.get(key.get("AccessKeyId")) or None
            keys.append({"AccessKeyId": mask_key_id(str(key.get("AccessKeyId", ""))), "last_used": last_used,
                         "idle_days": _days_since(last_used or key.get("CreateDate"), now)})
        idle = [k["idle_days"] for k in keys if k["idle_days"] is not None]
        derived["AccessKeyActivity"] = {"active_keys": len(keys), "max_idle_days": max(idle, default=0),
                                        "keys": keys, "as_of": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
    for key, field in (("ListAccessKeys", "AccessKeyId"), ("GetAccessKeyLastUsed", "UserAccessKeyId")):
        if isinstance(data.get(key), list):
            derived[key] = [{**entry, field: mask_key_id(str(entry.get(field, "")))} for entry in data[key]]
    return _with(resource, derived, failed)


# -- ActionTrail delivery ----------------------------------------------------------------------

def trail_log_retention(context: HookContext, clock: Clock = utc_now) -> list[Resource]:
    """How long the log store (SLS ttl) and the bucket (OSS lifecycle) a trail writes to keep it."""
    now = clock()
    return [_trail_retention(context, resource, now) for resource in context.resources]


def _trail_retention(context: HookContext, resource: Resource, now: datetime) -> Resource:
    data = resource.data
    derived: dict[str, Any] = {}
    failed: dict[str, str] = {}
    destinations: list[dict[str, Any]] = []
    project_arn = data.get("SlsProjectArn") or ""
    if project_arn:
        found = PROJECT_ARN.match(project_arn)
        logstore = f"actiontrail_{data.get('Name')}"
        if found is None:
            failed["LogRetention"] = (f"SlsProjectArn {project_arn!r} is not "
                                      "acs:log:<region>:<account>:project/<name>")
        else:
            project = found["project"]
            try:
                answer = context.account.api.call(GET_LOG_STORE, found["region"],
                                                  {"project": project, "logstore": logstore})
                derived["GetLogStore"] = answer
                ttl = answer.get("ttl")
                if isinstance(ttl, int) and not isinstance(ttl, bool):
                    destinations.append({"kind": "sls", "name": f"{project}/{logstore}", "days": ttl,
                                         "unlimited": ttl >= PERMANENT_TTL})
                else:
                    failed["LogRetention"] = f"log:GetLogStore answered without a ttl ({ttl!r})"
            except ApiError as exc:
                if exc.code in LOG_STORE_ABSENT:
                    derived["GetLogStore"] = None
                    destinations.append({"kind": "sls", "name": f"{project}/{logstore}", "days": 0,
                                         "unlimited": False, "note": f"{exc.code}: nothing is kept"})
                else:
                    reason = f"log:GetLogStore {exc.code}: {exc.message}"[:500]
                    failed["GetLogStore"] = failed["LogRetention"] = reason
    bucket = data.get("OssBucketName") or ""
    if bucket:
        region = data.get("OssBucketLocation") or data.get("HomeRegion")
        lifecycle: dict[str, Any] | None = None       # NoSuchLifecycle: no rule deletes anything
        try:
            lifecycle = context.account.api.call(GET_BUCKET_LIFECYCLE, None,
                                                 {"bucket": bucket, "region": region})
        except ApiError as exc:
            if exc.code not in GET_BUCKET_LIFECYCLE.absent:
                failed["GetBucketLifecycle"] = failed["LogRetention"] = (
                    f"oss:GetBucketLifecycle {exc.code}: {exc.message}"[:500])
        if "GetBucketLifecycle" not in failed:
            derived["GetBucketLifecycle"] = lifecycle
            prefix = str(data.get("OssKeyPrefix") or "")
            destinations.append(_bucket_retention(bucket, prefix, lifecycle, now))
    if "LogRetention" not in failed:
        finite = [d["days"] for d in destinations if not d["unlimited"]]
        derived["LogRetention"] = {
            "destinations": destinations,
            "unlimited": any(d["unlimited"] for d in destinations),
            "longest_days": max(finite, default=0),
            "evidence": "; ".join(_describe(d) for d in destinations)
                        or "the trail delivers to no log store and no bucket",
            "as_of": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
    _trail_protection(context, data, derived, failed)
    return _with(resource, derived, failed)


def _trail_protection(context: HookContext, data: dict[str, Any], derived: dict[str, Any],
                      failed: dict[str, str]) -> None:
    """LogProtection: whether every destination of the trail encrypts what it stores.

    SLS: the log store's encrypt_conf is enabled (service key or the customer's KMS key); OSS: the
    bucket has a default server-side encryption rule (SSEAlgorithm other than None).
    """
    destinations: list[dict[str, Any]] = []
    problems: list[str] = []
    project_arn = str(data.get("SlsProjectArn") or "")
    if project_arn:
        found = PROJECT_ARN.match(project_arn)
        if found is None or "GetLogStore" not in derived:
            problems.append(failed.get("GetLogStore") or failed.get("LogRetention")
                            or "the log store was not read")
        else:
            name = f"{found['project']}/actiontrail_{data.get('Name')}"
            store = derived["GetLogStore"]
            conf = (store or {}).get("encrypt_conf") or {}
            encrypted = isinstance(conf, dict) and conf.get("enable") is True
            how = (f"encrypt_conf enabled ({conf.get('encrypt_type') or 'default'}"
                   f"{', customer KMS key' if conf.get('user_cmk_info') else ', service key'})" if encrypted
                   else "the log store does not exist" if store is None else "no encrypt_conf enabled")
            destinations.append({"kind": "sls", "name": name, "encrypted": encrypted, "how": how})
    bucket = str(data.get("OssBucketName") or "")
    if bucket:
        region = data.get("OssBucketLocation") or data.get("HomeRegion")
        try:
            info = context.account.api.call(GET_BUCKET_INFO, None, {"bucket": bucket, "region": region})
        except ApiError as exc:
            reason = f"{GET_BUCKET_INFO.call} {exc.code}: {exc.message}"[:500]
            failed["GetBucketInfo"] = reason
            problems.append(reason)
        else:
            derived["GetBucketInfo"] = info
            algorithm = str((info.get("ServerSideEncryptionRule") or {}).get("SSEAlgorithm") or "None")
            destinations.append({"kind": "oss", "name": bucket, "encrypted": algorithm != "None",
                                 "how": f"default encryption {algorithm}" if algorithm != "None"
                                        else "no default encryption rule"})
    if problems:
        failed["LogProtection"] = "; ".join(problems)[:500]
        return
    derived["LogProtection"] = {
        "destinations": destinations,
        "encrypted": bool(destinations) and all(d["encrypted"] for d in destinations),
        "evidence": "; ".join(f"{d['kind']} {d['name']}: {d['how']}" for d in destinations)
                    or "the trail delivers to no log store and no bucket"}


def _bucket_retention(bucket: str, key_prefix: str, lifecycle: dict[str, Any] | None,
                      now: datetime) -> dict[str, Any]:
    """The shortest enabled expiration among lifecycle rules that can reach the trail's objects."""
    logs = (key_prefix.strip("/") + "/" if key_prefix.strip("/") else "") + "AliyunLogs/"
    rules = ((lifecycle or {}).get("LifecycleConfiguration") or {}).get("Rule") or []
    days: list[int] = []
    for rule in rules:
        prefix = str(rule.get("Prefix") or "")
        expiration = rule.get("Expiration") or {}
        if rule.get("Status") != "Enabled" or not (logs.startswith(prefix) or prefix.startswith(logs)):
            continue
        if isinstance(expiration.get("Days"), int):
            days.append(expiration["Days"])
        for fixed in (expiration.get("CreatedBeforeDate"), expiration.get("Date")):
            if fixed:   # everything written before that date is deleted
                days.append(max((now.date() - date.fromisoformat(str(fixed)[:10])).days, 0))
    name = f"{bucket}/{logs}"
    if not days:
        return {"kind": "oss", "name": name, "days": None, "unlimited": True}
    return {"kind": "oss", "name": name, "days": min(days), "unlimited": False}


def _describe(destination: dict[str, Any]) -> str:
    what = "log store" if destination["kind"] == "sls" else "bucket"
    if destination["unlimited"]:
        kept = "kept permanently" if destination["kind"] == "sls" else "no lifecycle rule deletes them"
    else:
        kept = f"kept {destination['days']} days"
    note = f" ({destination['note']})" if destination.get("note") else ""
    return f"{what} {destination['name']}: {kept}{note}"


# -- security groups ---------------------------------------------------------------------------

def world_open_ports(context: HookContext) -> list[Resource]:
    """What each group's ingress rules let the whole Internet (0.0.0.0/0, ::/0) reach, in effect.

    Alibaba Cloud applies the first matching rule: lower Priority first (1 is the highest), and at
    the same priority Drop before Accept. So a port is world-open only if the first world rule
    matching it accepts it. A rule's source is the world when it is 0.0.0.0/0 or ::/0, or a prefix
    list (SourcePrefixListId) whose entries cover a family. WorldOpen keeps the ports (ranges
    wider than WIDE_RANGE listed as ranges, so a port list can be matched without expanding 65535
    ports) and WorldOpenRanges every open range. A rule whose prefix list or port list
    (PortRangeListId) could not be read, or whose priority cannot be read, leaves the open ports
    unknown (null) unless the rules decide the same whatever it holds: checks reading them say
    `error`, and WorldOpenUnresolved (and WorldOpen.unresolved) say why.
    """
    prefix_lists = NamedSets.of(context, PREFIX_LISTS, "PrefixListId", "prefix list")
    return [_world_open(resource, prefix_lists) for resource in context.resources]


def _world_open(resource: Resource, prefix_lists: NamedSets) -> Resource:
    problem = _failed_inputs(resource, ("DescribeSecurityGroupAttribute",))
    if problem:
        return _with(resource, {}, dict.fromkeys(WORLD_OPEN_FIELDS, problem))
    rules = [rule for rule in resource.data.get("DescribeSecurityGroupAttribute") or []
             if str(rule.get("Direction") or "ingress").lower() == "ingress"]
    walked: list[tuple[int, int, Rule]] = []
    unordered: list[str] = []
    for rule in rules:
        protocol = str(rule.get("IpProtocol") or "").lower()
        if protocol not in (*PROTOCOLS, "all"):
            continue   # ICMP, GRE: no ports
        problems: list[str] = []
        try:
            families = _source_families(rule, resource.region, prefix_lists)
        except Unresolved as exc:
            families = frozenset(WORLD.values())
            problems.append(str(exc))
        if not families:
            continue
        priority = _priority(rule.get("Priority"))
        if priority is None:
            unordered.append(f"unreadable Priority {rule.get('Priority')!r}")
            priority = 0
        low, high = _port_range(str(rule.get("PortRange") or "-1/-1"))
        if rule.get("PortRangeListId"):
            low, high = 1, 65535
            problems.append(f"port list {rule['PortRangeListId']}")
        accept = str(rule.get("Policy") or "Accept").lower() == "accept"
        spans = tuple((proto, low, high) for proto in (PROTOCOLS if protocol == "all" else (protocol,)))
        named = f"rule {rule.get('SecurityGroupRuleId') or '(no id)'}: "
        why = named + "; ".join(problems) if problems else None
        walked.append((priority, 1 if accept else 0,
                       Rule(accept=accept, families=families, spans=spans, unresolved=why)))
    result = first_match([entry for *_, entry in sorted(walked, key=lambda entry: (entry[0], entry[1]))])
    unresolved = unordered + result.unresolved
    known = not unresolved
    # `certain` holds whatever unknown rules hold, but not whatever the order is
    certain = [] if unordered else result.certain
    ports = sorted({port for r in certain if r["ToPort"] - r["FromPort"] < WIDE_RANGE
                    for port in range(r["FromPort"], r["ToPort"] + 1)})
    wide = [f"{r['Protocol'].upper()} {r['FromPort']}/{r['ToPort']}" for r in certain
            if r["ToPort"] - r["FromPort"] >= WIDE_RANGE]
    world_open = {"rules": len(result.opening), "ports": ports if known else None, "wide_ranges": wide,
                  "unresolved": unresolved}
    return _with(resource, {"WorldOpen": world_open, "WorldOpenRanges": result.certain if known else None,
                            "WorldOpenUnresolved": unresolved}, {})


def _source_families(rule: dict[str, Any], region: str | None, prefix_lists: NamedSets) -> frozenset[str]:
    """The families whose whole Internet a rule's source is: 0.0.0.0/0, ::/0, or a prefix list."""
    families = {family for family, source in (("ipv4", rule.get("SourceCidrIp")),
                                              ("ipv6", rule.get("Ipv6SourceCidrIp")))
                if WORLD.get(str(source or "")) == family}
    listed = str(rule.get("SourcePrefixListId") or "")
    if listed:
        entries = prefix_lists.get(region, listed).data.get(PREFIX_LIST_ENTRIES)
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise Unresolved(f"prefix list {listed}: answered without its entries")
        families |= world_families(str(entry.get("Cidr")) for entry in entries)
    return frozenset(families)


def _open_summary(opened: list[tuple[str, int, int]], opening: int, unresolved: list[str]) -> dict[str, Any]:
    """WorldOpen (ports, ranges wider than WIDE_RANGE as text) and WorldOpenRanges; both unknown
    (null) when a rule's ports could not be resolved."""
    ranges = merged(opened)
    ports = sorted({port for r in ranges if r["ToPort"] - r["FromPort"] < WIDE_RANGE
                    for port in range(r["FromPort"], r["ToPort"] + 1)})
    wide = [f"{r['Protocol'].upper()} {r['FromPort']}/{r['ToPort']}" for r in ranges
            if r["ToPort"] - r["FromPort"] >= WIDE_RANGE]
    known = not unresolved
    world_open = {"rules": opening, "ports": ports if known else None, "wide_ranges": wide,
                  "unresolved": unresolved}
    return {"WorldOpen": world_open, "WorldOpenRanges": ranges if known else None}


# -- VPC network ACLs and NAT gateways ---------------------------------------------------------

def acl_world_open_ports(context: HookContext) -> list[Resource]:
    """What a network ACL's ingress entries let the whole Internet reach, in effect.

    Entries apply in the order the API lists them (the console's priority order) and the first
    matching one decides; as for security groups, only entries whose source is 0.0.0.0/0 or ::/0
    decide what the world can reach, each address family on its own. Adds WorldOpen and
    WorldOpenRanges in the security groups' shape.
    """
    return [_acl_world_open(resource) for resource in context.resources]


def _acl_world_open(resource: Resource) -> Resource:
    entries = ((resource.data.get("IngressAclEntries") or {}).get("IngressAclEntry"))
    if not isinstance(entries, list):
        problem = f"IngressAclEntries.IngressAclEntry is {type(entries).__name__}, not a list of entries"
        return _with(resource, {}, dict.fromkeys(("WorldOpen", "WorldOpenRanges"), problem))
    decisions = FirstMatch()
    opened: list[tuple[str, int, int]] = []
    opening = 0
    for entry in entries:
        family = WORLD.get(str(entry.get("SourceCidrIp") or ""))
        protocol = str(entry.get("Protocol") or "").lower()
        if family is None or protocol not in (*PROTOCOLS, "all"):
            continue   # not the whole Internet, or ICMP/GRE: no ports
        low, high = _port_range(str(entry.get("Port") or "-1/-1"))
        fresh = [(proto, start, end) for proto in (PROTOCOLS if protocol == "all" else (protocol,))
                 for start, end in decisions.claim(family, proto, low, high)]
        if str(entry.get("Policy") or "").lower() == "accept" and fresh:
            opening += 1
            opened += fresh
    return _with(resource, _open_summary(opened, opening, []), {})


def nat_forwarded_ports(context: HookContext) -> list[Resource]:
    """The ports a NAT gateway's DNAT entries forward from its public addresses to the inside.

    An entry of protocol `Any` (IP mapping: every port of the public address) forwards all ports.
    ForwardedPorts keeps the forwarded ports (ranges wider than WIDE_RANGE as text) and
    `ip_mappings`, the public addresses mapped whole; entries not `Available` are left out.
    """
    return [_forwarded(resource) for resource in context.resources]


def _forwarded(resource: Resource) -> Resource:
    problem = _failed_inputs(resource, ("ForwardTableEntries",))
    if problem:
        return _with(resource, {}, {"ForwardedPorts": problem})
    entries = resource.data.get("ForwardTableEntries")
    if not isinstance(entries, list):
        return _with(resource, {}, {"ForwardedPorts": f"ForwardTableEntries is {type(entries).__name__}"})
    forwarded: list[tuple[str, int, int]] = []
    mappings: list[str] = []
    for entry in entries:
        if str(entry.get("Status") or "Available") != "Available":
            continue
        protocol = str(entry.get("IpProtocol") or "").lower()
        if protocol == "any":
            mappings.append(str(entry.get("ExternalIp") or "?"))
            forwarded += [(proto, 1, 65535) for proto in PROTOCOLS]
            continue
        low, high = _port_range(str(entry.get("ExternalPort") or ""))
        forwarded += [(proto, low, high) for proto in (PROTOCOLS if protocol == "all" else (protocol,))]
    summary = _open_summary(forwarded, len(entries), [])["WorldOpen"]
    found = {"ports": summary["ports"], "wide_ranges": summary["wide_ranges"], "ip_mappings": mappings,
             "entries": len(entries)}
    return _with(resource, {"ForwardedPorts": found}, {})


def _priority(value: Any) -> int | None:
    """Rule priority (1 is the highest); the API's default when absent."""
    if value in (None, ""):
        return DEFAULT_PRIORITY
    try:
        return int(str(value))
    except ValueError:
        return None


def _port_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("/")
    try:
        first, last = int(low), int(high or low)
    except ValueError:
        return 1, 65535       # unreadable: assume the worst
    if first < 1 or last < 1:
        return 1, 65535       # -1/-1: every port
    return min(first, last), max(first, last)


HOOKS: dict[str, Hook] = {
    "user_activity": Hook(user_activity, derives=("LoginActivity", "AccessKeyActivity", "ListAccessKeys",
                                                  "GetAccessKeyLastUsed")),
    "trail_log_retention": Hook(trail_log_retention, derives=("GetLogStore", "GetBucketLifecycle",
                                                              "GetBucketInfo", "LogRetention",
                                                              "LogProtection")),
    "world_open_ports": Hook(world_open_ports, derives=WORLD_OPEN_FIELDS),
    "acl_world_open_ports": Hook(acl_world_open_ports, derives=("WorldOpen", "WorldOpenRanges")),
    "nat_forwarded_ports": Hook(nat_forwarded_ports, derives=("ForwardedPorts",)),
    "bucket_data_export": Hook(bucket_data_export, derives=(EXPORTS,)),
    "database_data_export": Hook(database_data_export, derives=(EXPORTS,)),
    "trail_data_export": Hook(trail_data_export, derives=(EXPORTS,)),
    "cen_data_export": Hook(cen_data_export, derives=(EXPORTS,)),
    "cluster_node_zones": Hook(cluster_node_zones, derives=(NODE_ZONES,)),
    "nas_backup_protection": Hook(nas_backup_protection, derives=(BACKUP_PROTECTION,)),
}
