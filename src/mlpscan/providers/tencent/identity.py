"""Hooks for CAM: password rule classes, sub-user and access-key activity, all-powerful policies."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from mlpscan.providers.cloud.runner import HookContext
from mlpscan.providers.tencent.derive import (
    as_list,
    days_since,
    parse_time,
    policy_statements,
    with_derived,
    with_fields,
)
from mlpscan.snapshot import Resource

# GetPasswordRules MustContain: A upper case, a lower case, 1 digit, ! symbol
CHAR_CLASSES = "Aa1!"


def account_login(context: HookContext) -> list[Resource]:
    """root_login_flags / root_login_factors: the root's login protection, known only when the
    root's keys scan.

    DescribeSafeAuthFlag answers for the calling identity. Scanned as a sub-user or a role, its
    answer says nothing about the root, so the root's fields stay null and the check says
    `error` instead of judging the wrong identity; login_flags_of names whose flags they are.
    """
    found = []
    for resource in context.resources:
        data = resource.data
        root = bool(data.get("UserId")) and str(data.get("UserId")) == str(data.get("AccountId"))
        flags = (data.get("DescribeSafeAuthFlag") or {}).get("LoginFlag") if root else None
        found.append(with_derived(resource, ("DescribeSafeAuthFlag",), root_login_flags=flags,
                                  root_login_factors=enabled_factors(flags) if root else None,
                                  login_flags_of="root" if root else f"caller {data.get('UserId')}"))
    return found


def login_factors(context: HookContext) -> list[Resource]:
    """login_factors / action_factors: the protection factors a sub-user has turned on for console
    login (LoginFlag) and for sensitive operations (ActionFlag), by their API names (Token, Stoken,
    U2FToken, Passkey, Custom, Phone, Mail, Wechat). Which of them count as a second authentication
    technique is the level's `login_mfa_factors`, decided by the check."""
    found = []
    for user in context.resources:
        answer = user.data.get("DescribeSafeAuthFlagColl")
        flags = answer if isinstance(answer, dict) else {}
        found.append(with_derived(user, ("DescribeSafeAuthFlagColl",),
                                  login_factors=enabled_factors(flags.get("LoginFlag")),
                                  action_factors=enabled_factors(flags.get("ActionFlag"))))
    return found


def enabled_factors(flags: Any) -> list[str]:
    """The names of the factors a LoginActionFlag turns on (value 1), sorted; none for no flags."""
    if not isinstance(flags, dict):
        return []
    return sorted(str(name) for name, value in flags.items() if value == 1 and not isinstance(value, bool))


def password_rules(context: HookContext) -> list[Resource]:
    """char_classes: how many character classes a password must mix (None if not reported)."""
    found = []
    for resource in context.resources:
        must = (resource.data.get("Rules") or {}).get("MustContain")
        classes = sum(1 for symbol in CHAR_CLASSES if symbol in must) if isinstance(must, str) else None
        found.append(with_fields(resource, char_classes=classes))
    return found


def user_activity(context: HookContext) -> list[Resource]:
    """Days since each sub-user's last console login and since each active key's last use; every
    SecretId (the answers' and the derived ones) masked as the console shows it.

    A user who never logged in, or a key never used, counts from its creation: unused since it
    was made. Fields stay null when the calls they come from failed, so checks say `error`.
    """
    today = datetime.now(timezone.utc)
    found = []
    for user in context.resources:
        logins = with_derived(user, ("GetUser",), **_login(user.data, today))
        keys = with_derived(logins, ("ListAccessKeys", "GetSecurityLastUsed"), **_keys(user.data, today))
        found.append(with_fields(keys, **_masked_answers(user.data)))
    return found


def _login(data: dict[str, Any], today: datetime) -> dict[str, Any]:
    user = data.get("GetUser")
    if not isinstance(user, dict):
        return {"login_idle_days": None, "never_logged_in": None}
    last = parse_time(user.get("RecentlyLoginTime"))
    since = last or parse_time(data.get("CreateTime") or user.get("CreateTime"))
    return {"login_idle_days": days_since(since, today), "never_logged_in": last is None}


def _keys(data: dict[str, Any], today: datetime) -> dict[str, Any]:
    listed = data.get("ListAccessKeys")
    usage = data.get("GetSecurityLastUsed")
    if not isinstance(listed, dict) or not isinstance(usage, dict):
        return {"access_keys": None, "active_key_count": None, "key_idle_days": None}
    rows = {row.get("SecretId"): row for row in usage.get("SecretIdLastUsedRows") or []}
    keys = []
    for key in listed.get("AccessKeys") or []:
        row = rows.get(key.get("AccessKeyId"), {})
        used = parse_time(row.get("LastSecretUsedDate")) or parse_time(row.get("LastUsedDate"))
        keys.append({"AccessKeyId": mask_key_id(str(key.get("AccessKeyId") or "")),
                     "Status": key.get("Status"),
                     "CreateTime": key.get("CreateTime"),
                     "last_used": used.date().isoformat() if used else None,
                     "idle_days": days_since(used or parse_time(key.get("CreateTime")), today)})
    active = [k for k in keys if k["Status"] == "Active"]
    idle = [k["idle_days"] for k in active]
    return {"access_keys": keys, "active_key_count": len(active),
            "key_idle_days": None if not idle or None in idle else max(idle)}


def _masked_answers(data: dict[str, Any]) -> dict[str, Any]:
    """ListAccessKeys and GetSecurityLastUsed as answered, with every SecretId masked."""
    masked: dict[str, Any] = {}
    for answer, rows, field in (("ListAccessKeys", "AccessKeys", "AccessKeyId"),
                                ("GetSecurityLastUsed", "SecretIdLastUsedRows", "SecretId")):
        found = data.get(answer)
        if isinstance(found, dict):
            masked[answer] = {**found, rows: [{**row, field: mask_key_id(str(row.get(field) or ""))}
                                              for row in found.get(rows) or [] if isinstance(row, dict)]}
    return masked


def mask_key_id(key_id: str) -> str:
    """SecretIds are kept recognisable (as the console shows them) but not whole."""
    return f"{key_id[:4]}****{key_id[-4:]}" if len(key_id) > 8 else "****"


def policy_document(context: HookContext) -> list[Resource]:
    """grants_everything: some statement allows every action on every resource, unconditionally."""
    found = []
    for resource in context.resources:
        document = resource.data.get("GetPolicy")
        found.append(with_derived(resource, ("GetPolicy",), grants_everything=grants_everything(document)))
    return found


def grants_everything(document: Any) -> bool | None:
    """None when there is no readable document to judge."""
    statements = policy_statements(document)
    if statements is None:
        return None
    return any(str(st.get("effect", "")).lower() == "allow" and not st.get("condition")
               and bool({"*", "*:*"} & set(as_list(st.get("action")))) and "*" in as_list(st.get("resource"))
               for st in statements)
