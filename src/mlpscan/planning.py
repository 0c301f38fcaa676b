"""From what a user asks for to what runs: targets, collection options, checks, outputs, the gate.

A front end (the command line, a CI wrapper, a notebook) fills the request types of this module
with plain values. Planning settles everything before anything is collected, so bad input fails
first, as one `InputError` naming the file: the config, the profile, the check selection, the
targets and the outputs. Running then goes through the library (collect, evaluate, the writers).
This module knows nothing of argparse; the command line imports nothing from the providers.
"""

from __future__ import annotations

import importlib
import logging
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import IntEnum
from fnmatch import fnmatchcase
from functools import partial
from pathlib import Path

from mlpscan.answers import SurveyAnswer, read_answers
from mlpscan.baseline import Comparison, compare, read_baseline
from mlpscan.checks import Check
from mlpscan.collect import DEFAULT_MAX_WORKERS, collect
from mlpscan.config import CloudConfig, Config, RateLimitConfig, RateLimits, read_config
from mlpscan.content import Content, load_content
from mlpscan.engine import evaluate, target_resource_type
from mlpscan.errors import InputError
from mlpscan.findings import Finding, Report, Severity, Status, summarize
from mlpscan.i18n import Lang
from mlpscan.inventory import read_inventory
from mlpscan.metadata import with_metadata
from mlpscan.outputs import STDOUT, check_path, write_files
from mlpscan.profiles import ResolvedProfile
from mlpscan.providers.cloud.collect import (
    DEFAULT_API_WORKERS,
    DEFAULT_CALL_DEADLINE,
    DEFAULT_READ_TIMEOUT,
    CloudOptions,
    provider_module,
)
from mlpscan.providers.cloud.ratelimit import DEFAULT_LIMITS, Limit
from mlpscan.providers.cloud.source import CloudSource, resolve_endpoint
from mlpscan.providers.cloud.tags import TAG_VALUE_POLICIES, TagValues
from mlpscan.providers.host.collector import HostOptions
from mlpscan.providers.host.limits import (
    DEFAULT_MAX_COMMAND_BYTES,
    DEFAULT_MAX_SESSION_BYTES,
    DEFAULT_SESSION_TIMEOUT,
    byte_size,
)
from mlpscan.providers.host.transport import PASSWORD_ENV
from mlpscan.shard import Partition, partition, requested_shard
from mlpscan.snapshot import PROVIDERS, Snapshot, Target
from mlpscan.targets import HostSpec, parse_target
from mlpscan.units import level_units
from mlpscan.waivers import Waiver, read_waivers
from mlpscan.writers import DEFAULT_FORMATS, FILE_FORMATS, FORMATS, TABLE, RenderInput

__all__ = [
    "DEFAULT_API_WORKERS",
    "DEFAULT_CALL_DEADLINE",
    "DEFAULT_MAX_COMMAND_BYTES",
    "DEFAULT_MAX_SESSION_BYTES",
    "DEFAULT_MAX_WORKERS",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_SESSION_TIMEOUT",
    "PASSWORD_ENV",
    "PROVIDERS",
    "TAG_VALUE_POLICIES",
    "CheckSelection",
    "CloudOptions",
    "CollectionPlan",
    "Evaluation",
    "EvaluationPlan",
    "EvaluationRequest",
    "ExitCode",
    "Gate",
    "HostOptions",
    "LoadedConfig",
    "ScanOptions",
    "TargetRequest",
    "byte_size",
    "judge_snapshot",
    "load_config",
    "plan_collection",
    "plan_evaluation",
    "run_evaluation",
    "summarize_content",
    "unreached_targets",
    "write_outputs",
]

log = logging.getLogger("mlpscan")

DEFAULT_OUTPUT_DIR = "mlpscan-out"
DEFAULT_LEVEL = 3
SNAPSHOT_FILE = "snapshot.json"
FAIL_ON = ("critical", "high", "medium", "low", "info", "any", "none")


