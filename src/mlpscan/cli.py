"""The command line: declares the arguments, calls the library (mostly mlpscan.planning), prints.

Every subcommand is one `_add_<name>` function in `COMMANDS`; the options several commands share
are parent parsers (`_Parents`). Exit codes are `planning.ExitCode` (DESIGN §9): a crash is 4 with
one line, never 1, which CI reads as a compliance result.
"""

from __future__ import annotations

import argparse
import getpass
import io
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel
from rich import box
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from mlpscan import cli_record, completion
from mlpscan._version import __version__
from mlpscan.cli_packs import print_pack_coverage
from mlpscan.cli_types import path_argument as _path
from mlpscan.config import Config
from mlpscan.content import load_content
from mlpscan.errors import InputError
from mlpscan.findings import Report, Severity, Status
from mlpscan.grading import DEGREES, OBJECTS, Grading, grade
from mlpscan.i18n import default_lang
from mlpscan.merge import chain_problems, merge_snapshots, read_parts
from mlpscan.outputs import STDOUT, write_file, write_files
from mlpscan.planning import (
    DEFAULT_API_WORKERS,
    DEFAULT_CALL_DEADLINE,
    DEFAULT_MAX_COMMAND_BYTES,
    DEFAULT_MAX_SESSION_BYTES,
    DEFAULT_MAX_WORKERS,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_SESSION_TIMEOUT,
    PASSWORD_ENV,
    PROVIDERS,
    TAG_VALUE_POLICIES,
    CheckSelection,
    CollectionPlan,
    Evaluation,
    EvaluationPlan,
    EvaluationRequest,
    ExitCode,
    LoadedConfig,
    ScanOptions,
    TargetRequest,
    byte_size,
    check_seconds,
    judge_snapshot,
    load_config,
    plan_collection,
    plan_evaluation,
    run_evaluation,
    summarize_content,
    write_outputs,
)
from mlpscan.snapshot import Snapshot, dump_snapshot, read_snapshot
from mlpscan.writers import FORMATS, TABLE, TableOptions, render_table
from mlpscan.writers.words import FindingWords

PIPED_WIDTH = 200
TITLE_ROOM = 60              # columns `checks list` wants beside the ids for one-line rows
MAX_MESSAGE = 1000           # characters of one error line
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "snapshot": (Snapshot, "mlpscan.snapshot/1"), "report": (Report, "mlpscan.report/1"),
    "config": (Config, "mlpscan.config/1")}

_SURROGATE = re.compile("[\ud800-\udfff]")
log = logging.getLogger("mlpscan")
Handler = Callable[[argparse.Namespace, "_Session"], int]


def main(argv: Sequence[str] | None = None) -> int:
    _tolerate_unencodable_output()
    _quiet_library_logging()
    parser = build_parser()
    arguments = sys.argv[1:] if argv is None else list(argv)
    undecodable = next((a for a in arguments if _SURROGATE.search(a)), None)
    if undecodable is not None:   # bytes that are not UTF-8 would reach JSON, SARIF and XML outputs
        _error(f"argument {undecodable!a} is not valid UTF-8 text")
        return ExitCode.INPUT
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:   # --help, --version and usage errors (already printed, one line)
        return exc.code if isinstance(exc.code, int) else ExitCode.INPUT
    session = _Session(debug=bool(args.debug))
    try:
        handler: Handler = args.run
        return int(handler(args, session))
    except InputError as exc:
        _error(str(exc))
        return ExitCode.INPUT
    except BrokenPipeError:   # the reader of stdout went away (`| head`): nothing more to say
        _silence_stdout()
        return ExitCode.OK
    except OSError as exc:    # the system refused a path the user gave (too long, no permission ...)
        where = f"{exc.filename}: " if exc.filename is not None else ""
        _error(f"{where}{exc.strerror or exc}")
        return ExitCode.INPUT
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as exc:
        if session.debug:
            traceback.print_exc(file=sys.stderr)
        _error(f"internal error: {type(exc).__name__}: {exc} (a defect in mlpscan, please report it"
               + (")" if session.debug else "; --debug prints the traceback)"))
        return ExitCode.INTERNAL
    finally:
        session.close()


# -- the parser ---------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """Usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        _error(f"{message} (see {self.prog} --help)", prefix=f"{self.prog}: error: ")
        raise SystemExit(ExitCode.INPUT)


def _output(text: str) -> str:
    """A path, or '-' for standard output."""
    return text if text == STDOUT else str(_path(text))


def _seconds(text: str) -> float:
    try:
        return check_seconds(float(text), "value")
    except (ValueError, InputError):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {text!r}") from None


