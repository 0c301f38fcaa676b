"""The `ssh` transport: paramiko, with host keys verified against known_hosts by default."""

from __future__ import annotations

import base64
import hashlib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import paramiko

from mlpscan.providers.host.stream import SessionReader
from mlpscan.providers.host.transport import (
    CHUNK,
    SESSION_COMMAND,
    SUDO_SESSION_COMMAND,
    Clock,
    HostError,
    SessionEnd,
    SessionTimes,
    output_limit_end,
)

MAX_JUMP_DEPTH = 8


@dataclass(frozen=True)
class HostKey:
    type: str
    fingerprint: str  # SHA256:base64, as ssh-keygen -l prints it
    accepted_new: bool = False


@dataclass
class SshOptions:
    """How to reach and trust hosts; defaults are the safe ones."""

    config_file: Path | None = None              # default ~/.ssh/config when it exists
    known_hosts: Path | None = None              # default: the system and user known_hosts files
    accept_new_host_keys: bool = False           # trust-on-first-use, recorded in the snapshot
    identity_files: list[Path] = field(default_factory=list)
    password: str | None = None                  # from MLPSCAN_SSH_PASSWORD or a prompt, never a flag
    connect_timeout: float = 10.0
    use_agent: bool = True


@dataclass(frozen=True)
class SshAddress:
    host: str                 # the name given (alias or address)
    hostname: str             # what to connect to after ~/.ssh/config
    port: int
    user: str | None
    identity_files: tuple[str, ...] = ()
    proxy_jump: str | None = None
    known_hosts_files: tuple[str, ...] = ()


def resolve(host: str, port: int | None, user: str | None, options: SshOptions) -> SshAddress:
    """Apply ~/.ssh/config (HostName, User, Port, IdentityFile, ProxyJump, UserKnownHostsFile)."""
    config_path = options.config_file or Path.home() / ".ssh" / "config"
    entry: dict[str, Any] = {}
    if config_path.is_file():
        entry = dict(paramiko.SSHConfig.from_path(str(config_path)).lookup(host))
    known = entry.get("userknownhostsfile")
    return SshAddress(
        host=host,
        hostname=str(entry.get("hostname", host)),
        port=port or int(entry.get("port", 22)),
        user=user or entry.get("user"),
        identity_files=tuple(str(Path(p).expanduser()) for p in entry.get("identityfile", [])),
        proxy_jump=_jump_setting(entry.get("proxyjump")),
        known_hosts_files=tuple(str(Path(p).expanduser()) for p in str(known).split()) if known else (),
    )


def _jump_setting(value: Any) -> str | None:
    """`ProxyJump none` switches an inherited jump off."""
    text = str(value).strip() if value else ""
    return None if not text or text.lower() == "none" else text


