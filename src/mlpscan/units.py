"""Every assessment unit (测评项) of a level, for the record and the survey.

The technical units come from the clause catalogue (profiles/standard/levelN.yaml, catalog.py);
安全物理环境 and the management chapters from profiles/standard/management/ (read here, so the
technical catalogue and its loader stay as they are); the Cybersecurity Law obligations that the
survey covers from profiles/record/law.yaml; the high-risk triggers from profiles/record/high_risk.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from mlpscan.catalog import Automatable, Catalog, Clause
from mlpscan.errors import InputError
from mlpscan.i18n import Lang, Tri
from mlpscan.loading import read_yaml, validate

Category = Literal[
    "physical",
    "network",
    "boundary",
    "computing",
    "centre",
    "policy",
    "organisation",
    "personnel",
    "construction",
    "operations",
    "law",
]
# In the order the assessment report presents them; `law` is apart from the MLPS score.
CATEGORIES: tuple[Category, ...] = get_args(Category)
MLPS_CATEGORIES: tuple[Category, ...] = CATEGORIES[:-1]
_TECHNICAL: dict[str, Category] = {
    "1": "physical",
    "2": "network",
    "3": "boundary",
    "4": "computing",
    "5": "centre",
}
UNIT_CLASSES = r"(PES|PSS|ORS|HRS|CMS|MMS)[12]"
LAW_LEVELS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Unit:
    """One 测评项: a GB/T 28448 unit (or a law obligation) with its requirement."""

    id: str
    clause: str
    display_clause: str
    level: int
    category: Category
    extension: Literal["general", "cloud", "law"]
    control: Tri | _Partial
    requirement: Tri | _Partial
    automatable: Automatable
    verified: bool
    basis: str | None = None
    checks: tuple[str, ...] = ()
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Partial:
    """A text known in Chinese and English only (the technical catalogue): Japanese shows English."""

    zh: str
    en: str
    ja: str | None = None

    def get(self, lang: Lang) -> str:
        if lang == "ja":
            return self.ja or self.en
        return self.zh if lang == "zh" else self.en


# -- files ------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Control(_Strict):
    control: str
    items: list[str] = Field(min_length=1)


class _Chapter(_Strict):
    category: Category
    clause: str = Field(pattern=r"^[6-9]\.[12]\.\d{1,2}$")
    units: str = Field(pattern=rf"^{UNIT_CLASSES}$")
    controls: list[_Control] = Field(min_length=1)


class _ManagementLevel(_Strict):
    level: int = Field(ge=1, le=4)
    verified: bool
    chapters: list[_Chapter]


class _Requirements(_Strict):
    controls: dict[str, Tri]
    requirements: dict[str, Tri]


class _LawItem(_Strict):
    id: str = Field(pattern=r"^[A-Z]+-[0-9]+(-[0-9]+)?$")
    basis: str
    control: Tri
    zh: str
    en: str
    ja: str
    checks: list[str] = Field(default_factory=list)
    params: list[str] = Field(default_factory=list)


class _LawFile(_Strict):
    items: list[_LawItem]


class Trigger(_Strict):
    code: str = Field(pattern=r"^A-\d{2}$")
    zh: str
    en: str
    ja: str
    clauses: dict[int, list[str]]

    def text(self, lang: Lang) -> str:
        value: str = getattr(self, lang)
        return value


class _TriggerFile(_Strict):
    confidence: Literal["H", "M", "L"]
    source: str
    triggers: list[Trigger]


@dataclass(frozen=True)
class LevelUnits:
    level: int
    units: tuple[Unit, ...]
    triggers: tuple[Trigger, ...]
    trigger_source: str
    management_present: bool

    def by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}


def _management(root: Path, level: int) -> list[Unit]:
    directory = root / "profiles" / "standard" / "management"
    path = directory / f"level{level}.yaml"
    if not path.exists():
        return []
    texts_path = directory / "requirements.yaml"
    texts = validate(_Requirements, read_yaml(texts_path))
    file = validate(_ManagementLevel, read_yaml(path))
    if file.level != level:
        raise InputError(f"level {file.level} in a file named level{level}.yaml", path=path)
    units: list[Unit] = []
    for chapter in file.chapters:
        if chapter.clause.split(".")[0] != str(level + 5):
            raise InputError(f"clause {chapter.clause} is not in the chapter of level {level}", path=path)
        extension: Literal["general", "cloud"] = "cloud" if chapter.clause.split(".")[1] == "2" else "general"
        number = 0
        for index, control in enumerate(chapter.controls, start=1):
            if control.control not in texts.controls:
                raise InputError(f"unknown control '{control.control}' (not in requirements.yaml)", path=path)
            for position, key in enumerate(control.items):
                if key not in texts.requirements:
                    raise InputError(f"unknown requirement '{key}' (not in requirements.yaml)", path=path)
                number += 1
                head = f"{chapter.clause}.{index}"
                letter = chr(ord("a") + position) if len(control.items) > 1 else None
                units.append(
                    Unit(
                        id=f"L{level}-{chapter.units}-{number:02d}",
                        clause=f"{head}.{letter}" if letter else head,
                        display_clause=f"{head} {letter})" if letter else head,
                        level=level,
                        category=chapter.category,
                        extension=extension,
                        control=texts.controls[control.control],
                        requirement=texts.requirements[key],
                        automatable="manual",
                        verified=file.verified,
                    )
                )
    return units


def _technical(catalog: Catalog, level: int, japanese: _JapaneseFile) -> list[Unit]:
    units: list[Unit] = []
    for clause in sorted(catalog.for_level(level), key=lambda c: clause_key(c.id)):
        for unit_id in clause.units:
            verified = catalog.unit_status(unit_id) == "verified"
            units.append(_technical_unit(clause, unit_id, japanese, verified))
    return units


def _technical_unit(clause: Clause, unit_id: str, japanese: _JapaneseFile, verified: bool) -> Unit:
    return Unit(
        id=unit_id,
        clause=clause.id,
        display_clause=clause.display_id,
        level=clause.level,
        category=_TECHNICAL[clause.id.split(".")[2]],
        extension=clause.extension,
        control=_Partial(
            zh=clause.control_zh, en=clause.control_en, ja=japanese.controls.get(clause.control_zh)
        ),
        requirement=_Partial(zh=clause.zh, en=clause.en, ja=japanese.requirements.get(clause.zh)),
        automatable=clause.automatable,
        verified=verified,   # the catalogue's mark (profiles/standard/levelN.yaml units_status)
    )


def _law(root: Path, level: int) -> list[Unit]:
    path = root / "profiles" / "record" / "law.yaml"
    file = validate(_LawFile, read_yaml(path))
    return [
        Unit(
            id=item.id,
            clause=item.id,
            display_clause=item.basis,
            level=level,
            category="law",
            extension="law",
            control=item.control,
            requirement=Tri(zh=item.zh, en=item.en, ja=item.ja),
            automatable="partial" if item.checks or item.params else "manual",
            verified=True,
            basis=item.basis,
            checks=tuple(item.checks),
            params=tuple(item.params),
        )
        for item in file.items
    ]


class _JapaneseFile(_Strict):
    controls: dict[str, str] = Field(default_factory=dict, description="Chinese control name -> Japanese")
    requirements: dict[str, str] = Field(default_factory=dict, description="Chinese requirement -> Japanese")


def _japanese(root: Path) -> _JapaneseFile:
    path = root / "profiles" / "i18n" / "clauses.ja.yaml"
    return validate(_JapaneseFile, read_yaml(path)) if path.exists() else _JapaneseFile()


@cache
def _cached(root: Path, catalog: Catalog, level: int) -> LevelUnits:
    management = _management(root, level)
    units = _technical(catalog, level, _japanese(root)) + management
    units.sort(key=lambda u: (CATEGORIES.index(u.category), u.extension != "general", clause_key(u.clause)))
    units += _law(root, level) if level in LAW_LEVELS else []
    seen: dict[str, str] = {}
    clauses = {u.clause for u in units}
    for unit in units:
        if unit.id in seen:
            raise InputError(
                f"unit {unit.id} is used by {seen[unit.id]} and {unit.clause}",
                path=root / "profiles" / "standard" / "management",
            )
        seen[unit.id] = unit.clause
    path = root / "profiles" / "record" / "high_risk.yaml"
    trigger_file = validate(_TriggerFile, read_yaml(path))
    for trigger in trigger_file.triggers:
        for trigger_level, ids in trigger.clauses.items():
            # physical and management clauses (x.1.1, x.1.6 ...) exist only where that file does
            unknown = [
                c
                for c in ids
                if trigger_level == level and c not in clauses and (management or _is_technical(c))
            ]
            if unknown:
                raise InputError(
                    f"{trigger.code}: clause {unknown[0]} is not in the level {level} catalogue", path=path
                )
    return LevelUnits(
        level=level,
        units=tuple(units),
        triggers=tuple(trigger_file.triggers),
        trigger_source=trigger_file.source,
        management_present=bool(management),
    )


def level_units(root: Path, catalog: Catalog, level: int) -> LevelUnits:
    """All units of ``level``: technical, physical and management (where catalogued), law."""
    return _cached(root, catalog, level)


def _is_technical(clause_id: str) -> bool:
    return clause_id.split(".")[2] in ("2", "3", "4", "5") if clause_id.count(".") >= 2 else False


def clause_key(clause_id: str) -> list[tuple[int, str]]:
    return [(int(p), "") if p.isdigit() else (0, p) for p in re.split(r"[.\s)]+", clause_id) if p]
