"""The command line: a thin shell over the library API (DESIGN §9)."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from mlpscan._version import __version__
from mlpscan.collect import DEFAULT_MAX_WORKERS, collect
from mlpscan.config import CloudConfig, Config, read_config
from mlpscan.content import Content, load_content
from mlpscan.engine import evaluate
from mlpscan.errors import InputError
from mlpscan.findings import Report, Severity
from mlpscan.grading import DEGREES, OBJECTS, Grading, grade
from mlpscan.inventory import read_inventory
from mlpscan.profiles import ResolvedProfile
from mlpscan.providers.cloud.collect import DEFAULT_API_WORKERS, CloudOptions
from mlpscan.providers.cloud.source import CloudSource, resolve_endpoint
from mlpscan.providers.host.collector import HostOptions
from mlpscan.providers.host.transport import PASSWORD_ENV
from mlpscan.snapshot import Snapshot, dump_snapshot, read_snapshot
from mlpscan.targets import HostSpec, parse_target
from mlpscan.waivers import Waiver, read_waivers
from mlpscan.writers import render_json, render_sarif, render_table

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_NO_TARGET = 0, 1, 2, 3
FORMATS = ("table", "json", "sarif")
OUTPUT_FILES = {"json": "mlpscan-report.json", "sarif": "mlpscan.sarif"}
DEFAULT_OUTPUT_DIR = "mlpscan-out"
DEFAULT_LEVEL = 3
PIPED_WIDTH = 200

log = logging.getLogger("mlpscan")


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(EXIT_INPUT)


class _Collect(logging.Handler):
    """Keeps warnings so the SARIF file can carry them as tool notifications."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter("mlpscan: %(levelname)s: %(message)s"))
    collected = _Collect()
    log.handlers[:] = [stderr, collected]
    log.setLevel(logging.WARNING)
    log.propagate = False
    try:
        code: int = args.run(args, collected)
    except InputError as exc:
        sys.stderr.write(f"mlpscan: error: {exc}\n")
        return EXIT_INPUT
    return code


