"""The hooks providers/tencent/resources.yaml names, and the calls they make themselves."""

from __future__ import annotations

from mlpscan.providers.cloud.exports import KEY as EXPORTS
from mlpscan.providers.cloud.runner import Hook
from mlpscan.providers.tencent.databases import cynosdb_backups
from mlpscan.providers.tencent.exports import (
    bucket_exports,
    ccn_exports,
    cdb_exports,
    cynosdb_exports,
    mongodb_exports,
    peering_exports,
    track_exports,
)
from mlpscan.providers.tencent.exposure import FIELDS as EXPOSURE_FIELDS
from mlpscan.providers.tencent.exposure import security_group_exposure
from mlpscan.providers.tencent.identity import (
    account_login,
    login_factors,
    password_rules,
    policy_document,
    user_activity,
)
from mlpscan.providers.tencent.loadbalancers import FIELDS as TLS_FIELDS
from mlpscan.providers.tencent.loadbalancers import clb_tls
from mlpscan.providers.tencent.storage import (
    DERIVED,
    DESCRIBE_TOPICS,
    GET_BUCKET_ENCRYPTION,
    GET_BUCKET_LIFECYCLE,
    bucket_access,
    track_destination,
)

HOOKS: dict[str, Hook] = {
    "account_login": Hook(account_login,
                          derives=("root_login_flags", "root_login_factors", "login_flags_of")),
    "password_rules": Hook(password_rules, derives=("char_classes",)),
    "user_activity": Hook(user_activity, derives=("login_idle_days", "never_logged_in", "access_keys",
                                                  "active_key_count", "key_idle_days", "ListAccessKeys",
                                                  "GetSecurityLastUsed")),
    "login_factors": Hook(login_factors, derives=("login_factors", "action_factors")),
    "policy_document": Hook(policy_document, derives=("grants_everything",)),
    "track_destination": Hook(track_destination, derives=DERIVED),
    "bucket_access": Hook(bucket_access, derives=("encrypted_by_default", "versioning_enabled", "public_acl",
                                                  "public_policy", "PolicyStatements")),
    "security_group_exposure": Hook(security_group_exposure, derives=EXPOSURE_FIELDS),
    "clb_tls": Hook(clb_tls, derives=TLS_FIELDS),
    "cynosdb_backups": Hook(cynosdb_backups, derives=("BackupRetentionDays",)),
    **{name: Hook(run, derives=(EXPORTS,)) for name, run in (
        ("track_exports", track_exports), ("bucket_exports", bucket_exports), ("cdb_exports", cdb_exports),
        ("cynosdb_exports", cynosdb_exports), ("mongodb_exports", mongodb_exports),
        ("ccn_exports", ccn_exports), ("peering_exports", peering_exports))},
}

# Calls made by hooks rather than declared in resources.yaml (the CAM policy must grant them too).
HOOK_CALLS = (DESCRIBE_TOPICS.call, GET_BUCKET_LIFECYCLE.call, GET_BUCKET_ENCRYPTION.call)