class ExitCode(IntEnum):
    """What the process exit code means (DESIGN §9): one meaning each."""

    OK = 0              # no failing or error finding counted by the gate
    FINDINGS = 1        # the gate counted such findings
    INPUT = 2           # bad input: command line, config, content, snapshot ... (one line)
    NO_TARGET = 3       # no target could be collected at all
    INTERNAL = 4        # a defect in mlpscan (one line; the traceback with --debug)


# -- the config file ----------------------------------------------------------------------------

@dataclass(frozen=True)
class LoadedConfig:
    config: Config
    path: Path | None = None

    @property
    def directory(self) -> Path:
        return self.path.parent if self.path is not None else Path()

    @property
    def declared(self) -> str | None:
        return self.path.as_posix() if self.path is not None else None

    def located(self, exc: InputError) -> InputError:
        """The same problem, said to come from this config file when it has no file of its own."""
        if exc.path is not None or self.path is None:
            return exc
        return InputError(exc.message, path=self.path)


def load_config(path: Path | None) -> LoadedConfig:
    if path is None:
        return LoadedConfig(Config())
    check_path(path)
    return LoadedConfig(read_config(path), path)


# -- choosing checks ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckSelection:
    """Run-time choice of checks, with the meaning of a profile's `exclude_checks` (id globs)."""

    checks: tuple[str, ...] = ()      # ids or globs to keep; empty: every check of the profile
    exclude: tuple[str, ...] = ()     # ids or globs to leave out
    providers: tuple[str, ...] = ()   # only checks for, and targets of, these providers

    @property
    def active(self) -> bool:
        return bool(self.checks or self.exclude or self.providers)


def select_checks(content: Content, profile: ResolvedProfile, selection: CheckSelection) -> ResolvedProfile:
    """The profile with the checks the selection drops added to its exclusions.

    A `--checks` pattern that matches no check of the profile is an error, not an empty (and so
    green) run: a typo must never pass.
    """
    if not selection.active:
        return profile
    unknown = [p for p in selection.providers if p not in PROVIDERS]
    if unknown:
        raise InputError(f"--provider: unknown provider {unknown[0]!r}; use {', '.join(PROVIDERS)}")
    candidates = content.checks_for(profile)
    for pattern in selection.checks:
        if not any(fnmatchcase(c.id, pattern) for c in candidates):
            raise InputError(f"--checks: {pattern!r} matches no check of profile {profile.id} "
                             "(see 'mlpscan checks list')")
    for pattern in selection.exclude:
        if not any(fnmatchcase(c.id, pattern) for c in candidates):
            log.warning("--exclude-checks: %r matches no check of profile %s", pattern, profile.id)
    kept = [c for c in candidates if _selected(c, selection)]
    if not kept:
        raise InputError("the check selection (--checks, --exclude-checks, --provider) leaves no check "
                         "to run")
    dropped = sorted({c.id for c in candidates} - {c.id for c in kept})
    return replace(profile, exclude_checks=(*profile.exclude_checks, *dropped))


def _selected(check: Check, selection: CheckSelection) -> bool:
    if selection.checks and not any(fnmatchcase(check.id, p) for p in selection.checks):
        return False
    if any(fnmatchcase(check.id, p) for p in selection.exclude):
        return False
    return not selection.providers or any(p in selection.providers for p in check.provider)


# -- the gate -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Gate:
    """Which findings make the exit code 1."""

    threshold: Severity | None = Severity.INFO   # None: none ever does (--fail-on none)
    errors: bool = True                          # --fail-on-errors no leaves `error` findings out

    def counts(self, finding: Finding) -> bool:
        if self.threshold is None:
            return False
        gated = finding.status is Status.FAIL or (self.errors and finding.status is Status.ERROR)
        return gated and finding.severity.rank >= self.threshold.rank

    def failing(self, report: Report, comparison: Comparison | None = None) -> list[Finding]:
        """The counted findings; with a baseline, only those that are new against it."""
        return [f for f in report.findings
                if self.counts(f) and (comparison is None or comparison.is_new(f))]


