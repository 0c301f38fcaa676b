"""Hooks for where logs and data are kept: audit track destinations and bucket exposure."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from mlpscan.providers.cloud.runner import ApiError, HookContext
from mlpscan.providers.cloud.spec import Call
from mlpscan.providers.tencent.derive import (
    as_list,
    policy_statements,
    with_derived,
    with_failure,
    with_fields,
)
from mlpscan.snapshot import Resource

DESCRIBE_TOPICS = Call(call="cls:DescribeTopics")
GET_BUCKET_LIFECYCLE = Call(call="cos:GetBucketLifecycle")
GET_BUCKET_ENCRYPTION = Call(call="cos:GetBucketEncryption", absent=["NoSuchEncryptionConfiguration"])
GET_USER_APP_ID = "cam:GetUserAppId"
DERIVED = ("Destination", "retention_days", "retention_unlimited", "retention_evidence",
           "destination_encrypted", "encryption_evidence")
PERMANENT_PERIOD = 3640   # CLS Period meaning "kept permanently"
ALL_USERS = "/groups/global/AllUsers"


def track_destination(context: HookContext) -> list[Resource]:
    """Each track's destination, how long it keeps the logs and whether it encrypts them.

    CLS: the topic's Period (3640 = permanent), encrypted when the topic has a KMS key (KeyId).
    COS: the bucket is `StorageName-<APPID>` (StorageName has no APPID suffix; StorageAppId names
    the owner when it is another account) in StorageRegion; retention is the shortest expiration
    of the enabled lifecycle rules that reach the track's prefix (no such rule keeps the logs
    indefinitely), encryption its default server-side encryption rule. A bucket of another
    account cannot be read with this account's keys: its fields stay unknown (`error`).
    Adds Destination {StorageType, StorageRegion, StorageName, Bucket, found, Topic | Lifecycle},
    retention_days, retention_unlimited, retention_evidence, destination_encrypted and
    encryption_evidence.
    """
    return [_destination(context, track) for track in context.resources]


def _destination(context: HookContext, track: Resource) -> Resource:
    answer = track.data.get("Storage")
    storage: dict[str, Any] = answer if isinstance(answer, dict) else {}
    kind, region, name = storage.get("StorageType"), storage.get("StorageRegion"), storage.get("StorageName")
    where = {"StorageType": kind, "StorageRegion": region, "StorageName": name}
    if kind not in ("cls", "cos") or not region or not name:
        return _nowhere(track, where, f"the track delivers to {kind or 'nothing'}")
    if kind == "cls":
        try:
            return _topic(context, track, where)
        except ApiError as exc:
            return _failed(track, f"{DESCRIBE_TOPICS.call} {exc.code}: {exc.message}")
    bucket, problem = _track_bucket(context, storage)
    if bucket is None:
        return _failed(track, problem)
    where["Bucket"] = bucket
    try:
        return _bucket(context, track, where, str(storage.get("StoragePrefix") or ""))
    except ApiError as exc:
        return _failed(track, f"COS bucket {bucket}: {exc.code}: {exc.message}")
    except ValueError as exc:  # a lifecycle rule whose expiry date cannot be read
        return _failed(track, f"{GET_BUCKET_LIFECYCLE.call} unreadable rule: {exc}")


def _track_bucket(context: HookContext, storage: dict[str, Any]) -> tuple[str | None, str]:
    """The bucket a COS track writes to, or why it cannot be read from this account."""
    own_account, own_appid = context.account.context.get("account"), context.account.context.get("appid")
    owner = str(storage.get("StorageAccountId") or "") or own_account
    appid = str(storage.get("StorageAppId") or "") or (own_appid if owner == own_account else "")
    name = str(storage["StorageName"])
    if owner != own_account:
        return None, (f"the track delivers to COS bucket {name}-{appid or '<appid>'} of account {owner}: its "
                      "settings can be read only there (scan that account, or verify it and waive)")
    if not appid or appid == "unknown":
        return None, (f"the APPID that completes the bucket name {name}-<appid> could not be read "
                      f"({GET_USER_APP_ID})")
    return (name if name.endswith(f"-{appid}") else f"{name}-{appid}"), ""


def _failed(track: Resource, reason: str) -> Resource:
    """Every derived field unknown, for one reason: the checks reading any of them say `error`."""
    failed = track
    for key in DERIVED:
        failed = with_failure(failed, key, reason)
    return failed


def _nowhere(track: Resource, where: dict[str, Any], evidence: str) -> Resource:
    return with_fields(track, Destination={**where, "found": False}, retention_days=None,
                       retention_unlimited=False, retention_evidence=evidence, destination_encrypted=False,
                       encryption_evidence=evidence)


def _topic(context: HookContext, track: Resource, where: dict[str, Any]) -> Resource:
    answer = context.account.api.call(DESCRIBE_TOPICS, where["StorageRegion"], {
        "Filters": [{"Key": "topicId", "Values": [where["StorageName"]]}], "Offset": 0, "Limit": 1})
    if "Topics" not in answer:
        raise ApiError("MalformedResponse", "cls:DescribeTopics answered without Topics")
    topics = answer.get("Topics") or []
    if not topics:
        missing = f"CLS topic {where['StorageName']} not found in {where['StorageRegion']}"
        return _nowhere(track, where, missing)
    topic = topics[0]
    period = topic.get("Period")
    unlimited = period == PERMANENT_PERIOD
    label = f"CLS topic {topic.get('TopicName') or where['StorageName']} ({where['StorageRegion']})"
    evidence = label + (" keeps logs permanently" if unlimited else f" keeps logs {period} days")
    key = topic.get("KeyId")
    encrypted = bool(key)
    return with_fields(track, Destination={**where, "found": True, "Topic": topic},
                       retention_days=period if isinstance(period, int) else None,
                       retention_unlimited=unlimited, retention_evidence=evidence,
                       destination_encrypted=encrypted,
                       encryption_evidence=f"{label} is encrypted with KMS key {key}" if encrypted
                       else f"{label} has no KMS encryption (no KeyId)")


def _bucket(context: HookContext, track: Resource, where: dict[str, Any], prefix: str) -> Resource:
    bucket = where["Bucket"]
    try:
        lifecycle: dict[str, Any] | None = context.account.api.call(
            GET_BUCKET_LIFECYCLE, None, {"Bucket": bucket, "Region": where["StorageRegion"]})
    except ApiError as exc:
        if exc.code == "NoSuchBucket":
            return _nowhere(track, where, f"COS bucket {bucket} does not exist in {where['StorageRegion']}")
        if exc.code != "NoSuchLifecycleConfiguration":
            raise
        lifecycle = None
    try:
        rule: dict[str, Any] | None = context.account.api.call(
            GET_BUCKET_ENCRYPTION, None, {"Bucket": bucket, "Region": where["StorageRegion"]})
    except ApiError as exc:
        if exc.code not in GET_BUCKET_ENCRYPTION.absent:
            raise
        rule = None
    days = expiration_days(lifecycle, prefix)
    evidence = (f"COS bucket {bucket} expires logs under '{prefix}' after {days} days" if days is not None
                else f"COS bucket {bucket} has no lifecycle rule expiring logs under '{prefix}'")
    encrypted = _default_rule(rule) if rule is not None else False
    said = "encrypts new objects by default" if encrypted else "has no default encryption rule"
    found = {**where, "found": True, "Lifecycle": lifecycle, "Encryption": rule}
    return with_fields(track, Destination=found,
                       retention_days=days, retention_unlimited=days is None, retention_evidence=evidence,
                       destination_encrypted=encrypted, encryption_evidence=f"COS bucket {bucket} {said}")


def expiration_days(lifecycle: dict[str, Any] | None, prefix: str, today: date | None = None) -> int | None:
    """Shortest expiration of the enabled rules covering `prefix`; None: nothing expires there.

    Raises ValueError for an expiration date that is not ISO 8601.
    """
    shortest: int | None = None
    for rule in (lifecycle or {}).get("Rule") or []:
        if rule.get("Status") != "Enabled":
            continue
        scope = str((rule.get("Filter") or {}).get("Prefix") or rule.get("Prefix") or "")
        if not (prefix.startswith(scope) or scope.startswith(prefix)):
            continue
        expiration = rule.get("Expiration") or {}
        days: int | None = None
        if str(expiration.get("Days", "")).isdigit():
            days = int(expiration["Days"])
        elif expiration.get("Date"):  # objects go on a fixed day: kept until then
            until = datetime.fromisoformat(str(expiration["Date"]).replace("Z", "+00:00")).date()
            days = max((until - (today or datetime.now(timezone.utc).date())).days, 0)
        if days is not None:
            shortest = days if shortest is None else min(shortest, days)
    return shortest


def bucket_access(context: HookContext) -> list[Resource]:
    """What the bucket settings amount to, each null when its call failed.

    encrypted_by_default: a default server-side encryption rule (none configured: false);
    versioning_enabled: versioning Status Enabled (never versioned answers an empty document);
    public_acl / public_policy: the ACL or the bucket policy lets anyone in;
    PolicyStatements: the policy's statements in one spelling (no policy: none), so checks can
    read them whatever case the document was written in.
    """
    found = []
    for bucket in context.resources:
        data = bucket.data
        versioning = data.get("GetBucketVersioning")
        derived = with_derived(bucket, ("GetBucketEncryption",), encrypted_by_default=(
            _default_rule(data["GetBucketEncryption"]) if "GetBucketEncryption" in data else None))
        derived = with_derived(derived, ("GetBucketVersioning",), versioning_enabled=(
            versioning.get("Status") == "Enabled" if isinstance(versioning, dict) else None))
        derived = with_derived(derived, ("GetBucketACL",), public_acl=public_acl(data))
        found.append(with_derived(derived, ("GetBucketPolicy",), public_policy=public_policy(data),
                                  PolicyStatements=normalized_statements(data)))
    return found


def normalized_statements(data: dict[str, Any]) -> list[dict[str, Any]] | None:
    """[{effect (lower case), principals (every principal named, as a list), action, resource,
    condition}]; [] without a policy; None when the policy was not read or is not a document."""
    if "GetBucketPolicy" not in data:
        return None
    if data["GetBucketPolicy"] is None:
        return []
    statements = policy_statements(data["GetBucketPolicy"])
    if statements is None:
        return None
    return [{"effect": str(st.get("effect") or "").lower(),
             "principals": _principal_names(st.get("principal")),
             "action": as_list(st.get("action") or []), "resource": as_list(st.get("resource") or []),
             "condition": st.get("condition") or {}} for st in statements]


def _principal_names(principal: Any) -> list[str]:
    if isinstance(principal, dict):
        return [str(name) for value in principal.values() for name in as_list(value)]
    return [str(name) for name in as_list(principal)] if principal else []


def _default_rule(encryption: Any) -> bool:
    """NoSuchEncryptionConfiguration is kept as null: not encrypted by default."""
    rules = as_list(encryption.get("Rule") or []) if isinstance(encryption, dict) else []
    return any(isinstance(rule, dict) and bool((rule.get("ApplyServerSideEncryptionByDefault") or {})
                                               .get("SSEAlgorithm")) for rule in rules)


def public_acl(data: dict[str, Any]) -> bool | None:
    acl = data.get("GetBucketACL")
    if not isinstance(acl, dict):
        return None
    grants = (acl.get("AccessControlList") or {}).get("Grant") or []
    return any(ALL_USERS in str((grant.get("Grantee") or {}).get("URI") or "") for grant in as_list(grants))


def public_policy(data: dict[str, Any]) -> bool | None:
    if "GetBucketPolicy" not in data:  # the call failed
        return None
    document = data["GetBucketPolicy"]
    if document is None:  # NoSuchBucketPolicy: no policy, nothing granted
        return False
    statements = policy_statements(document)
    if statements is None:
        return None
    return any(str(st.get("effect", "")).lower() == "allow" and not st.get("condition")
               and _anyone(st.get("principal")) for st in statements)


def _anyone(principal: Any) -> bool:
    return principal == "*" or (isinstance(principal, dict)
                                and any("*" in as_list(value) for value in principal.values()))