def _count(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None


def _words(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@dataclass(frozen=True)
class _Parents:
    """Option groups shared by several commands, declared once."""

    common: argparse.ArgumentParser
    content: argparse.ArgumentParser
    evaluation: argparse.ArgumentParser
    display: argparse.ArgumentParser
    targets: argparse.ArgumentParser

    @classmethod
    def make(cls) -> _Parents:
        return cls(common=_common(), content=_content(), evaluation=_evaluation(), display=_display(),
                   targets=_target_options())


def _common() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="print the traceback of an internal error")
    return common


def _content() -> argparse.ArgumentParser:
    content = _Parser(add_help=False)
    content.add_argument("--content", type=_path, metavar="DIR",
                         help="content directory (checks/, profiles/, providers/) instead of the "
                              "packaged one")
    return content


def _evaluation() -> argparse.ArgumentParser:
    evaluation = _Parser(add_help=False)
    chosen = evaluation.add_mutually_exclusive_group()
    chosen.add_argument("--level", type=int, choices=(1, 2, 3, 4))
    chosen.add_argument("--profile", metavar="NAME|PATH")
    evaluation.add_argument("--config", type=_path, metavar="FILE", help="mlpscan.yaml")
    evaluation.add_argument("--waivers", type=_path, metavar="FILE", help="YAML file with a 'waivers:' list")
    evaluation.add_argument("--format", metavar="LIST",
                            help=f"comma list of {','.join(FORMATS)} (default: table,json,sarif)")
    evaluation.add_argument("--output-dir", type=_output, metavar="DIR",
                            help="where files are written (default mlpscan-out); '-': the one file format "
                                 "to standard output, nothing else there")
    evaluation.add_argument("--fail-on", metavar="SEVERITY",
                            help="lowest severity of fail/error findings that makes the exit code 1 "
                                 "(critical, high, medium, low, info, any, none; default any)")
    evaluation.add_argument("--fail-on-errors", choices=("yes", "no"), default="yes",
                            help="whether error findings (not evaluated) count for --fail-on (default yes; "
                                 "they are shown either way)")
    evaluation.add_argument("--baseline", type=_path, metavar="REPORT",
                            help="an earlier mlpscan-report.json: --fail-on counts only findings new "
                                 "against it; fixed ones are listed")
    evaluation.add_argument("--checks", type=_words, action="extend", default=[], metavar="GLOB[,GLOB]",
                            help="only these check ids or globs (repeatable)")
    evaluation.add_argument("--exclude-checks", type=_words, action="extend", default=[],
                            metavar="GLOB[,GLOB]",
                            help="leave these check ids or globs out, as a profile's exclude_checks")
    evaluation.add_argument("--provider", type=_words, action="extend", default=[], metavar="P[,P]",
                            help="only the checks for, and targets of, these providers "
                                 f"({', '.join(PROVIDERS)})")
    evaluation.add_argument("--sarif-category", metavar="NAME", help="SARIF automationDetails category "
                            "(default: the target id, or a stable name for a set of targets)")
    evaluation.add_argument("--sarif-anchor", metavar="FILE",
                            help="repository file SARIF results point at when no file declared their target "
                                 "(e.g. the CI workflow; default: the check's definition)")
    evaluation.add_argument("--today", type=date.fromisoformat, metavar="YYYY-MM-DD",
                            help="date against which waiver expiry is judged (default: today)")
    cli_record.add_record_options(evaluation)
    return evaluation


def _display() -> argparse.ArgumentParser:
    display = _Parser(add_help=False)
    statuses = ",".join(s.value for s in Status)
    display.add_argument("--status", type=_words, action="extend", default=[], metavar="S[,S]",
                         help=f"show only findings with these statuses ({statuses}, all; "
                              "default fail,error,manual,waived): display only, files keep everything")
    display.add_argument("--severity", type=_words, action="extend", default=[], metavar="S[,S]",
                         help="show only findings of these severities (critical,high,medium,low,info): "
                              "display only")
    display.add_argument("-v", "--verbose", action="store_true",
                         help="every resource, with observed and expected values, clauses, units, "
                              "remediation")
    display.add_argument("--view", choices=("auto", "targets", "checks"), default="auto",
                         help="targets: one result line per target (counts, worst severity) and the checks "
                              "failing on the most targets; checks: each target's checks too; auto "
                              "(default): targets above 20 targets")
    display.add_argument("-q", "--quiet", action="store_true",
                         help="print the summary only (and the exit code tells the result)")
    return display


def _target_options() -> argparse.ArgumentParser:
    hosts = _Parser(add_help=False)
    hosts.add_argument("targets", nargs="*", metavar="TARGET",
                       help="local, ssh://[user@]host[:port], aws[:PROFILE], aliyun[:PROFILE], "
                            "tencent[:PROFILE] (default: the config's targets, else local)")
    hosts.add_argument("--inventory", type=_path, metavar="FILE",
                       help="Ansible inventory (INI or YAML) whose hosts are scanned over SSH")
    hosts.add_argument("--limit", metavar="GROUP", help="only the inventory's hosts in GROUP")
    hosts.add_argument("--sudo", action="store_true",
                       help="run the read-only commands through `sudo -n` (root-only reads)")
    hosts.add_argument("--max-workers", type=_count, default=DEFAULT_MAX_WORKERS, metavar="N",
                       help=f"hosts scanned at once (default {DEFAULT_MAX_WORKERS})")
    hosts.add_argument("--known-hosts", type=_path, metavar="FILE",
                       help="known_hosts file to verify host keys against (default: the system and "
                            "user files, or UserKnownHostsFile from ~/.ssh/config)")
    hosts.add_argument("--accept-new-host-keys", action="store_true",
                       help="accept unknown host keys (never changed ones); recorded in the snapshot")
    hosts.add_argument("--identity", type=_path, action="append", default=[], metavar="FILE",
                       help="private key file (repeatable; the agent and ~/.ssh keys are tried too)")
    hosts.add_argument("--ssh-config", type=_path, metavar="FILE", help="instead of ~/.ssh/config")
    hosts.add_argument("--ask-password", action="store_true",
                       help=f"prompt for the SSH password (or set {PASSWORD_ENV}); never a flag value")
    hosts.add_argument("--region", action="append", default=[], metavar="ID[,ID...]",
                       help="cloud targets on the command line: only these regions (default: every "
                            "enabled region)")
    hosts.add_argument("--role-arn", action="append", default=[], metavar="ARN",
                       help="cloud targets on the command line: assume this role (repeatable: one "
                            "account per role)")
    hosts.add_argument("--api-workers", type=_count, default=DEFAULT_API_WORKERS, metavar="N",
                       help=f"cloud API calls in flight at once (default {DEFAULT_API_WORKERS})")
    hosts.add_argument("--connect-timeout", type=_seconds, default=10.0, metavar="SECONDS")
    hosts.add_argument("--command-timeout", type=_seconds, default=120.0, metavar="SECONDS",
                       help="host: longest silence of one command (default 120)")
    hosts.add_argument("--session-timeout", type=_seconds, default=DEFAULT_SESSION_TIMEOUT, metavar="SECONDS",
                       help=f"host: wall-clock deadline of one host's whole session "
                            f"(default {DEFAULT_SESSION_TIMEOUT:.0f})")
    hosts.add_argument("--max-command-output", type=byte_size, default=DEFAULT_MAX_COMMAND_BYTES,
                       metavar="BYTES",
                       help="host: most output kept per command (K, M, G suffixes; default "
                            f"{DEFAULT_MAX_COMMAND_BYTES // 2**20}M)")
    hosts.add_argument("--max-session-output", type=byte_size, default=DEFAULT_MAX_SESSION_BYTES,
                       metavar="BYTES",
                       help="host: most output read per host session (K, M, G suffixes; default "
                            f"{DEFAULT_MAX_SESSION_BYTES // 2**20}M)")
    hosts.add_argument("--read-timeout", type=_seconds, default=DEFAULT_READ_TIMEOUT, metavar="SECONDS",
                       help=f"cloud API: longest wait for an answer, per read (default "
                            f"{DEFAULT_READ_TIMEOUT:.0f}; a call gives up after "
                            f"{DEFAULT_CALL_DEADLINE:.0f} s over all its attempts)")
    hosts.add_argument("--shard", metavar="K/N|auto",
                       help="collect only shard K of N of the planned hosts, accounts and regions (1-based; "
                            "'auto': from MLPSCAN_SHARD, JOB_COMPLETION_INDEX/JOB_COMPLETIONS of a "
                            "Kubernetes Indexed Job, CI_NODE_INDEX/CI_NODE_TOTAL); join the shards with "
                            "'mlpscan merge'")
    hosts.add_argument("--tag-values", choices=TAG_VALUE_POLICIES, default="mask-secrets",
                       help="cloud resource tags: keys are always kept; values kept (keep), masked when the "
                            "key names a secret (mask-secrets, the default) or all masked (drop)")
    return hosts


Subparsers = Any   # argparse's _SubParsersAction, which typeshed types as generic


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mlpscan", description="Check infrastructure against MLPS 2.0 "
                     "(GB/T 22239-2019) at protection levels 1-4.")
    parser.add_argument("--version", action="version", version=f"mlpscan {__version__}")
    parser.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    parents = _Parents.make()
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for add in COMMANDS:
        add(sub, parents)
    return parser