def parse_fail_on(value: str, origin: str = "--fail-on") -> Severity | None:
    if value == "none":
        return None
    if value == "any":
        return Severity.INFO
    try:
        return Severity(value)
    except ValueError:
        raise InputError(f"{origin}: unknown severity {value!r}; use {', '.join(FAIL_ON)}") from None


# -- evaluation ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class EvaluationRequest:
    """What to evaluate against, where outputs go, what fails the run (None: the config's, else default)."""

    content: Path | None = None
    config: Path | None = None
    level: int | None = None
    profile: str | None = None
    waivers: Path | None = None
    formats: str | None = None             # comma list, e.g. "table,json"
    output_dir: str | None = None          # "-": the one file format to standard output
    fail_on: str | None = None
    fail_on_errors: bool = True
    baseline: Path | None = None
    selection: CheckSelection = field(default_factory=CheckSelection)
    sarif_category: str | None = None
    sarif_anchor: str | None = None
    today: date | None = None
    lang: Lang | None = None               # the assessment record's language (None: the locale's)
    answers: Path | None = None            # survey answers merged into the record


@dataclass(frozen=True)
class EvaluationPlan:
    content: Content
    config: LoadedConfig
    profile: ResolvedProfile               # the run-time selection applied
    checks: tuple[Check, ...]
    waivers: tuple[tuple[Waiver, str | None], ...]
    formats: tuple[str, ...]
    output_dir: Path | None                # None: standard output
    gate: Gate
    baseline: Report | None
    request: EvaluationRequest
    available: int                         # checks of the profile before the run-time selection
    answers: tuple[SurveyAnswer, ...] = () # read and checked before anything is collected

    @property
    def to_stdout(self) -> bool:
        return self.output_dir is None

    @property
    def selection_note(self) -> str | None:
        if not self.request.selection.active:
            return None
        return f"{len(self.checks)} of {self.available} checks of profile {self.profile.id} selected"

    def wants(self, resource_type: str) -> bool:
        """Whether a resource type is read by a selected check (collect asks for no more)."""
        if resource_type in {target_resource_type(p) for p in PROVIDERS}:
            return True
        return any(check.reads(resource_type) for check in self.checks)


def plan_evaluation(request: EvaluationRequest) -> EvaluationPlan:
    content = load_content(request.content)
    config = load_config(request.config)
    waivers: list[tuple[Waiver, str | None]] = [(w, config.declared) for w in config.config.waivers]
    if request.waivers is not None:
        check_path(request.waivers)
        waivers += [(w, str(request.waivers)) for w in read_waivers(request.waivers)]
    chosen = _profile(request, config, content)
    profile = select_checks(content, chosen, request.selection)
    output_dir = _output_dir(request, config)
    formats = _formats(request, config, to_stdout=output_dir is None)
    fail_on = request.fail_on or config.config.output.fail_on or "any"
    _check_sarif_anchor(request.sarif_anchor)
    origin = "--fail-on" if request.fail_on else f"{config.declared}: output.fail_on"
    gate = Gate(parse_fail_on(fail_on, origin), errors=request.fail_on_errors)
    baseline = None
    if request.baseline is not None:
        check_path(request.baseline)
        baseline = read_baseline(request.baseline)
        if baseline.profile.id != profile.id:
            log.warning("the baseline %s was evaluated with profile %s, this run with %s: findings are "
                        "compared by check, target and resource", request.baseline, baseline.profile.id,
                        profile.id)
    answers: tuple[SurveyAnswer, ...] = ()
    if request.answers is not None:
        check_path(request.answers)
        known = {u.id for u in level_units(content.root, content.catalog, profile.level).units}
        answers = tuple(read_answers(request.answers, profile.level, known))
    return EvaluationPlan(content=content, config=config, profile=profile,
                          checks=tuple(content.checks_for(profile)), waivers=tuple(waivers), formats=formats,
                          output_dir=output_dir, gate=gate, baseline=baseline, request=request,
                          available=len(content.checks_for(chosen)), answers=answers)


