"""Find and load the content: checks/, profiles/ (params, levels, clause catalogue), providers/.

Everything is validated on load, across files too (clause ids, parameters, evaluators), so a
content error is reported once, as one line naming the file, whatever command was run.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path

from mlpscan.catalog import CHAPTER_OF_LEVEL, Catalog, Clause, LevelCatalogFile, expand
from mlpscan.checks import Check, check_id_for
from mlpscan.errors import InputError
from mlpscan.evaluators import EVALUATORS
from mlpscan.loading import Document, read_document, read_yaml, validate
from mlpscan.platforms import PlatformTable
from mlpscan.profiles import Parameter, ProfileFile, ResolvedProfile, resolve
from mlpscan.regions import RegionList

CONTENT_DIRS = ("checks", "profiles", "providers")


def default_content_root() -> Path:
    """The content inside the installed wheel, else the source checkout this module lives in."""
    packaged = Path(__file__).parent / "content"
    if (packaged / "profiles").is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "profiles").is_dir():
        return checkout
    raise InputError("content not found: reinstall mlpscan or pass --content DIR")


@dataclass(frozen=True)
class Content:
    root: Path
    params: dict[str, Parameter]
    profile_files: dict[str, tuple[ProfileFile, Path]]
    catalog: Catalog
    checks: dict[str, Check]
    regions: dict[str, RegionList]
    platforms: PlatformTable

    @cached_property
    def builtin_profiles(self) -> frozenset[str]:
        return frozenset(self.profile_files)

    def profile(self, name_or_path: str) -> ResolvedProfile:
        """A built-in profile by name (`level3`), or a user profile file that extends one."""
        if name_or_path in self.profile_files:
            return resolve(name_or_path, self.profile_files, self.params, self.builtin_profiles)
        path = Path(name_or_path)
        if path.suffix.lower() not in (".yaml", ".yml") and not path.exists():
            known = ", ".join(sorted(self.profile_files))
            raise InputError(f"unknown profile '{name_or_path}' (built-in: {known}; or a YAML file)")
        user = validate(ProfileFile, read_document(path))
        if user.id in self.profile_files:
            raise InputError(f"profile id '{user.id}' is taken by a built-in profile", path=path)
        files = {**self.profile_files, user.id: (user, path)}
        return resolve(user.id, files, self.params, self.builtin_profiles)

    def level_profile(self, level: int) -> ResolvedProfile:
        return self.profile(f"level{level}")

    def checks_for(self, profile: ResolvedProfile) -> list[Check]:
        """Every current check that maps a clause at the profile's level, minus exclusions."""
        return [c for c in self.checks.values()
                if profile.level in c.clauses and c.deprecated_by is None
                and not any(fnmatchcase(c.id, glob) for glob in profile.exclude_checks)]

    def clauses_of(self, check: Check, level: int) -> list[Clause]:
        return [self.catalog.get(cid) for cid in check.clauses.get(level, [])]


def load_content(root: str | Path | None = None) -> Content:
    base = Path(root) if root is not None else default_content_root()
    missing = [name for name in CONTENT_DIRS if not (base / name).is_dir()]
    if missing:
        raise InputError("not a content directory: missing " + ", ".join(f"{m}/" for m in missing),
                         path=base)
    params = _load_params(base / "profiles" / "params.yaml")
    profile_files = _load_profiles(base / "profiles")
    catalog = _load_catalog(base / "profiles" / "standard")
    checks = _load_checks(base / "checks", params, catalog)
    regions = _load_regions(base / "providers")
    platforms = validate(PlatformTable, read_yaml(base / "providers" / "platforms.yaml"))
    content = Content(root=base, params=params, profile_files=profile_files, catalog=catalog,
                      checks=checks, regions=regions, platforms=platforms)
    _check_levels_tighten(content)
    return content


def _load_params(path: Path) -> dict[str, Parameter]:
    doc = read_yaml(path)
    if not isinstance(doc.data, dict) or not doc.data:
        raise InputError("expected a mapping of parameter name -> declaration", path=path)
    params: dict[str, Parameter] = {}
    for name, raw in doc.data.items():
        if not isinstance(raw, dict):
            raise InputError(f"parameter '{name}' must be a mapping", path=path, line=doc.line_of([name]))
        params[name] = validate(Parameter, doc, part=(name,), data={**raw, "name": name})
    return params


