"""Ansible inventories (INI and YAML) as host targets: ops teams already keep one.

Understood: groups, `:children`, `:vars` and `all:vars`, host variables `ansible_host`,
`ansible_port`, `ansible_user` (or `ansible_ssh_user`) and `ansible_connection=local`. Variables
apply from `all` down to the host's own line, the more specific winning, as in Ansible.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlpscan.errors import InputError
from mlpscan.loading import read_text, read_yaml
from mlpscan.providers.host.spec import HostSpec


@dataclass
class _Group:
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)   # host -> its own vars
    children: list[str] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)


def read_inventory(path: Path, limit: str | None = None) -> list[HostSpec]:
    groups = _read_yaml(path) if path.suffix.lower() in (".yaml", ".yml") else _read_ini(path)
    if limit is not None and limit not in groups:
        raise InputError(f"--limit: no group {limit!r} in the inventory", path=path)
    parents = _parents(groups, path)
    depth = {name: _depth(name, parents) for name in groups}
    hosts: dict[str, list[str]] = {}
    for name, group in groups.items():
        for host in group.hosts:
            hosts.setdefault(host, []).append(name)
    specs = []
    for host, direct in hosts.items():
        member_of = set(direct).union(*(_ancestors(g, parents) for g in direct)) | {"all"}
        if limit is not None and limit not in member_of:
            continue
        variables: dict[str, Any] = {}
        for name in sorted(member_of, key=lambda g: (depth[g], g)):  # Ansible: deeper groups win
            variables.update(groups[name].vars if name in groups else {})
        for name in direct:
            variables.update(groups[name].hosts[host])
        specs.append(_spec(host, variables, path))
    return specs


def _parents(groups: dict[str, _Group], path: Path) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = {name: set() for name in groups}
    for name, group in groups.items():
        for child in group.children:
            parents.setdefault(child, set()).add(name)
    for name, above in parents.items():
        if not above and name != "all":
            above.add("all")
    for name in groups:
        if name in _ancestors(name, parents):
            raise InputError(f"group {name!r} is its own ancestor", path=path)
    return parents


def _ancestors(name: str, parents: dict[str, set[str]], seen: frozenset[str] = frozenset()) -> set[str]:
    found: set[str] = set()
    for parent in parents.get(name, set()):
        if parent in seen:
            found.add(parent)
            continue
        found |= {parent} | _ancestors(parent, parents, seen | {name})
    return found


def _depth(name: str, parents: dict[str, set[str]]) -> int:
    above = parents.get(name, set()) - {name}
    return 0 if name == "all" or not above else 1 + max(_depth(p, parents) for p in above)


def _spec(name: str, variables: dict[str, Any], path: Path) -> HostSpec:
    declared = path.as_posix()
    if variables.get("ansible_connection") == "local":
        return HostSpec(transport="local", name=name, declared_in=declared)
    port = variables.get("ansible_port")
    try:
        port_number = int(port) if port is not None else None
    except (TypeError, ValueError):
        raise InputError(f"host {name}: ansible_port {port!r} is not a number", path=path) from None
    user = variables.get("ansible_user", variables.get("ansible_ssh_user"))
    host = str(variables.get("ansible_host", name))
    return HostSpec(transport="ssh", host=host, port=port_number, user=str(user) if user else None,
                    name=name if host != name else None, declared_in=declared)


def _read_ini(path: Path) -> dict[str, _Group]:
    groups: dict[str, _Group] = {"all": _Group(), "ungrouped": _Group()}
    groups["all"].children.append("ungrouped")
    section, kind = "ungrouped", "hosts"
    for number, raw in enumerate(read_text(path).splitlines(), start=1):
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
            groups.setdefault(section, _Group())
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError as exc:
            raise InputError(f"cannot read this line: {exc}", path=path, line=number) from None
        group = groups[section]
        if kind == "children":
            group.children.append(words[0])
            groups.setdefault(words[0], _Group())
        elif kind == "vars":
            key, sep, value = line.partition("=")
            if not sep:
                raise InputError("expected key=value", path=path, line=number)
            group.vars[key.strip()] = value.strip()
        else:
            host_vars = {}
            for word in words[1:]:
                key, sep, value = word.partition("=")
                if not sep:
                    raise InputError(f"expected key=value after the host name, got {word!r}",
                                     path=path, line=number)
                host_vars[key] = value
            group.hosts[words[0]] = host_vars
    return groups


def _read_yaml(path: Path) -> dict[str, _Group]:
    doc = read_yaml(path)
    if not isinstance(doc.data, dict):
        raise InputError("expected a mapping of groups (all: {hosts: ..., children: ...})", path=path)
    groups: dict[str, _Group] = {}

    def read_group(name: str, body: Any) -> None:
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise InputError(f"group {name!r} must be a mapping", path=path, line=doc.line_of([name]))
        group = groups.setdefault(name, _Group())
        for host, own in (body.get("hosts") or {}).items():
            group.hosts[str(host)] = dict(own or {})
        group.vars.update(body.get("vars") or {})
        for child, child_body in (body.get("children") or {}).items():
            group.children.append(str(child))
            read_group(str(child), child_body)

    for name, body in doc.data.items():
        read_group(str(name), body)
    groups.setdefault("all", _Group())
    return groups