def _build_parser() -> argparse.ArgumentParser:  # noqa: PLR0915 - one declaration per option
    parser = _Parser(prog="mlpscan", description="Check infrastructure against MLPS 2.0 "
                     "(GB/T 22239-2019) at protection levels 1-4.")
    parser.add_argument("--version", action="version", version=f"mlpscan {__version__}")
    content = _Parser(add_help=False)
    content.add_argument("--content", metavar="DIR", help="content directory (checks/, profiles/, "
                         "providers/) instead of the packaged one")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    evaluation = _Parser(add_help=False)
    chosen = evaluation.add_mutually_exclusive_group()
    chosen.add_argument("--level", type=int, choices=(1, 2, 3, 4))
    chosen.add_argument("--profile", metavar="NAME|PATH")
    evaluation.add_argument("--config", type=Path, metavar="FILE", help="mlpscan.yaml")
    evaluation.add_argument("--waivers", type=Path, metavar="FILE", help="YAML file with a 'waivers:' list")
    evaluation.add_argument("--format", metavar="LIST", help="comma list of table,json,sarif (default: all)")
    evaluation.add_argument("--output-dir", type=Path, metavar="DIR")
    evaluation.add_argument("--fail-on", metavar="SEVERITY|none",
                            help="lowest severity of fail/error findings that makes the exit code 1 "
                                 "(critical, high, medium, low, info, any; default any)")
    evaluation.add_argument("--sarif-category", metavar="NAME", help="SARIF automationDetails category "
                            "(default: the target id, or a stable name for a set of targets)")
    evaluation.add_argument("--today", type=date.fromisoformat, metavar="YYYY-MM-DD",
                            help="date against which waiver expiry is judged (default: today)")

    hosts = _Parser(add_help=False)
    hosts.add_argument("targets", nargs="*", metavar="TARGET",
                       help="local or ssh://[user@]host[:port] (default: the config's targets, else local)")
    hosts.add_argument("--inventory", type=Path, metavar="FILE",
                       help="Ansible inventory (INI or YAML) whose hosts are scanned over SSH")
    hosts.add_argument("--limit", metavar="GROUP", help="only the inventory's hosts in GROUP")
    hosts.add_argument("--sudo", action="store_true",
                       help="run the read-only commands through `sudo -n` (root-only reads)")
    hosts.add_argument("--max-workers", type=int, default=DEFAULT_MAX_WORKERS, metavar="N",
                       help=f"hosts scanned at once (default {DEFAULT_MAX_WORKERS})")
    hosts.add_argument("--known-hosts", type=Path, metavar="FILE",
                       help="known_hosts file to verify host keys against (default: the system and "
                            "user files, or UserKnownHostsFile from ~/.ssh/config)")
    hosts.add_argument("--accept-new-host-keys", action="store_true",
                       help="accept unknown host keys (never changed ones); recorded in the snapshot")
    hosts.add_argument("--identity", type=Path, action="append", default=[], metavar="FILE",
                       help="private key file (repeatable; the agent and ~/.ssh keys are tried too)")
    hosts.add_argument("--ssh-config", type=Path, metavar="FILE", help="instead of ~/.ssh/config")
    hosts.add_argument("--ask-password", action="store_true",
                       help=f"prompt for the SSH password (or set {PASSWORD_ENV}); never a flag value")
    hosts.add_argument("--region", action="append", default=[], metavar="ID[,ID...]",
                       help="cloud targets on the command line: only these regions (default: every "
                            "enabled region)")
    hosts.add_argument("--role-arn", action="append", default=[], metavar="ARN",
                       help="cloud targets on the command line: assume this role (repeatable: one "
                            "account per role)")
    hosts.add_argument("--api-workers", type=int, default=DEFAULT_API_WORKERS, metavar="N",
                       help=f"cloud API calls in flight at once (default {DEFAULT_API_WORKERS})")
    hosts.add_argument("--connect-timeout", type=float, default=10.0, metavar="SECONDS")
    hosts.add_argument("--command-timeout", type=float, default=120.0, metavar="SECONDS")

    sc_ = sub.add_parser("scan", parents=[content, evaluation, hosts],
                         help="collect and evaluate (default: this host at level 3)")
    sc_.set_defaults(run=_cmd_scan)

    co_ = sub.add_parser("collect", parents=[content, hosts], help="collect a snapshot only")
    co_.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    co_.add_argument("--config", type=Path, metavar="FILE", help="mlpscan.yaml (for its targets)")
    co_.set_defaults(run=_cmd_collect)

    ev = sub.add_parser("evaluate", parents=[content, evaluation], help="evaluate a snapshot offline")
    ev.add_argument("snapshot", type=Path)
    ev.set_defaults(run=_cmd_evaluate)

    ve = sub.add_parser("verify", help="recompute a snapshot's digest")
    ve.add_argument("snapshot", type=Path)
    ve.set_defaults(run=_cmd_verify)

    checks = sub.add_parser("checks", help="list or show checks")
    checks_sub = checks.add_subparsers(dest="action", required=True, parser_class=_Parser)
    cl = checks_sub.add_parser("list", parents=[content])
    cl.add_argument("--provider", choices=("host", "aws", "aliyun", "tencent"))
    cl.add_argument("--level", type=int, choices=(1, 2, 3, 4))
    cl.set_defaults(run=_cmd_checks_list)
    cs = checks_sub.add_parser("show", parents=[content])
    cs.add_argument("id")
    cs.set_defaults(run=_cmd_checks_show)

    profiles = sub.add_parser("profiles", help="list or show level profiles")
    profiles_sub = profiles.add_subparsers(dest="action", required=True, parser_class=_Parser)
    pl = profiles_sub.add_parser("list", parents=[content])
    pl.set_defaults(run=_cmd_profiles_list)
    ps = profiles_sub.add_parser("show", parents=[content])
    ps.add_argument("name", metavar="NAME|PATH")
    ps.set_defaults(run=_cmd_profiles_show)

    co = sub.add_parser("coverage", parents=[content],
                        help="which checks cover each clause of a level, and what stays manual")
    co.add_argument("--level", type=int, choices=(1, 2, 3, 4), required=True)
    co.add_argument("--json", action="store_true", help="machine-readable output")
    co.set_defaults(run=_cmd_coverage)

    gr = sub.add_parser("grade", help="protection level from the harm (GB/T 22240-2020)")
    gr.add_argument("--object", choices=tuple(OBJECTS), required=True,
                    help="object harmed if business information is compromised")
    gr.add_argument("--degree", choices=tuple(DEGREES), required=True)
    gr.add_argument("--service-object", choices=tuple(OBJECTS),
                    help="object harmed if the system service is disrupted")
    gr.add_argument("--service-degree", choices=tuple(DEGREES))
    gr.set_defaults(run=_cmd_grade)

    va = sub.add_parser("validate", parents=[content], help="load and lint all content")
    va.set_defaults(run=_cmd_validate)

    sc = sub.add_parser("schema", help="print the JSON Schema of a file format")
    sc.add_argument("kind", choices=("snapshot", "report", "config"))
    sc.set_defaults(run=_cmd_schema)
    return parser


