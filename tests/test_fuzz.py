"""Seeded fuzzing of the files a user hands mlpscan: no traceback, no hang, one clear line.

Every input kind (snapshot, check, profile, waivers, config) is an `InputKind`: valid seed
documents, the library call that reads and uses one, and the command lines that read one. Mutants
are derived deterministically from SEED (structure edits, hostile tokens, byte flips, cuts, and a
fixed list of known attacks: alias bombs, recursive aliases, deep nesting, huge integers, lone
surrogates, non-scalar keys). Each goes through the library, where it must load or raise
`InputError` naming the file on one line, and a share of them through `mlpscan.cli.main`
in-process, which must exit 0-3 and, on 2, print one `mlpscan: error:` line naming the file.

To fuzz another input kind (an inventory, a command line), add an `InputKind` to KINDS.
"""

from __future__ import annotations

import copy
import io
import json
import os
import random
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlpscan.cli import main
from mlpscan.conditions import OPERATORS
from mlpscan.config import read_config
from mlpscan.content import Content, load_content
from mlpscan.engine import evaluate
from mlpscan.errors import InputError
from mlpscan.snapshot import Snapshot, read_snapshot
from mlpscan.waivers import read_waivers
from mlpscan.writers import render_json, render_sarif
from tests.conftest import EXAMPLES, REPO

SEED = 20261117
LIBRARY_CASES = 300      # per kind, through the library
CLI_CASES = 8            # per kind, through the command line (each run loads the content)
# A mutant still running after this long has hung. Not a performance bound: every case takes
# milliseconds; this only turns an endless loop or a blocking read into a failure that names it.
WATCHDOG_SECONDS = 60
TODAY = date(2026, 11, 21)


class Hung(BaseException):
    """Raised by the watchdog: a BaseException so that no `except Exception` swallows it."""


@dataclass(frozen=True)
class Workspace:
    root: Path                   # the working directory of the command lines
    content: Content             # the shipped content (the library runs every check)
    cloud_content: Path          # the cross-cloud checks only: quick to load for each command line
    check_content: Path          # profiles/ and providers/ copied, checks/ holding one mutant
    snapshot: Path               # a small valid snapshot the other kinds are evaluated against
    examples: tuple[Snapshot, ...]


@dataclass(frozen=True)
class InputKind:
    name: str
    suffix: str
    seeds: Callable[[Workspace], list[str]]
    load: Callable[[Path, Workspace], object]          # raises InputError on bad input, nothing else
    commands: Callable[[Path, Workspace], list[list[str]]]
    place: Callable[[Workspace], Path] | None = None   # where the mutant is written (default: root)

    def path(self, workspace: Workspace) -> Path:
        return self.place(workspace) if self.place else workspace.root / f"input{self.suffix}"


# ---------------------------------------------------------------------------------------------
# The input kinds
# ---------------------------------------------------------------------------------------------

def _evaluate_fully(snapshot: Snapshot, content: Content, level: int = 3, **kwargs: Any) -> None:
    profile = content.level_profile(level)
    report = evaluate(snapshot, content, profile, today=TODAY, **kwargs)
    render_json(report)
    render_sarif(report, {c.id: c for c in content.checks_for(profile)}, content.catalog)


def _load_snapshot(path: Path, ws: Workspace) -> object:
    snapshot = read_snapshot(path)
    snapshot.compute_digest()
    _evaluate_fully(snapshot, ws.content)
    return snapshot


def _load_check(path: Path, ws: Workspace) -> object:
    check = ws.content.load_check(path, ws.check_content / "checks")
    alone = replace(ws.content, checks={check.id: check})
    for snapshot in ws.examples:  # a check that loads must evaluate too (`in` over a number did not)
        _evaluate_fully(snapshot, alone, max(check.levels))
    return check


def _load_profile(path: Path, ws: Workspace) -> object:
    profile = ws.content.profile(str(path))
    render_json(evaluate(read_snapshot(ws.snapshot), ws.content, profile, today=TODAY))
    return profile


def _load_waivers(path: Path, ws: Workspace) -> object:
    waivers = read_waivers(path)
    report = evaluate(read_snapshot(ws.snapshot), ws.content, ws.content.level_profile(3), today=TODAY,
                      waivers=[(w, str(path)) for w in waivers])
    render_json(report)
    return waivers


