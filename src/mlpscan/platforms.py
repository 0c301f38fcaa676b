"""Published MLPS levels of cloud platforms (providers/platforms.yaml) and the lookup rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mlpscan.catalog import Confidence


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str


class PlatformEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    provider: Literal["aws", "aliyun", "tencent"]
    regions: list[str] = Field(min_length=1, description="fnmatch globs over region ids")
    product_line: _Text
    level: int = Field(ge=1, le=5)
    source: str
    evidence_url: str | None = None
    as_of: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
                       description="When the claim was made: YYYY[-MM[-DD]]")
    confidence: Confidence
    note: str | None = None

    def covers(self, provider: str, region: str) -> bool:
        return provider == self.provider and any(fnmatchcase(region, g) for g in self.regions)


class PlatformTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    platforms: list[PlatformEntry]

    def lookup(self, provider: str, region: str) -> PlatformEntry | None:
        """The first entry that covers the region (the file lists specific entries first)."""
        return next((e for e in self.platforms if e.covers(provider, region)), None)


@dataclass(frozen=True)
class PlatformLevel:
    """The level a target's platform is known to have, and how we know."""

    level: int
    name: str
    source: str
    kind: Literal["declared", "published"]
    confidence: Confidence | None = None
    as_of: str | None = None


def claim_date(as_of: str) -> date:
    """The earliest day a claim dated "2017", "2017-07" or "2017-07-14" can mean (so its age is
    never understated)."""
    parts = [int(part) for part in as_of.split("-")[:3]]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def published_levels(table: PlatformTable, provider: str, regions: Iterable[str]
                     ) -> tuple[dict[str, PlatformEntry], list[str]]:
    """The published entry for each region, and the regions no entry covers."""
    covered: dict[str, PlatformEntry] = {}
    uncovered: list[str] = []
    for region in sorted(set(regions)):
        entry = table.lookup(provider, region)
        if entry is None:
            uncovered.append(region)
        else:
            covered[region] = entry
    return covered, uncovered


def as_level(entry: PlatformEntry) -> PlatformLevel:
    return PlatformLevel(
        level=entry.level, name=f"{entry.id} ({entry.product_line.zh})",
        source=f"providers/platforms.yaml entry '{entry.id}': {entry.source}",
        kind="published", confidence=entry.confidence, as_of=entry.as_of)
