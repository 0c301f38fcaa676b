from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from mlpscan.errors import InputError
from mlpscan.loading import read_bytes, read_document, read_json, read_yaml, validate


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


def _bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("text", "message", "line"), [
    (_bomb(10), "aliases expand this document to more than 1,000,000 values: refusing to build it", 7),
    ("a: &a [*a]\n", "an alias refers to a node that contains it (recursive alias)", 1),
    ("a: &a {b: [*a]}\n", "recursive alias", 1),
    ("a: " + "[" * 300 + "]" * 300 + "\n", "nested deeper than 200 levels", 1),
    ("? [a, b]\n: 1\n", "a mapping key must be a plain value, not a list or a mapping", 1),
    ("x:\n  - {? {a: 1} : 2}\n", "a mapping key must be a plain value", 2),
    ("a: 1\nb: " + "9" * 5000 + "\n", "invalid YAML: number 9999999999", 2),
    ("a: 2024-13-45\n", "invalid YAML: '2024-13-45' is not a valid timestamp (month must be in 1..12)", 1),
    ("a: !!bool maybe\n", "invalid YAML: 'maybe' is not a valid bool", 1),
    ("a: !!timestamp yesterday\n", "is not a valid timestamp", 1),
    ("a: !!python/object/apply:os.system ['true']\n", "could not determine a constructor", 1),
])
def test_hostile_yaml_is_refused_before_it_is_built(tmp_path: Path, text: str, message: str,
                                                    line: int) -> None:
    path = write(tmp_path, "a.yaml", text)
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    assert message in caught.value.message
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_aliases_within_the_budget_still_load(tmp_path: Path) -> None:
    # merge keys and repeated anchors are ordinary YAML: only an explosion is refused
    document = read_yaml(write(tmp_path, "a.yaml", "base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n" + _bomb(5)))
    assert document.data["use"] == {"x": 1, "y": 2}
    assert len(document.data["a4"]) == 9


@pytest.mark.parametrize(("data", "message", "line"), [
    (b'{"a": "\\ud800"}', "invalid JSON: a \\u escape is a lone UTF-16 surrogate, not a character", 1),
    (b'{\n"a": ' + b"9" * 5000 + b"}", "invalid JSON: a number is out of range (more than 4300 digits)", 2),
    (b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}", "invalid JSON: nested deeper than 200 levels", 1),
    (b'{"a": 1,}', "invalid JSON: trailing comma (column 9)", 1),
    (b"", "invalid JSON: EOF while parsing a value", 1),
])
def test_hostile_json_is_refused_in_one_line(tmp_path: Path, data: bytes, message: str, line: int) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_json(path)
    assert caught.value.message.startswith(message)
    assert caught.value.line == line


@pytest.mark.parametrize("what", ["fifo", "device", "socket-like"])
def test_only_regular_files_are_read(tmp_path: Path, what: str) -> None:
    path = tmp_path / "input.yaml"
    if what == "fifo":
        os.mkfifo(path)  # opening it for reading would wait for a writer forever
    elif what == "device":
        path.symlink_to("/dev/urandom")  # reading it would never end
    else:
        path.symlink_to("/dev/null")
    with pytest.raises(InputError, match=r"not a regular file \(a device, pipe or socket\): refusing"):
        read_yaml(path)


def test_files_over_the_cap_are_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "a: " + "x" * 100 + "\n")
    assert read_bytes(path, limit=200) == path.read_bytes()
    with pytest.raises(InputError, match="file is larger than 50 bytes: refusing to read it"):
        read_bytes(path, limit=50)


def test_error_text_is_always_one_line() -> None:
    error = InputError("bad\nvalue\t here \ud800", path="dir/a\nb.yaml", line=3)
    assert str(error) == "dir/a b.yaml:3: bad value here \\ud800"


def test_control_characters_name_the_file_not_a_unicode_string(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"a: \x00\x01\n")
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    assert str(caught.value) == (f"{path}: invalid YAML: unacceptable character #x0000 at position 3: "
                                 "control characters are not allowed")