def _add_scan(sub: Subparsers, p: _Parents) -> None:
    scan = sub.add_parser("scan", parents=[p.common, p.content, p.evaluation, p.display, p.targets],
                          help="collect and evaluate (default: this host at level 3)")
    scan.set_defaults(run=_cmd_scan)


def _add_collect(sub: Subparsers, p: _Parents) -> None:
    collect = sub.add_parser("collect", parents=[p.common, p.content, p.targets],
                             help="collect a snapshot only")
    collect.add_argument("-o", "--output", type=_output, required=True, metavar="FILE",
                         help="the snapshot file ('-': standard output)")
    collect.add_argument("--config", type=_path, metavar="FILE", help="mlpscan.yaml (for its targets)")
    chosen = collect.add_mutually_exclusive_group()
    chosen.add_argument("--level", type=int, choices=(1, 2, 3, 4),
                        help="with --checks/--exclude-checks: the level whose checks they select "
                             "(default: the config's, else 3)")
    chosen.add_argument("--profile", metavar="NAME|PATH", help="instead of --level")
    collect.add_argument("--checks", type=_words, action="extend", default=[], metavar="GLOB[,GLOB]",
                         help="collect only what these checks read (repeatable; default: everything)")
    collect.add_argument("--exclude-checks", type=_words, action="extend", default=[], metavar="GLOB[,GLOB]",
                         help="collect nothing only these checks read (e.g. host.updates.* skips the package "
                              "manager's query on every host)")
    collect.set_defaults(run=_cmd_collect)


