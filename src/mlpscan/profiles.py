"""Parameters (declared once) and level profiles that value them, with `extends` resolution."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mlpscan.errors import InputError

ParamType = Literal["int", "bool", "str", "list[int]", "list[str]"]


class Parameter(BaseModel):
    """A tunable threshold, declared once in profiles/params.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    type: ParamType
    unit: str | None = None
    default: Any
    description: str
    stricter: Literal["higher", "lower", "enabled", "superset"] | None = Field(
        default=None, description="Which direction tightens the control; None: neither is stricter")
    floor: Any = Field(default=None, description="Legal bound no profile may loosen past")
    floor_basis: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        check_value(self, self.default)
        if self.floor is not None:
            if self.stricter is None:
                raise ValueError("a parameter with a floor needs 'stricter'")
            if not self.floor_basis:
                raise ValueError("a parameter with a floor needs 'floor_basis' (the law or clause)")
            check_value(self, self.floor)
        return self

    def is_looser(self, value: Any, than: Any) -> bool:
        """True when ``value`` weakens the control compared with ``than``."""
        if self.stricter == "higher":
            return bool(value < than)
        if self.stricter == "lower":
            return bool(value > than)
        if self.stricter == "enabled":
            return bool(than) and not value
        if self.stricter == "superset":
            return not set(than) <= set(value)
        return False


def check_value(param: Parameter, value: Any) -> None:
    """Raise ValueError unless ``value`` has the parameter's declared type."""
    def is_int(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    ok = {
        "int": is_int(value),
        "bool": isinstance(value, bool),
        "str": isinstance(value, str),
        "list[int]": isinstance(value, list) and all(is_int(v) for v in value),
        "list[str]": isinstance(value, list) and all(isinstance(v, str) for v in value),
    }[param.type]
    if not ok:
        raise ValueError(f"parameter '{param.name or '?'}' must be {param.type}, got {value!r}")


class ProfileFile(BaseModel):
    """A profile as written: a built-in level or a user's file that extends one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str | None = None
    description: str | None = None
    extends: str | None = None
    level: int | None = Field(default=None, ge=1, le=4)
    params: dict[str, Any] = Field(default_factory=dict)
    exclude_checks: list[str] = Field(
        default_factory=list, description="Check id globs this profile leaves out, e.g. 'host.*'")


@dataclass(frozen=True)
class ResolvedProfile:
    id: str
    level: int
    title: str | None
    params: Mapping[str, Any]
    origins: Mapping[str, str]          # parameter -> profile id that set it ("params.yaml" for defaults)
    chain: tuple[str, ...]              # this profile first, then what it extends
    exclude_checks: tuple[str, ...] = ()
    source: Path | None = None
    warnings: tuple[str, ...] = field(default=())


def resolve(
    name: str,
    files: Mapping[str, tuple[ProfileFile, Path]],
    params: Mapping[str, Parameter],
    builtin: frozenset[str],
) -> ResolvedProfile:
    """Resolve ``name`` (a key of ``files``) through its `extends` chain."""
    chain: list[tuple[ProfileFile, Path]] = []
    seen: set[str] = set()
    current: str | None = name
    while current is not None:
        if current in seen:
            raise InputError(f"profile 'extends' cycle through '{current}'", path=files[name][1])
        if current not in files:
            child_path = chain[-1][1] if chain else None
            raise InputError(f"unknown profile '{current}'", path=child_path)
        seen.add(current)
        chain.append(files[current])
        current = files[current][0].extends

    values: dict[str, Any] = {key: p.default for key, p in params.items()}
    origins: dict[str, str] = dict.fromkeys(params, "params.yaml")
    level: int | None = None
    warnings: list[str] = []
    excluded: list[str] = []
    builtin_values: dict[str, Any] = {}
    builtin_level_id: str | None = None
    for profile, path in reversed(chain):
        if profile.level is not None:
            if level is not None and profile.level != level and profile.id not in builtin:
                raise InputError(f"profile '{profile.id}' sets level {profile.level} but extends a "
                                 f"level-{level} profile", path=path)
            level = profile.level
        for key, value in profile.params.items():
            if key not in params:
                raise InputError(f"unknown parameter '{key}' in profile '{profile.id}'", path=path)
            param = params[key]
            try:
                check_value(param, value)
            except ValueError as exc:
                raise InputError(str(exc), path=path) from None
            if param.floor is not None and param.is_looser(value, param.floor):
                raise InputError(
                    f"parameter '{key}' = {value!r} is looser than the legal floor {param.floor!r} "
                    f"({param.floor_basis})", path=path)
            if profile.id not in builtin and key in builtin_values and param.is_looser(
                    value, builtin_values[key]):
                warnings.append(f"profile '{profile.id}' loosens '{key}' from "
                                f"{builtin_values[key]!r} ({builtin_level_id}) to {value!r}")
            values[key] = value
            origins[key] = profile.id
        excluded.extend(profile.exclude_checks)
        if profile.id in builtin:
            builtin_values = dict(values)
            builtin_level_id = profile.id
    head, head_path = chain[0]
    if level is None:
        raise InputError(f"profile '{head.id}' has no level and extends none", path=head_path)
    return ResolvedProfile(
        id=head.id, level=level, title=head.title, params=values, origins=origins,
        chain=tuple(p.id for p, _ in chain), exclude_checks=tuple(excluded), source=head_path,
        warnings=tuple(warnings))
