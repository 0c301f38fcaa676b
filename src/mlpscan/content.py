"""Find and load the content: checks/, profiles/ (params, levels, clause catalogue, control
families, laws), providers/ (regions, platform levels, resource manifests, host commands).

Everything is validated on load, across files too (clause ids, families, parameters, evaluators,
resource types), so a content error is reported once, as one line naming the file, whatever
command was run. Collectors take the manifests and the host command list from `Content` rather
than reading them on their own, so what validate checked is what a scan runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path

from mlpscan import data_export  # noqa: F401  (registers the data_export_destinations evaluator)
from mlpscan.catalog import CHAPTER_OF_LEVEL, Catalog, Clause, LevelCatalogFile, expand
from mlpscan.checks import Check, check_id_for
from mlpscan.errors import InputError
from mlpscan.evaluators import EVALUATORS, evaluator_messages
from mlpscan.families import Family, FamilyFile, Law, LawFile, divergence, expected_clauses
from mlpscan.loading import Document, read_document, read_yaml, validate
from mlpscan.platforms import PlatformTable
from mlpscan.profiles import Parameter, ProfileFile, ResolvedProfile, resolve
from mlpscan.providers.cloud.spec import ResourceFile
from mlpscan.providers.host.commands import CommandSpec, load_commands
from mlpscan.providers.host.facts import AREAS
from mlpscan.regions import RegionList

CONTENT_DIRS = ("checks", "profiles", "providers")
# profiles/ files that are not level profiles
NOT_PROFILES = frozenset({"params.yaml", "families.yaml", "laws.yaml"})


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
    families: dict[str, Family]
    laws: dict[str, Law]
    manifests: dict[str, ResourceFile]      # providers/<cloud>/resources.yaml, by provider
    host_commands: list[CommandSpec]        # providers/host/commands.yaml
    resource_types: frozenset[str]          # every type some provider collects

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

    def load_check(self, path: Path, checks_dir: Path) -> Check:
        """One check file, validated and linted against this content (id from its path under
        ``checks_dir``)."""
        return _load_check(path, checks_dir, _CheckContext(
            self.params, self.catalog, self.families, self.laws, self.resource_types))


def load_content(root: str | Path | None = None) -> Content:
    base = Path(root) if root is not None else default_content_root()
    missing = [name for name in CONTENT_DIRS if not (base / name).is_dir()]
    if missing:
        raise InputError("not a content directory: missing " + ", ".join(f"{m}/" for m in missing),
                         path=base)
    params = _load_params(base / "profiles" / "params.yaml")
    profile_files = _load_profiles(base / "profiles")
    catalog = _load_catalog(base / "profiles" / "standard")
    laws = validate(LawFile, read_yaml(base / "profiles" / "laws.yaml")).laws
    families = _load_families(base / "profiles" / "families.yaml", catalog, laws)
    manifests = _load_manifests(base / "providers")
    host_commands = load_commands(base)
    resource_types = frozenset({spec.type for m in manifests.values() for spec in m.resources}
                               | {area.type for area in AREAS})
    context = _CheckContext(params, catalog, families, laws, resource_types)
    checks = _load_checks(base / "checks", context)
    regions = _load_regions(base / "providers")
    _check_partitions(manifests, regions, base / "providers")
    platforms = validate(PlatformTable, read_yaml(base / "providers" / "platforms.yaml"))
    content = Content(root=base, params=params, profile_files=profile_files, catalog=catalog,
                      checks=checks, regions=regions, platforms=platforms, families=families, laws=laws,
                      manifests=manifests, host_commands=host_commands, resource_types=resource_types)
    _check_levels_tighten(content)
    evaluator_messages(base)  # the evaluators' messages, in three languages, match what they give
    return content


@dataclass(frozen=True)
class _CheckContext:
    """What a check is validated against."""

    params: dict[str, Parameter]
    catalog: Catalog
    families: dict[str, Family]
    laws: dict[str, Law]
    resource_types: frozenset[str]


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
        if path.name in NOT_PROFILES:
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


def _load_families(path: Path, catalog: Catalog, laws: dict[str, Law]) -> dict[str, Family]:
    doc = read_yaml(path)
    families = validate(FamilyFile, doc).families
    for family_id, family in families.items():
        for level, clause_ids in family.clauses.items():
            line = doc.line_of(["families", family_id, "clauses", level])
            for clause_id in clause_ids:
                if clause_id not in catalog:
                    raise InputError(f"family {family_id}: unknown clause '{clause_id}' for level {level}",
                                     path=path, line=line)
                if catalog.get(clause_id).level != level:
                    raise InputError(f"family {family_id}: clause '{clause_id}' belongs to level "
                                     f"{catalog.get(clause_id).level}, not {level}", path=path, line=line)
        for law_id in family.law:
            if law_id not in laws:
                raise InputError(f"family {family_id}: unknown law '{law_id}' (not in profiles/laws.yaml)",
                                 path=path, line=doc.line_of(["families", family_id, "law"]))
    return families


def _load_manifests(directory: Path) -> dict[str, ResourceFile]:
    manifests: dict[str, ResourceFile] = {}
    for path in sorted(directory.glob("*/resources.yaml")):
        manifest = validate(ResourceFile, read_document(path))
        if manifest.provider != path.parent.name:
            raise InputError(f"provider '{manifest.provider}' does not match its folder "
                             f"'{path.parent.name}'", path=path)
        manifests[manifest.provider] = manifest
    return manifests


def _load_checks(directory: Path, context: _CheckContext) -> dict[str, Check]:
    checks: dict[str, Check] = {}
    for path in sorted(directory.rglob("*.yaml")):
        check = _load_check(path, directory, context)
        checks[check.id] = check
    for check in checks.values():
        if check.deprecated_by is not None and check.deprecated_by not in checks:
            raise InputError(f"deprecated_by names unknown check '{check.deprecated_by}'",
                             path=directory.parent / str(check.source))
    return checks


def _load_check(path: Path, directory: Path, context: _CheckContext) -> Check:
    doc = read_yaml(path)
    expected_id = check_id_for(path, directory)
    if isinstance(doc.data, dict):
        doc.data.setdefault("id", expected_id)
    check = validate(Check, doc, context={"params": context.params})
    if check.id != expected_id:
        raise InputError(f"check id '{check.id}' must equal its path '{expected_id}'",
                         path=path, line=doc.line_of(["id"]))
    _lint_check(check, context, doc)
    check._source = path.relative_to(directory.parent)
    check._law = tuple(context.laws[law_id].basis(law_id)
                       for law_id in dict.fromkeys(law_id for name in check.family
                                                   for law_id in context.families[name].law))
    return check


def _lint_check(check: Check, context: _CheckContext, doc: Document) -> None:
    path, catalog = doc.path, context.catalog
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
    _lint_family(check, context.families, doc)
    _lint_resource(check, context.resource_types, doc)


def _lint_family(check: Check, families: dict[str, Family], doc: Document) -> None:
    """A check cites exactly its families' clauses, unless it says why it does not."""
    line = doc.line_of(["family"])
    unknown = [name for name in check.family if name not in families]
    if unknown:
        near = get_close_matches(unknown[0], families, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else " (see profiles/families.yaml)"
        raise InputError(f"unknown family '{unknown[0]}'{hint}", path=doc.path, line=line)
    names = " + ".join(check.family)
    differs = divergence(expected_clauses(families, check.family), check.clauses)
    if differs is not None and check.family_divergence is None:
        level, how = differs
        raise InputError(f"clauses differ from family {names}: {how}; cite the family's clauses "
                         "or say why in 'family_divergence'", path=doc.path,
                         line=doc.line_of(["clauses", level]))
    if differs is None and check.family_divergence is not None:
        raise InputError(f"'family_divergence' is given but the clauses equal family {names}'s: "
                         "remove it", path=doc.path, line=doc.line_of(["family_divergence"]))


def _lint_resource(check: Check, known: frozenset[str], doc: Document) -> None:
    """A type no provider collects would give no finding at all: silent disappearance."""
    ours = sorted(t for t in known if t.split(".", 1)[0] in check.provider)
    if any(fnmatchcase(kind, check.resource) for kind in ours):
        return
    near = get_close_matches(check.resource, ours, n=1)
    hint = f"; did you mean '{near[0]}'?" if near else ""
    raise InputError(f"resource '{check.resource}' is collected by no provider of this check "
                     f"({', '.join(check.provider)}){hint}", path=doc.path, line=doc.line_of(["resource"]))


def _check_partitions(manifests: Mapping[str, ResourceFile], regions: Mapping[str, RegionList],
                      directory: Path) -> None:
    """A type limited to some partitions names partitions of its provider's region list: a typo would
    silently skip the type everywhere."""
    for manifest in manifests.values():
        region_list = regions.get(manifest.provider)
        known = {r.partition for r in region_list.regions.values() if r.partition} if region_list else set()
        for spec in manifest.resources:
            unknown = sorted(set(spec.partitions or ()) - known)
            if unknown:
                listed = ", ".join(sorted(known)) or "none"
                raise InputError(f"resource type {spec.type}: unknown partition {unknown[0]!r} "
                                 f"(providers/{manifest.provider}/regions.yaml has {listed})",
                                 path=directory / manifest.provider / "resources.yaml")


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