def _check_sarif_anchor(anchor: str | None) -> None:
    """A repository file, relative to the checkout (the working directory in CI)."""
    if anchor is None:
        return
    check_path(anchor)
    if not anchor.strip() or Path(anchor).is_absolute() or "://" in anchor or ".." in Path(anchor).parts:
        raise InputError(f"--sarif-anchor: {anchor!r} must be a path inside the repository, relative to it")
    if not Path(anchor).is_file():
        log.warning("--sarif-anchor: %s is not a file of the working directory; code scanning will not "
                    "find it in the repository", anchor)


def _profile(request: EvaluationRequest, config: LoadedConfig, content: Content) -> ResolvedProfile:
    if request.profile:
        check_path(request.profile)
        return content.profile(request.profile)
    if request.level:
        return content.level_profile(request.level)
    system = config.config.system
    if system.profile:
        named = system.profile
        try:
            return content.profile(named if named in content.profile_files else str(config.directory / named))
        except InputError as exc:
            raise config.located(InputError(f"system.profile: {exc.message}", path=exc.path)) from None
    return content.level_profile(system.level or DEFAULT_LEVEL)


def _output_dir(request: EvaluationRequest, config: LoadedConfig) -> Path | None:
    if request.output_dir is not None:
        chosen, origin = request.output_dir, None
    else:
        chosen, origin = config.config.output.dir or DEFAULT_OUTPUT_DIR, config.path
    if chosen == STDOUT:
        return None
    try:
        check_path(chosen)
        if not chosen.strip():
            raise InputError("the output directory is empty")
        directory = Path(chosen)
        if directory.exists() and not directory.is_dir():
            raise InputError(f"the output directory {chosen!r} exists and is not a directory")
    except InputError as exc:
        where = "output.dir" if origin is not None else "--output-dir"
        raise InputError(f"{where}: {exc.message}", path=origin) from None
    return directory


def _formats(request: EvaluationRequest, config: LoadedConfig, *, to_stdout: bool) -> tuple[str, ...]:
    if request.formats is not None:
        formats = [part.strip() for part in request.formats.split(",") if part.strip()]
        unknown = [f for f in formats if f not in FORMATS]
        if unknown or not formats:
            raise InputError(f"--format: unknown format {unknown[0]!r}; use {', '.join(FORMATS)}"
                             if unknown else "--format: no format given")
    elif config.config.output.formats:
        formats = list(config.config.output.formats)
    else:
        formats = ["json"] if to_stdout else list(DEFAULT_FORMATS)
    if to_stdout and (len(formats) != 1 or formats[0] == TABLE):
        raise InputError("--output-dir -: standard output takes exactly one file format "
                         f"({', '.join(FILE_FORMATS)}), for example --format json")
    return tuple(dict.fromkeys(formats))


@dataclass(frozen=True)
class Evaluation:
    report: Report                         # filtered to the selected providers' targets
    comparison: Comparison | None
    unreached: Mapping[str, str]           # target -> why it could not be collected at all
    written: list[Path]
    stdout: bytes | None                   # the one file format, when it goes to standard output
    exit_code: ExitCode


@dataclass(frozen=True)
class Judged:
    """An evaluation before its files are written: all that is left of the snapshot."""

    report: Report
    comparison: Comparison | None
    unreached: Mapping[str, str]
    render: RenderInput
    exit_code: ExitCode


