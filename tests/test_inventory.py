from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from mlpscan.errors import InputError
from mlpscan.inventory import read_inventory
from mlpscan.providers.host.spec import HostSpec

INI = """\
# production fleet
bastion ansible_host=10.0.0.2
localhost ansible_connection=local

[web]
web-01 ansible_host=10.0.1.11 ansible_port=2222
web-02 ansible_host=10.0.1.12 ansible_user=deploy

[db]
db-01 ansible_host=10.0.2.21

[prod:children]
web
db

[prod:vars]
ansible_user=ops

[all:vars]
ansible_user=root
ansible_port=22
"""

YAML = """\
all:
  vars:
    ansible_user: root
  hosts:
    bastion:
      ansible_host: 10.0.0.2
  children:
    prod:
      vars:
        ansible_user: ops
      children:
        web:
          hosts:
            web-01: {ansible_host: 10.0.1.11, ansible_port: 2222}
            web-02: {ansible_host: 10.0.1.12, ansible_user: deploy}
        db:
          hosts:
            db-01: {ansible_host: 10.0.2.21}
"""


@pytest.mark.parametrize(("name", "text"), [("hosts.ini", INI), ("hosts.yaml", YAML)])
def test_inventory_hosts_and_variables(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    specs = {s.name or s.host: s for s in read_inventory(path)}
    web1 = specs["web-01"]
    assert (web1.transport, web1.host, web1.port, web1.user) == ("ssh", "10.0.1.11", 2222, "ops")
    assert web1.id == "host:web-01"
    assert web1.declared_in == path.as_posix()
    assert specs["web-02"].user == "deploy"          # host variables beat group variables
    assert specs["db-01"].user == "ops"              # prod:vars reach db through prod:children
    assert specs["bastion"].user == "root"           # all:vars
    if name.endswith(".ini"):
        assert specs["localhost"].transport == "local"
    limited = read_inventory(path, limit="web")
    assert sorted(s.name for s in limited) == ["web-01", "web-02"]


@pytest.mark.parametrize(("text", "message", "line"), [
    ("[web\nweb-01\n", "section header without its closing ']'", 1),
    ("[web:hostvars]\n", "unknown section kind ':hostvars'", 1),
    ("[web]\nweb-01 ansible_port\n", "expected key=value after the host name, got 'ansible_port'", 2),
    ("[a:children]\nb\n[b:children]\na\n", "is its own ancestor", None),
])
def test_bad_ini_inventory(tmp_path: Path, text: str, message: str, line: int | None) -> None:
    path = tmp_path / "hosts.ini"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_inventory(path)
    assert message in caught.value.message
    assert caught.value.path == str(path)
    if line is not None:
        assert caught.value.line == line


def test_unknown_limit_and_bad_port(tmp_path: Path) -> None:
    path = tmp_path / "hosts.ini"
    path.write_text("[web]\nweb-01 ansible_port=ssh\n", encoding="utf-8")
    with pytest.raises(InputError, match="no group 'db'"):
        read_inventory(path, limit="db")
    with pytest.raises(InputError, match="ansible_port 'ssh' is not a number"):
        read_inventory(path)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def by_name(specs: list[HostSpec]) -> dict[str, HostSpec]:
    return {s.name or str(s.host): s for s in specs}


def test_host_ranges_and_ports(tmp_path: Path) -> None:
    ini = write(tmp_path / "hosts", "[web]\nweb[01:03].example.cn\ndb-[a:c] ansible_user=dba\n"
                                    "app[1:9:4]:2222\n")
    names = [s.name or s.host for s in read_inventory(ini)]
    assert names == ["web01.example.cn", "web02.example.cn", "web03.example.cn", "db-a", "db-b", "db-c",
                     "app1", "app5", "app9"]
    specs = by_name(read_inventory(ini))
    assert specs["db-b"].user == "dba"
    assert specs["app5"].port == 2222
    yaml_path = write(tmp_path / "hosts.yml", "all:\n  hosts:\n    'node[08:10]':\n      ansible_port: 2200\n")
    assert [(s.host, s.port) for s in read_inventory(yaml_path)] == [("node08", 2200), ("node09", 2200),
                                                                     ("node10", 2200)]


def test_group_vars_and_host_vars_in_ansible_precedence(tmp_path: Path) -> None:
    inventory = write(tmp_path / "inventory" / "hosts.ini",
                      "[web]\nweb-01\nweb-02 ansible_user=line\nweb-03\n[prod:children]\nweb\n"
                      "[prod:vars]\nansible_port=2201\n[all:vars]\nansible_user=from-ini-all\n")
    base = inventory.parent
    write(base / "group_vars" / "all.yml", "ansible_user: from-group-vars-all\nansible_port: 2200\n")
    write(base / "group_vars" / "prod" / "10-conn.yaml", "ansible_port: 2202\n")
    write(base / "group_vars" / "prod" / "20-more.yml", "ansible_port: 2203\n")   # later file wins
    write(base / "group_vars" / "web", "ansible_user: from-group-vars-web\n")      # no suffix: read too
    write(base / "host_vars" / "web-03.json", '{"ansible_host": "10.0.0.3"}')
    write(base / "host_vars" / "web-02.yml", "ansible_port: 22\n")
    specs = by_name(read_inventory(inventory))
    # group_vars/web (a child) beats group_vars/prod; group_vars/* beat the inventory's own group vars
    assert (specs["web-01"].user, specs["web-01"].port) == ("from-group-vars-web", 2203)
    # the host's own line beats group_vars, host_vars beat the line
    assert (specs["web-02"].user, specs["web-02"].port) == ("line", 22)
    assert (specs["web-03"].host, specs["web-03"].name) == ("10.0.0.3", "web-03")


def test_ansible_inventory_list_json(tmp_path: Path) -> None:
    listing = {"_meta": {"hostvars": {"web-01": {"ansible_host": "10.0.1.11", "ansible_user": "ops",
                                                 "ansible_port": 2222},
                                      "jump": {"ansible_connection": "local"}}},
               "all": {"children": ["ungrouped", "web"]}, "web": {"hosts": ["web-01"]},
               "ungrouped": {"hosts": ["jump"]}}
    path = write(tmp_path / "inventory.json", json.dumps(listing))
    specs = by_name(read_inventory(path))
    assert (specs["web-01"].host, specs["web-01"].user, specs["web-01"].port) == ("10.0.1.11", "ops", 2222)
    assert specs["jump"].transport == "local"
    assert [s.name for s in read_inventory(path, limit="web")] == ["web-01"]
    # `ansible-inventory --list > hosts` without a .json suffix is recognised too
    assert by_name(read_inventory(write(tmp_path / "listing", json.dumps(listing)))).keys() == specs.keys()


def test_vaulted_connection_variables_point_to_ansible_inventory(tmp_path: Path) -> None:
    path = write(tmp_path / "hosts.yml", "all:\n  hosts:\n    web-01:\n      ansible_host: !vault |\n"
                                         "        $ANSIBLE_VAULT;1.1;AES256\n        6162\n"
                                         "      ansible_become_password: !vault |\n        $ANSIBLE_VAULT;1.1\n")
    with pytest.raises(InputError, match="ansible-inventory -i SRC --list"):
        read_inventory(path)
    fine = write(tmp_path / "ok.yml", "all:\n  hosts:\n    web-01:\n      ansible_become_password: !vault |\n"
                                      "        $ANSIBLE_VAULT;1.1\n")
    assert [s.host for s in read_inventory(fine)] == ["web-01"]


def deep_children(depth: int) -> str:
    return "".join(f"[g{i}:children]\ng{i + 1}\n" for i in range(depth)) + f"[g{depth}]\nh1\n"


def diamond(levels: int) -> str:
    text = "".join(f"[a{i}:children]\na{i + 1}\nb{i + 1}\n[b{i}:children]\na{i + 1}\nb{i + 1}\n"
                   for i in range(levels))
    return text + f"[a{levels}]\nh1\n[b{levels}]\nh2\n"


@pytest.mark.parametrize(("name", "text", "message"), [
    ("hosts.yml", "all:\n  - web-01\n", "must be a mapping"),
    ("hosts.yml", "all:\n  hosts: [web-01, web-02]\n", "hosts must be a mapping, not list"),
    ("hosts.yml", "all:\n  children: [web]\n", "children must be a mapping, not list"),
    ("hosts.yml", "all:\n  hosts:\n    web-01: [1, 2]\n", "host 'web-01' must be a mapping, not list"),
    ("hosts.yml", "all:\n  hosts:\n    web-01: {ansible_port: .inf}\n", "ansible_port inf is not a number"),
    ("hosts.yml", "all:\n  hosts:\n    web-01: {ansible_port: 70000}\n", "from 1 to 65535"),
    ("hosts.yml", "all:\n  hosts:\n    web-01: {ansible_host: [a]}\n", "must be a string"),
    ("hosts.yml", "all:\n  hosts:\n    ? [a, b]\n    : {}\n", "invalid YAML"),
    ("hosts.yml", "all:\n  host:\n    web-01:\n", "unknown key 'host'"),
    ("hosts.ini", "[web]\nweb-01 ansible_connection=winrm\n", "cannot be scanned"),
    ("hosts.ini", "[web]\nweb[9:1]\n", "runs backwards"),
    ("hosts.ini", "[web]\nweb[0:99999999]\n", "more than 100000 hosts"),
    ("hosts.ini", "[web]\nweb[1:3][1:99999]\n", "more than 100000 hosts"),
    ("hosts.ini", "[web]\n" + "x" * 2_000_000 + "\n", "line longer than"),
    ("hosts.ini", deep_children(3000) + "[g3000:children]\ng0\n", "is its own ancestor"),
    ("hosts.json", '{"all": {"hosts": "web-01"}}', "must be a list"),
    ("hosts.json", "[" * 100_000 + "]" * 100_000, "nested deeper than 200 levels"),
    # found by bench/campaign.py: JSON read by content (no .json suffix) took 5,000-digit integers to int()
    ("hosts", '{"all": {"vars": {"ansible_port": ' + "9" * 5000 + "}}}", "more than 4300 digits"),
    ("hosts.ini", '{"_meta": {"hostvars": {}}, "web": {"hosts": ["\\ud800"]}}', "lone UTF-16 surrogate"),
    ("hosts.yml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n", ""),
])
def test_bad_inventories_are_one_line_naming_the_file(tmp_path: Path, name: str, text: str,
                                                      message: str) -> None:
    path = write(tmp_path / name, text)
    with pytest.raises(InputError) as caught:
        read_inventory(path)
    assert message in caught.value.message
    assert caught.value.path == str(path)
    assert "\n" not in str(caught.value)


def test_deep_and_diamond_children_stay_linear(tmp_path: Path) -> None:
    """A chain deeper than Python's recursion limit and 2^40 paths through a diamond both resolve."""
    [deep] = read_inventory(write(tmp_path / "deep.ini", deep_children(5000) + "[g0:vars]\nansible_user=top\n"
                                  + "[g5000:vars]\nansible_user=bottom\n"))
    assert deep.user == "bottom"   # the deepest group wins
    specs = by_name(read_inventory(write(tmp_path / "diamond.ini", diamond(40) + "[a0:vars]\nansible_port=2222\n")))
    assert specs["h1"].port == specs["h2"].port == 2222
    alias_bomb = "all:\n  children:\n    g0: &g0 {hosts: {h1: {}}}\n" + "".join(
        f"    g{i}: &g{i} {{children: {{x{i}a: *g{i - 1}, x{i}b: *g{i - 1}}}}}\n" for i in range(1, 40))
    assert [s.host for s in read_inventory(write(tmp_path / "alias.yml", alias_bomb))] == ["h1"]


FUZZ_SEEDS = {".ini": INI, ".yml": YAML, ".json": json.dumps({
    "_meta": {"hostvars": {"web-01": {"ansible_host": "10.0.0.1", "ansible_port": 22}}},
    "all": {"children": ["web"]}, "web": {"hosts": ["web-01"], "vars": {"ansible_user": "ops"}}})}
FUZZ_TOKENS = ["[", "]", ":children", ":vars", "[a:b]", "[01:99]", "=", " ", "\n", "\t", ":", "-", "- ",
               "{", "}", "&a ", "*a", "!vault |", "!!python/object:os.system", ".inf", ".nan", "1e999",
               "9" * 5000, "null", "~", "[[[[", "]]]]", "? ", "'", '"', "\\", "\x00", "\udcff", "ansible_port=",
               "ansible_host: [", "children:", "hosts:", "vars:", "#", "@", "%", "💥", "x" * 70000]


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 6)):
        where = rng.randrange(len(text) + 1)
        action = rng.random()
        if action < 0.5:
            text = text[:where] + rng.choice(FUZZ_TOKENS) + text[where:]
        elif action < 0.8:
            text = text[:where] + text[where + rng.randint(1, 20):]
        else:
            text = text[:where] + text[where:][::-1]
    return text


def test_fuzzed_inventories_give_hosts_or_one_input_error(tmp_path: Path) -> None:
    """Seeded: the same 450 mutated inventories every run. Anything but success or InputError
    (a traceback) fails; a hang would never finish."""
    rng = random.Random(20261205)
    outcomes = {"hosts": 0, "InputError": 0}
    problems: list[tuple[int, str]] = []
    for case in range(450):
        suffix = rng.choice(list(FUZZ_SEEDS))
        text = mutate(FUZZ_SEEDS[suffix], rng)
        path = tmp_path / f"case{case}{rng.choice([suffix, suffix, ''])}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            read_inventory(path)
            outcomes["hosts"] += 1
        except InputError as exc:
            outcomes["InputError"] += 1
            if exc.path != str(path) or "\n" in exc.message:
                problems.append((case, str(exc)))
    assert problems == []
    assert outcomes["hosts"] > 20
    assert outcomes["InputError"] > 100