def _add_evaluate(sub: Subparsers, p: _Parents) -> None:
    evaluate = sub.add_parser("evaluate", parents=[p.common, p.content, p.evaluation, p.display],
                              help="evaluate a snapshot offline")
    evaluate.add_argument("snapshot", type=_path)
    evaluate.set_defaults(run=_cmd_evaluate)


def _add_verify(sub: Subparsers, p: _Parents) -> None:
    verify = sub.add_parser("verify", parents=[p.common], help="recompute a snapshot's digest",
                            description="Recompute a snapshot's digest; given the parts of a merged "
                                        "snapshot, check that they are the ones it lists and merge to it.")
    verify.add_argument("snapshot", type=_path)
    verify.add_argument("parts", type=_path, nargs="*", metavar="PART",
                        help="the snapshots it was merged from (mlpscan merge)")
    verify.set_defaults(run=_cmd_verify)


def _add_merge(sub: Subparsers, p: _Parents) -> None:
    merge = sub.add_parser("merge", parents=[p.common], help="join shard snapshots into one sealed snapshot",
                           description="Join the shards of one plan (collect --shard K/N), or separate "
                                       "snapshots of different targets, into one sealed snapshot listing "
                                       "each part's digest.")
    merge.add_argument("snapshots", type=_path, nargs="+", metavar="SNAPSHOT")
    merge.add_argument("-o", "--output", type=_output, required=True, metavar="FILE",
                       help="the merged snapshot ('-': standard output)")
    merge.set_defaults(run=_cmd_merge)


def _add_checks(sub: Subparsers, p: _Parents) -> None:
    checks = sub.add_parser("checks", parents=[p.common], help="list or show checks")
    actions = checks.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    listing = actions.add_parser("list", parents=[p.common, p.content], help="every check, one line each")
    listing.add_argument("--provider", choices=PROVIDERS)
    listing.add_argument("--level", type=int, choices=(1, 2, 3, 4))
    listing.set_defaults(run=_cmd_checks_list)
    show = actions.add_parser("show", parents=[p.common, p.content], help="one check in full")
    show.add_argument("id")
    show.set_defaults(run=_cmd_checks_show)


def _add_profiles(sub: Subparsers, p: _Parents) -> None:
    profiles = sub.add_parser("profiles", parents=[p.common], help="list or show level profiles")
    actions = profiles.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    listing = actions.add_parser("list", parents=[p.common, p.content], help="the built-in profiles")
    listing.set_defaults(run=_cmd_profiles_list)
    show = actions.add_parser("show", parents=[p.common, p.content], help="a profile's parameter values")
    show.add_argument("name", metavar="NAME|PATH")
    show.set_defaults(run=_cmd_profiles_show)


def _add_coverage(sub: Subparsers, p: _Parents) -> None:
    coverage = sub.add_parser("coverage", parents=[p.common, p.content],
                              help="which checks cover each clause of a level, and what stays manual")
    what = coverage.add_mutually_exclusive_group(required=True)
    what.add_argument("--level", type=int, choices=(1, 2, 3, 4))
    what.add_argument("--pack", metavar="ID",
                      help="a vendor compliance pack instead (aliyun-mlps-l3): the checks per rule")
    coverage.add_argument("--json", action="store_true", help="machine-readable output")
    coverage.set_defaults(run=_cmd_coverage)


