"""Control families and the laws behind them (profiles/families.yaml, profiles/laws.yaml).

A family is one control, named once with its GB/T 22239 clauses at every level it applies to
(the same requirement is numbered 7.x at level 2, 8.x at level 3, 9.x at level 4). A check names
the family or families it implements, and its clauses must be theirs: so the same control cites
the same 测评项 on every provider, and a numbering slip in one check file cannot happen. A check
that truly differs says why in `family_divergence`.

Where a law, not the standard, sets the requirement (six-month log retention, data residency),
the family names the law; the checks and their findings carry it as their `law` basis.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mlpscan.catalog import ClauseMap
from mlpscan.findings import LawArticle, LawBasis

ID_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Family(_Strict):
    title: str
    description: str | None = None
    clauses: ClauseMap
    law: list[str] = Field(default_factory=list, description="Ids of profiles/laws.yaml entries")


class FamilyFile(_Strict):
    families: dict[str, Family] = Field(min_length=1)

    @field_validator("families")
    @classmethod
    def _ids(cls, value: dict[str, Family]) -> dict[str, Family]:
        for family_id in value:
            if not re.match(ID_PATTERN, family_id):
                raise ValueError(f"family id {family_id!r} must look like 'audit.log_retention'")
        return value


class _Text(_Strict):
    zh: str
    en: str


class ArticleFile(_Strict):
    version: str
    article: str
    adopted: date | None = None
    in_force: date


class Law(_Strict):
    instrument: _Text
    articles: list[ArticleFile] = Field(min_length=1)
    requirement: _Text
    confidence: Literal["H", "M", "L"]
    sources: list[str] = Field(min_length=1, description="Where the citation was checked")
    note: str | None = None

    def basis(self, law_id: str) -> LawBasis:
        return LawBasis(
            id=law_id, instrument=self.instrument.en, instrument_zh=self.instrument.zh,
            articles=tuple(LawArticle(version=a.version, article=a.article, adopted=a.adopted,
                                      in_force=a.in_force) for a in self.articles),
            requirement=self.requirement.en)


class LawFile(_Strict):
    laws: dict[str, Law] = Field(min_length=1)


def expected_clauses(families: Mapping[str, Family], names: Iterable[str]) -> dict[int, list[str]]:
    """The clauses of a check implementing ``names``: per level, the union of theirs, in order."""
    merged: dict[int, list[str]] = {}
    for name in names:
        for level, clause_ids in families[name].clauses.items():
            merged.setdefault(level, [])
            merged[level] += [c for c in clause_ids if c not in merged[level]]
    return dict(sorted(merged.items()))


def divergence(expected: Mapping[int, list[str]], actual: Mapping[int, list[str]]
               ) -> tuple[int, str] | None:
    """The first level at which ``actual`` differs from ``expected`` and how, on one line; None
    when they agree (order aside)."""
    for level in sorted(set(expected) | set(actual)):
        want, have = expected.get(level), actual.get(level)
        if want is None:
            return level, f"level {level} is not a level of its family"
        if have is None:
            return level, f"level {level} is missing (the family has {', '.join(want)})"
        if set(want) != set(have):
            return level, f"level {level} lists {', '.join(have)}, the family {', '.join(want)}"
    return None