def _load_profiles(directory: Path) -> dict[str, tuple[ProfileFile, Path]]:
    files: dict[str, tuple[ProfileFile, Path]] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "params.yaml":
            continue
        profile = validate(ProfileFile, read_yaml(path))
        if profile.id != path.stem:
            raise InputError(f"profile id '{profile.id}' must match its file name '{path.stem}'", path=path)
        files[profile.id] = (profile, path)
    return files


def _load_catalog(directory: Path) -> Catalog:
    clauses: dict[str, Clause] = {}
    units: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        doc = read_yaml(path)
        level_file = validate(LevelCatalogFile, doc)
        try:
            expanded = expand(level_file, CHAPTER_OF_LEVEL)
        except ValueError as exc:
            raise InputError(str(exc), path=path) from None
        for clause in expanded:
            if clause.id in clauses:
                raise InputError(f"clause {clause.id} is defined twice", path=path)
            for unit in clause.units:
                if unit in units:
                    raise InputError(f"unit {unit} is used by {units[unit]} and {clause.id}", path=path)
                units[unit] = clause.id
            clauses[clause.id] = clause
    if not clauses:
        raise InputError("no clause catalogue found", path=directory)
    return Catalog(list(clauses.values()))


def _load_checks(directory: Path, params: dict[str, Parameter], catalog: Catalog) -> dict[str, Check]:
    checks: dict[str, Check] = {}
    for path in sorted(directory.rglob("*.yaml")):
        doc = read_yaml(path)
        expected_id = check_id_for(path, directory)
        if isinstance(doc.data, dict):
            doc.data.setdefault("id", expected_id)
        check = validate(Check, doc, context={"params": params})
        if check.id != expected_id:
            raise InputError(f"check id '{check.id}' must equal its path '{expected_id}'",
                             path=path, line=doc.line_of(["id"]))
        _lint_check(check, catalog, doc)
        check._source = path.relative_to(directory.parent)
        checks[check.id] = check
    for check in checks.values():
        if check.deprecated_by is not None and check.deprecated_by not in checks:
            raise InputError(f"deprecated_by names unknown check '{check.deprecated_by}'",
                             path=directory.parent / str(check.source))
    return checks


def _lint_check(check: Check, catalog: Catalog, doc: Document) -> None:
    path = doc.path
    for level, clause_ids in check.clauses.items():
        for clause_id in clause_ids:
            if clause_id not in catalog:
                raise InputError(f"unknown clause '{clause_id}' for level {level} "
                                 "(not in profiles/standard/)", path=path,
                                 line=doc.line_of(["clauses", level]))
            if catalog.get(clause_id).level != level:
                raise InputError(f"clause '{clause_id}' belongs to level "
                                 f"{catalog.get(clause_id).level}, not {level}", path=path,
                                 line=doc.line_of(["clauses", level]))
    if check.evaluator is not None and check.evaluator not in EVALUATORS:
        raise InputError(f"unknown evaluator '{check.evaluator}' "
                         f"(known: {', '.join(sorted(EVALUATORS))})", path=path,
                         line=doc.line_of(["evaluator"]))


def _load_regions(directory: Path) -> dict[str, RegionList]:
    regions: dict[str, RegionList] = {}
    for path in sorted(directory.glob("*/regions.yaml")):
        region_list = validate(RegionList, read_yaml(path))
        if region_list.provider != path.parent.name:
            raise InputError(f"provider '{region_list.provider}' does not match its folder "
                             f"'{path.parent.name}'", path=path)
        regions[region_list.provider] = region_list
    return regions


def _check_levels_tighten(content: Content) -> None:
    """A built-in level must be at least as strict as the level it extends."""
    for name, (profile, path) in content.profile_files.items():
        if profile.extends is None:
            continue
        child = content.profile(name)
        parent = content.profile(profile.extends)
        for key, param in content.params.items():
            if param.is_looser(child.params[key], parent.params[key]):
                raise InputError(f"'{key}' = {child.params[key]!r} is looser than "
                                 f"{parent.params[key]!r} in '{parent.id}', which it extends", path=path)