def _load_config(path: Path, ws: Workspace) -> object:
    config = read_config(path)
    report = evaluate(read_snapshot(ws.snapshot), ws.content, ws.content.level_profile(3), today=TODAY,
                      waivers=[(w, str(path)) for w in config.waivers], platforms=config.platforms)
    render_json(report)
    return config


def _evaluate_with(ws: Workspace, *extra: str, snapshot: Path | None = None, content: Path | None = None
                   ) -> list[str]:
    return ["evaluate", str(snapshot or ws.snapshot), "--content", str(content or ws.cloud_content),
            "--format", "json,sarif", "--output-dir", str(ws.root / "out"), "--today", TODAY.isoformat(),
            *extra]


def _seed_files(pattern: str) -> Callable[[Workspace], list[str]]:
    return lambda _: [p.read_text(encoding="utf-8") for p in sorted(REPO.glob(pattern))]


PROFILE_SEEDS = [
    "id: bank\nextends: level3\nparams:\n  log_retention_days: 366\n  lockout_threshold: 3\n"
    "exclude_checks: ['host.*']\n",
    "id: small\ntitle: Small office\nextends: level2\nparams:\n  risky_ports: [21, 23, 445]\n"
    "  mfa_required: true\n",
    '{"id": "json-profile", "extends": "level4", "params": {"password_min_length": 12}}\n',
]
WAIVER_SEEDS = [
    "waivers:\n  - check: cloud.residency.mainland_region\n    resource: \"acs:oss:cn-hongkong:*\"\n"
    "    justification: Public CDN origin, no personal data\n    approver: ciso@example.cn\n"
    "    expires: 2027-06-30\n  - check: 'aliyun.*'\n    resource: '*'\n    target: 'aliyun:*'\n"
    "    justification: Migration\n    approver: ops@example.cn\n    expires: 2026-01-01\n",
]
CONFIG_SEEDS = [
    "system:\n  name: payments-portal\n  level: 3\ntargets: [local, \"ssh://ops@10.0.0.5\"]\n"
    "clouds:\n  - provider: aws\n    profile: audit\n    regions: [cn-north-1]\n    accounts:\n"
    "      - {role_arn: \"arn:aws-cn:iam::111111111111:role/mlpscan-audit\", external_id: mlps, name: prod}\n"
    "platforms:\n  - target: \"aliyun:*\"\n    name: Alibaba Cloud Finance Cloud\n    level: 4\n"
    "    evidence: 33010099001\nwaivers:\n  - check: cloud.residency.mainland_region\n"
    "    resource: \"acs:oss:cn-hongkong:*:hk\"\n    justification: CDN origin\n    approver: ciso@example.cn\n"
    "    expires: 2027-06-30\noutput:\n  dir: out\n  formats: [json]\n  fail_on: high\n",
    "system: {profile: level2}\noutput: {fail_on: none}\n",
]

KINDS = [
    InputKind("snapshot", ".json", _seed_files("examples/*.json"), _load_snapshot,
              lambda path, ws: [["verify", str(path)], _evaluate_with(ws, snapshot=path)]),
    InputKind("check", ".yaml", _seed_files("checks/**/*.yaml"), _load_check,
              lambda path, ws: [["validate", "--content", str(ws.check_content)],
                                _evaluate_with(ws, content=ws.check_content)],
              place=lambda ws: ws.check_content / "checks" / "fuzz" / "case" / "mutant.yaml"),
    InputKind("profile", ".yaml", lambda _: PROFILE_SEEDS, _load_profile,
              lambda path, ws: [_evaluate_with(ws, "--profile", str(path))]),
    InputKind("waivers", ".yaml", lambda _: WAIVER_SEEDS, _load_waivers,
              lambda path, ws: [_evaluate_with(ws, "--waivers", str(path))]),
    InputKind("config", ".yaml", lambda _: CONFIG_SEEDS, _load_config,
              lambda path, ws: [_evaluate_with(ws, "--config", str(path))]),
]


# ---------------------------------------------------------------------------------------------
# Mutants
# ---------------------------------------------------------------------------------------------

def _bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


