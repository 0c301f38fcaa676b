"""Host verdicts of mlpscan against OpenSCAP with ComplianceAsCode's Debian 12 content.

For each host of bench/openscap/hosts.py: a real sshd in a private mount namespace whose /etc is
a copy of this machine's with the host's files (tests/providers/host/sshd_server.py), a private
/var/log, and the daemons the host runs. mlpscan scans it over SSH with --sudo; `oscap xccdf
eval` runs inside the same mount namespace (nsenter), so both tools read the same files. The
rules compared and how they differ from the checks are bench/openscap/mapping.yaml; the
tailoring sets ComplianceAsCode's variables from mlpscan's parameters at the compared level.

Prints, per host and pair, mlpscan's status and OpenSCAP's result, the agreement over verdicts
both tools gave (pass or fail), and every mlpscan pass that OpenSCAP fails (a false-pass
candidate). Needs root (apt, nsenter, auditctl). Not a test: nothing here runs in CI.

    python bench/openscap_compare.py                     # every host, level 3
    python bench/openscap_compare.py --hosts weak,hardened --json results.json
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench" / "openscap"))

from content import DEFAULT_SOURCE, DEFAULT_TAG, datastream  # noqa: E402
from hosts import HOSTS, UNIT_WANTS, Host  # noqa: E402
from tests.providers.host.sshd_server import Sshd, apt_install, installed_packages, running_sshd  # noqa: E402

from mlpscan.content import load_content  # noqa: E402

MAPPING = REPO / "bench" / "openscap" / "mapping.yaml"
DECISIONS = REPO / "bench" / "openscap" / "decisions.yaml"
RULE_PREFIX = "xccdf_org.ssgproject.content_rule_"
VALUE_PREFIX = "xccdf_org.ssgproject.content_value_"
PROFILE_ID = "xccdf_org.mlpscan_profile_compare"
XCCDF = "{http://checklists.nist.gov/xccdf/1.2}"
# what the comparison needs on this machine: the scanner, the tools that build the data stream,
# and the packages ComplianceAsCode's platforms ask for (linux-base stands for "a kernel is
# installed" on Debian)
PACKAGES = ("openscap-scanner", "cmake", "xsltproc", "libxml2-utils",
            "linux-base", "auditd", "libpwquality1", "rsyslog", "logrotate")
# units whose enablement the hosts decide (the machine's own /etc may enable them)
MANAGED_UNITS = ("auditd.service",)
VERDICTS = ("pass", "fail")
OSCAP_ERRORS = ("error", "unknown", "notchecked")


# ---------------------------------------------------------------------------------------------
# This machine: packages, installed once and removed again
# ---------------------------------------------------------------------------------------------

def prepare_machine(keep: bool) -> None:
    if os.geteuid() != 0:
        raise SystemExit("run as root: the hosts need apt, nsenter and auditctl")
    missing = [p for p in PACKAGES if p not in installed_packages()]
    if not missing:
        return
    before = installed_packages()
    apt_install(missing, SystemExit)    # rsyslog and auditd are not started here
    added = sorted(installed_packages() - before)
    if added and not keep:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        atexit.register(lambda: subprocess.run(["apt-get", "purge", "-y", "-qq", *added], env=env,
                                               capture_output=True, check=False))


# ---------------------------------------------------------------------------------------------
# Mapping and tailoring
# ---------------------------------------------------------------------------------------------

Expression = str | Mapping[str, Sequence[Any]]


def rules_of(expression: Expression) -> list[str]:
    if isinstance(expression, str):
        return [expression]
    (parts,) = expression.values()
    return [rule for part in parts for rule in rules_of(part)]


def combine(expression: Expression, results: Mapping[str, str]) -> str:
    """One verdict from the rule results: `all` fails on any failure, `any` passes on any pass;
    a part that could not be judged (error, unknown) makes the whole unknown unless the other
    parts decide."""
    if isinstance(expression, str):
        result = results.get(expression, "missing")
        return "error" if result in OSCAP_ERRORS or result == "missing" else result
    ((kind, parts),) = expression.items()
    values = [combine(part, results) for part in parts]
    decided = [v for v in values if v != "notapplicable"]
    if not decided:
        return "notapplicable"
    if kind == "all":
        if "fail" in decided:
            return "fail"
        return "error" if "error" in decided else "pass"
    if "pass" in decided:
        return "pass"
    return "error" if "error" in decided else "fail"


def tailoring(mapping: Mapping[str, Any], level: int, datastream_path: Path) -> str:
    params = load_content().level_profile(level).params
    rules = sorted({r for pair in mapping["pairs"] + mapping.get("related", [])
                    for r in rules_of(pair["openscap"])})
    values = []
    for name, spec in mapping["variables"].items():
        value = params[spec["param"]] if "param" in spec else spec["value"]
        values.append(f'    <xccdf:set-value idref="{VALUE_PREFIX}{name}">{value}</xccdf:set-value>')
    selects = [f'    <xccdf:select idref="{RULE_PREFIX}{r}" selected="true"/>' for r in rules]
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<xccdf:Tailoring xmlns:xccdf="http://checklists.nist.gov/xccdf/1.2"'
        ' id="xccdf_org.mlpscan_tailoring_compare">',
        f'  <xccdf:benchmark href="{datastream_path}"/>',
        '  <xccdf:version time="2026-01-01T00:00:00">1</xccdf:version>',
        f'  <xccdf:Profile id="{PROFILE_ID}">',
        f'    <xccdf:title>mlpscan level {level} comparison</xccdf:title>',
        *selects, *values, "  </xccdf:Profile>", "</xccdf:Tailoring>", ""])


# ---------------------------------------------------------------------------------------------
# A host: its /etc files, its namespace, its daemons
# ---------------------------------------------------------------------------------------------

def _edited_accounts(host: Host) -> dict[str, str]:
    """passwd, shadow and group: this machine's, with the host's accounts and shells."""
    def lines(path: str) -> list[str]:
        return Path(path).read_text(encoding="utf-8").splitlines()

    passwd = []
    for line in lines("/etc/passwd"):
        fields = line.split(":")
        if fields[0] in host.shells:
            fields[6] = host.shells[fields[0]]
        passwd.append(":".join(fields))
    passwd += [p for p, _ in host.accounts]
    shadow = lines("/etc/shadow") + [s for _, s in host.accounts]
    group = lines("/etc/group") + list(host.groups)
    return {"/etc/passwd": "\n".join(passwd) + "\n", "/etc/shadow": "\n".join(shadow) + "\n",
            "/etc/group": "\n".join(group) + "\n"}


def etc_files(host: Host) -> dict[str, str]:
    # the marker makes every host get its own /etc, the stock one too
    files = {"/etc/mlpscan-compare-host": f"{host.name}\n"}
    files.update({path: text for path, text in host.files.items() if path.startswith("/etc/")})
    if host.accounts or host.shells or host.groups:
        files.update(_edited_accounts(host))
    return files


def var_log_tree(host: Host, into: Path) -> Path:
    """The host's /var/log: the login records, and its log files with their modes."""
    root = into / "var-log"
    if root.exists():
        shutil.rmtree(root)
    (root / "audit").mkdir(parents=True)
    (root / "journal").mkdir()
    for name in ("wtmp", "btmp", "lastlog", "faillog"):
        (root / name).touch()
    for path, text in host.files.items():
        if path.startswith("/var/log/"):
            target = root / path.removeprefix("/var/log/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for path in host.log_files:
        target = root / path.removeprefix("/var/log/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    return root


def _in_namespace(pid: int, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["nsenter", "-t", str(pid), "-m", "sh", "-ec", script],
                          capture_output=True, text=True, check=False)


def _mode_commands(modes: Mapping[str, str]) -> list[str]:
    commands = []
    for path, spec in modes.items():
        mode, owner = spec.split()
        commands += [f"chown {owner} '{path}'", f"chmod {mode} '{path}'"]
    return commands


ACCOUNT_FILE_MODES = {"/etc/passwd": "0644 root:root", "/etc/group": "0644 root:root",
                      "/etc/shadow": "0640 root:shadow"}
AUDIT_RULES_LOADED = "/run/mlpscan-compare-audit.rules"


@contextmanager
def host_running(host: Host, server: Sshd, var_log: Path) -> Iterator[list[str]]:
    """The host's namespace made whole (modes, units, /var/log, daemons); yields what was noted."""
    pid = server.namespace_pid
    assert pid is not None
    notes: list[str] = []
    # files written by etc_files are 0644: give account files their Debian modes first
    written = {**ACCOUNT_FILE_MODES, **host.modes} if (host.accounts or host.shells or host.groups) \
        else dict(host.modes)
    setup = [f"mount --bind '{var_log}' /var/log", *_mode_commands(written),
             *_mode_commands(host.log_files), *(f"rm -f '{p}'" for p in host.remove)]
    for unit in MANAGED_UNITS:
        link = f"{UNIT_WANTS}/{unit}"
        setup.append(f"ln -sf /lib/systemd/system/{unit} {link}" if unit in host.enabled_units
                     else f"rm -f {link}")
    done = _in_namespace(pid, "\n".join(setup))
    if done.returncode != 0:
        raise SystemExit(f"host {host.name}: setup failed: {done.stderr.strip()}")
    started = False
    try:
        if "auditd" in host.daemons:
            started = True
            notes += _start_auditd(pid)
        yield notes
    finally:
        if started:
            _in_namespace(pid, "if [ -s /run/auditd.pid ]; then kill \"$(cat /run/auditd.pid)\"; fi; "
                               "sleep 1; auditctl -D >/dev/null; auditctl -e 0 >/dev/null")


def _start_auditd(pid: int) -> list[str]:
    """auditd with the host's auditd.conf; when it runs, its rules compiled by augenrules and
    loaded as the unit's `augenrules --load` would, minus `-e 2` (the kernel is shared: immutable rules would
    outlive the host). auditd refusing its configuration is the host's truth, not an error."""
    started = _in_namespace(pid, 'auditd; sleep 1; test -s /run/auditd.pid && '
                                 'kill -0 "$(cat /run/auditd.pid)"')
    if started.returncode != 0:
        return [f"auditd refused to start: {' '.join(started.stderr.split())[:300]}"]
    script = f"""
augenrules >/dev/null
grep -v -E '^[[:space:]]*-e[[:space:]]+2' /etc/audit/audit.rules > {AUDIT_RULES_LOADED} || true
auditctl -R {AUDIT_RULES_LOADED} >/dev/null
auditctl -s | grep -E '^(enabled|pid) '
"""
    done = _in_namespace(pid, script)
    if done.returncode != 0:
        raise SystemExit(f"audit rules did not load: {done.stderr.strip()} {done.stdout.strip()}")
    return [f"auditd running, rules loaded: {' '.join(done.stdout.split())}"]


# ---------------------------------------------------------------------------------------------
# The two tools
# ---------------------------------------------------------------------------------------------

def mlpscan_statuses(server: Sshd, level: int, out: Path, checks: Sequence[str]) -> dict[str, Any]:
    ssh_config = out / "ssh_config"
    ssh_config.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
    done = subprocess.run(
        [sys.executable, "-m", "mlpscan", "scan", server.target(), "--sudo", "--level", str(level),
         "--format", "json", "--output-dir", str(out), "--ssh-config", str(ssh_config),
         "--known-hosts", str(server.known_hosts), "--identity", str(server.client_key)],
        capture_output=True, text=True, env=env, check=False, timeout=600)
    if done.returncode not in (0, 1):
        raise SystemExit(f"mlpscan scan failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    report = json.loads((out / "mlpscan-report.json").read_text(encoding="utf-8"))
    found: dict[str, Any] = {}
    for finding in report["findings"]:
        if finding["check"] in checks:
            found.setdefault(finding["check"], []).append(
                {"status": finding["status"], "message": finding["message"]})
    statuses = {}
    for check, items in found.items():
        kinds = {i["status"] for i in items}
        status = next((s for s in ("fail", "error", "pass", "not_applicable") if s in kinds),
                      items[0]["status"])
        statuses[check] = {"status": status, "message": "; ".join(i["message"] for i in items
                                                                   if i["status"] == status)[:400]}
    return statuses


def oscap_results(pid: int, datastream_path: Path, tailoring_path: Path, out: Path) -> dict[str, str]:
    results = out / "oscap-results.xml"
    done = subprocess.run(["nsenter", "-t", str(pid), "-m", "oscap", "xccdf", "eval",
                           "--tailoring-file", str(tailoring_path), "--profile", PROFILE_ID,
                           "--results", str(results), str(datastream_path)],
                          capture_output=True, text=True, check=False, timeout=900)
    if done.returncode not in (0, 2) or not results.exists():
        raise SystemExit(f"oscap failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    parsed = {}
    for rule in ET.parse(results).iter(f"{XCCDF}rule-result"):
        result = rule.find(f"{XCCDF}result")
        if result is not None and result.text != "notselected":
            parsed[rule.get("idref", "").removeprefix(RULE_PREFIX)] = result.text or ""
    return parsed


# ---------------------------------------------------------------------------------------------
# Comparison and report
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    host: str
    check: str
    mlpscan: str
    openscap: str
    parts: dict[str, str]
    message: str
    counted: bool
    outside: str | None = None     # why the pair does not judge the same property on this host

    @property
    def comparable(self) -> bool:
        return self.mlpscan in VERDICTS and self.openscap in VERDICTS and self.outside is None

    @property
    def agrees(self) -> bool:
        return self.mlpscan == self.openscap


def outside(pair: Mapping[str, Any], resources: Sequence[Mapping[str, Any]]) -> str | None:
    """The pair's `comparable_when` ({resource, field, equals}) against the scanned resource."""
    when = pair.get("comparable_when")
    if when is None:
        return None
    found = [r["data"].get(when["field"]) for r in resources if r["type"] == when["resource"]]
    if found and all(value == when["equals"] for value in found):
        return None
    return f"{when['resource']} {when['field']} is {found[0] if found else 'absent'}: {when['why']}"


def compare_host(host: str, pairs: Sequence[Mapping[str, Any]], statuses: Mapping[str, Any],
                 results: Mapping[str, str], resources: Sequence[Mapping[str, Any]], *,
                 counted: bool) -> list[Row]:
    rows = []
    for pair in pairs:
        mine = statuses.get(pair["check"], {"status": "absent", "message": ""})
        rows.append(Row(host, pair["check"], mine["status"], combine(pair["openscap"], results),
                        {r: results.get(r, "missing") for r in rules_of(pair["openscap"])},
                        mine["message"], counted, outside(pair, resources)))
    return rows


def report(rows: Sequence[Row], decisions: Mapping[tuple[str, str], Mapping[str, str]]) -> dict[str, Any]:
    counted = [r for r in rows if r.counted]
    comparable = [r for r in counted if r.comparable]
    agreed = [r for r in comparable if r.agrees]
    disagreed = [r for r in comparable if not r.agrees]
    hosts = sorted({r.host for r in rows}, key=[r.host for r in rows].index)
    checks = sorted({r.check for r in counted}, key=[r.check for r in counted].index)
    width = max(len(c) for c in checks) if checks else 10
    print(f"\n{'check':<{width}}  " + "  ".join(f"{h:<15}" for h in hosts))
    for check in checks:
        cells = []
        for host in hosts:
            row = next((r for r in counted if r.host == host and r.check == check), None)
            if row is None:
                cells.append(" " * 15)
                continue
            mark = ("-" if row.outside else "") if not row.comparable else ("=" if row.agrees else "≠")
            cells.append(f"{_short(row.mlpscan)}/{_short(row.openscap)} {mark}".ljust(15))
        print(f"{check:<{width}}  " + "  ".join(cells))
    print("\n(mlpscan/OpenSCAP: P pass, F fail, E error, N/A not applicable; = agree, ≠ disagree, "
          "- not the same property on this host)")
    share = 100.0 * len(agreed) / len(comparable) if comparable else 0.0
    print(f"\ncomparable verdicts: {len(comparable)}   agree: {len(agreed)}   agreement: {share:.1f} %")
    verdicts = {id(r): decisions.get((r.host, r.check), {}).get("right", "undecided") for r in disagreed}
    openscap_wrong = [r for r in disagreed if verdicts[id(r)] == "mlpscan"]
    undecided = [r for r in disagreed if verdicts[id(r)] == "undecided"]
    false_pass = [r for r in disagreed if r.mlpscan == "pass" and verdicts[id(r)] != "mlpscan"]
    for title, status in (("mlpscan pass where OpenSCAP fails", "pass"),
                          ("mlpscan fail where OpenSCAP passes", "fail")):
        selected = [r for r in disagreed if r.mlpscan == status]
        print(f"{title}: {len(selected)}")
        for row in selected:
            print(f"  {row.host:<12} {row.check:<36} right: {verdicts[id(row)]:<9} {_parts(row)}")
    trusted = len(comparable) - len(openscap_wrong)
    trusted_share = 100.0 * len(agreed) / trusted if trusted else 0.0
    print(f"decided for mlpscan (OpenSCAP wrong or judging something else, decisions.yaml): "
          f"{len(openscap_wrong)}; agreement on the other verdicts: {len(agreed)}/{trusted} = "
          f"{trusted_share:.1f} %")
    print(f"mlpscan false passes (pass where OpenSCAP fails and is right, or undecided): {len(false_pass)}")
    if undecided:
        print(f"UNDECIDED disagreements (add them to bench/openscap/decisions.yaml): {len(undecided)}")
    unjudged = [r for r in counted if not r.comparable]
    if unjudged:
        print(f"pairs without two verdicts of the same property: {len(unjudged)}")
        for row in unjudged:
            why = row.outside or row.message[:120] or _parts(row)
            print(f"  {row.host:<12} {row.check:<36} mlpscan {row.mlpscan}, OpenSCAP {row.openscap}: {why}")
    return {"comparable": len(comparable), "agree": len(agreed), "agreement_percent": round(share, 1),
            "decided_for_mlpscan": len(openscap_wrong),
            "agreement_on_other_verdicts_percent": round(trusted_share, 1),
            "false_passes": [r.__dict__ for r in false_pass], "undecided": [r.__dict__ for r in undecided],
            "disagreements": [{**r.__dict__, "right": verdicts[id(r)]} for r in disagreed],
            "rows": [{**r.__dict__, "comparable": r.comparable} for r in rows]}


def _short(status: str) -> str:
    short = {"pass": "P", "fail": "F", "error": "E", "not_applicable": "N/A", "notapplicable": "N/A"}
    return short.get(status, status)


def _parts(row: Row) -> str:
    return ", ".join(f"{rule} {result}" for rule, result in row.parts.items() if result != "pass")[:300]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", help="comma-separated host names (default: all)")
    parser.add_argument("--level", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "mlpscan-openscap",
                        help="where the ComplianceAsCode build is kept")
    parser.add_argument("--cac-source", default=DEFAULT_SOURCE,
                        help="ComplianceAsCode git repository: a URL, a clone or a bare mirror")
    parser.add_argument("--cac-tag", default=DEFAULT_TAG)
    parser.add_argument("--json", type=Path, help="write every row and the totals here")
    parser.add_argument("--keep-packages", action="store_true",
                        help="leave the packages installed for the comparison on this machine")
    parser.add_argument("--workdir", type=Path, help="keep reports and OpenSCAP results here")
    args = parser.parse_args(argv)

    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    wanted = set(args.hosts.split(",")) if args.hosts else None
    hosts = [h for h in HOSTS if wanted is None or h.name in wanted]
    if wanted and len(hosts) != len(wanted):
        raise SystemExit(f"unknown host in {sorted(wanted)}: known {[h.name for h in HOSTS]}")
    prepare_machine(args.keep_packages)
    ds = datastream(args.cache, args.cac_source, args.cac_tag)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="mlpscan-oscap-"))
    work.mkdir(parents=True, exist_ok=True)
    tailoring_path = work / "tailoring.xml"
    tailoring_path.write_text(tailoring(mapping, args.level, ds), encoding="utf-8")
    checks = [p["check"] for p in mapping["pairs"] + mapping.get("related", [])]
    rows: list[Row] = []
    for host in hosts:
        out = work / host.name
        out.mkdir(parents=True, exist_ok=True)
        print(f"host {host.name}: {host.description}", file=sys.stderr)
        var_log = var_log_tree(host, out)
        with running_sshd(("127.0.0.1",), etc_files=etc_files(host)) as server, \
                host_running(host, server, var_log) as notes:
            for note in notes:
                print(f"  {note}", file=sys.stderr)
            assert server.namespace_pid is not None
            statuses = mlpscan_statuses(server, args.level, out, checks)
            results = oscap_results(server.namespace_pid, ds, tailoring_path, out)
        resources = json.loads((out / "snapshot.json").read_text(encoding="utf-8"))["resources"]
        rows += compare_host(host.name, mapping["pairs"], statuses, results, resources, counted=True)
        rows += compare_host(host.name, mapping.get("related", []), statuses, results, resources,
                             counted=False)
    decided = yaml.safe_load(DECISIONS.read_text(encoding="utf-8"))["decisions"]
    summary = report(rows, {(d["host"], d["check"]): d for d in decided})
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
