"""Read YAML and JSON input strictly and turn every problem into one `InputError` line.

YAML is composed into a node tree first so that a validation error deep inside a document can
still name the line it comes from; duplicate keys are refused instead of silently overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from mlpscan.errors import InputError

ModelT = TypeVar("ModelT", bound=BaseModel)


# The C parser (libyaml) when present: content loading is on every command's path.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader that refuses duplicate mapping keys."""


def _construct_mapping_once(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    first_seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in first_seen:
            raise InputError(f"duplicate key {key!r} (first defined on line {first_seen[key]})",
                             line=line)
        first_seen[key] = line
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=True)
    return mapping


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping_once,
)


@dataclass(frozen=True)
class Document:
    """A parsed input file and, for YAML, the node tree that knows line numbers."""

    path: Path
    data: Any
    root: yaml.Node | None = None

    def line_of(self, loc: Sequence[int | str]) -> int | None:
        """Best-known line of the value at ``loc`` (a pydantic error location)."""
        node = self.root
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in loc:
            child = _child(node, part)
            if child is None:
                continue  # union tags and model names in pydantic locations have no node
            node = child
            line = node.start_mark.line + 1
        return line


def _child(node: yaml.Node, part: int | str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if str(key_node.value) == str(part):
                # the key's own line is the helpful one for an unknown or misspelt key
                return value_node if isinstance(value_node, yaml.CollectionNode) else key_node
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), path=path) from None


def read_yaml(path: Path) -> Document:
    text = read_text(path)
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except InputError as exc:
        raise InputError(exc.message, path=path, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"invalid YAML: {problem}", path=path,
                         line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", path=path) from None
    finally:
        loader.dispose()
    return Document(path=path, data=data, root=root)


def read_json(path: Path) -> Document:
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", path=path) from None
    return Document(path=path, data=data)


def read_document(path: Path) -> Document:
    """YAML or JSON by extension (JSON is valid YAML, but its errors read better as JSON)."""
    return read_json(path) if path.suffix.lower() == ".json" else read_yaml(path)


def validate(model: type[ModelT], doc: Document, *, part: Sequence[int | str] = (),
             data: Any = None, context: dict[str, Any] | None = None) -> ModelT:
    """Validate ``doc.data`` against ``model``; or ``data``, found at location ``part`` in it."""
    payload = doc.data if data is None else data
    if payload is None:
        raise InputError("file is empty", path=doc.path)
    try:
        return model.model_validate(payload, context=context)
    except ValidationError as exc:
        raise input_error_from(exc, doc, part) from None


def input_error_from(exc: ValidationError, doc: Document, prefix: Sequence[int | str] = ()) -> InputError:
    """The first validation problem as one line, located in the document when possible."""
    errors = exc.errors(include_url=False)
    # a misspelt key shows up as both "unknown" and "missing": the unknown one says what to fix
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = (*prefix, *first["loc"])
    where = _format_loc(loc)
    kind = first["type"]
    if kind == "extra_forbidden":
        message = f"unknown field '{loc[-1]}'" + (f" in {_format_loc(loc[:-1])}" if loc[:-1] else "")
    elif kind == "missing":
        message = f"missing required field '{loc[-1]}'" + (
            f" in {_format_loc(loc[:-1])}" if loc[:-1] else "")
    else:
        text = first["msg"]
        # pydantic prefixes messages of our own validators with "Value error, "
        text = text.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        message = f"{where}: {text}" if where else text
    return InputError(message, path=doc.path, line=doc.line_of(loc))


def _format_loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in part or part.startswith("function-"):
            continue  # pydantic's internal union/validator tags mean nothing to a user
        else:
            out += f".{part}" if out else part
    return out
