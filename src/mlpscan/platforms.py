"""Published MLPS levels of cloud platforms (providers/platforms.yaml) and the lookup rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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
    as_of: str
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


def published_level(table: PlatformTable, provider: str, regions: Iterable[str]
                    ) -> tuple[PlatformLevel | None, list[str]]:
    """Weakest published platform level over ``regions``, and the regions no entry covers.

    A system spread over several regions is only as well hosted as its weakest platform.
    """
    weakest: PlatformEntry | None = None
    uncovered: list[str] = []
    for region in sorted(set(regions)):
        entry = table.lookup(provider, region)
        if entry is None:
            uncovered.append(region)
        elif weakest is None or entry.level < weakest.level:
            weakest = entry
    if weakest is None:
        return None, uncovered
    return PlatformLevel(
        level=weakest.level, name=f"{weakest.id} ({weakest.product_line.zh})",
        source=f"providers/platforms.yaml entry '{weakest.id}': {weakest.source}",
        kind="published", confidence=weakest.confidence, as_of=weakest.as_of), uncovered
