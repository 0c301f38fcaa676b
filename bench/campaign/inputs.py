"""Bad inputs: generated files and command lines through mlpscan's real entry point.

Every input kind a user hands mlpscan gets seeded mutants: the suite's mutators
(tests/test_fuzz.py: structure edits, hostile tokens, byte flips, cuts, the known attacks;
tests/test_inventory.py's inventory mutator; tests/test_cli_fuzz.py's argument vectors built from
the parser) applied to valid seed documents. Case N of a kind is derived from (seed, kind, N)
alone, so any case reproduces on its own (`--only-case KIND:N`).

Each case runs `mlpscan.cli.main` in-process in a worker process, stdout and stderr captured,
under a per-case SIGALRM limit; the parent kills a worker that stops reporting and counts the
case it was on as a hang. Every `--subprocess-every`th case also runs as `python -m mlpscan`.
Per case: a traceback (an exception escaping main, traceback text, an exit code outside 0-4), a
hang, a crash (exit 4), and an exit 2 whose message is not one line naming the input file.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.campaign.common import REPO, Figures, base_env, limit_memory, run_mlpscan
from bench.campaign.scans import closed_port

TODAY = "2026-11-21"
LIMIT = 20.0          # seconds per case in-process before it counts as hung
STALL = LIMIT + 25.0  # seconds without a word from a worker before the parent kills it
FIGURES_HERE = ("tracebacks", "hangs", "crashes", "false_passes", "bad_messages")

# cases per kind in a full run (10,100 in all); --scale multiplies them
SHARES = {"snapshot": 1300, "check": 300, "profile": 900, "waivers": 800, "config": 900, "answers": 700,
          "answers-xlsx": 200, "inventory-ini": 500, "inventory-yaml": 400, "inventory-json": 300,
          "baseline": 900, "shard-part": 900, "command-line": 2000}

ANSWERS_SEED = """\
schema: mlpscan.answers/1
level: 3
respondent: 山田
date: 2026-11-20
answers:
  - {unit: L3-PSS1-01, result: 符合, evidence: 方針 v3}
  - {unit: L3-PSS1-02, result: 一部適合, evidence: 手順書の一部のみ, respondent: Li, date: 2026-11-21}
  - {unit: L3-PSS1-03, result: null}
  - {unit: L3-PSS1-04, result: n/a}
