"""Hosts: the suite's real sshd as the healthy host, and beside it, per scenario, a host that
misbehaves: the suite's scripted SSH servers, a closed port, a port that never speaks, a second
real sshd that refuses the key or shows another host key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench.campaign.scans import Faulty, Outcome, Stage, closed_port, scan, silent_listener
from bench.campaign.scenarios import Scenario
from tests.providers.host.scripted_ssh import scripted_ssh
from tests.providers.host.sshd_server import TEST_USER, running_sshd

from mlpscan.providers.host.facts import AREAS

EVERYTHING = frozenset({"*"})


def needing(command: str) -> frozenset[str]:
    """The host resource types built from `command` alone (the collector's own declaration)."""
    return frozenset(area.type for area in AREAS if command in area.needs)


class HostStage(Stage):
    provider = "host"

    def start(self, stack: ExitStack) -> None:
        self.sshd = stack.enter_context(running_sshd())
        self.healthy_ids = frozenset({f"host:127.0.0.1:{self.sshd.port}"})
        self.faulty_ids = frozenset()
        self.ssh_config = self.root / "ssh_config"
        self.ssh_config.write_text("", encoding="utf-8")

    @contextmanager
    def faulty(self, workdir: Path) -> Iterator[Faulty]:
        with ExitStack() as stack:
            yield Faulty(None, stack=stack, workdir=workdir)

    def run(self, faulty: Faulty, workdir: Path) -> Outcome:
        known = workdir / "known_hosts"
        known.write_text(self.sshd.known_hosts.read_text(encoding="utf-8") + "".join(faulty.known_hosts),
                         encoding="utf-8")
        args = [*faulty.targets, self.sshd.target(), "--known-hosts", str(known), "--identity",
                str(self.sshd.client_key), "--ssh-config", str(self.ssh_config), "--connect-timeout", "3",
                *faulty.args]
        return scan(args, env=self.env, cwd=workdir, out=workdir / "out")


def _scripted(behaviour: str, *args: str, **server: Any) -> Callable[[Faulty], None]:
    def plant(faulty: Faulty) -> None:
        host = faulty.stack.enter_context(scripted_ssh(behaviour, faulty.workdir, **server))
        faulty.targets.append(host.target())
        faulty.known_hosts.append(host.known_hosts.read_text(encoding="utf-8"))
        faulty.args += list(args)
    return plant


def _closed(faulty: Faulty) -> None:
    faulty.targets.append(f"ssh://{TEST_USER}@127.0.0.1:{closed_port()}")


def _silent(faulty: Faulty) -> None:
    port = faulty.stack.enter_context(silent_listener())
    faulty.targets.append(f"ssh://{TEST_USER}@127.0.0.1:{port}")


def _other_sshd(known: str, key: bool) -> Callable[[Faulty], None]:
    """A second real sshd on 127.0.0.2: with its own key offered or not, its real or a wrong host key."""
    def plant(faulty: Faulty) -> None:
        other = faulty.stack.enter_context(running_sshd(addresses=("127.0.0.2",)))
        faulty.targets.append(f"ssh://{TEST_USER}@127.0.0.2:{other.port}")
        faulty.known_hosts.append(getattr(other, known).read_text(encoding="utf-8"))
        if key:
            faulty.args += ["--identity", str(other.client_key)]
    return plant


HOSTS = [
    Scenario("host.channel_refused", "the SSH server refuses the session channel after login",
             _scripted("refuse_session"), EVERYTHING),
    Scenario("host.closed_after_auth", "the SSH server drops the connection right after login",
             _scripted("close_after_auth"), EVERYTHING),
    # the deadline leaves the healthy host (14 s on a loaded machine) room; --command-timeout alone
    # would never end this session
    Scenario("host.trickling", "the session prints one byte every 0.5 s, forever (--session-timeout 40)",
             _scripted("trickle", "--session-timeout", "40", "--command-timeout", "60", interval=0.5),
             EVERYTHING),
    Scenario("host.flood", "the session prints an endless stream (--max-session-output 2M)",
             _scripted("flood", "--max-session-output", "2M"), EVERYTHING),
    Scenario("host.huge_os_release", "os_release prints 3 MB (--max-command-output 1M)",
             _scripted("big_command", "--max-command-output", "1M", big_command_id="os_release"),
             needing("os_release")),
    Scenario("host.huge_pam_stacks", "pam_stacks prints 3 MB (--max-command-output 1M)",
             _scripted("big_command", "--max-command-output", "1M", big_command_id="pam_stacks"),
             needing("pam_stacks")),
    Scenario("host.unreachable", "nothing listens on the host's port", _closed, EVERYTHING),
    Scenario("host.stalled_before_banner", "the port accepts and never speaks", _silent, EVERYTHING),
    Scenario("host.auth_refused", "a real sshd that does not accept the key offered",
             _other_sshd("known_hosts", key=False), EVERYTHING),
    Scenario("host.host_key_changed", "a real sshd whose host key is not the one known",
             _other_sshd("wrong_known_hosts", key=True), EVERYTHING),
]
