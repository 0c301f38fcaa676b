"""The assessment record as one self-contained HTML file: works offline, no CDN, no external fonts.

Inline SVG charts (a radar of category scores against the level's expected line, status bars per
category), the high-risk items first, the gaps with their remediation, and the record table,
sortable and filterable by a few lines of inline script.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from html import escape

from mlpscan.record import Result
from mlpscan.scoring import EXPECTED
from mlpscan.writers.record_view import RecordView

COLOURS = {
    Result.CONFORM: "#3a9d5d",
    Result.PARTIAL: "#e0a100",
    Result.NONCONFORM: "#d64541",
    Result.UNDETERMINED: "#8e44ad",
    Result.NOT_ASSESSED: "#8fb3d9",
    Result.NOT_APPLICABLE: "#bbbbbb",
}
BAND_LINE = 70.0  # below this the conclusion is 差
MAX_ROWS = 20_000  # record rows in the HTML table; the XLSX holds every row
_PRIORITY = (
    Result.UNDETERMINED,
    Result.NONCONFORM,
    Result.PARTIAL,
    Result.NOT_ASSESSED,
    Result.CONFORM,
    Result.NOT_APPLICABLE,
)
SHARED_MIN_CHARS = 24  # longer cell texts that repeat are sent once (a fleet has 100,000s of rows)

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans CJK JP","Microsoft YaHei",
sans-serif;margin:0;color:#1d2430;background:#f5f6f8}
header{background:#1f3864;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}
main{padding:18px 28px;max-width:1400px}
section{background:#fff;border-radius:6px;padding:14px 18px;margin:0 0 16px;
box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{font-size:17px;margin:0 0 10px}
.badge{display:inline-block;padding:3px 10px;border-radius:12px;font-weight:600;margin-right:8px}
.poor{background:#d64541;color:#fff}.fair{background:#e0a100;color:#fff}.good{background:#5b9bd5;color:#fff}
.excellent{background:#3a9d5d;color:#fff}.none{background:#999;color:#fff}
.unverified{background:#c00000;color:#fff;padding:10px 28px;font-weight:700}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e3e6ea;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eef1f5;position:sticky;top:0;cursor:pointer;white-space:nowrap}
td.res{white-space:nowrap;font-weight:600}
#record td{white-space:pre-wrap}.charts{display:flex;flex-wrap:wrap;gap:18px}
.meta td:first-child{font-weight:600;width:220px}.small{color:#5a6472;font-size:12px}
.gap{border-left:4px solid #d64541;padding:6px 10px;margin:8px 0;background:#fdf3f3}
.gap.hr{border-color:#7b1010;background:#fbe4e4}.gap ul{margin:4px 0 0 18px;padding:0}
.controls{margin:0 0 8px;display:flex;gap:8px;flex-wrap:wrap}input,select{font:inherit;padding:3px 6px}
.tablewrap{max-height:640px;overflow:auto}
"""

