"""Command line of the assessment record: `report`, `survey template`, `diff`, and the record
formats (xlsx, html) with `--lang` and `--answers` for scan/evaluate. cli.py registers these."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from mlpscan.answers import read_answers
from mlpscan.cli_types import path_argument as _path
from mlpscan.config import Config
from mlpscan.content import Content, load_content
from mlpscan.diff import Comparison, compare
from mlpscan.engine import evaluate
from mlpscan.errors import InputError
from mlpscan.findings import REPORT_SCHEMA, Report
from mlpscan.i18n import LANGS, Lang, default_lang, texts
from mlpscan.loading import input_error_from, read_json
from mlpscan.metadata import with_metadata
from mlpscan.record import Record, build_record
from mlpscan.snapshot import SNAPSHOT_SCHEMA, Snapshot, read_snapshot
from mlpscan.survey import template_xlsx, template_yaml
from mlpscan.units import level_units
from mlpscan.writers.html import render_html
from mlpscan.writers.record_view import RecordView
from mlpscan.writers.xlsx import render_xlsx

RECORD_FORMATS = ("xlsx", "html")
RECORD_FILES = {"xlsx": "mlpscan-record.xlsx", "html": "mlpscan-record.html"}
DEFAULT_OUTPUT_DIR = "mlpscan-out"
WriteAll = Callable[[Path, dict[str, bytes]], object]


def add_record_options(parser: argparse.ArgumentParser) -> None:
    """--lang and --answers, for every command that can write the record."""
    parser.add_argument(
        "--lang",
        choices=LANGS,
        metavar="ja|zh|en",
        help="language of the terminal view and the record (default: from the locale, else en)",
    )
    parser.add_argument(
        "--answers",
        type=_path,
        metavar="FILE",
        help="survey answers (YAML or the survey XLSX) merged into the record",
    )


def record_files(
    report: Report,
    content: Content,
    formats: list[str],
    args: argparse.Namespace,
    baseline: Record | None = None,
) -> dict[str, bytes]:
    """The xlsx/html outputs asked for in ``formats`` (none when neither is)."""
    wanted = [f for f in formats if f in RECORD_FORMATS]
    if not wanted and getattr(args, "answers", None) is None:
        return {}
    record = _record(report, content, getattr(args, "answers", None))
    if not wanted:
        return {}
    view = RecordView(
        record,
        content,
        args.lang or default_lang(),
        comparison=compare(baseline, record) if baseline is not None else None,
    )
    renderers = {"xlsx": render_xlsx, "html": render_html}
    return {RECORD_FILES[f]: renderers[f](view) for f in wanted}


def _record(report: Report, content: Content, answers_path: Path | None) -> Record:
    answers = []
    if answers_path is not None:
        known = {u.id for u in level_units(content.root, content.catalog, report.profile.level).units}
        answers = read_answers(answers_path, report.profile.level, known)
    return build_record(report, content, answers)


def register(
    sub: Any, parents: list[argparse.ArgumentParser], write_all: WriteAll, console: Callable[[], Console]
) -> None:
    """Add `report`, `survey` and `diff` to the command line."""
    rp = sub.add_parser(
        "report",
        parents=parents,
        help="the assessment record (XLSX, HTML) from a JSON report, without re-evaluating",
    )
    rp.add_argument("report", type=_path, metavar="REPORT.json")
    add_record_options(rp)
    rp.add_argument(
        "--format", default="xlsx,html", metavar="LIST", help="comma list of xlsx,html (default both)"
    )
    rp.add_argument("--output-dir", type=_path, default=Path(DEFAULT_OUTPUT_DIR), metavar="DIR")
    rp.add_argument(
        "--baseline",
        type=_path,
        metavar="OLD",
        help="an earlier report (or snapshot) of the same level: adds a comparison section",
    )
    rp.add_argument(
        "--baseline-answers", type=_path, metavar="FILE", help="the survey answers of the baseline"
    )
    rp.set_defaults(run=lambda args, _: _cmd_report(args, write_all))

    sv = sub.add_parser("survey", parents=parents[:1], help="survey templates for what a scanner cannot see")
    sv_sub = sv.add_subparsers(dest="action", required=True, parser_class=type(rp))
    st = sv_sub.add_parser(
        "template",
        parents=parents,
        help="the units of a level a person must answer, as YAML and XLSX",
    )
    st.add_argument("--level", type=int, choices=(1, 2, 3, 4), required=True)
    st.add_argument("--lang", choices=LANGS, metavar="ja|zh|en")
    st.add_argument("--output-dir", type=_path, default=Path(DEFAULT_OUTPUT_DIR), metavar="DIR")
    st.set_defaults(run=lambda args, _: _cmd_survey_template(args, write_all))

    df = sub.add_parser(
        "diff",
        parents=parents,
        help="compare two assessments: per unit and per finding, and the scores",
    )
    df.add_argument("old", type=_path, metavar="OLD", help="report JSON, or snapshot (evaluated at --level)")
    df.add_argument("new", type=_path, metavar="NEW", help="report JSON, or snapshot (evaluated at --level)")
    df.add_argument(
        "--level", type=int, choices=(1, 2, 3, 4), help="level for snapshots (default: the report's, else 3)"
    )
    df.add_argument("--old-answers", type=_path, metavar="FILE")
    df.add_argument("--new-answers", type=_path, metavar="FILE")
    df.add_argument("--format", default="table", choices=("table", "json"))
    df.add_argument("--lang", choices=LANGS, metavar="ja|zh|en")
    df.set_defaults(run=lambda args, _: _cmd_diff(args, console))


def validate_record_content(content: Content) -> str:
    """Load the record's own content (units of every level, triggers, texts); a summary line."""
    counts = {level: len(level_units(content.root, content.catalog, level).units) for level in (1, 2, 3, 4)}
    for lang in LANGS:
        texts(content.root, lang)
    return (
        "record content OK: units "
        + ", ".join(f"L{lvl} {n}" for lvl, n in counts.items())
        + f", interface texts in {', '.join(LANGS)}"
    )


