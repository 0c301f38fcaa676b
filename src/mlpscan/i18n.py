"""Languages of the assessment record: ja, zh, en.

Every user-facing text lives in content, never in Python: the interface strings (headings, table
headers, category and status names) in profiles/i18n/ui.yaml, the checks' titles, messages and
remediation in an `i18n:` block of each check (English stays in the check's own fields), the
units' requirement texts in the catalogue files. This module only looks them up.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, RootModel

from mlpscan.errors import InputError
from mlpscan.loading import read_yaml, validate

Lang = Literal["en", "zh", "ja"]
LANGS: tuple[Lang, ...] = get_args(Lang)
TRANSLATED: tuple[Lang, ...] = ("zh", "ja")  # English is the check's own fields
PLACEHOLDER = re.compile(r"\{[^{}]+\}")


class CheckText(BaseModel):
    """A check's texts in one language (the `i18n.zh` / `i18n.ja` block of a check file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    message: str | None = None
    remediation: str | None = None


CheckTexts = dict[Literal["zh", "ja"], CheckText]


def placeholders(text: str | None) -> list[str]:
    return sorted(PLACEHOLDER.findall(text or ""))


def text_problems(english: Mapping[str, str | None], translations: Mapping[str, CheckText]) -> list[str]:
    """What is wrong with a check's translations: missing texts or placeholders that differ."""
    problems: list[str] = []
    for lang in TRANSLATED:
        text = translations.get(lang)
        if text is None:
            problems.append(f"no '{lang}' texts (i18n.{lang})")
            continue
        for field in ("message", "remediation"):
            source, translated = english.get(field), getattr(text, field)
            if (source is None) != (translated is None):
                problems.append(f"i18n.{lang}.{field} is {'missing' if translated is None else 'extra'}")
            elif placeholders(source) != placeholders(translated):
                problems.append(
                    f"i18n.{lang}.{field} placeholders {placeholders(translated)} differ from "
                    f"the English {placeholders(source)}"
                )
    return problems


def default_lang(environ: Mapping[str, str] | None = None) -> Lang:
    """From the locale (LC_ALL, LC_MESSAGES, LANG), falling back to English."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            prefix = value[:2].lower()
            return prefix if prefix in ("ja", "zh") else "en"  # type: ignore[return-value]
    return "en"



class Tri(BaseModel):
    """One text in the three languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)
    ja: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        value: str = getattr(self, lang)
        return value


class _UiFile(RootModel[dict[str, Tri]]):
    pass


@dataclass(frozen=True)
class Texts:
    """Interface strings of one language; `t('key', n=3)` fills `{n}`."""

    lang: Lang
    table: Mapping[str, Tri]

    def t(self, key: str, **values: Any) -> str:
        try:
            text = self.table[key].get(self.lang)
        except KeyError:
            raise KeyError(f"interface text {key!r} is not in profiles/i18n/ui.yaml") from None
        return text.format(**values) if values else text


def ui_path(content_root: Path) -> Path:
    return content_root / "profiles" / "i18n" / "ui.yaml"


@cache
def _load_ui(path: Path) -> dict[str, Tri]:
    table = validate(_UiFile, read_yaml(path)).root
    for key, tri in table.items():
        wanted = placeholders(tri.en)
        for lang in ("zh", "ja"):
            if placeholders(tri.get(lang)) != wanted:
                raise InputError(
                    f"'{key}': the {lang} text's placeholders differ from the English", path=path
                )
    return table


def texts(content_root: Path, lang: Lang) -> Texts:
    return Texts(lang=lang, table=_load_ui(ui_path(content_root)))