def jump_hops(proxy_jump: str | None) -> list[tuple[str | None, str, int | None]]:
    """`ProxyJump [user@]host[:port],ssh://[user@]host[:port],...` -> (user, host, port) in order."""
    hops: list[tuple[str | None, str, int | None]] = []
    for item in (proxy_jump or "").split(","):
        text = item.strip().removeprefix("ssh://").rstrip("/")
        if not text or text.lower() == "none":
            continue
        user, _, hostport = text.rpartition("@")
        host, port = hostport, None
        if hostport.startswith("["):  # [v6]:port
            host, _, rest = hostport[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
        elif hostport.count(":") == 1:
            name, _, number = hostport.partition(":")
            if number.isdigit():
                host, port = name, int(number)
        hops.append((user or None, host, port))
    return hops


class SshSession:
    """One authenticated SSH connection (through ProxyJump hops when configured)."""

    def __init__(self, address: SshAddress, options: SshOptions,
                 open_socket: Callable[[str, int, float], Any] | None = None, *,
                 via: SshSession | None = None, depth: int = 0):
        self.address = address
        self.options = options
        self.host_key: HostKey | None = None
        self._via = via            # the previous hop, when this session is itself a ProxyJump hop
        self._depth = depth
        self._jumps: list[SshSession] = []
        self._sock: Any = None
        self._client = paramiko.SSHClient()
        self._open_socket = open_socket or _tcp_socket

    def __enter__(self) -> SshSession:
        self.connect()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def connect(self) -> None:
        try:
            self._connect()
        except BaseException:
            self.close()  # sockets and jump hosts of a failed attempt are not left open
            raise

    def _connect(self) -> None:
        address, options = self.address, self.options
        client = self._client
        self._load_known_hosts()
        accepted: list[HostKey] = []
        if options.accept_new_host_keys:
            client.set_missing_host_key_policy(_RecordNewKey(accepted))
        else:
            client.set_missing_host_key_policy(paramiko.RejectPolicy())
        sock = self._sock = self._socket()
        keys = [str(p) for p in options.identity_files] + list(address.identity_files)
        try:
            client.connect(
                address.hostname, port=address.port, username=address.user, sock=sock,
                key_filename=cast(str, keys or None),  # paramiko takes a list too; its stubs say str
                password=options.password, allow_agent=options.use_agent,
                look_for_keys=not options.identity_files and not address.identity_files,
                timeout=options.connect_timeout, banner_timeout=options.connect_timeout,
                auth_timeout=options.connect_timeout)
        except paramiko.BadHostKeyException as exc:
            raise HostError("HostKeyChanged", f"host key for {address.host} does not match known_hosts "
                            f"(got {_fingerprint(exc.key)}): refusing to connect") from None
        except paramiko.AuthenticationException as exc:
            raise HostError("AuthenticationFailed", f"authentication failed for "
                            f"{address.user or '(default user)'}@{address.host}: {exc}") from None
        except paramiko.SSHException as exc:
            text = str(exc)
            if "No authentication methods available" in text:
                raise HostError("AuthenticationFailed", f"nothing to log in to {address.host} with: pass "
                                "--identity, load the key into ssh-agent, or set MLPSCAN_SSH_PASSWORD "
                                "(or --ask-password)") from None
            if "not found in known_hosts" in text:
                raise HostError("HostKeyUnknown", f"{address.host} is not in known_hosts; verify its key "
                                "and add it, or pass --accept-new-host-keys") from None
            raise HostError("SshError", text) from None
        except TimeoutError:
            raise HostError("Timeout", f"no SSH answer from {address.host} within "
                            f"{options.connect_timeout:.0f} s") from None
        except OSError as exc:
            raise HostError("Unreachable", f"{address.host}: {exc.strerror or exc}") from None
        transport = client.get_transport()
        if transport is None:  # pragma: no cover - connect() either succeeds or raises
            raise HostError("SshError", "no transport after connect")
        key = transport.get_remote_server_key()
        self.host_key = HostKey(type=key.get_name(), fingerprint=_fingerprint(key),
                                accepted_new=any(a.fingerprint == _fingerprint(key) for a in accepted))

    def _load_known_hosts(self) -> None:
        files = ([str(self.options.known_hosts)] if self.options.known_hosts
                 else list(self.address.known_hosts_files))
        if not files:
            self._client.load_system_host_keys()
            return
        for path in files:
            if Path(path).is_file():
                self._client.load_host_keys(path)

    def _socket(self) -> Any:
        address, options = self.address, self.options
        if self._via is not None:
            return self._channel_through(self._via)
        hops = jump_hops(address.proxy_jump)
        if hops:
            if self._depth >= MAX_JUMP_DEPTH:
                raise HostError("SshError", f"more than {MAX_JUMP_DEPTH} nested ProxyJump hops to reach "
                                f"{address.host}: check ~/.ssh/config for a loop")
            previous: SshSession | None = None
            for index, (user, host, port) in enumerate(hops):
                hop = resolve(host, port, user, options)
                if index > 0:  # as ssh -J: only the first hop follows its own ProxyJump
                    hop = replace(hop, proxy_jump=None)
                previous = SshSession(hop, options, self._open_socket, via=previous, depth=self._depth + 1)
                self._jumps.append(previous)
                previous.connect()
            assert previous is not None
            return self._channel_through(previous)
        try:
            return self._open_socket(address.hostname, address.port, options.connect_timeout)
        except TimeoutError:
            raise HostError("Timeout", f"{address.host}:{address.port} did not answer within "
                            f"{options.connect_timeout:.0f} s") from None
        except ConnectionRefusedError:
            raise HostError("ConnectionRefused", f"{address.host}:{address.port} refused the "
                            "connection") from None
        except OSError as exc:
            raise HostError("Unreachable", f"{address.host}:{address.port}: {exc.strerror or exc}") from None

    def _channel_through(self, hop: SshSession) -> Any:
        """paramiko does not follow ProxyJump: a direct-tcpip channel from the hop instead."""
        address = self.address
        transport = hop._client.get_transport()
        if transport is None or not transport.is_active():
            raise HostError("Unreachable", f"jump host {hop.address.host} closed its connection")
        try:
            return transport.open_channel("direct-tcpip", (address.hostname, address.port),
                                          ("127.0.0.1", 0), timeout=self.options.connect_timeout)
        except (paramiko.SSHException, EOFError, OSError) as exc:  # ChannelException is an SSHException
            raise HostError("Unreachable", f"jump host {hop.address.host} cannot reach "
                            f"{address.hostname}:{address.port}: {exc}") from None

    def run(self, script: str, *, sudo: bool, times: SessionTimes, reader: SessionReader) -> SessionEnd:
        """Run the script in one `sh -s` channel, feeding its output to ``reader`` as it comes.

        A host that accepts the login but then refuses or drops the session channel is a
        HostError: nothing was read, so nothing is judged.
        """
        command = SUDO_SESSION_COMMAND if sudo else SESSION_COMMAND
        clock = Clock(times)
        where = self.address.host
        transport = self._client.get_transport()
        try:
            if transport is None or not transport.is_active():
                raise EOFError("the connection is closed")
            channel = transport.open_session(timeout=self.options.connect_timeout)
            channel.set_combine_stderr(True)
            channel.exec_command(command)
            channel.sendall(script.encode())
            channel.shutdown_write()
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise HostError("SessionRefused", f"{where} accepted the login but did not run the session "
                            f"({type(exc).__name__}: {exc or 'connection closed'})") from None
        try:
            return self._read(channel, clock, reader)
        finally:
            channel.close()

    def _read(self, channel: paramiko.Channel, clock: Clock, reader: SessionReader) -> SessionEnd:
        where = self.address.host
        while True:
            wait = clock.next_wait()
            if wait <= 0:
                return clock.expired_end(where)
            channel.settimeout(wait)
            try:
                data = channel.recv(CHUNK)
            except TimeoutError:
                return clock.expired_end(where)
            except (paramiko.SSHException, EOFError, OSError) as exc:
                return SessionEnd(None, "SessionLost", f"the connection to {where} broke during the "
                                  f"session ({type(exc).__name__}: {exc or 'connection closed'})")
            if not data:
                break
            reader.feed(data)
            if reader.full:
                return output_limit_end(reader)
        if not channel.status_event.wait(max(clock.remaining(), 0.0)):
            return clock.expired_end(where)
        code = channel.recv_exit_status()
        if code == -1:  # paramiko's value when the channel closed without an exit status
            return SessionEnd(None, "SessionLost", f"{where} closed the connection before the session "
                                                   "finished")
        return SessionEnd(code)

    def close(self) -> None:
        self._client.close()
        if self._sock is not None:
            self._sock.close()
        for jump in reversed(self._jumps):
            jump.close()


def _tcp_socket(host: str, port: int, timeout: float) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=timeout)
    # paramiko leaves Nagle on: with it, every small SSH packet waits for a delayed ACK
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _fingerprint(key: Any) -> str:
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


class _RecordNewKey(paramiko.MissingHostKeyPolicy):
    """Trust-on-first-use, only when asked: accept an unknown key and remember that we did."""

    def __init__(self, accepted: list[HostKey]):
        self.accepted = accepted

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        self.accepted.append(HostKey(type=key.get_name(), fingerprint=_fingerprint(key),
                                     accepted_new=True))
        client.get_host_keys().add(hostname, key.get_name(), key)
