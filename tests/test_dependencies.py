"""Test runs are reproducible: the README and CI install the pinned set, and the pins cover it."""

from __future__ import annotations

import re
import sys

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest brings tomli on 3.10
    import tomli as tomllib

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
README = (REPO / "README.md").read_text(encoding="utf-8")


def pins() -> dict[str, set[Version]]:
    """Package -> pinned versions in constraints.txt (one per Python-version marker)."""
    pinned: dict[str, set[Version]] = {}
    for raw in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        pinned.setdefault(canonicalize_name(requirement.name), set()).add(Version(specifier.version))
    return pinned


def declared() -> list[Requirement]:
    project = PYPROJECT["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines += [line for line in extra if not line.startswith("mlpscan[")]
    return [Requirement(line) for line in lines]


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.DOTALL)


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pinned = pins()
    for requirement in declared():
        versions = pinned.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is not pinned in constraints.txt: run .ci/lock"
        assert all(requirement.specifier.contains(v) for v in versions), (requirement, versions)


def test_runtime_dependencies_stop_below_the_next_major_release_of_the_pinned_one() -> None:
    project = PYPROJECT["project"]
    runtime = list(project["dependencies"])
    runtime += [line for name, extra in project["optional-dependencies"].items()
                if name not in {"test", "all"} for line in extra]
    pinned = pins()
    for requirement in map(Requirement, runtime):
        uppers = [s for s in requirement.specifier if s.operator == "<"]
        assert uppers, f"{requirement} needs an upper bound"
        assert any(s.operator == ">=" for s in requirement.specifier), f"{requirement} needs a lower bound"
        newest = max(pinned[canonicalize_name(requirement.name)])
        assert Version(uppers[0].version) == Version(f"{newest.major + 1}"), (requirement, newest)


def test_the_holds_are_pinned_below_what_they_hold_back() -> None:
    pinned = pins()
    holds = [line for line in (REPO / ".ci" / "holds.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    for requirement in map(Requirement, holds):
        versions = pinned[canonicalize_name(requirement.name)]
        assert all(requirement.specifier.contains(v) for v in versions), requirement


def test_the_quick_start_is_two_commands_and_ci_runs_the_test_one_verbatim() -> None:
    scan, test = quick_start()
    assert "\n" not in scan
    assert "\n" not in test
    assert scan.endswith("mlpscan scan")
    assert test.endswith("pytest")
    assert "-c constraints.txt" in scan
    assert "-c constraints.txt" in test
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == test
