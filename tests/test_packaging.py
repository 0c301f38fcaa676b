"""The wheel carries the content: installed in a fresh venv, mlpscan runs from any directory."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(REPO)], check=True, timeout=300)
    [built] = out.glob("mlpscan-*.whl")
    return built


def test_wheel_contains_content_and_type_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("mlpscan/py.typed", "mlpscan/content/profiles/params.yaml",
                     "mlpscan/content/profiles/level3.yaml", "mlpscan/content/profiles/standard/level3.yaml",
                     "mlpscan/content/checks/cloud/residency/mainland_region.yaml",
                     "mlpscan/content/providers/platforms.yaml",
                     "mlpscan/content/providers/aliyun/regions.yaml"):
        assert expected in names
    assert not any(name.startswith(("tests/", "examples/")) for name in names)


def test_installed_wheel_runs_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # pydantic & co. come from the test environment through a path file (which, unlike a site
    # directory, does not run that environment's editable-install hook): mlpscan itself comes
    # only from the wheel
    [own_site] = (env_dir / "lib").glob("python*/site-packages")
    (own_site / "test-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(python), "-c", "import mlpscan, mlpscan.content as c; "
                            "print(mlpscan.__file__); print(c.default_content_root())"],
                           cwd=elsewhere, capture_output=True, text=True, check=True)
    module_file, content_root = where.stdout.split()
    assert module_file.startswith(str(env_dir))
    assert content_root.startswith(str(env_dir))
    assert content_root.endswith("mlpscan/content")
    snapshot = REPO / "examples" / "aliyun.json"
    done = subprocess.run([str(env_dir / "bin" / "mlpscan"), "evaluate", str(snapshot), "--level", "3",
                           "--format", "table,json,sarif", "--output-dir", "out"],
                          cwd=elsewhere, env={**os.environ, "COLUMNS": "200"}, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr  # the example has resources in Hong Kong
    report = json.loads((elsewhere / "out" / "mlpscan-report.json").read_text(encoding="utf-8"))
    assert report["summary"]["by_status"]["fail"] >= 1
    assert (elsewhere / "out" / "mlpscan.sarif").is_file()
    assert "cloud.residency.mainland_region" in done.stdout