"""


def _inventory_seeds(port: int) -> dict[str, str]:
    """Inventories of loopback hosts on a closed port: every connection is refused at once."""
    ini = (f"bastion ansible_host=127.0.0.1 ansible_port={port}\n\n[web]\nweb-01 ansible_host=127.0.0.1 "
           f"ansible_port={port}\nweb-[02:04] ansible_host=127.0.0.1 ansible_user=deploy\n\n[db]\n"
           f"db-01 ansible_host=127.0.0.1\n\n[prod:children]\nweb\ndb\n\n[prod:vars]\nansible_user=ops\n"
           f"ansible_port={port}\n\n[all:vars]\nansible_user=root\n")
    yaml_text = (f"all:\n  vars:\n    ansible_user: root\n    ansible_port: {port}\n  hosts:\n"
                 "    bastion:\n      ansible_host: 127.0.0.1\n  children:\n    prod:\n      vars:\n"
                 "        ansible_user: ops\n      children:\n        web:\n          hosts:\n"
                 f"            web-01: {{ansible_host: 127.0.0.1, ansible_port: {port}}}\n"
                 "            web-02: {ansible_host: 127.0.0.1, ansible_user: deploy}\n"
                 "        db:\n          hosts:\n            db-01: {ansible_host: 127.0.0.1}\n")
    listing = {"_meta": {"hostvars": {"web-01": {"ansible_host": "127.0.0.1", "ansible_user": "ops",
                                                 "ansible_port": port},
                                      "web-02": {"ansible_host": "127.0.0.1", "ansible_port": port}}},
               "all": {"children": ["ungrouped", "web"]}, "web": {"hosts": ["web-01", "web-02"],
                                                                   "vars": {"ansible_user": "ops"}},
               "ungrouped": {"hosts": []}}
    return {".ini": ini, ".yml": yaml_text, ".json": json.dumps(listing, indent=1)}


# ---------------------------------------------------------------------------------------------
# The workspace a worker runs in
# ---------------------------------------------------------------------------------------------

@dataclass
class Kind:
    name: str
    suffix: str
    seeds: list[str]
    path: Path                                             # where the mutant is written
    commands: Callable[[Path, random.Random], list[list[str]]]
    mutate: Callable[[random.Random, str, str], bytes] | None = None   # default: the suite's strategies
    names_file: bool = True                                # exit-2 lines must name `path`
    chain: bool = False                                    # a command runs only if the one before exited 0


class Workspace:
    """Files a worker's cases read, built once per worker under ROOT."""

    def __init__(self, root: Path, port: int) -> None:
        # imported here: these suite modules import pytest, which only the workers need
        from tests import test_fuzz  # noqa: PLC0415

        self.root = root
        self.fuzz = test_fuzz
        root.mkdir(parents=True, exist_ok=True)
        self.cloud_content = root / "cloud-content"
        self.check_content = root / "check-content"
        for name in ("profiles", "providers"):
            _copytree(REPO / name, self.cloud_content / name)
            _copytree(REPO / name, self.check_content / name)
        _copytree(REPO / "checks" / "cloud", self.cloud_content / "checks" / "cloud")
        (self.check_content / "checks").mkdir(exist_ok=True)
        self.snapshot = root / "small.json"
        shutil.copy(REPO / "examples" / "mixed-level4.json", self.snapshot)
        self.out = root / "out"
        self.port = port
        self.base_report = root / "base" / "mlpscan-report.json"
        self.parts = [root / f"part-{n}.json" for n in (1, 2, 3)]

    # the first run of a worker writes what later cases compare against
    def prepare(self, run: Callable[[list[str]], tuple[int, str, str]]) -> None:
        from tests.test_merge import three_shards  # noqa: PLC0415

        from mlpscan.snapshot import dump_snapshot  # noqa: PLC0415

        code, _, err = run(["evaluate", str(self.snapshot), "--content", str(self.cloud_content), "--level",
                            "3", "--format", "json", "--output-dir", str(self.base_report.parent), "--today",
                            TODAY, "--quiet", "--fail-on", "none"])
        if code != 0:
            raise RuntimeError(f"the base report could not be written: {err}")
        self.shard_seeds = [dump_snapshot(s).decode() for s in three_shards()]
        for path, text in zip(self.parts, self.shard_seeds, strict=True):
            path.write_text(text, encoding="utf-8")
        from mlpscan.survey import template_xlsx  # noqa: PLC0415,F401  (proves the record extra is here)

        code, _, err = run(["survey", "template", "--level", "3", "--lang", "en", "--output-dir",
                            str(self.root / "survey")])
        if code != 0:
            raise RuntimeError(f"the survey template could not be written: {err}")
        self.answers_xlsx = next((self.root / "survey").glob("*.xlsx"))

    def command_lines(self, module: Any, pools: Any) -> None:
        """tests/test_cli_fuzz.py's vector builder and its pools of values (files it writes and a
        report it evaluates: built once the content cache is in place)."""
        self.fuzz_cli, self.pools = module, pools

    def evaluate(self, *extra: str, snapshot: Path | None = None, content: Path | None = None) -> list[str]:
        return ["evaluate", str(snapshot or self.snapshot), "--content", str(content or self.cloud_content),
                "--format", "json,sarif", "--output-dir", str(self.out), "--today", TODAY, *extra]

    def kinds(self) -> list[Kind]:
        fuzz = self.fuzz
        workspace = fuzz.Workspace(root=self.root, content=None, cloud_content=self.cloud_content,
                                   check_content=self.check_content, snapshot=self.snapshot, examples=())
        kinds = [Kind(k.name, k.suffix, k.seeds(workspace), k.path(workspace),
                      functools.partial(_suite_commands, k, workspace, k.name == "check"))
                 for k in fuzz.KINDS]
        inventories = _inventory_seeds(self.port)
        report_text = self.base_report.read_text(encoding="utf-8")
        kinds += [
            Kind("answers", ".yaml", [ANSWERS_SEED], self.root / "answers.yaml", self._answers_commands),
            Kind("answers-xlsx", ".xlsx", [""], self.root / "answers.xlsx", self._answers_commands,
                 mutate=self._mutate_xlsx),
            Kind("baseline", ".json", [report_text], self.root / "baseline.json", self._baseline_commands),
            Kind("shard-part", ".json", self.shard_seeds, self.parts[0], self._merge_commands,
                 mutate=self._mutate_part, chain=True),
            Kind("command-line", "", [], self.root / "-", self._argv, mutate=_no_file, names_file=False),
        ]
        for suffix, name in ((".ini", "inventory-ini"), (".yml", "inventory-yaml"),
                             (".json", "inventory-json")):
            kinds.append(Kind(name, suffix, [inventories[suffix]], self.root / f"hosts{suffix}",
                              self._inventory_commands, mutate=_inventory_mutant))
        return kinds

    def _answers_commands(self, path: Path, rng: random.Random) -> list[list[str]]:
        formats = "xlsx,html" if rng.random() < 0.25 else "html"
        return [["report", str(self.base_report), "--answers", str(path), "--format", formats, "--lang",
                 rng.choice(["en", "zh", "ja"]), "--output-dir", str(self.out)]]

    def _baseline_commands(self, path: Path, rng: random.Random) -> list[list[str]]:
        choices = [self.evaluate("--baseline", str(path), "--quiet"),
                   ["diff", str(path), str(self.base_report), "--format", rng.choice(["table", "json"])],
                   ["report", str(path), "--format", "html", "--output-dir", str(self.out)]]
        return [rng.choice(choices)]

    def _merge_commands(self, path: Path, rng: random.Random) -> list[list[str]]:
        merged = self.root / "merged.json"
        merged.unlink(missing_ok=True)
        parts = [str(p) for p in self.parts]
        rng.shuffle(parts)
        return [["merge", *parts, "-o", str(merged)], ["verify", str(merged), *parts]]

    def _inventory_commands(self, path: Path, rng: random.Random) -> list[list[str]]:
        return [["collect", "--inventory", str(path), "-o", str(self.root / "inventory-snapshot.json"),
                 "--connect-timeout", "1", "--max-workers", "8", "--ssh-config",
                 str(self.root / "ssh_config"), "--known-hosts", str(self.root / "known_hosts")]]

    def _argv(self, path: Path, rng: random.Random) -> list[list[str]]:
        return [next(self.fuzz_cli.vectors(self.pools, rng))]

    def _mutate_xlsx(self, rng: random.Random, _seed: str, _suffix: str) -> bytes:
        data = self.answers_xlsx.read_bytes()
        if rng.random() < 0.3:   # bytes: a damaged archive
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 16)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            return bytes(damaged[:rng.randrange(len(damaged) + 1)] if rng.random() < 0.3 else damaged)
        from openpyxl import load_workbook  # noqa: PLC0415
        from openpyxl.utils.exceptions import IllegalCharacterError  # noqa: PLC0415

        book = load_workbook(self.answers_xlsx)
        sheet = rng.choice(book.worksheets)
        for _ in range(rng.randint(1, 6)):
            cell = sheet.cell(row=rng.randint(1, max(2, min(sheet.max_row, 60))),
                              column=rng.randint(1, max(1, sheet.max_column)))
            value = rng.choice([*self.fuzz.VALUES[:40], "conform", "符合", "n/a", "2026-02-30", "=1/0"])
            # merged cells are read-only; control characters are refused (the workbook could not be saved)
            with contextlib.suppress(ValueError, TypeError, AttributeError, IllegalCharacterError):
                plain = isinstance(value, (str, int, float, bool)) or value is None
                cell.value = value if plain else str(value)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    def _mutate_part(self, rng: random.Random, seed: str, suffix: str) -> bytes:
        """A mutated shard part; most are sealed again, so the merge's own checks are reached."""
        from mlpscan.snapshot import Snapshot, dump_snapshot  # noqa: PLC0415

        data = self.fuzz_mutant(rng, seed, suffix)
        if rng.random() < 0.75:
            with contextlib.suppress(Exception):
                return dump_snapshot(Snapshot.model_validate_json(data).sealed())
        return data

    def fuzz_mutant(self, rng: random.Random, seed: str, suffix: str) -> bytes:
        _name, strategy = rng.choice(self.fuzz.STRATEGIES)
        data: bytes = strategy(rng, seed, suffix)
        return data


