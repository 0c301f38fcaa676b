from __future__ import annotations

import logging
from pathlib import Path

import pytest

from mlpscan.content import Content, load_content
from mlpscan.engine import evaluate
from mlpscan.errors import InputError
from tests.conftest import make_snapshot, target


def test_levels_extend_and_tighten(content: Content) -> None:
    levels = {n: content.level_profile(n) for n in (1, 2, 3, 4)}
    assert levels[4].chain == ("level4", "level3", "level2", "level1")
    assert [levels[n].params["mfa_required"] for n in (1, 2, 3, 4)] == [False, False, True, True]
    assert all(levels[n].params["log_retention_days"] >= 180 for n in levels)
    assert levels[3].params["idle_timeout_seconds"] <= levels[2].params["idle_timeout_seconds"]
    assert levels[4].origins["password_history"] == "level4"
    assert levels[3].origins["password_history"] == "level1"
    assert levels[3].origins["risky_ports"] == "params.yaml"


def test_every_parameter_is_declared_once_with_type_and_description(content: Content) -> None:
    for name, param in content.params.items():
        assert param.name == name
        assert param.description
    assert content.params["log_retention_days"].floor == 180


def test_user_profile_may_tighten(content: Content, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text("id: bank\nextends: level3\nparams:\n  log_retention_days: 366\n"
                    "  lockout_threshold: 3\nexclude_checks: ['host.*']\n", encoding="utf-8")
    profile = content.profile(str(path))
    assert profile.level == 3
    assert profile.params["log_retention_days"] == 366
    assert profile.params["mfa_required"] is True
    assert profile.origins["lockout_threshold"] == "bank"
    assert profile.exclude_checks == ("host.*",)
    assert profile.warnings == ()


def test_loosening_the_legal_floor_is_a_content_error(content: Content, tmp_path: Path) -> None:
    path = tmp_path / "lax.yaml"
    path.write_text("id: lax\nextends: level3\nparams:\n  log_retention_days: 90\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        content.profile(str(path))
    assert caught.value.path == str(path)
    assert "looser than the legal floor 180" in caught.value.message
    assert "Cybersecurity Law" in caught.value.message


def test_loosening_a_convention_is_allowed_with_a_warning(content: Content, tmp_path: Path) -> None:
    path = tmp_path / "soft.yaml"
    path.write_text("id: soft\nextends: level3\nparams:\n  lockout_threshold: 10\n", encoding="utf-8")
    profile = content.profile(str(path))
    assert profile.params["lockout_threshold"] == 10
    assert profile.warnings == ("profile 'soft' loosens 'lockout_threshold' from 5 (level3) to 10",)


@pytest.mark.parametrize(("text", "message"), [
    ("id: x\nextends: level3\nparams:\n  no_such_param: 1\n", "unknown parameter 'no_such_param'"),
    ("id: x\nextends: level3\nparams:\n  mfa_required: 'yes'\n", "must be bool"),
    ("id: x\nextends: level9\n", "unknown profile 'level9'"),
    ("id: x\nextends: level3\nlevel: 4\n", "sets level 4 but extends a level-3 profile"),
    ("id: level3\nextends: level3\n", "taken by a built-in profile"),
    ("id: x\nextends: level3\nparam: {}\n", "unknown field 'param'"),
])
def test_bad_user_profiles(content: Content, tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        content.profile(str(path))


def test_unknown_profile_name(content: Content) -> None:
    with pytest.raises(InputError, match="unknown profile 'level7'"):
        content.profile("level7")


def test_a_built_in_level_looser_than_its_parent_is_rejected(content_copy: object) -> None:
    root = content_copy()  # type: ignore[operator]
    level3 = root / "profiles" / "level3.yaml"
    level3.write_text(level3.read_text(encoding="utf-8").replace("idle_timeout_seconds: 600",
                                                                 "idle_timeout_seconds: 1200"),
                      encoding="utf-8")
    with pytest.raises(InputError, match="'idle_timeout_seconds' = 1200 is looser than 900 in 'level2'"):
        load_content(root)


def test_extends_cycle_is_reported(content_copy: object) -> None:
    root = content_copy()  # type: ignore[operator]
    level1 = root / "profiles" / "level1.yaml"
    level1.write_text(level1.read_text(encoding="utf-8").replace("level: 1\n", "level: 1\nextends: level4\n"),
                      encoding="utf-8")
    with pytest.raises(InputError, match="cycle"):
        load_content(root)


def test_profile_warnings_are_logged_during_evaluation(
        content: Content, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "soft.yaml"
    path.write_text("id: soft\nextends: level3\nparams:\n  idle_timeout_seconds: 1200\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="mlpscan"):
        evaluate(make_snapshot([target("aws:1")]), content, content.profile(str(path)))
    assert "loosens 'idle_timeout_seconds' from 600 (level3) to 1200" in caplog.text