# -- evaluate -----------------------------------------------------------------------------------

@dataclass
class _Plan:
    """Everything an evaluation needs, settled before any collection so that bad input fails first."""

    content: Content
    config: Config
    config_path: Path | None
    formats: list[str]
    threshold: Severity | None
    out_dir: Path
    profile: ResolvedProfile
    waivers: list[tuple[Waiver, str | None]]


def _plan(args: argparse.Namespace) -> _Plan:
    content = load_content(args.content)
    config = read_config(args.config) if args.config else Config()
    config_dir = args.config.parent if args.config else Path()
    waivers: list[tuple[Waiver, str | None]] = [(w, str(args.config)) for w in config.waivers]
    if args.waivers:
        waivers += [(w, str(args.waivers)) for w in read_waivers(args.waivers)]
    return _Plan(content=content, config=config, config_path=args.config,
                 formats=_formats(args.format, config),
                 threshold=_fail_on(args.fail_on or config.output.fail_on or "any"),
                 out_dir=args.output_dir or Path(config.output.dir or DEFAULT_OUTPUT_DIR),
                 profile=_choose_profile(args, config, config_dir, content), waivers=waivers)


def _cmd_evaluate(args: argparse.Namespace, collected: _Collect) -> int:
    plan = _plan(args)
    return _report(plan, read_snapshot(args.snapshot), args, collected)


def _report(plan: _Plan, snapshot: Snapshot, args: argparse.Namespace, collected: _Collect, *,
            extra_files: dict[str, bytes] | None = None, anchors: dict[str, str] | None = None) -> int:
    """Evaluate, write every output (or none), print the table; the exit code of DESIGN §9."""
    config_path = plan.config_path
    report = evaluate(snapshot, plan.content, plan.profile, waivers=plan.waivers,
                      platforms=plan.config.platforms,
                      platforms_source=f"declared in {config_path}" if config_path else "declared",
                      today=args.today)
    if anchors is None:
        anchors = {t.id: config_path.as_posix() for t in snapshot.targets} if config_path else {}
    anchors = {target: _relative_uri(path) for target, path in anchors.items()}
    files = dict(extra_files or {})
    if "json" in plan.formats:
        files[OUTPUT_FILES["json"]] = render_json(report)
    if "sarif" in plan.formats:
        selected = {c.id: c for c in plan.content.checks_for(plan.profile)}
        files[OUTPUT_FILES["sarif"]] = render_sarif(
            report, selected, plan.content.catalog, anchors=anchors, category=args.sarif_category,
            notifications=collected.messages)
    _write_all(plan.out_dir, files)
    if "table" in plan.formats:
        render_table(report, _stdout_console())
    for name in files:
        sys.stderr.write(f"mlpscan: wrote {plan.out_dir / name}\n")
    return _exit_code(report, snapshot, plan.threshold)