def judge_snapshot(plan: EvaluationPlan, snapshot: Snapshot, *, anchors: Mapping[str, str] | None = None,
                   notifications: Sequence[str] = ()) -> Judged:
    """Evaluate and compare with the baseline. Nothing returned refers to the snapshot, so a caller
    that lets it go before `write_outputs` renders the files without it in memory."""
    config = plan.config
    report = evaluate(snapshot, plan.content, plan.profile, waivers=plan.waivers,
                      platforms=config.config.platforms,
                      platforms_source=f"declared in {config.declared}" if config.path else "declared",
                      today=plan.request.today)
    report = with_metadata(_only_providers(report, snapshot.targets, plan.request.selection.providers),
                           snapshot, config.config)
    comparison = compare(report, plan.baseline, plan.request.baseline) \
        if plan.baseline is not None and plan.request.baseline is not None else None
    if anchors is None:
        declared = config.declared
        anchors = {t.id: declared for t in snapshot.targets} if declared is not None else {}
    given = RenderInput(report=report, checks={c.id: c for c in plan.checks}, catalog=plan.content.catalog,
                        anchors={t: relative_uri(p) for t, p in anchors.items()},
                        sarif_anchor=plan.request.sarif_anchor, sarif_category=plan.request.sarif_category,
                        notifications=notifications, comparison=comparison, content=plan.content,
                        lang=plan.request.lang, answers=plan.answers, baseline=plan.baseline)
    unreached = unreached_targets(snapshot)
    if snapshot.targets and len(unreached) == len(snapshot.targets):
        code = ExitCode.NO_TARGET
    else:
        code = ExitCode.FINDINGS if plan.gate.failing(report, comparison) else ExitCode.OK
    return Judged(report=report, comparison=comparison, unreached=unreached, render=given, exit_code=code)


def write_outputs(plan: EvaluationPlan, judged: Judged, *, extra_files: Mapping[str, bytes] | None = None
                  ) -> Evaluation:
    """Render every file format and write them all or none (or the one format for standard output)."""
    renderers = {FILE_FORMATS[f].filename: partial(FILE_FORMATS[f].render, judged.render)
                 for f in plan.formats if f in FILE_FORMATS}
    if plan.output_dir is None:
        stdout, written = next(iter(renderers.values()))(), []
        if extra_files:
            log.warning("with --output-dir - only the %s goes out (to standard output); %s is not kept",
                        plan.formats[0], ", ".join(extra_files))
    else:
        stdout = None
        try:
            written = write_files(plan.output_dir, {**(extra_files or {}), **renderers})
        except InputError as exc:
            raise plan.config.located(exc) if plan.request.output_dir is None else exc from None
    return Evaluation(report=judged.report, comparison=judged.comparison, unreached=judged.unreached,
                      written=written, stdout=stdout, exit_code=judged.exit_code)


def run_evaluation(plan: EvaluationPlan, snapshot: Snapshot, *, anchors: Mapping[str, str] | None = None,
                   notifications: Sequence[str] = (), extra_files: Mapping[str, bytes] | None = None
                   ) -> Evaluation:
    """Evaluate, compare with the baseline, render every file format and write them all or none."""
    judged = judge_snapshot(plan, snapshot, anchors=anchors, notifications=notifications)
    return write_outputs(plan, judged, extra_files=extra_files)


def _only_providers(report: Report, targets: Iterable[Target], providers: Sequence[str]) -> Report:
    if not providers:
        return report
    kept_targets = {t.id for t in targets if t.provider in providers}
    if not kept_targets:
        raise InputError(f"the snapshot has no target of --provider {','.join(providers)}: nothing would be "
                         "evaluated")
    findings = [f for f in report.findings if f.resource.target in kept_targets]
    return report.model_copy(update={"findings": findings, "summary": summarize(findings)})


def unreached_targets(snapshot: Snapshot) -> dict[str, str]:
    """Targets of which nothing at all was collected, each with its first collection error."""
    collected = {r.target for r in snapshot.resources}
    first: dict[str, str] = {}
    for error in snapshot.errors:
        if error.target not in first:
            detail = f": {error.message}" if error.message else ""
            first[error.target] = f"{error.operation} returned {error.code}{detail}"
    return {t.id: first[t.id] for t in snapshot.targets if t.id not in collected and t.id in first}


def relative_uri(path: str) -> str:
    """SARIF consumers (GitHub) need a path relative to the checkout: the working directory."""
    declared = Path(path)
    if not declared.is_absolute():
        return declared.as_posix()
    try:
        return declared.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return declared.name


# -- collection ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TargetRequest:
    targets: tuple[str, ...] = ()          # local, ssh://..., aws[:PROFILE] ...
    inventory: Path | None = None
    limit: str | None = None
    regions: tuple[str, ...] = ()          # each may be a comma list
    role_arns: tuple[str, ...] = ()
    shard: str | None = None               # "K/N", or "auto": from the job engine's environment