# Whole documents that broke loaders before (issue 17.11 and 17.12), for every kind.
KNOWN_ATTACKS: dict[str, bytes] = {
    "empty": b"",
    "bom only": b"\xef\xbb\xbf",
    "null": b"null",
    "a list": b"[1, 2]",
    "a number": b"42",
    "not UTF-8": b"\xff\xfe\x00\x01",
    "alias bomb": _bomb().encode(),
    "recursive alias": b"a: &a [*a]\n",
    "recursive mapping alias": b"a: &a {b: *a}\n",
    "deep YAML": ("a: " + "[" * 900 + "]" * 900 + "\n").encode(),
    "deep block YAML": "".join(" " * i + "k:\n" for i in range(400)).encode(),
    "deep JSON": ('{"a": ' + "[" * 5000 + "]" * 5000 + "}").encode(),
    "non-scalar key": b"? [a, b]\n: 1\n",
    "mapping key": b"x:\n  - {? {a: 1} : 2}\n",
    "huge integer": ("a: " + "9" * 5000 + "\n").encode(),
    "huge JSON integer": ('{"a": ' + "9" * 5000 + "}").encode(),
    "lone surrogate": b'{"a": "\\ud800"}',
    "lone trailing surrogate": b'{"a": "\\udc00 x"}',
    "impossible date": b"a: 2024-13-45\n",
    "python tag": b"a: !!python/object/apply:os.system ['true']\n",
    "two documents": b"a: 1\n---\nb: 2\n",
    "undefined alias": b"a: *nothing\n",
    "control characters": b"a: \x00\x01\x02\n",
    "merge of a scalar": b"a: &x 1\nb:\n  <<: *x\n",
}

HOSTILE_TOKENS = [
    "9" * 5000, '"\\ud800"', "&r [*r]", "*undefined", "!!python/name:os.system", "!!binary ===",
    "!!timestamp 2024-02-30", "!!int 0x", "!!float nan", "? [k]", "{" * 250, "[" * 250, "\t", "\x00",
    "\ufeff", "\u2028", "NaN", "-Infinity", "1e999", "-0", "'", '"', "|", ">", "%", "@", "`", "&a",
    "<<: *a", "---", "...", '"\\u0000"', '"\\x41"', "0o777", "1_000", "~", "null", "yes", "{{}}",
]

KEYS = ["_failed_calls", "schema", "id", "type", "uid", "target", "family", "family_divergence", "clauses",
        "assert", "where", "not", "all", "any", "path", "op", "value", "param", "evaluator", "match",
        "extends", "level", "params", "exclude_checks", "waivers", "expires", "resource", "check",
        "platforms", "system", "profile", "output", "digest", "regions", "data", "message", "unknown"]
PARAMS = ["log_retention_days", "risky_ports", "admin_ports", "mfa_required", "password_min_length",
          "stale_account_days", "no_such_param"]