def _cmd_scan(args: argparse.Namespace, collected: _Collect) -> int:
    plan = _plan(args)
    specs, clouds = _targets(args, plan.config, args.config)
    checks = plan.content.checks_for(plan.profile)
    snapshot = _collect(specs, clouds, plan.content, args,
                        wanted=lambda kind: kind.endswith(".account") or any(c.reads(kind) for c in checks))
    anchors = {s.id: s.declared_in for s in specs if s.declared_in}
    declared_clouds = {c.provider for c in clouds if c.declared_in}
    if args.config is not None:
        anchors |= {t.id: args.config.as_posix() for t in snapshot.targets if t.provider in declared_clouds}
    return _report(plan, snapshot, args, collected, extra_files={"snapshot.json": dump_snapshot(snapshot)},
                   anchors=anchors)


def _cmd_collect(args: argparse.Namespace, _: _Collect) -> int:
    content = load_content(args.content)
    config = read_config(args.config) if args.config else Config()
    specs, clouds = _targets(args, config, args.config)
    snapshot = _collect(specs, clouds, content, args)
    _write_all(args.output.parent, {args.output.name: dump_snapshot(snapshot)})
    sys.stderr.write(f"mlpscan: wrote {args.output} ({len(snapshot.resources)} resources, "
                     f"{len(snapshot.errors)} collection errors)\n")
    return EXIT_NO_TARGET if _nothing_collected(snapshot) else EXIT_OK


def _targets(args: argparse.Namespace, config: Config,
             config_path: Path | None) -> tuple[list[HostSpec], list[CloudSource]]:
    """Hosts and cloud sources: the command line's, else the config's, else this host."""
    for flag, value in (("--max-workers", args.max_workers), ("--api-workers", args.api_workers)):
        if value < 1:
            raise InputError(f"{flag} must be at least 1")
    if args.limit and not (args.inventory or config.inventory):
        raise InputError("--limit needs an inventory (--inventory FILE or 'inventory:' in the config)")
    parsed = [parse_target(text) for text in args.targets]
    regions = tuple(r.strip() for flag in args.region for r in flag.split(",") if r.strip())
    specs = [t for t in parsed if isinstance(t, HostSpec)]
    clouds = [replace(c, regions=regions, role_arn=role) for c in parsed if isinstance(c, CloudSource)
              for role in (args.role_arn or [None])]
    if (regions or args.role_arn) and not clouds:
        raise InputError("--region and --role-arn apply to cloud targets (aws, aliyun, tencent)")
    if args.inventory:
        specs += read_inventory(args.inventory, args.limit)
    if not specs and not clouds:
        declared = config_path.as_posix() if config_path else None
        try:
            for parsed_target in (parse_target(text, declared_in=declared) for text in config.targets):
                if isinstance(parsed_target, HostSpec):
                    specs.append(parsed_target)
                else:
                    clouds.append(parsed_target)
        except InputError as exc:
            raise InputError(exc.message, path=config_path) from None
        clouds += [source for entry in config.clouds for source in _config_sources(entry, declared)]
        if config.inventory:
            base = config_path.parent if config_path else Path()
            specs += read_inventory(base / config.inventory, args.limit)
    if not specs and not clouds:
        specs = [HostSpec(transport="local")]
    seen: set[str] = set()
    for spec in specs:
        if spec.id in seen:
            raise InputError(f"target {spec} is given twice")
        seen.add(spec.id)
    return specs, [replace(c, endpoint=resolve_endpoint(c)) for c in clouds]