def _suite_commands(kind: Any, workspace: Any, one: bool, path: Path, rng: random.Random) -> list[list[str]]:
    """The suite's command lines for the kind; `one`: a single one of them, drawn (the check kind's
    each load the whole content: validate and evaluate take turns)."""
    commands: list[list[str]] = kind.commands(path, workspace)
    return [rng.choice(commands)] if one else commands


def _no_file(_rng: random.Random, _seed: str, _suffix: str) -> bytes:
    return b""


def _inventory_mutant(rng: random.Random, seed: str, suffix: str) -> bytes:
    from tests import test_fuzz, test_inventory  # noqa: PLC0415

    if rng.random() < 0.5:
        return test_inventory.mutate(seed, rng).encode("utf-8", "surrogatepass")
    _name, strategy = rng.choice(test_fuzz.STRATEGIES)
    data: bytes = strategy(rng, seed, suffix)
    return data


def _copytree(source: Path, target: Path) -> None:
    if not target.exists():
        shutil.copytree(source, target)


# ---------------------------------------------------------------------------------------------
# The worker: runs cases in-process and reports each as a JSON line
# ---------------------------------------------------------------------------------------------

class Hung(BaseException):
    """The per-case limit passed: a BaseException, so no `except Exception` in mlpscan swallows it."""