SCRIPT = """
(function(){
  // texts repeated on many rows are sent once: cells name them by index (data-t)
  var shared=JSON.parse(document.getElementById('shared-texts').textContent);
  Array.prototype.forEach.call(document.querySelectorAll('td[data-t]'),function(td){
    td.textContent=shared[parseInt(td.dataset.t,10)];
  });
  var table=document.getElementById('record');
  var body=table.tBodies[0];
  var rows=Array.prototype.slice.call(body.rows);
  var text=document.getElementById('filter-text'),res=document.getElementById('filter-result'),
      cat=document.getElementById('filter-category'),count=document.getElementById('row-count');
  function apply(){
    var q=text.value.toLowerCase(),r=res.value,c=cat.value,shown=0;
    rows.forEach(function(row){
      var ok=(!q||row.textContent.toLowerCase().indexOf(q)>=0)&&(!r||row.dataset.result===r)
             &&(!c||row.dataset.category===c);
      row.style.display=ok?'':'none'; if(ok){shown++;}
    });
    count.textContent=count.dataset.template.replace('{shown}',shown).replace('{total}',rows.length);
  }
  [text,res,cat].forEach(function(el){el.addEventListener('input',apply);el.addEventListener('change',apply);});
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,index){
    th.addEventListener('click',function(){
      var dir=th.dataset.dir==='asc'?'desc':'asc';
      Array.prototype.forEach.call(table.tHead.rows[0].cells,function(o){delete o.dataset.dir;});
      th.dataset.dir=dir;
      rows.sort(function(a,b){
        var x=a.cells[index].textContent,y=b.cells[index].textContent;
        var n=x.localeCompare(y,undefined,{numeric:true});
        return dir==='asc'?n:-n;
      });
      rows.forEach(function(row){body.appendChild(row);});
    });
  });
  // a link can carry the view: #result=nonconform&category=computing&q=mfa&sort=0
  var wanted={};
  location.hash.replace(/^#/,'').split('&').forEach(function(part){
    var kv=part.split('='); if(kv[0]){wanted[kv[0]]=decodeURIComponent(kv[1]||'');}
  });
  if(wanted.q){text.value=wanted.q;}
  if(wanted.result){res.value=wanted.result;}
  if(wanted.category){cat.value=wanted.category;}
  var header=table.tHead.rows[0].cells[parseInt(wanted.sort,10)];
  if(header){header.click();}
  apply();
})();
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def render_html(view: RecordView) -> bytes:
    scores = view.scores
    band = scores.conclusion or "none"
    report = view.record.report
    system_name = report.system.name if report.system and report.system.name else ""
    title = f"{view.t('title.record')} · {system_name}" if system_name else view.t("title.record")
    parts = [
        f'<!DOCTYPE html><html lang="{view.lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
    ]
    parts.append(
        f"<header><h1>{_e(title)}</h1><div>{_e(view.t('m.level_value', level=view.record.level))} · "
        f"{_e(report.profile.id)} · GB/T 22239-2019 / GB/T 28448-2019</div></header>"
    )
    if not report.snapshot.verified:
        parts.append(
            f'<div class="unverified" id="unverified">{_e(view.t("m.unverified"))}: '
            f"{_e(view.t('m.unverified_note'))}</div>"
        )
    parts.append("<main>")
    overall = "–" if scores.overall is None else f"{scores.overall:.1f}"
    parts.append(
        f'<section id="summary"><h2>{_e(view.t("h.summary"))}</h2>'
        f'<span class="badge {band}" id="conclusion">{_e(view.t("m.conclusion"))}: '
        f'{_e(view.conclusion())}</span><span class="badge none">{_e(view.t("m.overall"))}: '
        f'{overall}</span><div class="small">{_e(view.provisional())}</div>'
    )
    if scores.medium_risk_cap:
        parts.append(f'<div class="small">{_e(view.t("conclusion.medium_cap"))}</div>')
    parts.append(
        '<table class="meta">'
        + "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in view.metadata())
        + "</table></section>"
    )
    parts.append(_high_risk(view))
    parts.append(
        f'<section id="charts"><h2>{_e(view.t("h.scores"))}</h2><div class="charts">'
        f"{_radar(view)}{_bars(view)}</div>"
    )
    parts.append(
        _table_html("scores", view.score_headers(), [[_e(v) for v in row] for row in view.score_rows()])
    )
    parts.append("</section>")
    if view.comparison is not None:
        parts.append(_diff(view))
    parts.append(_gaps(view))
    parts.append(_record(view))
    parts.append(
        f'<section id="method"><h2>{_e(view.t("h.method"))}</h2><p>{_e(view.t("method.text"))}</p>'
        + "".join(f'<p class="small">{_e(n)}</p>' for n in view.notes())
        + f'<p class="small">{_e(view.t("note.source", source=view.record.units.trigger_source))}</p>'
        + "</section>"
    )
    parts.append(f"</main><script>{SCRIPT}</script></body></html>\n")
    return "".join(parts).encode("utf-8")


def _high_risk(view: RecordView) -> str:
    rows = view.high_risk_rows()
    body = (
        _table_html(
            "high-risk-table",
            [view.t("col.trigger"), view.t("col.requirement"), view.t("col.unit")],
            [[_e(c) for c in row] for row in rows],
        )
        if rows
        else f"<p>{_e(view.t('note.high_risk_none'))}</p>"
    )
    unruled = view.scores.unruled
    extra = (
        f'<p class="small">{_e(view.t("note.unruled", codes=", ".join(u.trigger.code for u in unruled)))}</p>'
        if unruled
        else ""
    )
    return (
        f'<section id="high-risk"><h2>{_e(view.t("h.high_risk"))}</h2>{body}{extra}'
        f'<p class="small">{_e(view.t("note.high_risk"))}</p></section>'
    )


def _radar(view: RecordView) -> str:
    categories = list(view.scores.categories)
    n = len(categories)
    width, size, cx, cy, radius = 640, 480, 320, 230, 150
    if n < 3:
        return ""

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / n
        r = radius * value / EXPECTED
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def polygon(values: list[float]) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))

    out = [
        f'<svg id="radar" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{size}" '
        f'viewBox="0 0 {width} {size}" role="img" aria-label="{_e(view.t("h.radar"))}">'
        f"<title>{_e(view.t('h.radar'))}</title>"
    ]
    for ring in (25, 50, 75):
        out.append(f'<polygon points="{polygon([ring] * n)}" fill="none" stroke="#d5dae1"/>')
    out.append(
        f'<polygon points="{polygon([BAND_LINE] * n)}" fill="none" stroke="#e0a100" stroke-dasharray="4 3"/>'
    )
    out.append(
        f'<polygon class="expected" points="{polygon([EXPECTED] * n)}" fill="none" stroke="#1f3864" '
        'stroke-width="2"/>'
    )
    for i in range(n):
        x, y = point(i, EXPECTED)
        out.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d5dae1"/>')
    achieved = [c.score if c.score is not None else 0.0 for c in categories]
    out.append(
        f'<polygon class="achieved" points="{polygon(achieved)}" fill="rgba(214,69,65,.25)" '
        'stroke="#d64541" stroke-width="2"/>'
    )
    for i, c in enumerate(categories):
        x, y = point(i, EXPECTED + 16)
        anchor = "middle" if abs(x - cx) < 10 else ("start" if x > cx else "end")
        value = "–" if c.score is None else f"{c.score:.0f}"
        out.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" text-anchor="{anchor}">'
            f"{_e(view.category(c.category))} {value}</text>"
        )
    out.append(
        f'<text x="10" y="{size - 12}" font-size="11" fill="#1f3864">— {_e(view.t("col.expected_score"))} '
        f'{EXPECTED:.0f}</text><text x="150" y="{size - 12}" font-size="11" fill="#d64541">— '
        f'{_e(view.t("col.score"))}</text><text x="260" y="{size - 12}" font-size="11" fill="#e0a100">'
        f"- - {BAND_LINE:.0f} ({_e(view.t('conclusion.fair'))})</text></svg>"
    )
    return "".join(out)


def _bars(view: RecordView) -> str:
    categories = view.scores.categories
    width, label_width, bar_width, row_height = 640, 200, 400, 24
    height = row_height * len(categories) + 60
    out = [
        f'<svg id="bars" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(view.t("h.bars"))}">'
        f"<title>{_e(view.t('h.bars'))}</title>"
    ]
    for i, c in enumerate(categories):
        y = 10 + i * row_height
        out.append(
            f'<text x="{label_width - 6}" y="{y + 14}" font-size="11" text-anchor="end">'
            f"{_e(view.category(c.category))}</text>"
        )
        x = float(label_width)
        total = max(c.total, 1)
        for result in Result:
            count = c.counts[result]
            if not count:
                continue
            w = bar_width * count / total
            out.append(
                f'<rect class="bar" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_height - 6}" '
                f'fill="{COLOURS[result]}"><title>{_e(view.result(result))}: {count}</title></rect>'
            )
            x += w
        out.append(f'<text x="{label_width + bar_width + 6}" y="{y + 14}" font-size="11">{c.total}</text>')
    y = 20 + len(categories) * row_height
    x = 10.0
    for result in Result:
        out.append(
            f'<rect x="{x:.0f}" y="{y}" width="10" height="10" fill="{COLOURS[result]}"/>'
            f'<text x="{x + 14:.0f}" y="{y + 9}" font-size="11">{_e(view.result(result))}</text>'
        )
        x += 14 + 9 * len(view.result(result)) + 16
    out.append("</svg>")
    return "".join(out)


def _gaps(view: RecordView) -> str:
    gaps = view.gaps()
    if not gaps:
        return (
            f'<section id="gaps"><h2>{_e(view.t("h.gaps"))}</h2><p>{_e(view.t("note.no_gaps"))}</p></section>'
        )
    items = []
    for gap in gaps:
        unit = gap.unit.unit
        codes = f" · {', '.join(gap.triggers)}" if gap.triggers else ""
        severity = f" · {view.t('severity.' + gap.unit.severity.value)}" if gap.unit.severity else ""
        lines = "".join(f"<li>{_e(line)}</li>" for line in gap.remediation)
        items.append(
            f'<div class="gap{" hr" if gap.triggers else ""}"><strong>{_e(unit.id)} '
            f"{_e(unit.display_clause)} {_e(view.control(unit))}</strong> — "
            f"{_e(view.result(gap.unit.result))}{_e(severity)}{_e(codes)}"
            f'<div class="small">{_e(unit.requirement.zh)}<br>{_e(view.translation(unit))}</div>'
            f"<ul>{lines}</ul></div>"
        )
    return f'<section id="gaps"><h2>{_e(view.t("h.gaps"))} ({len(gaps)})</h2>{"".join(items)}</section>'


def _record(view: RecordView) -> str:
    rows = view.record_rows()
    truncated = ""
    if len(rows) > MAX_ROWS:
        # a browser cannot hold every row of a large fleet: the gaps first, the XLSX has them all
        kept = sorted(range(len(rows)), key=lambda i: (_PRIORITY.index(rows[i][0].result), i))[:MAX_ROWS]
        note = view.t("note.truncated", shown=MAX_ROWS, total=len(rows))
        truncated = f'<p class="small" id="truncated">{_e(note)}</p>'
        rows = [rows[i] for i in sorted(kept)]
    category_options = "".join(
        f'<option value="{c.category}">{_e(view.category(c.category))}</option>'
        for c in view.scores.categories
    )
    result_options = "".join(f'<option value="{r.value}">{_e(view.result(r))}</option>' for r in Result)
    row_count = view.t("note.rows", shown="{shown}", total="{total}")
    controls = (
        '<div class="controls"><input id="filter-text" type="search" '
        f'placeholder="{_e(view.t("note.filter"))}">'
        f'<select id="filter-result"><option value="">{_e(view.t("col.unit_result"))}: '
        f"{_e(view.t('note.all'))}</option>{result_options}</select>"
        f'<select id="filter-category"><option value="">{_e(view.t("col.category"))}: '
        f"{_e(view.t('note.all'))}</option>{category_options}</select>"
        f'<span class="small" id="row-count" data-template="{_e(row_count)}">'
        "</span></div>"
    )
    head = "".join(f"<th>{_e(h)}</th>" for h in view.record_headers())
    body = []
    result_columns = (10, 11)
    repeated = Counter(value for _, _, cells in rows for value in cells if len(value) >= SHARED_MIN_CHARS)
    shared: dict[str, int] = {}
    for unit_record, row, cells in rows:
        tds = []
        for index, value in enumerate(cells):
            if index in result_columns:
                result = row.result if index == 10 else unit_record.result
                tds.append(f'<td class="res" style="color:{COLOURS[result]}">{_e(value)}</td>')
            elif repeated[value] > 1:
                tds.append(f'<td data-t="{shared.setdefault(value, len(shared))}"></td>')
            else:
                tds.append(f"<td>{_e(value)}</td>")
        body.append(
            f'<tr data-result="{unit_record.result.value}" data-category="{unit_record.unit.category}">'
            f"{''.join(tds)}</tr>"
        )
    return (
        f'<section id="record-section"><h2>{_e(view.t("h.record"))}</h2>{truncated}{controls}'
        '<div class="tablewrap">'
        f'<table id="record"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
        f'<script type="application/json" id="shared-texts">{_json_in_html(list(shared))}</script></section>'
    )


def _json_in_html(value: object) -> str:
    """JSON that cannot end its <script> element early."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _diff(view: RecordView) -> str:
    comparison = view.comparison
    assert comparison is not None
    score_rows = [
        [
            _e(view.t("m.overall") if s.category is None else view.category(s.category)),
            _e("–" if s.before is None else s.before),
            _e("–" if s.after is None else s.after),
            _e("–" if s.delta is None else f"{s.delta:+.1f}"),
        ]
        for s in comparison.scores
    ]
    unit_rows = [
        [
            _e(u.unit),
            _e(view.category(u.category)),
            _e(view.t(f"diff.{u.change}")),
            _e(view.result(u.before)),
            _e(view.result(u.after)),
        ]
        for u in comparison.units
    ]
    finding_rows = [
        [
            _e(f.check),
            _e(f.target),
            _e(f.resource),
            _e(view.t(f"diff.{f.change}")),
            _e(view.status(f.before) if f.before else ""),
            _e(view.status(f.after) if f.after else ""),
        ]
        for f in comparison.findings
    ]
    summary = view.t(
        "diff.summary",
        new=comparison.count("new"),
        fixed=comparison.count("fixed"),
        still=comparison.count("still_failing"),
        changed=comparison.count("changed"),
    )
    return (
        f'<section id="diff"><h2>{_e(view.t("title.diff"))}</h2><p>{_e(summary)}</p>'
        + _table_html(
            "diff-scores",
            [view.t("col.category"), view.t("col.before"), view.t("col.after"), view.t("col.change")],
            score_rows,
        )
        + f"<h2>{_e(view.t('diff.units'))}</h2>"
        + _table_html(
            "diff-units",
            [
                view.t("col.unit"),
                view.t("col.category"),
                view.t("col.change"),
                view.t("col.before"),
                view.t("col.after"),
            ],
            unit_rows,
        )
        + f"<h2>{_e(view.t('diff.findings'))}</h2>"
        + _table_html(
            "diff-findings",
            [
                view.t("col.check"),
                view.t("col.target"),
                view.t("col.asset"),
                view.t("col.change"),
                view.t("col.before"),
                view.t("col.after"),
            ],
            finding_rows,
        )
        + "</section>"
    )


def _table_html(table_id: str, headers: list[str], rows: list[list[str]]) -> str:
    """A plain table; cells are already escaped."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
