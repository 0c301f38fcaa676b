"""Collect one host: open the transport, run the declared commands in one session, parse."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlpscan.providers.host.commands import CommandSpec, build_script, new_marker, split_output
from mlpscan.providers.host.facts import build_resources
from mlpscan.providers.host.transport import HostError, SessionOutput, run_local
from mlpscan.snapshot import CollectionError, Connection, Resource, Target
from mlpscan.targets import HostSpec


@dataclass
class HostOptions:
    sudo: bool = False
    command_timeout: float = 120.0
    connect_timeout: float = 10.0
    known_hosts: Path | None = None
    accept_new_host_keys: bool = False
    identity_files: list[Path] = field(default_factory=list)
    ssh_config: Path | None = None
    password: str | None = None


@dataclass(frozen=True)
class HostCollection:
    target: Target
    resources: list[Resource]
    errors: list[CollectionError]


def collect_host(spec: HostSpec, commands: list[CommandSpec], options: HostOptions) -> HostCollection:
    """Never raises for the host's own failures: they come back as collection errors."""
    marker = new_marker()
    script = build_script(commands, marker)
    connection = Connection(transport=spec.transport, sudo=options.sudo)
    try:
        if spec.transport == "local":
            output = run_local(script, sudo=options.sudo, timeout=options.command_timeout)
        else:
            output, connection = _over_ssh(spec, script, options)
    except HostError as exc:
        target = Target(id=spec.id, provider="host", connection=connection)
        error = CollectionError(target=spec.id, type="host.*", region=None,
                                operation=f"{spec.transport} session to {spec}", code=exc.code,
                                message=exc.message)
        return HostCollection(target, [], [error])
    target = Target(id=spec.id, provider="host", account=spec.user, connection=connection)
    if options.sudo and _sudo_refused(output):
        error = CollectionError(target=spec.id, type="host.*", region=None, operation="sudo -n sh -s",
                                code="SudoFailed", message=output.stdout.strip().splitlines()[0][:300])
        return HostCollection(target, [], [error])
    results = split_output(output.stdout, marker, commands)
    resources, errors = build_resources(spec.id, results, sudo=options.sudo)
    return HostCollection(target, resources, errors)


def _over_ssh(spec: HostSpec, script: str, options: HostOptions) -> tuple[SessionOutput, Connection]:
    # paramiko is the optional `host` extra: only SSH targets need it
    from mlpscan.providers.host.ssh import SshOptions, SshSession, resolve  # noqa: PLC0415

    ssh_options = SshOptions(config_file=options.ssh_config, known_hosts=options.known_hosts,
                             accept_new_host_keys=options.accept_new_host_keys,
                             identity_files=options.identity_files, password=options.password,
                             connect_timeout=options.connect_timeout,
                             command_timeout=options.command_timeout)
    assert spec.host is not None  # parse_target guarantees it for ssh targets
    address = resolve(spec.host, spec.port, spec.user, ssh_options)
    with SshSession(address, ssh_options) as session:
        output = session.run(script, sudo=options.sudo)
        key = session.host_key
    connection = Connection(
        transport="ssh", address=f"{address.hostname}:{address.port}", user=address.user,
        via=address.proxy_jump, sudo=options.sudo,
        host_key=f"{key.type} {key.fingerprint}" if key else None,
        host_key_accepted_new=bool(key and key.accepted_new))
    return output, connection


def _sudo_refused(output: SessionOutput) -> bool:
    first = output.stdout.lstrip().splitlines()[0] if output.stdout.strip() else ""
    return output.exit_code != 0 and first.startswith("sudo:")