def _config_sources(entry: CloudConfig, declared_in: str | None) -> list[CloudSource]:
    base = CloudSource(provider=entry.provider, profile=entry.profile, regions=tuple(entry.regions),
                       endpoint=entry.endpoint, use_instance_role=entry.instance_role,
                       declared_in=declared_in)
    if not entry.accounts:
        return [base]
    return [replace(base, role_arn=a.role_arn, external_id=a.external_id, name=a.name)
            for a in entry.accounts]


def _collect(specs: list[HostSpec], clouds: list[CloudSource], content: Content, args: argparse.Namespace,
             wanted: Callable[[str], bool] = lambda _: True) -> Snapshot:
    password = os.environ.get(PASSWORD_ENV)
    if args.ask_password:
        password = getpass.getpass("SSH password: ")
    options = HostOptions(sudo=args.sudo, command_timeout=args.command_timeout,
                          connect_timeout=args.connect_timeout, known_hosts=args.known_hosts,
                          accept_new_host_keys=args.accept_new_host_keys, identity_files=args.identity,
                          ssh_config=args.ssh_config, password=password)
    cloud_options = CloudOptions(api_workers=args.api_workers, connect_timeout=args.connect_timeout)
    console = Console(stderr=True)
    if not console.is_terminal:
        return collect(specs, content, options, clouds=clouds, cloud_options=cloud_options, wanted=wanted,
                       max_workers=args.max_workers)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("collecting", total=len(specs) + len(clouds))
        return collect(specs, content, options, clouds=clouds, cloud_options=cloud_options, wanted=wanted,
                       max_workers=args.max_workers, on_done=lambda _: progress.advance(task))


def _relative_uri(path: str) -> str:
    """SARIF consumers (GitHub) need a path relative to the checkout: the working directory."""
    declared = Path(path)
    if not declared.is_absolute():
        return declared.as_posix()
    try:
        return declared.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return declared.name


def _nothing_collected(snapshot: Snapshot) -> bool:
    return bool(snapshot.targets) and bool(snapshot.errors) and not snapshot.resources


def _formats(raw: str | None, config: Config) -> list[str]:
    if raw is None:
        return list(config.output.formats or FORMATS)
    formats = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise InputError(f"--format: unknown format {unknown[0]!r}; use {', '.join(FORMATS)}"
                         if unknown else "--format: no format given")
    return formats


def _fail_on(value: str) -> Severity | None:
    if value == "none":
        return None
    if value == "any":
        return Severity.INFO
    try:
        return Severity(value)
    except ValueError:
        raise InputError(f"--fail-on: unknown severity {value!r}; use critical, high, medium, low, "
                         "info, any or none") from None


def _choose_profile(args: argparse.Namespace, config: Config, config_dir: Path,
                    content: Content) -> ResolvedProfile:
    if args.profile:
        return content.profile(args.profile)
    if args.level:
        return content.level_profile(args.level)
    if config.system.profile:
        named = config.system.profile
        candidate = config_dir / named
        return content.profile(named if named in content.profile_files else str(candidate))
    return content.level_profile(config.system.level or DEFAULT_LEVEL)


def _exit_code(report: Report, snapshot: Snapshot, threshold: Severity | None) -> int:
    if _nothing_collected(snapshot):
        return EXIT_NO_TARGET
    return EXIT_FINDINGS if report.failing(threshold) else EXIT_OK


def _write_all(directory: Path, files: dict[str, bytes]) -> None:
    """Write every output or none: each goes to a temporary file first, then all are renamed."""
    if not files:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        staged: list[tuple[str, Path]] = []
        try:
            for name, data in files.items():
                fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                staged.append((tmp, directory / name))
        except BaseException:
            for tmp, _ in staged:
                Path(tmp).unlink(missing_ok=True)
            raise
        for tmp, final in staged:
            Path(tmp).replace(final)
    except OSError as exc:
        raise InputError(f"cannot write output: {exc.strerror or exc}", path=directory) from None


