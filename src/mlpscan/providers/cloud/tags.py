"""Resource tags as the snapshot keeps them: keys always, values by policy.

Tags are free text that people fill with anything, now and then a password or a token. The
collector keeps every tag key (they say what a resource is for) and treats values by policy:
- "mask-secrets" (default): the value of a tag whose key names a secret (password, token,
  secret, credential, api/access/private key, auth) becomes "***";
- "drop": every value becomes "***";
- "keep": values as the API returned them.
Tags are recognised in the shapes the three clouds use: AWS and Tencent `[{"Key", "Value"}]`
(`Tags`, `TagList`, `TagSet`), Alibaba `{"Tag": [{"TagKey", "TagValue"}]}`, lower-case
`[{"key", "value"}]`, and a plain `{"name": "value"}` mapping under a tags field.
"""

from __future__ import annotations

import re
from typing import Any, Literal

TagValues = Literal["mask-secrets", "drop", "keep"]
TAG_VALUE_POLICIES: tuple[TagValues, ...] = ("mask-secrets", "drop", "keep")
MASK = "***"
TAG_FIELDS = frozenset({"tags", "taglist", "tagset", "tag", "resourcetags"})
PAIRS = (("Key", "Value"), ("TagKey", "TagValue"), ("key", "value"), ("tagKey", "tagValue"))
SECRET_KEY = re.compile(r"pass(word|wd|phrase)?|pwd|secret|token|credential|api_?key|access_?key|"
                        r"private_?key|auth|cookie|session", re.IGNORECASE)


def key_means_secret(key: str) -> bool:
    return SECRET_KEY.search(re.sub(r"[\s\-.]", "_", key)) is not None


def apply_tag_policy(data: Any, policy: TagValues) -> Any:
    """`data` with the tag values the policy withholds replaced by "***" (a new object if changed)."""
    if policy == "keep":
        return data
    return _walk(data, policy, in_tags=False)


def _walk(value: Any, policy: TagValues, in_tags: bool) -> Any:
    if isinstance(value, dict):
        if in_tags:
            pair = next(((k, v) for k, v in PAIRS if k in value and v in value), None)
            if pair is not None:
                key_field, value_field = pair
                if policy == "drop" or key_means_secret(str(value[key_field])):
                    return {**value, value_field: MASK}
                return value
            if value and all(isinstance(inner, str) for inner in value.values()):   # {"env": "prod", ...}
                return {name: MASK if policy == "drop" or key_means_secret(name) else inner
                        for name, inner in value.items()}
        return {name: _walk(inner, policy, in_tags or name.lower() in TAG_FIELDS)
                for name, inner in value.items()}
    if isinstance(value, list):
        return [_walk(inner, policy, in_tags) for inner in value]
    return value
