from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from mlpscan.errors import InputError
from mlpscan.loading import read_document, read_json, read_yaml, validate


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    count: int = 0


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[Inner]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_keys_are_refused_with_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "items:\n  - name: a\n    name: b\n")
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    assert str(caught.value) == f"{path}:3: duplicate key 'name' (first defined on line 2)"


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "items:\n  - name: a\n - broken: [\n")
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    assert caught.value.path == str(path)
    assert caught.value.line == 3
    assert "invalid YAML" in caught.value.message


def test_unknown_field_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "items:\n  - name: a\n  - name: b\n    colour: red\n")
    with pytest.raises(InputError) as caught:
        validate(Outer, read_yaml(path))
    assert str(caught.value) == f"{path}:4: unknown field 'colour' in items[1]"


def test_missing_field_and_wrong_type_are_located(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "items:\n  - count: 1\n")
    with pytest.raises(InputError, match=r"missing required field 'name' in items\[0\]") as caught:
        validate(Outer, read_yaml(path))
    assert caught.value.line == 2
    path = write(tmp_path, "b.yaml", "items:\n  - name: a\n    count: many\n")
    with pytest.raises(InputError, match=r"items\[0\]\.count: Input should be a valid integer") as caught:
        validate(Outer, read_yaml(path))
    assert caught.value.line == 3


def test_json_errors_carry_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", '{\n  "items": [\n    {"name": "a",}\n  ]\n}\n')
    with pytest.raises(InputError) as caught:
        read_json(path)
    assert caught.value.line == 3
    assert caught.value.message.startswith("invalid JSON")


def test_read_document_picks_the_parser_by_extension(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, "a.json", '{"x": 1}')).data == {"x": 1}
    assert read_document(write(tmp_path, "a.yml", "x: 1\n")).data == {"x": 1}


@pytest.mark.parametrize(("setup", "message"), [
    (lambda p: None, "file not found"),
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: p.write_bytes(b"\xff\xfe\x00"), "not UTF-8"),
])
def test_unreadable_files(tmp_path: Path, setup: object, message: str) -> None:
    path = tmp_path / "x.yaml"
    setup(path)  # type: ignore[operator]
    with pytest.raises(InputError, match=message):
        read_yaml(path)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file is empty"):
        validate(Outer, read_yaml(write(tmp_path, "a.yaml", "# nothing\n")))