@dataclass(frozen=True)
class ScanOptions:
    """How targets are reached: hosts (SSH, sudo) and cloud APIs."""

    sudo: bool = False
    max_workers: int = DEFAULT_MAX_WORKERS
    known_hosts: Path | None = None
    accept_new_host_keys: bool = False
    identity: tuple[Path, ...] = ()
    ssh_config: Path | None = None
    password: str | None = None            # else MLPSCAN_SSH_PASSWORD
    connect_timeout: float = 10.0
    command_timeout: float = 120.0
    session_timeout: float = DEFAULT_SESSION_TIMEOUT
    max_command_output: int = DEFAULT_MAX_COMMAND_BYTES
    max_session_output: int = DEFAULT_MAX_SESSION_BYTES
    api_workers: int = DEFAULT_API_WORKERS
    read_timeout: float = DEFAULT_READ_TIMEOUT
    tag_values: TagValues = "mask-secrets"


@dataclass(frozen=True)
class CollectionPlan:
    hosts: tuple[HostSpec, ...]
    clouds: tuple[CloudSource, ...]
    host_options: HostOptions
    cloud_options: CloudOptions
    max_workers: int
    config: LoadedConfig
    partition: Partition | None = None     # sharded: this shard's share of the plan

    @property
    def size(self) -> int:
        hosts = len(self.partition.hosts) if self.partition is not None else len(self.hosts)
        return hosts + len(self.clouds)

    @property
    def needs_password(self) -> bool:
        return any(h.transport == "ssh" for h in self.hosts)

    def with_password(self, password: str) -> CollectionPlan:
        return replace(self, host_options=replace(self.host_options, password=password))

    def collect(self, content: Content, wanted: Callable[[str], bool] = lambda _: True,
                on_done: Callable[[Target], None] | None = None) -> Snapshot:
        return collect(self.hosts, content, self.host_options, clouds=self.clouds,
                       cloud_options=self.cloud_options, wanted=wanted, max_workers=self.max_workers,
                       on_done=on_done, partition=self.partition)

    def anchors(self, snapshot: Snapshot) -> dict[str, str]:
        """Target id -> the file that declared it (SARIF locations)."""
        anchors = {h.id: h.declared_in for h in self.hosts if h.declared_in}
        declared_clouds = {c.provider for c in self.clouds if c.declared_in}
        if self.config.declared is not None:
            anchors |= {t.id: self.config.declared for t in snapshot.targets if t.provider in declared_clouds}
        return anchors


def plan_collection(request: TargetRequest, options: ScanOptions, config: LoadedConfig,
                    providers: Sequence[str] = ()) -> CollectionPlan:
    """Hosts and cloud sources (the command line's, else the config's, else this host), checked;
    with a shard, the share of them this process collects."""
    _check_options(options)
    shard = requested_shard(request.shard, os.environ)
    hosts, clouds = _targets(request, config, providers)
    _require_extras(hosts, clouds)
    if any(h.transport == "ssh" for h in hosts):
        _check_ssh_inputs(options)
    host_options = HostOptions(
        sudo=options.sudo, command_timeout=options.command_timeout, connect_timeout=options.connect_timeout,
        session_timeout=options.session_timeout, max_command_output=options.max_command_output,
        max_session_output=options.max_session_output,
        known_hosts=options.known_hosts, accept_new_host_keys=options.accept_new_host_keys,
        identity_files=list(options.identity), ssh_config=options.ssh_config,
        password=options.password if options.password is not None else os.environ.get(PASSWORD_ENV))
    budgets: dict[str, Mapping[str, Limit]] = {provider: rate_limits(provider, given)
                                               for provider, given in config.config.rate_limits.items()}
    cloud_options = CloudOptions(api_workers=options.api_workers, connect_timeout=options.connect_timeout,
                                 read_timeout=options.read_timeout, tag_values=options.tag_values,
                                 rate_limits=budgets)
    return CollectionPlan(hosts=tuple(hosts), clouds=tuple(clouds), host_options=host_options,
                          cloud_options=cloud_options, max_workers=options.max_workers, config=config,
                          partition=partition(hosts, clouds, shard) if shard is not None else None)


