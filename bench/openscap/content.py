"""ComplianceAsCode's Debian 12 data stream, built from its sources into a cache directory.

Debian 12 ships OpenSCAP 1.3.7 (openscap-scanner) but its ssg-debian package (0.1.65) carries
Debian 10 and 11 content only, so the Debian 12 data stream is built here from a tagged
ComplianceAsCode release: `git archive` of the tag (from a local clone or mirror, or a shallow
clone of the GitHub repository), then `./build_product --datastream debian12` in a virtualenv
holding the build's Python requirements (PyYAML, Jinja2, setuptools). Nothing of it enters this
repository; the cache keeps the build between runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

DEFAULT_TAG = "v0.1.81"
DEFAULT_SOURCE = "https://github.com/ComplianceAsCode/content.git"
PRODUCT = "debian12"
# the OSCAL catalogues are not needed to build a data stream (and are stored out of line in
# some mirrors)
_NOT_NEEDED = ":(exclude)shared/references/oscal"
BUILD_REQUIREMENTS = ("PyYAML", "Jinja2", "setuptools")


def datastream(cache: Path, source: str = DEFAULT_SOURCE, tag: str = DEFAULT_TAG) -> Path:
    """The path of ssg-debian12-ds.xml for ``tag``, building it into ``cache`` when missing."""
    tree = cache / f"content-{tag}"
    built = tree / "build" / f"ssg-{PRODUCT}-ds.xml"
    if built.exists():
        return built
    cache.mkdir(parents=True, exist_ok=True)
    if tree.exists():
        shutil.rmtree(tree)
    _export(source, tag, tree)
    venv = cache / "build-venv"
    if not (venv / "bin" / "python").exists():
        _run([sys.executable, "-m", "venv", str(venv)])
        _run([str(venv / "bin" / "pip"), "install", "-q", *BUILD_REQUIREMENTS])
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ.get('PATH', '')}"}
    print(f"building the {PRODUCT} data stream of ComplianceAsCode {tag} (about a minute)", file=sys.stderr)
    _run(["./build_product", "--datastream", "-j", str(os.cpu_count() or 1), PRODUCT], cwd=tree, env=env)
    if not built.exists():
        raise SystemExit(f"the ComplianceAsCode build finished without {built}")
    return built


def _export(source: str, tag: str, tree: Path) -> None:
    """The files of ``tag`` in ``tree``: from a local repository (a clone or a bare mirror)
    with `git archive`, else from a shallow clone of ``source``."""
    local = Path(source)
    with tempfile.TemporaryDirectory(prefix="cac-") as scratch:
        if local.exists():
            git_dir = local / ".git" if (local / ".git").exists() else local
        else:
            git_dir = Path(scratch) / "clone.git"
            _run(["git", "clone", "--bare", "--depth", "1", "--branch", tag, source, str(git_dir)])
        archive = Path(scratch) / "content.tar"
        with archive.open("wb") as sink:
            subprocess.run(["git", "--git-dir", str(git_dir), "archive", "--format=tar", tag, "--", ".",
                            _NOT_NEEDED], stdout=sink, stderr=subprocess.PIPE, check=True)
        tree.mkdir(parents=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tree, filter="tar")


def _run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed ({done.returncode}): "
                         f"{(done.stderr or done.stdout).strip()[-2000:]}")
