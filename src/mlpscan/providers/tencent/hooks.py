"""The hooks providers/tencent/resources.yaml names, and the calls they make themselves."""

from __future__ import annotations

from mlpscan.providers.cloud.runner import Hook
from mlpscan.providers.tencent.exposure import security_group_exposure
from mlpscan.providers.tencent.identity import account_login, password_rules, policy_document, user_activity
from mlpscan.providers.tencent.storage import (
    DESCRIBE_TOPICS,
    GET_BUCKET_LIFECYCLE,
    bucket_access,
    track_destination,
)

HOOKS: dict[str, Hook] = {
    "account_login": account_login,
    "password_rules": password_rules,
    "user_activity": user_activity,
    "policy_document": policy_document,
    "track_destination": track_destination,
    "bucket_access": bucket_access,
    "security_group_exposure": security_group_exposure,
}

# Calls made by hooks rather than declared in resources.yaml (the CAM policy must grant them too).
HOOK_CALLS = (DESCRIBE_TOPICS.call, GET_BUCKET_LIFECYCLE.call)
