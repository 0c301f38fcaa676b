"""Languages of the assessment record: ja, zh, en.

Every user-facing text lives in content, never in Python: the interface strings (headings, table
headers, category and status names) in profiles/i18n/ui.yaml, the checks' titles, messages and
remediation in an `i18n:` block of each check (English stays in the check's own fields), the
messages of the named evaluators in profiles/i18n/evaluators.yaml, the units' requirement texts
in the catalogue files. This module only looks them up and fills them in.

A report holds every message in English only. A message is translated by reading the values of
its placeholders back out of the English text with the English template, then filling the
translated template with them; a value that reads as another message of the same evaluator (or
a list of them) is translated the same way. What does not match stays English.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, RootModel

from mlpscan.errors import InputError
from mlpscan.loading import read_yaml, validate

Lang = Literal["en", "zh", "ja"]
LANGS: tuple[Lang, ...] = get_args(Lang)
TRANSLATED: tuple[Lang, ...] = ("zh", "ja")  # English is the check's own fields
PLACEHOLDER = re.compile(r"\{[^{}]+\}")
PHRASE_SEPARATOR = "; "  # between the phrases of a list, in English (ui.yaml sep.phrases: the others)


class CheckText(BaseModel):
    """A check's texts in one language (the `i18n.zh` / `i18n.ja` block of a check file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    message: str | None = None
    remediation: str | None = None


CheckTexts = dict[Literal["zh", "ja"], CheckText]


def placeholders(text: str | None) -> list[str]:
    return sorted(PLACEHOLDER.findall(text or ""))


def value_text(value: Any) -> str:
    """How a value fills a placeholder: None as '?', booleans in lower case, lists joined by ', '."""
    if value is None:
        return "?"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value)
    return str(value)