def _add_grade(sub: Subparsers, p: _Parents) -> None:
    grading = sub.add_parser("grade", parents=[p.common],
                             help="protection level from the harm (GB/T 22240-2020)")
    grading.add_argument("--object", choices=tuple(OBJECTS), required=True,
                         help="object harmed if business information is compromised")
    grading.add_argument("--degree", choices=tuple(DEGREES), required=True)
    grading.add_argument("--service-object", choices=tuple(OBJECTS),
                         help="object harmed if the system service is disrupted")
    grading.add_argument("--service-degree", choices=tuple(DEGREES))
    grading.set_defaults(run=_cmd_grade)


def _add_validate(sub: Subparsers, p: _Parents) -> None:
    validate = sub.add_parser("validate", parents=[p.common, p.content], help="load and lint all content")
    validate.set_defaults(run=_cmd_validate)


def _add_schema(sub: Subparsers, p: _Parents) -> None:
    schema = sub.add_parser("schema", parents=[p.common], help="print the JSON Schema of a file format")
    schema.add_argument("kind", choices=tuple(SCHEMAS))
    schema.set_defaults(run=_cmd_schema)


def _add_completion(sub: Subparsers, p: _Parents) -> None:
    shell = sub.add_parser("completion", parents=[p.common], help="shell completion script (bash, zsh)",
                           description="Print a completion script: eval \"$(mlpscan completion bash)\" in "
                                       "~/.bashrc, or mlpscan completion zsh > ~/.zfunc/_mlpscan.")
    shell.add_argument("shell", choices=completion.SHELLS)
    shell.set_defaults(run=_cmd_completion)


def _add_record_commands(sub: Subparsers, p: _Parents) -> None:
    """report, survey template and diff: the assessment record's own commands."""
    cli_record.register(sub, [p.common, p.content], write_files, _stdout_console)


COMMANDS: tuple[Callable[[Subparsers, _Parents], None], ...] = (
    _add_scan, _add_collect, _add_evaluate, _add_verify, _add_merge, _add_checks, _add_profiles,
    _add_coverage, _add_grade, _add_validate, _add_schema, _add_record_commands, _add_completion)


# -- requests from arguments --------------------------------------------------------------------

def _evaluation_request(args: argparse.Namespace) -> EvaluationRequest:
    return EvaluationRequest(
        content=args.content, config=args.config, level=args.level, profile=args.profile,
        waivers=args.waivers, formats=args.format, output_dir=args.output_dir, fail_on=args.fail_on,
        fail_on_errors=args.fail_on_errors == "yes", baseline=args.baseline,
        selection=CheckSelection(checks=tuple(args.checks), exclude=tuple(args.exclude_checks),
                                 providers=tuple(args.provider)),
        sarif_category=args.sarif_category, sarif_anchor=args.sarif_anchor, today=args.today,
        lang=args.lang, answers=args.answers)


def _target_request(args: argparse.Namespace) -> TargetRequest:
    return TargetRequest(targets=tuple(args.targets), inventory=args.inventory, limit=args.limit,
                         regions=tuple(args.region), role_arns=tuple(args.role_arn), shard=args.shard)


def _scan_options(args: argparse.Namespace) -> ScanOptions:
    return ScanOptions(sudo=args.sudo, max_workers=args.max_workers, known_hosts=args.known_hosts,
                       accept_new_host_keys=args.accept_new_host_keys, identity=tuple(args.identity),
                       ssh_config=args.ssh_config, connect_timeout=args.connect_timeout,
                       command_timeout=args.command_timeout, session_timeout=args.session_timeout,
                       max_command_output=args.max_command_output, max_session_output=args.max_session_output,
                       api_workers=args.api_workers, read_timeout=args.read_timeout,
                       tag_values=args.tag_values)


def _collection(args: argparse.Namespace, config: LoadedConfig,
                providers: Sequence[str] = ()) -> CollectionPlan:
    """The targets, checked; then the SSH password, asked only when everything else is in order."""
    collection = plan_collection(_target_request(args), _scan_options(args), config, providers)
    if not args.ask_password or not collection.needs_password:
        return collection
    if not sys.stdin.isatty():
        raise InputError(f"--ask-password needs a terminal to ask on; set {PASSWORD_ENV} instead")
    try:
        return collection.with_password(getpass.getpass("SSH password: "))
    except EOFError:
        raise InputError("--ask-password: no password was entered") from None


