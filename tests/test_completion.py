"""Shell completion: the generated scripts really complete in bash and zsh."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from mlpscan.cli import build_parser
from mlpscan.completion import script
from tests.test_cli import run


def complete(shell: str, script_file: Path, words: list[str], cwd: Path) -> list[str]:
    """Call the completion function as the shell would for the last word of ``words``."""
    array = " ".join(shlex.quote(w) for w in words)
    if shell == "bash":
        command = [shutil.which("bash") or "bash", "--norc", "--noprofile", "-c",
                   f'source {shlex.quote(str(script_file))}; COMP_WORDS=({array}); COMP_CWORD={len(words) - 1}; '
                   '_mlpscan; printf "%s\\n" "${COMPREPLY[@]}"']
    else:
        zsh = shutil.which("zsh")
        if zsh is None:
            pytest.fail("zsh is needed for the zsh completion test (apt-get install zsh; .ci/run installs it)")
        # bashcompinit runs the function under `emulate sh` (0-based arrays); zsh itself then keeps
        # the candidates that match the word, so this prints them all
        command = [zsh, "-f", "-c",
                   f"autoload -U compinit && compinit -u -d {shlex.quote(str(cwd / '.zcompdump'))}; "
                   f"source {shlex.quote(str(script_file))}; "
                   f"t() {{ emulate -L sh; COMP_WORDS=({array}); COMP_CWORD={len(words) - 1}; _mlpscan; "
                   'print -l -- "${COMPREPLY[@]}"; }; t; print -- "registered: $_comps[mlpscan]"']
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.fixture(params=["bash", "zsh"])
def shell(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    done = run("completion", request.param)
    assert done.returncode == 0, done.stderr
    path = tmp_path / f"completion.{request.param}"
    path.write_text(done.stdout, encoding="utf-8")
    return request.param, path


def test_subcommands_options_and_choices(shell: tuple[str, Path], tmp_path: Path) -> None:
    name, path = shell

    def offered(*words: str) -> set[str]:
        found = complete(name, path, ["mlpscan", *words], tmp_path)
        if name == "zsh":
            assert found[-1] == "registered: _bash_complete -o default -F _mlpscan"
            prefix = words[-1]
            return {w for w in found[:-1] if w.startswith(prefix)}
        return set(found)

    assert offered("ev") == {"evaluate"}
    assert offered("checks", "l") == {"list"}
    assert offered("scan", "--fail-on-e") == {"--fail-on-errors"}
    assert offered("scan", "--level", "") == {"1", "2", "3", "4"}
    assert offered("evaluate", "--fail-on-errors", "") == {"yes", "no"}
    assert offered("checks", "list", "--provider", "a") == {"aws", "aliyun"}
    assert offered("completion", "") == {"bash", "zsh"}
    assert "--exclude-checks" in offered("evaluate", "snap.json", "--ex")


def test_paths_complete_as_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "report.json").write_text("{}", encoding="utf-8")
    path = tmp_path / "completion.bash"
    path.write_text(script(build_parser(), "bash"), encoding="utf-8")
    assert set(complete("bash", path, ["mlpscan", "evaluate", "x", "--baseline", "rep"], tmp_path)) == {
        "reports", "report.json"}
    assert complete("bash", path, ["mlpscan", "scan", "--output-dir", "rep"], tmp_path) == ["reports"]
    registered = subprocess.run(["bash", "--norc", "-c", f"source {shlex.quote(str(path))}; complete -p mlpscan"],
                                capture_output=True, text=True, check=False, timeout=60)
    assert registered.stdout.strip() == "complete -o default -F _mlpscan mlpscan"
