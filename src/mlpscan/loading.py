"""Read YAML and JSON input strictly and turn every problem into one `InputError` line.

YAML is composed into a node tree first so that a validation error deep inside a document can
still name the line it comes from; duplicate keys are refused instead of silently overwritten.
Input is untrusted: only regular files are read, up to a size cap, and a YAML document's shape
is checked before it is built (nesting depth, what its aliases expand to, recursive aliases,
numbers and dates Python cannot hold), so no file makes a loader crash or hang.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pydantic_core
import yaml
from pydantic import BaseModel, ValidationError

from mlpscan.errors import InputError, shown

ModelT = TypeVar("ModelT", bound=BaseModel)

# A content file, config, waiver file or inventory is far below this; a snapshot has its own cap.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
# Deeper than any real document; the JSON parser stops at the same depth.
MAX_DEPTH = 200
# Aliases may repeat a subtree, not multiply it: a document expanding past this is refused
# (the "billion laughs" attack), so nothing downstream walks an exponential structure.
MAX_EXPANDED_NODES = 1_000_000
# CPython refuses to convert longer decimal strings to int (sys.get_int_max_str_digits()).
MAX_INT_DIGITS = 4300

# The C parser (libyaml) when present: content loading is on every command's path.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT_TAG = "tag:yaml.org,2002:int"
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"  # `<<`: resolved by flatten_mapping, never built on its own
_JSON_POSITION = re.compile(r" at line (\d+) column (\d+)$")


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader that refuses duplicate and non-scalar mapping keys."""