def rate_limits(provider: str, given: RateLimits) -> dict[str, Limit]:
    """mlpscan.yaml's budgets as buckets: what a service's entry leaves unset is the built-in limit's
    for that service (or for the provider's other services), else burst = rate, per account and action."""
    return {service: _limit(provider, service, entry) for service, entry in given.items()}


def _limit(provider: str, service: str, entry: RateLimitConfig) -> Limit:
    defaults = DEFAULT_LIMITS.get(provider, {})
    base = defaults.get(service) or defaults.get("*")
    burst = entry.burst if entry.burst is not None else (base.burst if base else max(1.0, entry.rate))
    return Limit(rate=entry.rate, burst=burst,
                 scope=entry.scope or (base.scope if base else "account"),
                 per=entry.per or (base.per if base else "action"))


def _check_options(options: ScanOptions) -> None:
    for flag, count in (("--max-workers", options.max_workers), ("--api-workers", options.api_workers)):
        if count < 1:
            raise InputError(f"{flag} must be at least 1")
    for flag, seconds in (("--connect-timeout", options.connect_timeout),
                          ("--command-timeout", options.command_timeout),
                          ("--session-timeout", options.session_timeout),
                          ("--read-timeout", options.read_timeout)):
        check_seconds(seconds, flag)
    for path in (options.known_hosts, options.ssh_config, *options.identity):
        if path is not None:
            check_path(path)


def check_seconds(seconds: float, flag: str) -> float:
    if not math.isfinite(seconds) or seconds <= 0:
        raise InputError(f"{flag} must be a positive number of seconds, not {seconds!r}")
    return seconds


def _targets(request: TargetRequest, config: LoadedConfig,
             providers: Sequence[str]) -> tuple[list[HostSpec], list[CloudSource]]:
    if request.limit and not (request.inventory or config.config.inventory):
        raise InputError("--limit needs an inventory (--inventory FILE or 'inventory:' in the config)")
    parsed = [parse_target(text) for text in request.targets]
    regions = tuple(r.strip() for given in request.regions for r in given.split(",") if r.strip())
    hosts = [t for t in parsed if isinstance(t, HostSpec)]
    clouds = [replace(c, regions=regions, role_arn=role) for c in parsed if isinstance(c, CloudSource)
              for role in (request.role_arns or [None])]
    if (regions or request.role_arns) and not clouds:
        raise InputError("--region and --role-arn apply to cloud targets (aws, aliyun, tencent)")
    if providers:
        given: list[HostSpec | CloudSource] = [*hosts, *clouds]
        stray = next((t for t in given if _provider(t) not in providers), None)
        if stray is not None:
            raise InputError(f"target {stray} is not of --provider {','.join(providers)}")
    if request.inventory:
        check_path(request.inventory)
        hosts += read_inventory(request.inventory, request.limit)
    if not hosts and not clouds:
        config_hosts, config_clouds = _config_targets(request, config)
        hosts += [h for h in config_hosts if not providers or "host" in providers]
        clouds += [c for c in config_clouds if not providers or c.provider in providers]
    if not hosts and not clouds:
        if providers and "host" not in providers:
            raise InputError(f"no target of --provider {','.join(providers)} (give one, or declare it in "
                             "the config's targets: or clouds:)")
        inventory = request.inventory or (config.directory / config.config.inventory
                                          if config.config.inventory else None)
        if inventory is not None:   # never this machine in place of the fleet an inventory was to name
            group = f" in group {request.limit!r}" if request.limit else ""
            raise InputError(f"the inventory names no host{group}: nothing to scan (name a target, or local "
                             "for this machine)", path=inventory)
        hosts = [HostSpec(transport="local")]
    seen: dict[str, HostSpec] = {}
    for host in hosts:
        if host.id in seen:
            first = seen[host.id]
            files = sorted({f for f in (first.declared_in, host.declared_in) if f})
            where = f" (in {' and '.join(files)})" if files else ""
            raise InputError(f"target {host} is given twice{where}")
        seen[host.id] = host
    return hosts, [replace(c, endpoint=resolve_endpoint(c)) for c in clouds]