def _stdout_console() -> Console:
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPED_WIDTH  # CI logs are wide; 80 columns would fold every check id
    return console


# -- verify -------------------------------------------------------------------------------------

def _cmd_verify(args: argparse.Namespace, _: _Collect) -> int:
    snapshot = read_snapshot(args.snapshot)
    computed = snapshot.compute_digest()
    if snapshot.digest is None:
        print(f"{args.snapshot}: no digest recorded; content digest is {computed}")
        return EXIT_FINDINGS
    if snapshot.digest != computed:
        print(f"{args.snapshot}: MODIFIED: recorded {snapshot.digest}, content is {computed}")
        return EXIT_FINDINGS
    print(f"{args.snapshot}: OK {computed} ({len(snapshot.targets)} targets, "
          f"{len(snapshot.resources)} resources, {len(snapshot.errors)} errors)")
    return EXIT_OK


# -- checks, profiles, coverage -----------------------------------------------------------------

def _cmd_checks_list(args: argparse.Namespace, _: _Collect) -> int:
    content = load_content(args.content)
    table = Table("Check", "Severity", "Providers", "Levels", "Title")
    for check in sorted(content.checks.values(), key=lambda c: c.id):
        if args.provider and args.provider not in check.provider:
            continue
        if args.level and args.level not in check.clauses:
            continue
        table.add_row(check.id, check.severity.value, ",".join(check.provider),
                      ",".join(map(str, check.levels)), check.title)
    _stdout_console().print(table)
    return EXIT_OK


def _cmd_checks_show(args: argparse.Namespace, _: _Collect) -> int:
    content = load_content(args.content)
    check = content.checks.get(args.id)
    if check is None:
        raise InputError(f"unknown check '{args.id}' (see 'mlpscan checks list')")
    out = _stdout_console()
    out.print(f"[bold]{check.id}[/bold]: {check.title}")
    if check.description:
        out.print(check.description)
    out.print(f"severity: {check.severity.value}   providers: {', '.join(check.provider)}   "
              f"resource: {check.resource}   match: {check.match}")
    for level in check.levels:
        params = content.level_profile(level).params
        for clause in content.clauses_of(check, level):
            out.print(f"level {level}: {clause.display_id} {clause.control_zh} — {clause.zh} "
                      f"[{', '.join(clause.units)}] (confidence {clause.confidence})")
        if check.assert_ is not None:
            out.print(f"  expects at level {level}: {check.assert_.describe(params)}")
    if check.where is not None:
        out.print(f"applies where: {check.where.describe(content.level_profile(check.levels[0]).params)}")
    if check.evaluator:
        out.print(f"evaluator: {check.evaluator}")
    if check.remediation:
        out.print(f"remediation: {check.remediation}")
    out.print(f"definition: {check.source}")
    return EXIT_OK


def _cmd_profiles_list(args: argparse.Namespace, _: _Collect) -> int:
    content = load_content(args.content)
    table = Table("Profile", "Level", "Extends", "Title")
    for name, (profile, _path) in sorted(content.profile_files.items()):
        resolved = content.profile(name)
        table.add_row(name, str(resolved.level), profile.extends or "", profile.title or "")
    _stdout_console().print(table)
    return EXIT_OK


def _cmd_profiles_show(args: argparse.Namespace, _: _Collect) -> int:
    content = load_content(args.content)
    profile = content.profile(args.name)
    out = _stdout_console()
    out.print(f"[bold]{profile.id}[/bold] (MLPS level {profile.level}): {profile.title or ''}")
    out.print("extends: " + " -> ".join(profile.chain))
    table = Table("Parameter", "Value", "Unit", "Set by", "Legal floor")
    table.columns[0].no_wrap = True
    for name, param in content.params.items():
        floor = "" if param.floor is None else f"{param.floor} *"
        table.add_row(name, json.dumps(profile.params[name]), param.unit or "",
                      profile.origins[name], floor)
    out.print(table)
    for name, param in content.params.items():
        if param.floor is not None:
            out.print(f"* {name}: {param.floor_basis}")
    for warning in profile.warnings:
        log.warning(warning)
    return EXIT_OK