def _formats(raw: str) -> list[str]:
    formats = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [f for f in formats if f not in RECORD_FORMATS]
    if unknown or not formats:
        raise InputError(
            f"--format: unknown format {unknown[0]!r}; use xlsx, html"
            if unknown
            else "--format: no format given"
        )
    return formats


def load_assessment(path: Path, content: Content, level: int | None, config: Config | None = None) -> Report:
    """A report as written by `evaluate`, or a snapshot evaluated now at ``level``."""
    doc = read_json(path)
    schema = doc.data.get("schema") if isinstance(doc.data, dict) else None
    if schema == SNAPSHOT_SCHEMA:
        snapshot: Snapshot = read_snapshot(path)
        profile = content.level_profile(level or 3)
        return with_metadata(evaluate(snapshot, content, profile), snapshot, config)
    if schema != REPORT_SCHEMA:
        raise InputError(
            f"not an mlpscan report or snapshot (schema {schema!r}; expected {REPORT_SCHEMA} "
            f"or {SNAPSHOT_SCHEMA})",
            path=path,
        )
    try:
        return Report.model_validate(doc.data)
    except ValidationError as exc:
        raise input_error_from(exc, doc) from None


def _cmd_report(args: argparse.Namespace, write_all: WriteAll) -> int:
    content = load_content(args.content)
    formats = _formats(args.format)
    report = load_assessment(args.report, content, None)
    baseline = None
    if args.baseline is not None:
        old = load_assessment(args.baseline, content, report.profile.level)
        baseline = _record(old, content, args.baseline_answers)
    files = record_files(report, content, formats, args, baseline=baseline)
    write_all(args.output_dir, files)
    for name in files:
        sys.stderr.write(f"mlpscan: wrote {args.output_dir / name}\n")
    return 0


def _cmd_survey_template(args: argparse.Namespace, write_all: WriteAll) -> int:
    content = load_content(args.content)
    lang: Lang = args.lang or default_lang()
    stem = f"mlpscan-survey-L{args.level}-{lang}"
    files = {
        f"{stem}.yaml": template_yaml(content, args.level, lang),
        f"{stem}.xlsx": template_xlsx(content, args.level, lang),
    }
    write_all(args.output_dir, files)
    for name in files:
        sys.stderr.write(f"mlpscan: wrote {args.output_dir / name}\n")
    return 0


def _cmd_diff(args: argparse.Namespace, console: Callable[[], Console]) -> int:
    content = load_content(args.content)
    new_report = load_assessment(args.new, content, args.level)
    old_report = load_assessment(args.old, content, args.level or new_report.profile.level)
    comparison = compare(
        _record(old_report, content, args.old_answers), _record(new_report, content, args.new_answers)
    )
    if args.format == "json":
        print(json.dumps(comparison.to_json(), indent=2, ensure_ascii=False))
        return 0
    _print_diff(comparison, args.lang or default_lang(), content, console())
    return 0


def _print_diff(comparison: Comparison, lang: Lang, content: Content, out: Console) -> None:
    t = texts(content.root, lang)
    out.print(f"[bold]{t.t('title.diff')}[/bold] · {t.t('m.level_value', level=comparison.level)}")
    out.print(
        t.t(
            "diff.summary",
            new=comparison.count("new"),
            fixed=comparison.count("fixed"),
            still=comparison.count("still_failing"),
            changed=comparison.count("changed"),
        )
    )
    scores = Table(t.t("col.category"), t.t("col.before"), t.t("col.after"), t.t("col.change"))
    for s in comparison.scores:
        name = t.t("m.overall") if s.category is None else t.t(f"cat.{s.category}")
        scores.add_row(name, _num(s.before), _num(s.after), "–" if s.delta is None else f"{s.delta:+.1f}")
    out.print(scores)
    if comparison.units:
        units = Table(
            t.t("col.unit"),
            t.t("col.category"),
            t.t("col.change"),
            t.t("col.before"),
            t.t("col.after"),
            title=t.t("diff.units"),
        )
        for u in comparison.units:
            units.add_row(
                u.unit,
                t.t(f"cat.{u.category}"),
                t.t(f"diff.{u.change}"),
                t.t(f"result.{u.before.value}"),
                t.t(f"result.{u.after.value}"),
            )
        out.print(units)
    if comparison.findings:
        findings = Table(
            t.t("col.check"),
            t.t("col.asset"),
            t.t("col.change"),
            t.t("col.before"),
            t.t("col.after"),
            title=t.t("diff.findings"),
        )
        for f in comparison.findings:
            findings.add_row(
                f.check,
                f"{f.target}\n{f.resource}",
                t.t(f"diff.{f.change}"),
                t.t(f"status.{f.before.value}") if f.before else "",
                t.t(f"status.{f.after.value}") if f.after else "",
            )
        out.print(findings)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"
