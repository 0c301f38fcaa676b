"""Collect one host: open the transport, run the declared commands in one session, parse."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlpscan.providers.host.commands import CommandSpec, build_script, new_marker
from mlpscan.providers.host.facts import SessionCut, build_resources
from mlpscan.providers.host.limits import (
    DEFAULT_MAX_COMMAND_BYTES,
    DEFAULT_MAX_SESSION_BYTES,
    DEFAULT_SESSION_TIMEOUT,
)
from mlpscan.providers.host.spec import HostSpec
from mlpscan.providers.host.stream import OutputLimits, SessionReader
from mlpscan.providers.host.transport import HostError, SessionEnd, SessionTimes, run_local
from mlpscan.snapshot import CollectionError, Connection, Resource, Target


@dataclass
class HostOptions:
    sudo: bool = False
    command_timeout: float = 120.0          # longest silence of a session
    session_timeout: float = DEFAULT_SESSION_TIMEOUT   # wall-clock deadline of a whole session
    max_command_output: int = DEFAULT_MAX_COMMAND_BYTES
    max_session_output: int = DEFAULT_MAX_SESSION_BYTES
    connect_timeout: float = 10.0
    known_hosts: Path | None = None
    accept_new_host_keys: bool = False
    identity_files: list[Path] = field(default_factory=list)
    ssh_config: Path | None = None
    password: str | None = None

    @property
    def times(self) -> SessionTimes:
        return SessionTimes(read_timeout=self.command_timeout, deadline=self.session_timeout)

    @property
    def limits(self) -> OutputLimits:
        return OutputLimits(max_command_bytes=self.max_command_output,
                            max_session_bytes=self.max_session_output)


@dataclass(frozen=True)
class HostCollection:
    target: Target
    resources: list[Resource]
    errors: list[CollectionError]


def host_failure(spec: HostSpec, code: str, message: str,
                 connection: Connection | None = None) -> HostCollection:
    """The whole host could not be collected: one error every host check of it reports."""
    target = Target(id=spec.id, provider="host",
                    connection=connection or Connection(transport=spec.transport))
    error = CollectionError(target=spec.id, type="host.*", region=None,
                            operation=f"{spec.transport} session to {spec}", code=code, message=message)
    return HostCollection(target, [], [error])


def collect_host(spec: HostSpec, commands: list[CommandSpec], options: HostOptions) -> HostCollection:
    """Never raises for the host's own failures: they come back as collection errors."""
    marker = new_marker()
    script = build_script(commands, marker)
    reader = SessionReader(marker, commands, options.limits)
    connection = Connection(transport=spec.transport, sudo=options.sudo)
    try:
        if spec.transport == "local":
            end = run_local(script, sudo=options.sudo, times=options.times, reader=reader)
        else:
            end, connection = _over_ssh(spec, script, options, reader)
    except HostError as exc:
        return host_failure(spec, exc.code, exc.message, connection)
    if end.code and not reader.results:  # cut short before any command completed
        return host_failure(spec, end.code, end.reason or end.code, connection)
    target = Target(id=spec.id, provider="host", account=spec.user, connection=connection)
    if options.sudo and not reader.results and _sudo_refused(reader.preamble, end):
        error = CollectionError(target=spec.id, type="host.*", region=None, operation="sudo -n sh -s",
                                code="SudoFailed", message=reader.preamble.strip().splitlines()[0][:300])
        return HostCollection(target, [], [error])
    cut = SessionCut(end.code, end.reason or end.code, reader.truncated_command) if end.code else None
    resources, errors = build_resources(spec.id, reader.results, sudo=options.sudo, cut=cut,
                                        max_command_output=options.max_command_output)
    return HostCollection(target, resources, errors)


def _over_ssh(spec: HostSpec, script: str, options: HostOptions,
              reader: SessionReader) -> tuple[SessionEnd, Connection]:
    # paramiko is the optional `host` extra: only SSH targets need it
    from mlpscan.providers.host.ssh import SshOptions, SshSession, resolve  # noqa: PLC0415

    ssh_options = SshOptions(config_file=options.ssh_config, known_hosts=options.known_hosts,
                             accept_new_host_keys=options.accept_new_host_keys,
                             identity_files=options.identity_files, password=options.password,
                             connect_timeout=options.connect_timeout)
    assert spec.host is not None  # parse_target guarantees it for ssh targets
    address = resolve(spec.host, spec.port, spec.user, ssh_options)
    with SshSession(address, ssh_options) as session:
        end = session.run(script, sudo=options.sudo, times=options.times, reader=reader)
        key = session.host_key
    connection = Connection(
        transport="ssh", address=f"{address.hostname}:{address.port}", user=address.user,
        via=address.proxy_jump, sudo=options.sudo,
        host_key=f"{key.type} {key.fingerprint}" if key else None,
        host_key_accepted_new=bool(key and key.accepted_new))
    return end, connection


def _sudo_refused(preamble: str, end: SessionEnd) -> bool:
    return end.exit_code not in (None, 0) and preamble.lstrip().startswith("sudo:")