def _table_options(args: argparse.Namespace) -> TableOptions:
    statuses = [s.lower() for s in args.status]
    chosen_statuses = frozenset(Status) if "all" in statuses else frozenset(
        _parse(Status, statuses, "--status")) or TableOptions().statuses
    severities = frozenset(_parse(Severity, [s.lower() for s in args.severity], "--severity")) or None
    return TableOptions(statuses=chosen_statuses, severities=severities, verbose=args.verbose,
                        quiet=args.quiet, view=args.view)


def _parse(kind: type[Status] | type[Severity], values: list[str], flag: str) -> list[Any]:
    known = [member.value for member in kind]
    unknown = [v for v in values if v not in known]
    if unknown:
        raise InputError(f"{flag}: unknown value {unknown[0]!r}; use {', '.join(known)}")
    return [kind(v) for v in values]


# -- scan, collect, evaluate --------------------------------------------------------------------

def _cmd_scan(args: argparse.Namespace, session: _Session) -> int:
    table = _table_options(args)   # display options are checked before anything runs
    plan = plan_evaluation(_evaluation_request(args))
    collection = _collection(args, plan.config, plan.request.selection.providers)
    snapshot = _collect(collection, plan.content, plan.wants)
    evaluation = run_evaluation(plan, snapshot, anchors=collection.anchors(snapshot),
                                notifications=session.messages,
                                extra_files={"snapshot.json": dump_snapshot(snapshot)})
    return _show(plan, evaluation, table)


def _cmd_evaluate(args: argparse.Namespace, session: _Session) -> int:
    table = _table_options(args)
    plan = plan_evaluation(_evaluation_request(args))
    # the snapshot (most of the memory of a large one) is let go before the files are rendered
    judged = judge_snapshot(plan, read_snapshot(args.snapshot), notifications=session.messages)
    return _show(plan, write_outputs(plan, judged), table)


def _cmd_collect(args: argparse.Namespace, _: _Session) -> int:
    wanted: Callable[[str], bool] = lambda _: True   # noqa: E731 - everything, unless checks are chosen
    if args.checks or args.exclude_checks:
        plan = plan_evaluation(EvaluationRequest(
            content=args.content, config=args.config, level=args.level, profile=args.profile,
            selection=CheckSelection(checks=tuple(args.checks), exclude=tuple(args.exclude_checks))))
        sys.stderr.write(f"mlpscan: {plan.selection_note}\n")
        content, config, wanted = plan.content, plan.config, plan.wants
    else:
        content, config = load_content(args.content), load_config(args.config)
    collection = _collection(args, config)
    snapshot = _collect(collection, content, wanted)
    data = dump_snapshot(snapshot)
    if args.output == STDOUT:
        _write_stdout(data)
    else:
        write_file(Path(args.output), data)
        shard = f"shard {snapshot.shard.label}: {len(snapshot.shard.units)} units, " if snapshot.shard else ""
        sys.stderr.write(f"mlpscan: wrote {_one_line(args.output)} ({shard}{len(snapshot.resources)} "
                         f"resources, {len(snapshot.errors)} collection errors)\n")
    nothing = bool(snapshot.targets) and bool(snapshot.errors) and not snapshot.resources
    return ExitCode.NO_TARGET if nothing else ExitCode.OK


def _collect(collection: CollectionPlan, content: Any, wanted: Callable[[str], bool] = lambda _: True
             ) -> Snapshot:
    console = Console(stderr=True)
    if not console.is_terminal:
        return collection.collect(content, wanted)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("collecting", total=collection.size)
        return collection.collect(content, wanted, on_done=lambda _: progress.advance(task))


def _show(plan: EvaluationPlan, evaluation: Evaluation, table: TableOptions) -> int:
    """Standard output gets the one file format, or the terminal view; notes go to stderr."""
    if evaluation.stdout is not None:
        _write_stdout(evaluation.stdout)
        return evaluation.exit_code
    note = plan.selection_note
    if note and not table.quiet:
        sys.stderr.write(f"mlpscan: {note}\n")
    if TABLE in plan.formats:
        try:
            words = FindingWords(plan.content, plan.request.lang or default_lang())
            render_table(evaluation.report, _stdout_console(), options=table, unreached=evaluation.unreached,
                         comparison=evaluation.comparison, catalog=plan.content.catalog, words=words)
        except BrokenPipeError:   # `| head`: the exit code still tells the result
            _silence_stdout()
    if not table.quiet:
        for path in evaluation.written:
            sys.stderr.write(f"mlpscan: wrote {_one_line(str(path))}\n")
    return evaluation.exit_code


# -- verify -------------------------------------------------------------------------------------

