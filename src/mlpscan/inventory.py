"""Ansible inventories as host targets: ops teams already keep one.

Read: INI and YAML inventories (groups, `:children`, `:vars`, host ranges `web[01:03]`,
`db-[a:c]`, `host:port`), the `group_vars/` and `host_vars/` next to them (files and
directories, YAML or JSON), and the JSON printed by `ansible-inventory -i SRC --list` (so
dynamic, templated or vaulted inventories are resolved by Ansible itself).

The connection variables are merged in Ansible's order of precedence (lowest first): group
variables of the inventory (`all` first, parents before children, then
`ansible_group_priority`, then name), `group_vars/all`, the other `group_vars/*` in the same
order, the host's own variables in the inventory, `host_vars/<host>`.

Hostile input never costs more than linear work: groups are walked without recursion, each
group's ancestors once, ranges and lines are bounded; every problem is one InputError line.
"""

from __future__ import annotations

import math
import re
import shlex
import string
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlpscan.errors import InputError
from mlpscan.loading import parse_json
from mlpscan.providers.host.spec import HostSpec

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_LINE_CHARS = 65536
MAX_HOSTS = 100_000
VAR_FILE_SUFFIXES = ("", ".yml", ".yaml", ".json")
SSH_CONNECTIONS = {"ssh", "smart", "paramiko", "paramiko_ssh", "ansible.builtin.ssh",
                   "ansible.builtin.paramiko_ssh"}
LOCAL_CONNECTIONS = {"local", "ansible.builtin.local"}
_GROUP_KEYS = {"hosts", "vars", "children"}
_RANGE = re.compile(r"\[([^\[\]:]*):([^\[\]:]*)(?::([^\[\]:]*))?\]")


class _Vaulted:
    """A value encrypted with ansible-vault: only Ansible can read it."""


VAULTED = _Vaulted()


class _InventoryLoader(yaml.SafeLoader):
    """Safe YAML plus Ansible's own tags: `!vault` (unreadable here) and `!unsafe` (a string)."""


_InventoryLoader.add_constructor("!vault", lambda loader, node: VAULTED)
def _unsafe(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_InventoryLoader.add_constructor("!unsafe", _unsafe)


@dataclass
class _Group:
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)   # host -> its own vars
    children: list[str] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Inventory:
    groups: dict[str, _Group]
    adjacent_vars: bool             # group_vars/ and host_vars/ apply (not to ansible-inventory JSON)


def read_inventory(path: Path, limit: str | None = None) -> list[HostSpec]:
    try:
        inventory = _load(path)
        return _hosts(inventory, path, limit)
    except RecursionError:
        raise InputError("nested too deeply to read", path=path) from None


# ---------------------------------------------------------------------------------------------
# Resolving groups and variables
# ---------------------------------------------------------------------------------------------


def _hosts(inventory: _Inventory, path: Path, limit: str | None) -> list[HostSpec]:
    groups = inventory.groups
    groups.setdefault("all", _Group())
    if limit is not None and limit not in groups:
        raise InputError(f"--limit: no group {limit!r} in the inventory", path=path)
    parents = _parents(groups)
    depth = _depths(groups, parents, path)
    group_files = _adjacent_vars(path, "group_vars", groups) if inventory.adjacent_vars else {}
    direct: dict[str, list[str]] = {}
    for name, group in groups.items():
        for host in group.hosts:
            direct.setdefault(host, []).append(name)
    host_files = _adjacent_vars(path, "host_vars", direct) if inventory.adjacent_vars else {}
    ancestors = _Ancestors(parents)
    specs = []
    for host, in_groups in direct.items():
        member_of = ancestors.of(in_groups) | set(in_groups) | {"all"}
        if limit is not None and limit not in member_of:
            continue
        order = sorted(member_of, key=lambda g: (depth[g], _priority(groups[g], path), g))
        variables: dict[str, Any] = {}
        for name in order:
            variables.update(groups[name].vars)
        variables.update(group_files.get("all", {}))
        for name in order:
            if name != "all":
                variables.update(group_files.get(name, {}))
        for name in in_groups:
            variables.update(groups[name].hosts[host])
        variables.update(host_files.get(host, {}))
        specs.append(_spec(host, variables, path))
    return specs


