"""Check definitions: one YAML file each under checks/, id = path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from mlpscan.catalog import ClauseMap
from mlpscan.conditions import Condition, compile_path, parse
from mlpscan.findings import LawBasis, Severity
from mlpscan.i18n import CheckText, Lang, placeholders, value_text
from mlpscan.snapshot import PROVIDERS

MESSAGE_FIELDS = {"name", "uid", "region", "target", "type"}
# {name} ... {type}, {param.NAME} (the profile's value) and {data.PATH} (jmespath into the resource)
PLACEHOLDER = re.compile(r"\{(?P<root>[a-z_]+)(?:\.(?P<rest>[^{}]+))?\}")


def render_message(template: str, fields: Mapping[str, str], params: Mapping[str, Any],
                   data: Any = None) -> str:
    """Fill a check's message; an unknown data path renders as '?' (validated on load)."""
    def fill(match: re.Match[str]) -> str:
        root, rest = match["root"], match["rest"]
        if root == "param" and rest is not None:
            return value_text(params.get(rest))
        if root == "data" and rest is not None:
            try:
                return value_text(compile_path(rest)(data))
            except ValueError:  # a jmespath function refusing this resource's data
                return "?"
        return fields.get(root, match[0])

    return PLACEHOLDER.sub(fill, template)


class Check(BaseModel):
    """A declarative check. Exactly one of `assert` (conditions) or `evaluator` (named Python)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              arbitrary_types_allowed=True)

    id: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    title: str
    description: str | None = None
    severity: Severity
    provider: list[Literal["host", "aws", "aliyun", "tencent"]] = Field(min_length=1)
    resource: str = Field(description="Resource type, or a glob such as 'aws.*' or '*'")
    family: list[str] = Field(
        min_length=1, description="The control family (or families) this check implements, declared in "
                                  "profiles/families.yaml: its clauses must be theirs")
    family_divergence: str | None = Field(
        default=None, min_length=1,
        description="Why this check's clauses differ from its families' (the exception must say why)")
    clauses: ClauseMap
    where: Condition | None = None
    assert_: Condition | None = Field(default=None, alias="assert")
    evaluator: str | None = None
    match: Literal["each", "any", "all"] = "each"
    message: str | None = Field(
        default=None, description="Failure message; may use {name} {uid} {region} {target} {type}, "
                                  "{param.NAME} and {data.PATH}")
    remediation: str | None = None
    references: list[str] = Field(default_factory=list)
    deprecated_by: str | None = None
    i18n: dict[Literal["zh", "ja"], CheckText] = Field(
        default_factory=dict, description="title, message and remediation in Chinese and Japanese")

    _source: Path | None = PrivateAttr(default=None)
    _law: tuple[LawBasis, ...] = PrivateAttr(default=())

    @field_validator("provider", "family", mode="before")
    @classmethod
    def _one_or_a_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("where", "assert_", mode="before")
    @classmethod
    def _compile(cls, value: Any, info: Any) -> Any:
        if value is None or isinstance(value, Condition):
            return value
        params = (info.context or {}).get("params")
        return parse(value, params)

    @field_validator("message")
    @classmethod
    def _template(cls, value: str | None, info: Any) -> str | None:
        if value is None:
            return value
        params = (info.context or {}).get("params")
        for match in PLACEHOLDER.finditer(value):
            root, rest = match["root"], match["rest"]
            if root == "param" and rest is not None:
                if params is not None and rest not in params:
                    raise ValueError(f"message uses unknown parameter '{rest}'")
            elif root == "data" and rest is not None:
                compile_path(rest)  # raises ValueError for a bad jmespath
            elif root not in MESSAGE_FIELDS or rest is not None:
                raise ValueError(f"message uses {match[0]}; allowed: "
                                 + ", ".join(f"{{{f}}}" for f in sorted(MESSAGE_FIELDS))
                                 + ", {param.NAME}, {data.PATH}")
        return value

    @model_validator(mode="after")
    def _one_way_to_judge(self) -> Check:
        if (self.assert_ is None) == (self.evaluator is None):
            raise ValueError("a check needs exactly one of 'assert' or 'evaluator'")
        wrong = [p for p in self.provider if p not in PROVIDERS]
        if wrong:
            raise ValueError(f"unknown provider {wrong[0]!r}")
        if self.resource != "*" and not any(self.resource.startswith(p + ".") for p in self.provider):
            raise ValueError(f"resource {self.resource!r} belongs to none of the providers "
                             f"{', '.join(self.provider)}")
        return self

    @model_validator(mode="after")
    def _same_placeholders(self) -> Check:
        for lang, text in self.i18n.items():
            for field in ("message", "remediation"):
                if placeholders(getattr(text, field)) != placeholders(getattr(self, field)):
                    raise ValueError(f"i18n.{lang}.{field}: placeholders differ from the English {field}")
        return self

    def text(self, lang: Lang) -> tuple[str, str | None, str | None]:
        """Title, message template and remediation in ``lang`` (English where not translated)."""
        translated = self.i18n.get(lang) if lang != "en" else None
        if translated is None:
            return self.title, self.message, self.remediation
        return translated.title, translated.message, translated.remediation

    @property
    def source(self) -> Path | None:
        return self._source

    @property
    def law(self) -> tuple[LawBasis, ...]:
        """The laws that set this check's requirement, from its families (set when content loads)."""
        return self._law

    @property
    def levels(self) -> list[int]:
        return sorted(self.clauses)

    def params_used(self) -> list[str]:
        return [p for cond in (self.where, self.assert_) if cond is not None for p in cond.params()]

    def expected(self, params: dict[str, Any]) -> str | None:
        return self.assert_.describe(params) if self.assert_ is not None else None

    def applies_to_type(self, resource_type: str) -> bool:
        return fnmatchcase(resource_type, self.resource)

    def reads(self, resource_type: str) -> bool:
        """Whether evaluating this check needs resources of that type collected."""
        return resource_type.split(".", 1)[0] in self.provider and self.applies_to_type(resource_type)


def check_id_for(path: Path, root: Path) -> str:
    """`checks/aws/iam/console_user_mfa.yaml` -> `aws.iam.console_user_mfa`."""
    return ".".join(path.relative_to(root).with_suffix("").parts)