def _clause_key(clause_id: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"\.", clause_id)]


def _cmd_coverage(args: argparse.Namespace, _: _Collect) -> int:
    content = load_content(args.content)
    profile = content.level_profile(args.level)
    covering: dict[str, list[str]] = {}
    for check in content.checks_for(profile):
        for clause_id in check.clauses[args.level]:
            covering.setdefault(clause_id, []).append(check.id)
    clauses = sorted(content.catalog.for_level(args.level), key=lambda c: _clause_key(c.id))
    rows: list[dict[str, Any]] = [{"clause": c.id, "control": c.control_zh, "control_en": c.control_en,
             "category": c.category_en, "extension": c.extension, "automatable": c.automatable,
             "units": list(c.units), "confidence": c.confidence,
             "checks": sorted(covering.get(c.id, [])),
             "coverage": "checked" if covering.get(c.id) else "manual"} for c in clauses]
    if args.json:
        print(json.dumps({"level": args.level, "clauses": rows}, indent=2, ensure_ascii=False))
        return EXIT_OK
    table = Table("Clause", "Control", "Units", "Scanner can", "Checks",
                  title=f"MLPS level {args.level} coverage")
    for row in rows:
        checks = "\n".join(row["checks"]) or "manual"
        table.add_row(row["clause"], f"{row['control']} ({row['control_en']})", " ".join(row["units"]),
                      row["automatable"], checks)
    out = _stdout_console()
    out.print(table)
    checked = sum(1 for r in rows if r["checks"])
    gaps = sum(1 for r in rows if not r["checks"] and r["automatable"] != "manual")
    out.print(f"{len(rows)} technical clauses: {checked} checked, {len(rows) - checked} manual "
              f"({gaps} of which a scanner could at least partly verify but no check does yet)")
    return EXIT_OK


# -- grade, validate, schema --------------------------------------------------------------------

def _cmd_grade(args: argparse.Namespace, _: _Collect) -> int:
    if (args.service_object is None) != (args.service_degree is None):
        raise InputError("--service-object and --service-degree go together")
    information = Grading("Business information security (业务信息安全)", args.object, args.degree)
    service = (Grading("System service security (系统服务安全)", args.service_object, args.service_degree)
               if args.service_object else None)
    level, lines = grade(information, service)
    print(f"MLPS level {level}")
    for line in lines:
        print(f"  {line}")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace, _: _Collect) -> int:
    content = load_content(args.content)
    per_level = ", ".join(f"L{lvl} {len(content.catalog.for_level(lvl))}" for lvl in (1, 2, 3, 4))
    regions = ", ".join(f"{p} {len(r.regions)}" for p, r in sorted(content.regions.items()))
    print(f"content OK ({content.root}): {len(content.checks)} checks, {len(content.families)} control "
          f"families, {len(content.catalog)} clauses ({per_level}), {len(content.profile_files)} profiles, "
          f"{len(content.params)} parameters, {len(content.laws)} laws, regions: {regions}, "
          f"{len(content.platforms.platforms)} platform entries, {len(content.resource_types)} resource "
          f"types, {len(content.host_commands)} host commands")
    return EXIT_OK


SCHEMAS: dict[str, type[BaseModel]] = {"snapshot": Snapshot, "report": Report, "config": Config}


def _cmd_schema(args: argparse.Namespace, _: _Collect) -> int:
    schema = SCHEMAS[args.kind].model_json_schema(by_alias=True)
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return EXIT_OK

