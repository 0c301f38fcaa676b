"""GB/T 22239-2019 clauses and their GB/T 28448-2019 assessment units (from profiles/standard/)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from mlpscan.findings import UnitStatus


def _clause_lists(value: Any) -> Any:
    """`3: 8.1.4.1.d` is shorthand for `3: [8.1.4.1.d]`."""
    if isinstance(value, dict):
        return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
    return value


def _levels(value: dict[int, list[str]]) -> dict[int, list[str]]:
    for level, ids in value.items():
        if level not in (1, 2, 3, 4):
            raise ValueError(f"clause level {level} is not 1-4")
        if not ids or len(set(ids)) != len(ids):
            raise ValueError(f"level {level} must list distinct clauses")
    return value


# level -> GB/T 22239 clause ids, as checks and control families declare them
ClauseMap = Annotated[dict[int, list[str]], BeforeValidator(_clause_lists), AfterValidator(_levels),
                      Field(min_length=1, description="level -> GB/T 22239 clause ids")]

Automatable = Literal["automated", "partial", "manual"]
Confidence = Literal["H", "M", "L"]

# The third number of a clause id names its layer, in the general part and the cloud extension alike.
CATEGORIES: dict[str, tuple[str, str]] = {
    "1": ("安全物理环境", "Physical environment"),
    "2": ("安全通信网络", "Communication network"),
    "3": ("安全区域边界", "Area boundary"),
    "4": ("安全计算环境", "Computing environment"),
    "5": ("安全管理中心", "Security management centre"),
}
UNIT_PATTERN = r"^L[1-4]-(CNS|ABS|CES|SMC|PES)[1-5]-\d{2}$"


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str


class ItemFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    letter: str | None = Field(default=None, pattern=r"^[a-z]$")
    zh: str
    en: str
    units: list[str] = Field(min_length=1)
    automatable: Automatable
    confidence: Confidence | None = None
    units_confidence: Confidence | None = None
    units_status: UnitStatus | None = None
    note: str | None = None

    @field_validator("units")
    @classmethod
    def _unit_ids(cls, units: list[str]) -> list[str]:
        for unit in units:
            if not re.match(UNIT_PATTERN, unit):
                raise ValueError(f"unit id {unit!r} is not of the form L3-CES1-04")
        return units


class ControlFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[6-9]\.[12]\.[1-6]\.\d{1,2}$")
    name: _Text
    confidence: Confidence
    units_confidence: Confidence | None = None
    units_status: UnitStatus | None = None
    note: str | None = None
    items: list[ItemFile] = Field(min_length=1)


class LevelCatalogFile(BaseModel):
    """One file of profiles/standard/: the technical clauses of one level."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    level: int = Field(ge=1, le=4)
    units_status: UnitStatus = Field(description="The mark of this level's unit ids, unless a control "
                                                 "or item says otherwise")
    units_basis: str = Field(min_length=1, description="What the unit ids were checked against, or why not")
    controls: list[ControlFile]


@dataclass(frozen=True)
class Clause:
    id: str
    level: int
    control: str
    control_zh: str
    control_en: str
    zh: str
    en: str
    units: tuple[str, ...]
    automatable: Automatable
    confidence: Confidence
    units_confidence: Confidence
    units_status: UnitStatus
    note: str | None

    @property
    def extension(self) -> Literal["general", "cloud"]:
        return "cloud" if self.id.split(".")[1] == "2" else "general"

    @property
    def category_zh(self) -> str:
        return CATEGORIES[self.id.split(".")[2]][0]

    @property
    def category_en(self) -> str:
        return CATEGORIES[self.id.split(".")[2]][1]

    @property
    def display_id(self) -> str:
        """`8.1.4.1 d)` as the standard prints it."""
        head, _, letter = self.id.rpartition(".")
        return f"{head} {letter})" if letter.isalpha() else self.id


class Catalog:
    def __init__(self, clauses: list[Clause]):
        self._by_id = {clause.id: clause for clause in clauses}
        self._unit_status = {unit: clause.units_status for clause in clauses for unit in clause.units}

    def __contains__(self, clause_id: object) -> bool:
        return clause_id in self._by_id

    def __iter__(self) -> Iterator[Clause]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, clause_id: str) -> Clause:
        return self._by_id[clause_id]

    def for_level(self, level: int) -> list[Clause]:
        return [c for c in self._by_id.values() if c.level == level]

    def unit_status(self, unit: str) -> UnitStatus:
        """Whether a GB/T 28448 unit id has been checked; an id the catalogue lacks is not."""
        return self._unit_status.get(unit, "unverified")


def expand(file: LevelCatalogFile, chapter_of_level: dict[int, str]) -> list[Clause]:
    """Flatten controls into clauses; raises ValueError on numbering that contradicts the level."""
    chapter = chapter_of_level[file.level]
    clauses: list[Clause] = []
    for control in file.controls:
        if not control.id.startswith(chapter + "."):
            raise ValueError(f"control {control.id} is not in chapter {chapter} (level {file.level})")
        lettered = [item.letter is not None for item in control.items]
        if any(lettered) and not all(lettered):
            raise ValueError(f"control {control.id} mixes lettered and unlettered items")
        if not any(lettered) and len(control.items) > 1:
            raise ValueError(f"control {control.id} has several items but no letters")
        for item in control.items:
            clause_id = f"{control.id}.{item.letter}" if item.letter else control.id
            wrong_level = [u for u in item.units if not u.startswith(f"L{file.level}-")]
            if wrong_level:
                raise ValueError(f"clause {clause_id}: unit {wrong_level[0]} is not of level {file.level}")
            clauses.append(Clause(
                id=clause_id, level=file.level, control=control.id,
                control_zh=control.name.zh, control_en=control.name.en,
                zh=item.zh, en=item.en, units=tuple(item.units), automatable=item.automatable,
                confidence=item.confidence or control.confidence,
                units_confidence=item.units_confidence or control.units_confidence or control.confidence,
                units_status=item.units_status or control.units_status or file.units_status,
                note=item.note or control.note))
    return clauses


CHAPTER_OF_LEVEL = {1: "6", 2: "7", 3: "8", 4: "9"}
