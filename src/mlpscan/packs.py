"""A cloud vendor's compliance pack as data, and how much of it mlpscan's checks cover.

A pack (providers/<provider>/packs/*.yaml) lists the vendor's rules and, for each rule no check
covers, why not. Coverage is never written down: a rule is covered when some check names it in
its references, after the pack's `reference_prefix` ("Alibaba Cloud Config managed rule: <id>",
or "...rules: <id>, <id>"); a note after an id ("(KMS only)") is allowed. So the count follows the
checks, and a rule marked `not_covered` that a check does cover (or the reverse) is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mlpscan.checks import Check
from mlpscan.errors import InputError
from mlpscan.loading import read_document, validate

RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


class PackRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    service: str = Field(min_length=1)
    not_covered: str | None = Field(default=None, min_length=1,
                                    description="Why no mlpscan check covers the rule")


class Pack(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    provider: str
    title: str
    reference_prefix: str = Field(min_length=1, description="What a reference says before the rule ids")
    sources: list[str] = Field(min_length=1)
    as_of: str
    rules: list[PackRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Pack:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule {rule.id!r} is listed twice")
            seen.add(rule.id)
        return self


@dataclass(frozen=True)
class RuleCoverage:
    rule: PackRule
    checks: tuple[str, ...]

    @property
    def covered(self) -> bool:
        return bool(self.checks)


@dataclass(frozen=True)
class PackCoverage:
    pack: Pack
    rules: tuple[RuleCoverage, ...]
    unknown: dict[str, tuple[str, ...]] = field(default_factory=dict)   # referenced ids not in the pack

    @property
    def covered(self) -> int:
        return sum(1 for rule in self.rules if rule.covered)

    @property
    def total(self) -> int:
        return len(self.rules)

    def inconsistencies(self) -> list[str]:
        """Rules marked not covered that a check covers, and rules neither covered nor explained."""
        problems = [f"{r.rule.id} is marked not_covered but {', '.join(r.checks)} cover(s) it"
                    for r in self.rules if r.covered and r.rule.not_covered]
        problems += [f"{r.rule.id} is covered by no check and the pack does not say why"
                     for r in self.rules if not r.covered and not r.rule.not_covered]
        return problems


def pack_files(content_root: Path) -> list[Path]:
    return sorted((content_root / "providers").glob("*/packs/*.yaml"))


def load_pack(content_root: Path, pack_id: str) -> Pack:
    """The pack whose `id` is pack_id, from any provider's packs folder; bad input is an InputError."""
    packs = [validate(Pack, read_document(path)) for path in pack_files(content_root)]
    for pack in packs:
        if pack.id == pack_id:
            return pack
    known = ", ".join(sorted(p.id for p in packs)) or "none"
    raise InputError(f"unknown compliance pack {pack_id!r} (known: {known})")


def referenced_rules(check: Check, prefix: str) -> set[str]:
    """The rule ids a check's references name after `prefix` (singular or plural form)."""
    found: set[str] = set()
    for reference in check.references:
        head, _, rest = reference.partition(":")
        if head.strip() not in (prefix, prefix + "s"):
            continue
        for part in re.sub(r"\([^)]*\)", "", rest).split(","):   # "(default 22, 3389)" is a note
            match = RULE_ID.match(part.strip())
            if match:
                found.add(match.group(0))
    return found


def coverage(pack: Pack, checks: Iterable[Check] | Mapping[str, Check]) -> PackCoverage:
    chosen = list(checks.values()) if isinstance(checks, Mapping) else list(checks)
    by_rule: dict[str, list[str]] = {}
    for check in chosen:
        if pack.provider not in check.provider:
            continue
        for rule in referenced_rules(check, pack.reference_prefix):
            by_rule.setdefault(rule, []).append(check.id)
    listed = {rule.id for rule in pack.rules}
    rows = tuple(RuleCoverage(rule, tuple(sorted(by_rule.get(rule.id, [])))) for rule in pack.rules)
    unknown = {rule: tuple(sorted(ids)) for rule, ids in sorted(by_rule.items()) if rule not in listed}
    return PackCoverage(pack, rows, unknown)