def _deep(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = [value]
    return value


VALUES: list[Any] = [
    None, True, False, 0, -1, 2**63, -(2**63) - 1, 2**64, 1.5, 1e308, float("nan"), float("inf"), -0.0,
    "", " ", "x" * 20_000, "\x00", "line\nbreak", "\u2028", "🙂", "ｍｌｐｓ", "{name}", "{data.a[}",
    "{param.nope}", "{data.length(@)}", "*", "[!", "**", "aws.*", "host.*", "nope.nothing", "2024-13-45",
    "9" * 5000, "../../../etc/passwd", "/dev/urandom", "level3", "level9", "a[", "max(x)", "nope(x)",
    *OPERATORS, *PARAMS, {}, [], [[]], {"": None}, {"all": []}, {"not": {"not": {}}}, list(range(300)),
    _deep(205), date(1, 1, 1), date(9999, 12, 31), {"path": "a", "op": "in", "param": "log_retention_days"},
    {"path": "a", "op": "matches", "value": "(a+)+$"}, {"1": "a"}, [None, {}, []],
]


def _containers(document: Any) -> list[Any]:
    """Every dict and list in a document, without recursion."""
    found, pending = [], [document]
    while pending:
        node = pending.pop()
        if isinstance(node, (dict, list)):
            found.append(node)
            pending.extend(node.values() if isinstance(node, dict) else node)
    return found


def _edit(rng: random.Random, document: Any) -> None:
    container = rng.choice(_containers(document))
    if isinstance(container, dict) and "path" in container and rng.random() < 0.3:
        container["op"] = rng.choice(OPERATORS)  # a condition whose operator and value disagree
        container.pop("value" if rng.random() < 0.5 else "param", None)
        container[rng.choice(["value", "param"])] = copy.deepcopy(rng.choice([*PARAMS, *VALUES[:20]]))
        return
    action = rng.choice(["replace", "replace", "delete", "add", "wrap", "swap"])
    keys = list(container) if isinstance(container, dict) else list(range(len(container)))
    # copies: an edit must never change VALUES or alias one part of the document into another
    value = copy.deepcopy(rng.choice(_containers(document)) if action == "swap" else rng.choice(VALUES))
    if action == "add" or not keys:
        if isinstance(container, dict):
            container[rng.choice(KEYS)] = value
        else:
            container.append(value)
        return
    key = rng.choice(keys)
    if action == "delete":
        del container[key]
    elif action == "wrap":
        container[key] = [container[key]] if rng.random() < 0.5 else {rng.choice(KEYS): container[key]}
    else:
        container[key] = value


def _structural(rng: random.Random, text: str, suffix: str) -> bytes:
    document = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    if not isinstance(document, (dict, list)):
        return text.encode()
    for _ in range(rng.randint(1, 3)):
        _edit(rng, document)
    try:
        if suffix == ".json" or rng.random() < 0.2:  # JSON is YAML too
            return json.dumps(document, default=str).encode()
        return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()
    except RecursionError:  # wrapped too deep for the dumpers themselves: the known attacks cover it
        return text.encode()


def _token(rng: random.Random, text: str, _suffix: str) -> bytes:
    lines = text.splitlines()
    index = rng.randrange(len(lines) + 1)
    token = rng.choice(HOSTILE_TOKENS)
    if index < len(lines) and ": " in lines[index] and rng.random() < 0.7:
        head = lines[index].split(": ", 1)[0]
        lines[index] = f"{head}: {token}"
    else:
        lines.insert(index, token if rng.random() < 0.5 else f"{rng.choice(KEYS)}: {token}")
    return ("\n".join(lines) + "\n").encode()


def _bytes(rng: random.Random, text: str, _suffix: str) -> bytes:
    data = bytearray(text.encode())
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def _cut(rng: random.Random, text: str, _suffix: str) -> bytes:
    data = text.encode()
    return data[:rng.randrange(len(data) + 1)]


Strategy = Callable[[random.Random, str, str], bytes]
STRATEGIES: list[tuple[str, Strategy]] = [("structure", _structural)] * 5 + [("token", _token)] * 3 + [
    ("bytes", _bytes), ("cut", _cut)]
# The known attacks every command line also meets (the library meets all of them).
CLI_ATTACKS = ["alias bomb", "recursive alias", "deep JSON", "huge integer", "lone surrogate", "non-scalar key"]


def mutants(kind: InputKind, workspace: Workspace, count: int) -> Iterator[tuple[str, bytes]]:
    """Seeded mutants of the kind's seed documents: the same ``count`` cases on every run."""
    rng = random.Random(f"{SEED}:{kind.name}")
    seeds = kind.seeds(workspace)
    for number in range(count):
        name, strategy = rng.choice(STRATEGIES)
        yield f"{name} #{number}", strategy(rng, rng.choice(seeds), kind.suffix)


# ---------------------------------------------------------------------------------------------
# Running them
# ---------------------------------------------------------------------------------------------

@contextmanager
def watchdog(label: str) -> Iterator[None]:
    """Turn a hang into a failure naming the case (POSIX main thread; elsewhere a hang stays a hang)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def hung(_signum: int, _frame: object) -> None:
        raise Hung(f"{label}: still running after {WATCHDOG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, WATCHDOG_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_library(kind: InputKind, workspace: Workspace, path: Path, label: str) -> bool:
    """True when the input loaded; False when it was refused properly; fails the test otherwise."""
    refused: InputError | None = None
    try:
        with watchdog(label):
            kind.load(path, workspace)
    except InputError as exc:
        refused = exc
    except Exception as exc:  # anything else is a crash: report the case, not a traceback
        pytest.fail(f"{kind.name} {label}: {type(exc).__name__}: {str(exc)[:300]}")
    if refused is None:
        return True
    text = str(refused)
    assert "\n" not in text, f"{kind.name} {label}: a multi-line error: {text!r}"
    assert refused.path == str(path), f"{kind.name} {label}: the error does not name {path}: {text}"
    return False


def run_cli(argv: list[str], label: str) -> tuple[int, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with watchdog(label), redirect_stdout(stdout), redirect_stderr(stderr):
            code: Any = main(argv)
    except SystemExit as exc:
        code = exc.code
    except Exception as exc:
        pytest.fail(f"{label}: `mlpscan {' '.join(argv)[:200]}` crashed: {type(exc).__name__}: {str(exc)[:300]}")
    return int(code), stderr.getvalue()


def check_cli(kind: InputKind, workspace: Workspace, path: Path, label: str) -> None:
    for argv in kind.commands(path, workspace):
        code, stderr = run_cli(argv, f"{kind.name} {label}")
        assert code in (0, 1, 2, 3), f"{kind.name} {label}: exit code {code}"
        assert "Traceback" not in stderr, f"{kind.name} {label}: {stderr[-500:]}"
        errors = [line for line in stderr.splitlines() if line.startswith("mlpscan: error:")]
        if code == 2:
            assert len(errors) == 1, f"{kind.name} {label}: {stderr[-500:]}"
            assert str(path) in errors[0], f"{kind.name} {label}: the error does not name the file: {errors[0]}"
        else:
            assert not errors, f"{kind.name} {label}: exit {code} with {errors}"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, cloud_checks_only: Path) -> Workspace:
    root = tmp_path_factory.mktemp("fuzz")
    check_content = root / "content"
    for name in ("profiles", "providers"):
        shutil.copytree(REPO / name, check_content / name)
    (check_content / "checks").mkdir()
    snapshot = root / "small.json"
    shutil.copy(EXAMPLES / "mixed-level4.json", snapshot)
    return Workspace(root=root, content=load_content(REPO), cloud_content=cloud_checks_only,
                     check_content=check_content, snapshot=snapshot,
                     examples=tuple(read_snapshot(p) for p in sorted(EXAMPLES.glob("*.json"))))


@pytest.fixture
def in_workspace(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.chdir(workspace.root)  # a fuzzed relative path stays inside the workspace
    return workspace


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_library_loaders_load_or_refuse_in_one_line(kind: InputKind, in_workspace: Workspace) -> None:
    path = kind.path(in_workspace)
    outcomes = []
    for label, data in [*KNOWN_ATTACKS.items(), *mutants(kind, in_workspace, LIBRARY_CASES)]:
        write(path, data)
        outcomes.append(check_library(kind, in_workspace, path, label))
    assert len(outcomes) == len(KNOWN_ATTACKS) + LIBRARY_CASES
    # the mutants must exercise both sides, or the fuzzer is not testing anything
    assert any(outcomes), f"{kind.name}: no mutant loaded"
    assert not all(outcomes), f"{kind.name}: no mutant was refused"


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_command_line_exits_0_to_3_with_one_line_errors(kind: InputKind, in_workspace: Workspace) -> None:
    path = kind.path(in_workspace)
    attacks = [(name, KNOWN_ATTACKS[name]) for name in CLI_ATTACKS]
    for label, data in [*attacks, *mutants(kind, in_workspace, CLI_CASES)]:
        write(path, data)
        check_cli(kind, in_workspace, path, label)


def _not_a_regular_file(root: Path, what: str, path: Path) -> Path:
    """Put something that is not a regular file where the input should be."""
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if what == "fifo":
        os.mkfifo(path)
    elif what == "directory":
        path.mkdir()
    elif what == "symlink loop":
        path.symlink_to(path)
    elif what == "device":
        path.symlink_to("/dev/urandom")
    return path


@pytest.mark.parametrize("what", ["fifo", "device", "directory", "symlink loop", "missing"])
@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_only_regular_files_are_read(kind: InputKind, in_workspace: Workspace, what: str) -> None:
    path = _not_a_regular_file(in_workspace.root, what, kind.path(in_workspace))
    try:
        assert check_library(kind, in_workspace, path, what) is False
        check_cli(kind, in_workspace, path, what)
    finally:
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink(missing_ok=True)