def _config_targets(request: TargetRequest, config: LoadedConfig) -> tuple[list[HostSpec], list[CloudSource]]:
    hosts: list[HostSpec] = []
    clouds: list[CloudSource] = []
    try:
        for parsed in (parse_target(text, declared_in=config.declared) for text in config.config.targets):
            if isinstance(parsed, HostSpec):
                hosts.append(parsed)
            else:
                clouds.append(parsed)
    except InputError as exc:
        raise config.located(exc) from None
    clouds += [source for entry in config.config.clouds for source in _config_sources(entry, config.declared)]
    if config.config.inventory:
        hosts += read_inventory(config.directory / config.config.inventory, request.limit)
    return hosts, clouds


def _config_sources(entry: CloudConfig, declared_in: str | None) -> list[CloudSource]:
    base = CloudSource(provider=entry.provider, profile=entry.profile, regions=tuple(entry.regions),
                       endpoint=entry.endpoint, use_instance_role=entry.instance_role,
                       read_timeout=entry.read_timeout, declared_in=declared_in,
                       rate_limits=tuple(rate_limits(entry.provider, entry.rate_limits).items()))
    if not entry.accounts:
        return [base]
    return [replace(base, role_arn=a.role_arn, external_id=a.external_id, name=a.name)
            for a in entry.accounts]


def _provider(target: HostSpec | CloudSource) -> str:
    return "host" if isinstance(target, HostSpec) else target.provider


def _check_ssh_inputs(options: ScanOptions) -> None:
    """The SSH client's own files are input too: one that cannot be read or parsed is said once,
    here, not as a failure of every host."""
    import paramiko  # noqa: PLC0415 - the optional `host` extra, present once _require_extras passed

    for flag, given in (("--ssh-config", options.ssh_config), ("--known-hosts", options.known_hosts),
                        *(("--identity", key) for key in options.identity)):
        if given is not None and not given.is_file():
            raise InputError(f"{flag}: not a readable file", path=given)
    config = options.ssh_config if options.ssh_config is not None else Path.home() / ".ssh" / "config"
    try:
        if config.is_file():
            paramiko.SSHConfig.from_path(str(config))
    except (paramiko.ConfigParseError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"invalid SSH client configuration: {exc}", path=config) from None
    try:
        if options.known_hosts is not None:
            paramiko.HostKeys(str(options.known_hosts))
    except (paramiko.hostkeys.InvalidHostKey, paramiko.SSHException, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"invalid known_hosts file: {exc}", path=options.known_hosts) from None


def _require_extras(hosts: Sequence[HostSpec], clouds: Sequence[CloudSource]) -> None:
    """A provider whose optional SDK is not installed is bad input, said before anything runs."""
    if any(h.transport == "ssh" for h in hosts):
        try:
            importlib.import_module("mlpscan.providers.host.ssh")
        except ImportError as exc:
            raise InputError(f"ssh:// targets need paramiko ({exc.name or exc} is not installed): "
                             "pip install 'mlpscan[host]'") from None
    for provider in sorted({c.provider for c in clouds}):
        provider_module(provider)


def summarize_content(content: Content) -> str:
    """What `validate` found, in one line."""
    per_level = ", ".join(f"L{lvl} {len(content.catalog.for_level(lvl))}" for lvl in (1, 2, 3, 4))
    regions = ", ".join(f"{p} {len(r.regions)}" for p, r in sorted(content.regions.items()))
    return (f"{len(content.checks)} checks, {len(content.families)} control families, "
            f"{len(content.catalog)} clauses ({per_level}), {len(content.profile_files)} profiles, "
            f"{len(content.params)} parameters, {len(content.laws)} laws, regions: {regions}, "
            f"{len(content.platforms.platforms)} platform entries, {len(content.resource_types)} resource "
            f"types, {len(content.host_commands)} host commands")