def _cmd_verify(args: argparse.Namespace, _: _Session) -> int:
    snapshot = read_snapshot(args.snapshot)
    computed = snapshot.compute_digest()
    if snapshot.digest is None:
        print(f"{args.snapshot}: no digest recorded; content digest is {computed}")
        return ExitCode.FINDINGS
    if snapshot.digest != computed:
        print(f"{args.snapshot}: MODIFIED: recorded {snapshot.digest}, content is {computed}")
        return ExitCode.FINDINGS
    print(f"{args.snapshot}: OK {computed} ({len(snapshot.targets)} targets, "
          f"{len(snapshot.resources)} resources, {len(snapshot.errors)} errors)")
    if not args.parts:
        if snapshot.parts:
            print(f"{args.snapshot}: merged from {len(snapshot.parts)} parts; give them to check the chain")
        return ExitCode.OK
    problems = chain_problems(snapshot, read_parts(args.parts))
    for problem in problems:
        print(f"{args.snapshot}: CHAIN BROKEN: {_one_line(problem)}")
    if problems:
        return ExitCode.FINDINGS
    print(f"{args.snapshot}: chain OK: its {len(args.parts)} parts verify and merge to it")
    return ExitCode.OK


def _cmd_merge(args: argparse.Namespace, _: _Session) -> int:
    parts = read_parts(args.snapshots)
    merged = merge_snapshots(parts)
    data = dump_snapshot(merged)
    if args.output == STDOUT:
        _write_stdout(data)
    else:
        write_file(Path(args.output), data)
        sys.stderr.write(f"mlpscan: merged {len(parts)} parts into {_one_line(args.output)} "
                         f"({len(merged.targets)} targets, {len(merged.resources)} resources, "
                         f"{len(merged.errors)} collection errors; {merged.digest})\n")
    return ExitCode.OK


# -- checks, profiles, coverage -----------------------------------------------------------------

def _cmd_checks_list(args: argparse.Namespace, _: _Session) -> int:
    content = load_content(args.content)
    checks = [c for c in sorted(content.checks.values(), key=lambda c: c.id)
              if (not args.provider or args.provider in c.provider)
              and (not args.level or args.level in c.clauses)]
    out = _stdout_console()
    id_width = max((len(c.id) for c in checks), default=5)
    if out.width < id_width + TITLE_ROOM:   # narrow: the title goes under the id, never the id folded
        for check in checks:
            out.print(Text.assemble((f"{check.id:<{id_width}}", "bold"), f"  {check.severity.value:<8}  ",
                                    _levels(check.levels)), no_wrap=True, overflow="ignore", crop=False)
            out.print(Text(f"    {check.title}"))
        return ExitCode.OK
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    # the id column is as wide as the longest id and never wraps: ids are copied from here
    table.add_column("Check", no_wrap=True, min_width=id_width)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Levels", no_wrap=True)
    table.add_column("Title", ratio=1)
    for check in checks:
        table.add_row(check.id, check.severity.value, _levels(check.levels), check.title)
    out.print(table)
    return ExitCode.OK


def _levels(levels: list[int]) -> str:
    if len(levels) > 1 and levels == list(range(levels[0], levels[-1] + 1)):
        return f"{levels[0]}-{levels[-1]}"
    return ",".join(map(str, levels))


def _cmd_checks_show(args: argparse.Namespace, _: _Session) -> int:
    content = load_content(args.content)
    check = content.checks.get(args.id)
    if check is None:
        raise InputError(f"unknown check {args.id!r} (see 'mlpscan checks list')")
    out = _stdout_console()
    out.print(f"[bold]{check.id}[/bold]: {check.title}", soft_wrap=True)
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
    return ExitCode.OK


def _cmd_profiles_list(args: argparse.Namespace, _: _Session) -> int:
    content = load_content(args.content)
    table = Table("Profile", "Level", "Extends", "Title")
    for name, (profile, _file) in sorted(content.profile_files.items()):
        resolved = content.profile(name)
        table.add_row(name, str(resolved.level), profile.extends or "", profile.title or "")
    _stdout_console().print(table)
    return ExitCode.OK


def _cmd_profiles_show(args: argparse.Namespace, _: _Session) -> int:
    content = load_content(args.content)
    profile = content.profile(args.name)
    out = _stdout_console()
    out.print(f"[bold]{profile.id}[/bold] (MLPS level {profile.level}): {profile.title or ''}")
    out.print("extends: " + " -> ".join(profile.chain))
    table = Table("Parameter", "Value", "Unit", "Set by", "Legal floor")
    table.columns[0].no_wrap = True
    for name, param in content.params.items():
        floor = "" if param.floor is None else f"{param.floor} *"
        table.add_row(name, json.dumps(profile.params[name]), param.unit or "", profile.origins[name], floor)
    out.print(table)
    for name, param in content.params.items():
        if param.floor is not None:
            out.print(f"* {name}: {param.floor_basis}")
    for warning in profile.warnings:
        log.warning(warning)
    return ExitCode.OK