def _parents(groups: Mapping[str, _Group]) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = {name: set() for name in groups}
    for name, group in groups.items():
        for child in group.children:
            parents.setdefault(child, set()).add(name)
    for name, above in parents.items():
        if not above and name != "all":
            above.add("all")  # top-level groups (and ungrouped) are children of all
    return parents


def _depths(groups: Mapping[str, _Group], parents: Mapping[str, set[str]], path: Path) -> dict[str, int]:
    """Ansible's group depth (all = 0, a child one deeper than its deepest parent), in one
    topological pass; a group left over is part of a cycle."""
    children: dict[str, list[str]] = {name: [] for name in parents}
    waiting = {name: len(above) for name, above in parents.items()}
    for name, above in parents.items():
        for parent in above:
            children.setdefault(parent, []).append(name)
    depth = dict.fromkeys(parents, 0)
    ready = deque(name for name, count in waiting.items() if count == 0)
    done = 0
    while ready:
        name = ready.popleft()
        done += 1
        for child in children.get(name, []):
            depth[child] = max(depth[child], depth[name] + 1)
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    if done < len(parents):
        stuck = sorted(name for name, count in waiting.items() if count > 0)
        raise InputError(f"group {stuck[0]!r} is its own ancestor (a :children cycle)", path=path)
    return depth