def text_problems(english: Mapping[str, str | None], translations: Mapping[str, CheckText]) -> list[str]:
    """What is wrong with a check's translations: missing texts or placeholders that differ."""
    problems: list[str] = []
    for lang in TRANSLATED:
        text = translations.get(lang)
        if text is None:
            problems.append(f"no '{lang}' texts (i18n.{lang})")
            continue
        for name in ("message", "remediation"):
            source, translated = english.get(name), getattr(text, name)
            if (source is None) != (translated is None):
                problems.append(f"i18n.{lang}.{name} is {'missing' if translated is None else 'extra'}")
            elif placeholders(source) != placeholders(translated):
                problems.append(
                    f"i18n.{lang}.{name} placeholders {placeholders(translated)} differ from "
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


# -- evaluator messages -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phrase:
    """A message of a named evaluator: the key of its template (profiles/i18n/evaluators.yaml) and
    the values of the template's {placeholders}. A value may itself be a phrase, or a list of
    phrases (said one after the other)."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


# A value whose brackets balance (two levels deep), tried first: a name such as "web (prod)" before
# " ({region})" is then read whole rather than cut at its own bracket.
_BALANCED = (r"(?:[^()（）]|\((?:[^()]|\([^()]*\))*\)|（(?:[^（）]|（[^（）]*）)*）)*?")


@lru_cache(maxsize=1024)
def _patterns(template: str) -> tuple[tuple[re.Pattern[str], ...], tuple[str, ...]]:
    parts = PLACEHOLDER.split(template)
    names = tuple(PLACEHOLDER.findall(template))

    def pattern(value: str) -> re.Pattern[str]:
        return re.compile("".join(re.escape(part) + (f"(?P<g{i}>{value})" if i < len(names) else "")
                                  for i, part in enumerate(parts)), flags=re.DOTALL)

    return (pattern(_BALANCED), pattern(".*?")), names


def read_back(template: str, text: str) -> dict[str, str] | None:
    """The value each placeholder of ``template`` has in ``text``; None when ``text`` is not an
    instance of it (a placeholder used twice must have the same value both times). Where the
    text can be cut in several ways, values with balanced brackets win, then the shortest first
    values."""
    patterns, names = _patterns(template)
    for pattern in patterns:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        values: dict[str, str] = {}
        if all(values.setdefault(name, match[f"g{i}"]) == match[f"g{i}"] for i, name in enumerate(names)):
            return values
    return None


def fill_in(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each placeholder replaced by its value (unknown ones left as they are)."""
    return PLACEHOLDER.sub(lambda m: values.get(m[0], m[0]), template)


@lru_cache(maxsize=1024)
def _segments(template: str) -> tuple[tuple[str, str | None], ...]:
    """``template`` as (text, placeholder name or None) pairs: said once per finding, parsed once."""
    pieces = PLACEHOLDER.split(template)
    names: list[str | None] = [m[1:-1] for m in PLACEHOLDER.findall(template)]
    return tuple(zip(pieces, [*names, None], strict=True))


class Messages:
    """One evaluator's message templates, by key."""

    def __init__(self, templates: Mapping[str, Tri]):
        self.templates = dict(templates)
        # more fixed text first, so that a shorter template that happens to match too never wins
        self._ordered = sorted((t for t in self.templates.values() if PLACEHOLDER.sub("", t.en)),
                               key=lambda t: -len(PLACEHOLDER.sub("", t.en)))

    def say(self, phrase: Phrase) -> str:
        """The English text of ``phrase``."""
        parts: list[str] = []
        for literal, name in _segments(self.templates[phrase.key].en):
            parts.append(literal)
            if name is None:
                continue
            value = phrase.values.get(name)
            if isinstance(value, Phrase):
                parts.append(self.say(value))
            elif isinstance(value, list) and value and all(isinstance(v, Phrase) for v in value):
                parts.append(PHRASE_SEPARATOR.join(self.say(v) for v in value))
            else:
                parts.append(value_text(value))
        return "".join(parts)

    def translate(self, text: str, lang: Lang, separator: str) -> str | None:
        """``text``, one of these messages in English, in ``lang`` (lists of phrases joined by
        ``separator``); None when it is none of them."""
        for tri in self._ordered:
            values = read_back(tri.en, text)
            if values is not None:
                return fill_in(tri.get(lang), {name: self._value(value, lang, separator)
                                               for name, value in values.items()})
        return None

    def _value(self, value: str, lang: Lang, separator: str) -> str:
        """A list of phrases (each item one of these messages), else one phrase, else the value."""
        items = value.split(PHRASE_SEPARATOR)
        if len(items) > 1:
            said = [self.translate(item, lang, separator) for item in items]
            if all(s is not None for s in said):
                return separator.join(s for s in said if s is not None)
        return self.translate(value, lang, separator) or value


class _EvaluatorFile(RootModel[dict[str, dict[str, Tri]]]):
    pass


def evaluators_path(content_root: Path) -> Path:
    return content_root / "profiles" / "i18n" / "evaluators.yaml"


def read_evaluator_texts(path: Path, declared: Mapping[str, Mapping[str, tuple[str, ...]]]
                         ) -> dict[str, Messages]:
    """profiles/i18n/evaluators.yaml: for each evaluator in ``declared`` (evaluator -> message key
    -> the values it gives), every message in en, zh and ja, using only those values, the same
    placeholders in the three languages."""
    doc = read_yaml(path)
    table = validate(_EvaluatorFile, doc).root
    for evaluator in sorted(set(declared) | set(table)):
        wanted, found = declared.get(evaluator), table.get(evaluator)
        if wanted is None or found is None:
            problem = "is not a named evaluator" if wanted is None else "has no messages"
            raise InputError(f"evaluator '{evaluator}' {problem}", path=path,
                             line=doc.line_of([evaluator]) if found else None)
        if set(wanted) != set(found):
            missing, extra = sorted(set(wanted) - set(found)), sorted(set(found) - set(wanted))
            raise InputError(f"{evaluator}: " + "; ".join(
                [f"no message '{key}'" for key in missing] + [f"'{key}' is not a message it gives"
                                                            for key in extra]),
                path=path, line=doc.line_of([evaluator]))
        for key, tri in found.items():
            used = {name[1:-1] for name in placeholders(tri.en)}
            line = doc.line_of([evaluator, key])
            if not used <= set(wanted[key]):
                raise InputError(f"{evaluator}.{key} uses " + ", ".join(f"{{{n}}}" for n in sorted(
                    used - set(wanted[key]))) + "; it has " + (", ".join(
                        f"{{{n}}}" for n in wanted[key]) or "no values"), path=path, line=line)
            for lang in TRANSLATED:
                if placeholders(tri.get(lang)) != placeholders(tri.en):
                    raise InputError(f"{evaluator}.{key}: the {lang} text's placeholders differ from the "
                                     "English", path=path, line=line)
    return {evaluator: Messages(messages) for evaluator, messages in table.items()}