def _clause_key(clause_id: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"\.", clause_id)]


def _cmd_coverage(args: argparse.Namespace, _: _Session) -> int:
    if args.pack is not None:
        return print_pack_coverage(args.content, args.pack, as_json=args.json, console=_stdout_console())
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
        return ExitCode.OK
    table = Table("Clause", "Control", "Units", "Scanner can", "Checks",
                  title=f"MLPS level {args.level} coverage")
    table.columns[4].no_wrap = True
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
    return ExitCode.OK


# -- grade, validate, schema, completion --------------------------------------------------------

def _cmd_grade(args: argparse.Namespace, _: _Session) -> int:
    if (args.service_object is None) != (args.service_degree is None):
        raise InputError("--service-object and --service-degree go together")
    information = Grading("Business information security (业务信息安全)", args.object, args.degree)
    service = (Grading("System service security (系统服务安全)", args.service_object, args.service_degree)
               if args.service_object else None)
    level, lines = grade(information, service)
    print(f"MLPS level {level}")
    for line in lines:
        print(f"  {line}")
    return ExitCode.OK


def _cmd_validate(args: argparse.Namespace, _: _Session) -> int:
    content = load_content(args.content)
    print(f"content OK ({content.root}): {summarize_content(content)}")
    print(cli_record.validate_record_content(content))
    return ExitCode.OK


def _cmd_schema(args: argparse.Namespace, _: _Session) -> int:
    model, name = SCHEMAS[args.kind]
    schema = {"$schema": SCHEMA_DIALECT, "$id": f"urn:mlpscan:schema:{name}",
              **model.model_json_schema(by_alias=True)}
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return ExitCode.OK


def _cmd_completion(args: argparse.Namespace, _: _Session) -> int:
    sys.stdout.write(completion.script(build_parser(), args.shell))
    return ExitCode.OK


# -- streams and messages -----------------------------------------------------------------------

class _Session(logging.Handler):
    """Logging for one run: warnings to stderr as single lines, and kept for SARIF notifications."""

    def __init__(self, debug: bool) -> None:
        super().__init__(logging.DEBUG if debug else logging.WARNING)
        self.debug = debug
        self.messages: list[str] = []
        self._previous = (list(log.handlers), log.level, log.propagate)
        log.handlers[:] = [self]
        log.setLevel(self.level)
        log.propagate = False

    def emit(self, record: logging.LogRecord) -> None:
        message = _one_line(record.getMessage())
        if record.levelno >= logging.WARNING:
            self.messages.append(message)
        _error(message, prefix=f"mlpscan: {record.levelname.lower()}: ")

    def close(self) -> None:
        log.handlers[:], level, log.propagate = self._previous
        log.setLevel(level)
        super().close()


def _one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """Messages are one line, bounded and printable, whatever the input they quote."""
    text = " ".join(text.split())
    text = re.sub("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]", "?", text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _error(message: str, prefix: str = "mlpscan: error: ") -> None:
    sys.stderr.write(f"{prefix}{_one_line(message)}\n")
    sys.stderr.flush()


_LIBRARY_SINK = logging.NullHandler()


def _quiet_library_logging() -> None:
    """Libraries log too: paramiko writes a failed handshake's traceback at ERROR, from its own
    thread, even after the host's error is recorded. With no handler anywhere, logging's last resort
    prints such records raw on stderr; mlpscan reports failures as findings and its own messages
    as single lines, so the libraries' records go nowhere (once per process: main may run often)."""
    root = logging.getLogger()
    if _LIBRARY_SINK not in root.handlers:
        root.addHandler(_LIBRARY_SINK)


def _tolerate_unencodable_output() -> None:
    """A terminal or pipe that cannot encode a character (LANG=C, PYTHONIOENCODING=ascii) gets a
    replacement for it, never a crash halfway through the table."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace" if stream is sys.stderr else "replace")


def _write_stdout(data: bytes) -> None:
    try:
        sys.stdout.flush()
        binary = getattr(sys.stdout, "buffer", None)
        if binary is None:   # a text-only stream stands in for stdout (an embedding application)
            sys.stdout.write(data.decode("utf-8"))
            sys.stdout.flush()
        else:
            binary.write(data)
            binary.flush()
    except BrokenPipeError:
        _silence_stdout()


def _silence_stdout() -> None:
    """After the reader of stdout has gone, later writes (and the flush at exit) go nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
    finally:
        os.close(devnull)


def _stdout_console() -> Console:
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPED_WIDTH  # CI logs are wide
    return console