class _Ancestors:
    """Every group above a set of groups, each walk without recursion and remembered."""

    def __init__(self, parents: Mapping[str, set[str]]) -> None:
        self.parents = parents
        self._memo: dict[frozenset[str], frozenset[str]] = {}

    def of(self, groups: Iterable[str]) -> frozenset[str]:
        key = frozenset(groups)
        if key not in self._memo:
            seen: set[str] = set()
            pending = list(key)
            while pending:
                for parent in self.parents.get(pending.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        pending.append(parent)
            self._memo[key] = frozenset(seen)
        return self._memo[key]


def _priority(group: _Group, path: Path) -> int:
    value = group.vars.get("ansible_group_priority", 1)
    number = _integer(value)
    if number is None:
        raise InputError(f"ansible_group_priority {_shown(value)} is not a whole number", path=path)
    return number


def _spec(name: str, variables: Mapping[str, Any], path: Path) -> HostSpec:
    declared = path.as_posix()
    connection = _scalar(name, variables, "ansible_connection", path)
    if connection in LOCAL_CONNECTIONS:
        return HostSpec(transport="local", name=name, declared_in=declared)
    if connection is not None and connection not in SSH_CONNECTIONS:
        raise InputError(f"host {name}: ansible_connection {connection!r} cannot be scanned (ssh or local); "
                         "leave the host out with --limit", path=path)
    port_value = variables.get("ansible_port", variables.get("ansible_ssh_port"))
    port = None
    if port_value is not None:
        port = _integer(port_value)
        if port is None or not 1 <= port <= 65535:
            raise InputError(f"host {name}: ansible_port {_shown(port_value)} is not a number from 1 "
                             "to 65535", path=path)
    user = (_scalar(name, variables, "ansible_user", path)
            or _scalar(name, variables, "ansible_ssh_user", path))
    host = (_scalar(name, variables, "ansible_host", path)
            or _scalar(name, variables, "ansible_ssh_host", path) or name)
    return HostSpec(transport="ssh", host=host, port=port, user=user or None,
                    name=name if host != name else None, declared_in=declared)


def _scalar(host: str, variables: Mapping[str, Any], key: str, path: Path) -> str | None:
    value = variables.get(key)
    if value is None:
        return None
    if value is VAULTED:
        raise InputError(f"host {host}: {key} is encrypted with ansible-vault; give mlpscan the JSON of "
                         "`ansible-inventory -i SRC --list` instead", path=path)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(f"host {host}: {key} must be a string, not {_shown(value)}", path=path)
    return str(value)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
        return int(value)
    return None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------------------------------------
# group_vars/ and host_vars/
# ---------------------------------------------------------------------------------------------


def _adjacent_vars(path: Path, folder: str, names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Variables of each named group or host from <inventory dir>/<folder>/<name>[.yml|.yaml|.json]
    or every file of the directory <folder>/<name>/, in lexical order."""
    base = path.parent / folder
    if not base.is_dir():
        return {}
    found: dict[str, dict[str, Any]] = {}
    for name in names:
        files = [base / f"{name}{suffix}" for suffix in VAR_FILE_SUFFIXES
                 if (base / f"{name}{suffix}").is_file()]
        directory = base / name
        if directory.is_dir():
            files += sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix in VAR_FILE_SUFFIXES
                            and not p.name.startswith("."))
        merged: dict[str, Any] = {}
        for file in files:
            data = _read_data(file)
            if data is None:
                continue
            if not isinstance(data, dict):
                raise InputError(f"expected a mapping of variables, not {type(data).__name__}", path=file)
            merged.update(data)
        if merged:
            found[name] = merged
    return found


# ---------------------------------------------------------------------------------------------
# Reading the three formats
# ---------------------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        if not path.is_file():
            raise InputError("not a regular file" if path.exists() else "file not found", path=path)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"larger than {MAX_FILE_BYTES // 2**20} MiB: not an inventory", path=path)
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), path=path) from None


def _read_data(path: Path) -> Any:
    text = _read_text(path)
    if path.suffix == ".json":
        return _json(text, path)
    try:
        return yaml.load(text, Loader=_InventoryLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(f"invalid YAML: {exc.problem or exc.context}", path=path,
                         line=mark.line + 1 if mark else None) from None
    except (yaml.YAMLError, ValueError) as exc:
        raise InputError(f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                         path=path) from None


def _load(path: Path) -> _Inventory:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _Inventory(_from_ansible_json(_read_data(path), path), adjacent_vars=False)
    if suffix in (".yaml", ".yml"):
        return _Inventory(_from_yaml(_read_data(path), path), adjacent_vars=True)
    text = _read_text(path)
    if text.lstrip().startswith("{"):  # `ansible-inventory --list > hosts` without a .json suffix
        return _Inventory(_from_ansible_json(_json(text, path), path), adjacent_vars=False)
    return _Inventory(_from_ini(text, path), adjacent_vars=True)


def _json(text: str, path: Path) -> Any:
    """The strict JSON every other input gets: bounded depth, integers Python can print, no lone
    surrogates (json.loads raised ValueError, an internal error, on a 5,000-digit number)."""
    return parse_json(text.encode("utf-8"), path)


def _from_ini(text: str, path: Path) -> dict[str, _Group]:
    groups: dict[str, _Group] = {"all": _Group(), "ungrouped": _Group()}
    groups["all"].children.append("ungrouped")
    section, kind = "ungrouped", "hosts"
    for number, raw in enumerate(text.splitlines(), start=1):
        if len(raw) > MAX_LINE_CHARS:
            raise InputError(f"line longer than {MAX_LINE_CHARS} characters", path=path, line=number)
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        if line.startswith("[") and not line.endswith("]"):
            raise InputError("section header without its closing ']'", path=path, line=number)
        if line.startswith("["):
            section, _, kind = line[1:-1].partition(":")
            kind = kind or "hosts"
            if kind not in ("hosts", "vars", "children"):
                raise InputError(f"unknown section kind ':{kind}'", path=path, line=number)
            if not section:
                raise InputError("a section needs a group name", path=path, line=number)
            groups.setdefault(section, _Group())
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError as exc:
            raise InputError(f"cannot read this line: {exc}", path=path, line=number) from None
        if not words:
            continue
        group = groups[section]
        if kind == "children":
            group.children.append(words[0])
            groups.setdefault(words[0], _Group())
        elif kind == "vars":
            key, sep, value = line.partition("=")
            if not sep:
                raise InputError("expected key=value", path=path, line=number)
            group.vars[key.strip()] = _ini_value(value.strip())
        else:
            host_vars: dict[str, Any] = {}
            for word in words[1:]:
                key, sep, value = word.partition("=")
                if not sep:
                    raise InputError(f"expected key=value after the host name, got {word[:60]!r}",
                                     path=path, line=number)
                host_vars[key] = value
            _add_hosts(group, words[0], host_vars, path, number)
    _check_size(groups, path)
    return groups


def _ini_value(value: str) -> str:
    """`:vars` values: a quoted value loses its quotes, as Ansible reads it."""
    try:
        words = shlex.split(value)
    except ValueError:
        return value
    return words[0] if len(words) == 1 else value


def _from_yaml(data: Any, path: Path) -> dict[str, _Group]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("expected a mapping of groups (all: {hosts: ..., children: ...})", path=path)
    groups: dict[str, _Group] = {}
    seen: set[tuple[str, int]] = set()   # (group, id of its body): an alias is walked once
    pending: list[tuple[str, Any]] = [(_key(name, path, "group"), body) for name, body in data.items()]
    while pending:
        name, body = pending.pop()
        group = groups.setdefault(name, _Group())
        if (name, id(body)) in seen:
            continue
        seen.add((name, id(body)))
        if body is None:
            continue
        if not isinstance(body, dict):
            raise InputError(f"group {name!r} must be a mapping (hosts, vars, children), not "
                             f"{type(body).__name__}", path=path)
        unknown = sorted(str(k) for k in body if k not in _GROUP_KEYS)
        if unknown:
            raise InputError(f"group {name!r}: unknown key {unknown[0][:60]!r} (expected hosts, vars, "
                             "children)", path=path)
        for host, own in _mapping(body.get("hosts"), f"group {name!r}: hosts", path).items():
            own_vars = _mapping(own, f"host {host!r}", path)
            _add_hosts(group, _key(host, path, "host"), dict(own_vars), path, None)
        group.vars.update({_key(k, path, "variable"): v
                           for k, v in _mapping(body.get("vars"), f"group {name!r}: vars", path).items()})
        for child, child_body in _mapping(body.get("children"), f"group {name!r}: children", path).items():
            child_name = _key(child, path, "group")
            group.children.append(child_name)
            pending.append((child_name, child_body))
        _check_size(groups, path)
    return groups


def _from_ansible_json(data: Any, path: Path) -> dict[str, _Group]:
    """`ansible-inventory --list`: {"_meta": {"hostvars": {...}}, "<group>": {"hosts": [...],
    "children": [...], "vars": {...}}}. Host variables there are already merged by Ansible."""
    if not isinstance(data, dict):
        raise InputError("expected the JSON object of `ansible-inventory --list`", path=path)
    meta = _mapping(data.get("_meta"), "_meta", path)
    hostvars = _mapping(meta.get("hostvars"), "_meta.hostvars", path)
    groups: dict[str, _Group] = {}
    for name, body in data.items():
        if name == "_meta":
            continue
        entry = _mapping(body, f"group {name!r}", path)
        group = groups.setdefault(_key(name, path, "group"), _Group())
        group.vars.update(_mapping(entry.get("vars"), f"group {name!r}: vars", path))
        for child in _list(entry.get("children"), f"group {name!r}: children", path):
            child_name = _key(child, path, "group")
            group.children.append(child_name)
            groups.setdefault(child_name, _Group())
        for host in _list(entry.get("hosts"), f"group {name!r}: hosts", path):
            group.hosts[_key(host, path, "host")] = {}
    listed = {host for group in groups.values() for host in group.hosts}
    for host in hostvars:
        if host not in listed:
            groups.setdefault("ungrouped", _Group()).hosts[_key(host, path, "host")] = {}
    for group in groups.values():
        for host in group.hosts:
            group.hosts[host] = dict(_mapping(hostvars.get(host), f"hostvars of {host!r}", path))
    _check_size(groups, path)
    return groups


def _mapping(value: Any, what: str, path: Path) -> Mapping[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{what} must be a mapping, not {type(value).__name__}", path=path)
    return value


def _list(value: Any, what: str, path: Path) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{what} must be a list, not {type(value).__name__}", path=path)
    return value


def _key(value: Any, path: Path, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise InputError(f"a {what} name must be a non-empty string, not {_shown(value)}", path=path)
    return str(value)


def _check_size(groups: Mapping[str, _Group], path: Path) -> None:
    if sum(len(g.hosts) for g in groups.values()) > MAX_HOSTS:
        raise InputError(f"more than {MAX_HOSTS} hosts: split the inventory", path=path)


# ---------------------------------------------------------------------------------------------
# Host patterns: ranges and host:port
# ---------------------------------------------------------------------------------------------


def _add_hosts(group: _Group, pattern: str, own: dict[str, Any], path: Path, line: int | None) -> None:
    name, port = _split_port(pattern)
    for host in expand_host_range(name, path, line):
        variables = dict(own)
        if port is not None:
            variables.setdefault("ansible_port", port)
        group.hosts[host] = variables
        if len(group.hosts) > MAX_HOSTS:
            raise InputError(f"more than {MAX_HOSTS} hosts: split the inventory", path=path, line=line)


def _split_port(pattern: str) -> tuple[str, int | None]:
    """`web-01:2222` -> ("web-01", 2222): the one colon outside brackets (ranges keep theirs)."""
    depth, colons = 0, []
    for index, char in enumerate(pattern):
        depth += (char == "[") - (char == "]")
        if char == ":" and depth == 0:
            colons.append(index)
    if len(colons) == 1 and pattern[colons[0] + 1:].isdigit():
        return pattern[:colons[0]], int(pattern[colons[0] + 1:])
    return pattern, None


def expand_host_range(pattern: str, path: Path, line: int | None = None) -> list[str]:
    """Ansible's host ranges: `web[01:03]` -> web01 web02 web03 (width kept), `db-[a:c]`,
    `[1:9:2]` with a stride; several ranges in one name multiply. Bounded by MAX_HOSTS."""
    names = [pattern]
    while True:
        match = _RANGE.search(names[0])
        if match is None:
            return names
        values = _range_values(match, path, line)
        if len(names) * len(values) > MAX_HOSTS:
            raise InputError(f"the host range {pattern[:80]!r} gives more than {MAX_HOSTS} hosts",
                             path=path, line=line)
        names = [n[:match.start()] + v + n[match.end():] for n in names for v in values]


def _range_values(match: re.Match[str], path: Path, line: int | None) -> list[str]:
    start, end, stride_text = match[1], match[2], match[3]
    stride = int(stride_text) if stride_text and stride_text.isdigit() else (None if stride_text else 1)
    if stride is None or stride < 1:
        raise InputError(f"host range {match[0]!r}: the step must be a positive number", path=path, line=line)
    if (start or "0").isdigit() and end.isdigit():
        first, last = int(start or "0"), int(end)
        width = len(start) if start.startswith("0") and len(start) > 1 else 0
        if first > last:
            raise InputError(f"host range {match[0]!r} runs backwards", path=path, line=line)
        if (last - first) // stride + 1 > MAX_HOSTS:
            raise InputError(f"host range {match[0]!r} gives more than {MAX_HOSTS} hosts", path=path,
                             line=line)
        return [str(n).zfill(width) for n in range(first, last + 1, stride)]
    letters = string.ascii_letters
    if len(start) == 1 and len(end) == 1 and start in letters and end in letters:
        first, last = letters.index(start), letters.index(end)
        if first > last:
            raise InputError(f"host range {match[0]!r} runs backwards", path=path, line=line)
        return [letters[i] for i in range(first, last + 1, stride)]
    raise InputError(f"host range {match[0]!r}: expected [start:end] of numbers or of single letters",
                     path=path, line=line)