def _construct_mapping_once(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    first_seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise InputError("a mapping key must be a plain value, not a list or a mapping", line=line)
        key = loader.construct_object(key_node, deep=True)
        if key in first_seen:
            raise InputError(f"duplicate key {shown(key)} (first defined on line {first_seen[key]})",
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


def read_bytes(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The content of a regular file of at most ``limit`` bytes.

    Devices, pipes and sockets are refused before anything is read from them (``/dev/urandom``
    never ends, a FIFO blocks until someone writes), and so is anything over the cap.
    """
    try:
        # O_NONBLOCK: opening a FIFO would otherwise wait for a writer before fstat can refuse it
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", path=path) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        raise InputError(_os_reason(exc), path=path) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a directory, expected a file", path=path)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("not a regular file (a device, pipe or socket): refusing to read it",
                             path=path)
        if info.st_size > limit:
            raise InputError(f"file is larger than {limit:,} bytes: refusing to read it", path=path)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(info.st_size + 1)  # one byte more tells a file that grew meanwhile
    except OSError as exc:
        raise InputError(_os_reason(exc), path=path) from None
    finally:
        os.close(fd)
    if len(data) > info.st_size:
        raise InputError("the file grew while it was being read: read it again once it is complete",
                         path=path)
    return data


def _os_reason(exc: OSError | ValueError) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def read_text(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> str:
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None


def read_yaml(path: Path) -> Document:
    text = read_text(path)
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_shape(root, loader)
        data = loader.construct_document(root) if root is not None else None
    except InputError as exc:
        raise InputError(exc.message, path=path, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"invalid YAML: {problem}", path=path,
                         line=mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:  # its text names "<unicode string>", not the file
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise InputError(f"invalid YAML: unacceptable character #x{character:04x} at position "
                         f"{exc.position}: {exc.reason}", path=path) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", path=path) from None
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError, RecursionError) as exc:
        # a value the constructors cannot build that the shape check did not foresee
        raise InputError(f"invalid YAML: {type(exc).__name__}: {exc}", path=path) from None
    finally:
        loader.dispose()
    return Document(path=path, data=data, root=root)


def _check_shape(root: yaml.Node, loader: _StrictLoader) -> None:
    """Refuse a composed document before it is built: too deep, recursive or exploding aliases,
    values Python cannot convert. Iterative, and each node is visited once however often aliases
    repeat it (this runs on every content file: it has to be quick)."""
    if isinstance(root, yaml.ScalarNode):
        _check_scalar(root, loader)
        return
    # id(collection) -> (values it expands to, nesting depth below and including it)
    sizes: dict[int, tuple[int, int]] = {}
    scalar_type, str_tag = yaml.ScalarNode, _STR_TAG
    stack: list[tuple[yaml.Node, list[yaml.Node], list[int]]] = [(root, _children(root), [0])]
    open_ids = {id(root)}
    while stack:
        node, children, position = stack[-1]
        while position[0] < len(children):
            child = children[position[0]]
            position[0] += 1
            if type(child) is scalar_type:  # most nodes: checked where they occur (aliases are rare)
                if child.tag != str_tag:
                    _check_scalar(child, loader)
                continue
            key = id(child)
            if key in sizes:
                continue
            if key in open_ids:
                raise InputError("an alias refers to a node that contains it (recursive alias)",
                                 line=child.start_mark.line + 1)
            open_ids.add(key)
            stack.append((child, _children(child), [0]))
            break
        else:
            stack.pop()
            open_ids.discard(id(node))
            count, depth = 1 + len(children), 1
            for child in children:
                if type(child) is not scalar_type:
                    size, below = sizes[id(child)]
                    count += size - 1
                    depth = max(depth, below + 1)
            line = node.start_mark.line + 1
            if depth > MAX_DEPTH:
                raise InputError(f"nested deeper than {MAX_DEPTH} levels", line=line)
            if count > MAX_EXPANDED_NODES:
                raise InputError(f"aliases expand this document to more than {MAX_EXPANDED_NODES:,} "
                                 "values: refusing to build it", line=line)
            sizes[id(node)] = (count, depth)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    children: list[yaml.Node] = node.value
    return children


def _check_scalar(node: yaml.ScalarNode, loader: _StrictLoader) -> None:
    """Typed scalars (numbers, dates, booleans, explicit tags) are built now (the loader keeps
    them for later), so that one Python refuses is reported with its line."""
    if node.tag in (_STR_TAG, _MERGE_TAG):
        return
    line = node.start_mark.line + 1
    shown = node.value if len(node.value) <= 40 else node.value[:40] + "..."
    if node.tag == _INT_TAG and len(node.value) > MAX_INT_DIGITS:
        raise InputError(f"invalid YAML: number {shown} has more than {MAX_INT_DIGITS} digits", line=line)
    try:
        loader.construct_object(node)
    except yaml.YAMLError:
        raise  # the loader's own message, with its position
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
        what = node.tag.rsplit(":", 1)[-1]
        raise InputError(f"invalid YAML: {shown!r} is not a valid {what} ({exc})", line=line) from None


def read_json(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> Document:
    return Document(path=path, data=parse_json(read_bytes(path, limit), path))


def parse_json(data: bytes, path: Path) -> Any:
    """Strict JSON: no lone surrogates, integers Python can print, at most MAX_DEPTH levels."""
    try:
        return pydantic_core.from_json(data)
    except ValueError as exc:
        raise json_error(str(exc), path) from None


def json_error(message: str, path: Path) -> InputError:
    """The JSON parser's message as one line, its position turned into the file's line."""
    position = _JSON_POSITION.search(message)
    line = int(position.group(1)) if position else None
    reason = message[:position.start()] if position else message
    if reason == "recursion limit exceeded":
        reason = f"nested deeper than {MAX_DEPTH} levels"
    elif reason == "number out of range":
        reason = f"a number is out of range (more than {MAX_INT_DIGITS} digits)"
    elif "hex escape" in reason:
        reason = f"a \\u escape is a lone UTF-16 surrogate, not a character ({reason})"
    if position:
        reason += f" (column {position.group(2)})"
    return InputError(f"invalid JSON: {reason}", path=path, line=line)


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