@contextlib.contextmanager
def _limit(seconds: float) -> Iterator[None]:
    def hung(_signum: int, _frame: object) -> None:
        raise Hung

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _in_process(argv: list[str]) -> tuple[int | None, str, str, str | None]:
    """(exit code or None if hung, stdout, stderr, the exception that escaped main)."""
    from mlpscan.cli import main  # noqa: PLC0415

    out, err = io.StringIO(), io.StringIO()
    escaped = None
    code: int | None
    try:
        with _limit(LIMIT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except Hung:
        code = None
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:
        code, escaped = -1, f"{type(exc).__name__}: {str(exc)[:200]}"
    return code, out.getvalue(), err.getvalue(), escaped


def judge(argv: list[str], code: int | None, stderr: str, escaped: str | None, *, path: Path,
          names_file: bool) -> dict[str, str]:
    """The figures one command run scores, each with the reason."""
    found: dict[str, str] = {}
    if code is None:
        found["hangs"] = "over the limit"
        return found
    debug_traceback = code == 4 and "--debug" in argv   # --debug prints an internal error's traceback
    if escaped is not None:
        found["tracebacks"] = escaped
    elif "Traceback (most recent call last)" in stderr and not debug_traceback:
        found["tracebacks"] = stderr[stderr.index("Traceback"):][-300:]
    elif code not in (0, 1, 2, 3, 4, 130):
        found["tracebacks"] = f"exit code {code}"
    if code == 4:
        found["crashes"] = next((line for line in stderr.splitlines() if "internal error" in line),
                                stderr[-300:])
    if code == 2:
        lines = [line for line in stderr.splitlines()
                 if line.strip() and not line.startswith("mlpscan: warning: ")]
        if len(lines) != 1:
            found["bad_messages"] = f"{len(lines)} lines: {' / '.join(lines)[:300]}"
        elif names_file and str(path) not in lines[0]:
            found["bad_messages"] = f"does not name {path.name}: {lines[0][:300]}"
    return found


class Worker:
    def __init__(self, root: Path, seed: int) -> None:
        from tests import test_cli_fuzz  # noqa: PLC0415

        import mlpscan.cli  # noqa: PLC0415
        import mlpscan.cli_record  # noqa: PLC0415
        import mlpscan.planning  # noqa: PLC0415
        from mlpscan.content import load_content  # noqa: PLC0415

        self.seed = seed
        self.space = Workspace(root, closed_port())
        # Content is immutable once loaded: the shipped and the cloud-only copies are loaded once per
        # worker (the check kind's content changes with every case and is always loaded afresh).
        immutable = {None, str(self.space.cloud_content)}
        cache: dict[str | None, Any] = {}

        def cached(where: str | Path | None = None) -> Any:
            key = None if where is None else str(where)
            if key not in immutable:
                return load_content(where)
            if key not in cache:
                cache[key] = load_content(where)
            return cache[key]

        for module in (mlpscan.cli, mlpscan.cli_record, mlpscan.planning):
            module.load_content = cached  # type: ignore[attr-defined]
        self.space.prepare(lambda argv: _in_process(argv)[:3])  # type: ignore[arg-type,return-value]
        os.chdir(root)   # relative paths a mutant names stay inside the workspace
        (root / "ssh_config").write_text("", encoding="utf-8")
        (root / "known_hosts").write_text("", encoding="utf-8")
        (root / "pools").mkdir(exist_ok=True)
        self.space.command_lines(test_cli_fuzz, test_cli_fuzz.Pools(root / "pools"))
        self.kinds = {k.name: k for k in self.space.kinds()}
        self.env = dict(os.environ)   # the campaign's: HOME, the network guard, no credentials

    def case(self, kind_name: str, number: int) -> tuple[str, bytes, list[list[str]]]:
        kind = self.kinds[kind_name]
        rng = random.Random(f"{self.seed}:{kind_name}:{number}")
        attacks = list(self.space.fuzz.KNOWN_ATTACKS.items()) if kind.names_file else []
        # then what is not a regular file where the input should be (tests/test_fuzz.py's list)
        attacks += [(what, b"") for what in NOT_REGULAR] if kind.names_file else []
        if number < len(attacks):
            label, data = attacks[number]
        elif kind.mutate is not None:
            label, data = f"mutant #{number}", kind.mutate(rng, rng.choice(kind.seeds) if kind.seeds else "",
                                                         kind.suffix)
        else:
            label = f"mutant #{number}"
            data = self.space.fuzz_mutant(rng, rng.choice(kind.seeds), kind.suffix)
        return label, data, kind.commands(kind.path, rng)

    def run(self, kind_name: str, number: int, subprocess_too: bool) -> dict[str, Any]:
        kind = self.kinds[kind_name]
        label, data, commands = self.case(kind_name, number)
        if label in NOT_REGULAR:
            _place(kind.path, b"")
            self.space.fuzz._not_a_regular_file(self.space.root, label, kind.path)
        elif kind.names_file:
            _place(kind.path, data)
        found: dict[str, str] = {}
        codes = []
        started = time.monotonic()
        for argv in commands:
            code, _out, err, escaped = _in_process(argv)
            codes.append(code)
            verdict = judge(argv, code, err, escaped, path=kind.path, names_file=kind.names_file)
            for figure, why in verdict.items():
                found.setdefault(figure, f"{' '.join(argv)[:160]} -> {why}")
            if code is None or (kind.chain and code != 0):
                break
        if kind_name.startswith("inventory") and _scanned_local(self.space.root / "inventory-snapshot.json"):
            found["false_passes"] = (f"{' '.join(commands[0])[:120]} -> exit {codes[0]}: an inventory that "
                                     "names no host made mlpscan scan the machine it runs on instead")
        if subprocess_too:
            # a NUL cannot reach a real process's argv (the shell or exec refuses it first)
            for argv in (a for a in commands[:len(codes)] if not any("\0" in arg for arg in a)):
                done = run_mlpscan(argv, env=self.env, cwd=self.space.root, limit=LIMIT * 3)
                verdict = judge(argv, done.code, done.stderr, None, path=kind.path,
                                names_file=kind.names_file)
                for figure, why in verdict.items():
                    found.setdefault(figure, f"(subprocess) {' '.join(argv)[:160]} -> {why}")
        return {"kind": kind_name, "number": number, "label": label, "codes": codes, "found": found,
                "subprocess": subprocess_too, "seconds": round(time.monotonic() - started, 3)}


def _scanned_local(snapshot: Path) -> bool:
    """Whether the collect just run (it writes this file) scanned this machine."""
    try:
        document = json.loads(snapshot.read_text(encoding="utf-8"))
        snapshot.unlink()
    except (OSError, ValueError):
        return False
    return any(t.get("id") == "host:local" for t in document.get("targets", []))


def _place(path: Path, data: bytes) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_bytes(data)


NOT_REGULAR = ("fifo", "device", "directory", "symlink loop", "missing")


def worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--cases", type=Path, required=True, help="JSON list of [kind, number, subprocess]")
    options = parser.parse_args(argv)
    cases = json.loads(options.cases.read_text(encoding="utf-8"))
    limit_memory()
    # results go to their own pipe: whatever mlpscan prints can never be mistaken for one
    report = os.fdopen(int(os.environ["CAMPAIGN_REPORT_FD"]), "w", buffering=1, encoding="utf-8")
    worker = Worker(options.root, options.seed)
    print(json.dumps({"ready": True}), file=report, flush=True)
    for kind_name, number, subprocess_too in cases:
        print(json.dumps({"start": [kind_name, number]}), file=report, flush=True)
        print(json.dumps({"done": worker.run(kind_name, number, subprocess_too)}), file=report, flush=True)
    return 0


# ---------------------------------------------------------------------------------------------
# The parent: deals cases to workers, watches them, counts
# ---------------------------------------------------------------------------------------------

@dataclass
class InputOptions:
    workdir: Path
    seed: int
    scale: float
    jobs: int
    subprocess_every: int
    guard: Path
    net_log: Path
    only: str | None = None        # KIND:N


def plan(options: InputOptions) -> list[tuple[str, int, bool]]:
    if options.only:
        kind, _, number = options.only.partition(":")
        return [(kind, int(number), True)]
    cases = []
    for kind, share in SHARES.items():
        count = max(1, round(share * options.scale))
        every = options.subprocess_every
        cases += [(kind, n, every > 0 and n % every == 7 % every) for n in range(count)]
    return cases


def run_inputs(options: InputOptions) -> Figures:
    figures = Figures("bad inputs (CLI)", applies=FIGURES_HERE)
    started = time.monotonic()
    cases = plan(options)
    pending = [cases[i::options.jobs] for i in range(options.jobs)]
    results: list[dict[str, Any]] = []
    hung: list[tuple[str, int]] = []
    env = {**base_env(options.workdir / "home", options.guard, options.net_log),
           "PYTHONPATH": os.pathsep.join([str(options.guard), str(REPO / "src"), str(REPO)])}
    workers = [_Spawned(n, pending[n], options, env) for n in range(options.jobs)]
    while any(w.alive for w in workers):
        for worker in workers:
            worker.poll(results, hung)
        time.sleep(0.01)
    for kind, number in hung:
        figures.count("hangs", f"{kind}:{number} stopped answering (worker killed)")
    for worker in workers:
        figures.notes += [f"harness: {line}" for line in worker.died]
    kinds_seen: dict[str, int] = {}
    kind_seconds: dict[str, float] = {}
    subprocess_runs = 0
    for result in results:
        kinds_seen[result["kind"]] = kinds_seen.get(result["kind"], 0) + 1
        kind_seconds[result["kind"]] = round(kind_seconds.get(result["kind"], 0) + result["seconds"], 1)
        subprocess_runs += result["subprocess"]
        for figure, why in sorted(result["found"].items()):
            figures.count(figure, f"{result['kind']}:{result['number']} ({result['label']}): {why}")
    figures.cases = len(results) + len(hung)
    figures.seconds = time.monotonic() - started
    codes: dict[str, int] = {}
    for result in results:
        for code in result["codes"]:
            codes[str(code)] = codes.get(str(code), 0) + 1
    figures.details = {"per_kind": kinds_seen, "seconds_per_kind": kind_seconds, "exit_codes": codes,
                       "subprocess_cases": subprocess_runs}
    return figures


class _Spawned:
    """One worker process and the cases it still has to run."""

    def __init__(self, number: int, cases: list[tuple[str, int, bool]], options: InputOptions,
                 env: dict[str, str]) -> None:
        self.number, self.options, self.env = number, options, env
        self.cases = {(kind, n): sub for kind, n, sub in cases}
        self.restarts = 0
        self.died: list[str] = []
        self.process: subprocess.Popen[bytes] | None = None
        self.reader = -1
        self.current: tuple[str, int] | None = None
        self.buffer = b""
        self.last_word = time.monotonic()
        self._start()

    @property
    def alive(self) -> bool:
        return self.process is not None

    def _start(self) -> None:
        if not self.cases:
            self.process = None
            return
        root = self.options.workdir / f"worker-{self.number}-{self.restarts}"
        root.mkdir(parents=True, exist_ok=True)
        listing = root / "cases.json"
        listing.write_text(json.dumps([[k, n, s] for (k, n), s in self.cases.items()]), encoding="utf-8")
        reader, writer = os.pipe()
        with (root / "output.txt").open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bench.campaign.inputs", "--root", str(root), "--seed",
                 str(self.options.seed), "--cases", str(listing)],
                cwd=REPO, env={**self.env, "CAMPAIGN_REPORT_FD": str(writer)}, stdout=log, stderr=log,
                stdin=subprocess.DEVNULL, start_new_session=True, pass_fds=(writer,))
        os.close(writer)
        self.reader = reader
        self.last_word = time.monotonic()
        self.current = None
        self.buffer = b""

    def poll(self, results: list[dict[str, Any]], hung: list[tuple[str, int]]) -> None:
        process = self.process
        if process is None:
            return
        ready, _, _ = select.select([self.reader], [], [], 0)
        if ready:
            chunk = os.read(self.reader, 65536)
            if chunk:
                self.last_word = time.monotonic()
                self.buffer += chunk
                *lines, self.buffer = self.buffer.split(b"\n")
                for line in lines:
                    self._handle(json.loads(line), results)
                return
            process.wait()
            os.close(self.reader)
            if self.cases:   # ended with cases left: the worker itself died
                self._lost(hung, f"worker exited {process.returncode}", killed=False)
            else:
                self.process = None
            return
        allowed = STALL + (LIMIT * 6 if self.current and self.cases.get(self.current) else 0)
        if time.monotonic() - self.last_word > allowed:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            os.close(self.reader)
            self._lost(hung, "no answer", killed=True)

    def _handle(self, message: dict[str, Any], results: list[dict[str, Any]]) -> None:
        if "start" in message:
            self.current = (message["start"][0], message["start"][1])
        elif "done" in message:
            results.append(message["done"])
            self.cases.pop((message["done"]["kind"], message["done"]["number"]), None)
            self.current = None

    def _lost(self, hung: list[tuple[str, int]], why: str, killed: bool) -> None:
        log = self.options.workdir / f"worker-{self.number}-{self.restarts}" / "output.txt"
        if self.current is None:   # died before its first case: stop rather than loop
            raise RuntimeError(f"input worker {self.number} failed before a case ({why}); see {log}")
        if killed:
            hung.append(self.current)
        else:   # the worker died on its own: the harness's defect or the interpreter's, never hidden
            text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
            tail = " ".join(text.strip().splitlines()[-1:])[:300]
            self.died.append(f"{self.current[0]}:{self.current[1]} killed the worker ({why}): {tail}")
        self.cases.pop(self.current, None)
        self.restarts += 1
        self._start()


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
