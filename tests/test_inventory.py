from __future__ import annotations

from pathlib import Path

import pytest

from mlpscan.errors import InputError
from mlpscan.inventory import read_inventory

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
