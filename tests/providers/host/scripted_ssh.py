"""A scripted SSH server on 127.0.0.1 (paramiko's server side) for the faults a real sshd won't make.

It speaks real SSH: host key, public-key authentication (any key is accepted), channels. What it
does after authentication is the behaviour under test:

- ``refuse_session``: refuses every session channel (administratively prohibited);
- ``close_after_auth``: drops the connection when the client asks for a channel;
- ``trickle``: runs the session but prints one byte every ``interval`` seconds, forever;
- ``flood``: prints an endless stream of bytes without any marker;
- ``big_command``: answers every command of the script (its markers read from the script itself)
  with empty output, except ``big_command_id``, which prints ``big_bytes`` bytes;
- ``silent``: accepts the connection and never says a word, not even its banner.
"""

from __future__ import annotations

import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import paramiko

BEHAVIOURS = ("refuse_session", "close_after_auth", "trickle", "flood", "big_command", "silent")
_MARKER = re.compile(r"'(@@MLPSCAN-[0-9a-f]+@@)'")
_COMMAND = re.compile(r"begin ([a-z0-9_]+)\\n")


@dataclass(frozen=True)
class ScriptedHost:
    port: int
    known_hosts: Path
    client_key: Path

    def target(self) -> str:
        return f"ssh://tester@127.0.0.1:{self.port}"


class _Server(paramiko.ServerInterface):
    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.exec_requested = threading.Event()

    def get_allowed_auths(self, username: str) -> str:
        return "publickey"

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        return paramiko.AUTH_SUCCESSFUL

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if self.behaviour == "refuse_session":
            return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        return paramiko.OPEN_SUCCEEDED

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        self.exec_requested.set()
        return True


def _serve_session(channel: paramiko.Channel, behaviour: str, stop: threading.Event, interval: float,
                   big_command_id: str, big_bytes: int) -> None:
    if behaviour == "trickle":
        while not stop.is_set() and not channel.closed:
            channel.sendall(b"x")
            stop.wait(interval)
        return
    if behaviour == "flood":
        chunk = b"y" * 65536
        while not stop.is_set() and not channel.closed:
            channel.sendall(chunk)
        return
    script = b""
    while not channel.eof_received:
        data = channel.recv(65536)
        if not data:
            break
        script += data
    text = script.decode()
    marker = _MARKER.search(text)
    assert marker is not None, "the session script carries its marker"
    for command in _COMMAND.findall(text):
        channel.sendall(f"\n{marker[1]} begin {command}\n".encode())
        if command == big_command_id:
            for _ in range(big_bytes // 65536):
                channel.sendall(b"z" * 65535 + b"\n")
        channel.sendall(f"\n{marker[1]} end {command} 0\n".encode())
    channel.send_exit_status(0)
    channel.close()


def _handle(client: socket.socket, host_key: paramiko.PKey, behaviour: str, stop: threading.Event,
            interval: float, big_command_id: str, big_bytes: int) -> None:
    if behaviour == "silent":
        stop.wait()
        client.close()
        return
    transport = paramiko.Transport(client)
    transport.add_server_key(host_key)
    server = _Server(behaviour)
    try:
        transport.start_server(server=server)
        if behaviour == "close_after_auth":
            while transport.is_active() and not transport.is_authenticated() and not stop.is_set():
                stop.wait(0.01)
            stop.wait(0.05)
            transport.close()
            return
        channel = transport.accept(timeout=10)
        if channel is None:
            return
        server.exec_requested.wait(10)
        _serve_session(channel, behaviour, stop, interval, big_command_id, big_bytes)
    except (paramiko.SSHException, EOFError, OSError):
        pass  # the client went away: that is what several behaviours provoke
    finally:
        stop.wait(0.1)
        transport.close()


@contextmanager
def scripted_ssh(behaviour: str, tmp_path: Path, *, interval: float = 0.5, big_command_id: str = "os_release",
                 big_bytes: int = 3 * 1024 * 1024) -> Iterator[ScriptedHost]:
    assert behaviour in BEHAVIOURS
    key_file = tmp_path / f"{behaviour}_host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key_file)], check=True)
    client_key = tmp_path / f"{behaviour}_client_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(client_key)], check=True)
    host_key = paramiko.Ed25519Key.from_private_key_file(str(key_file))
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    known_hosts = tmp_path / f"{behaviour}_known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {host_key.get_name()} {host_key.get_base64()}\n",
                           encoding="utf-8")
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=_handle, daemon=True,
                                      args=(client, host_key, behaviour, stop, interval, big_command_id,
                                            big_bytes))
            workers.append(worker)
            worker.start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield ScriptedHost(port=port, known_hosts=known_hosts, client_key=client_key)
    finally:
        stop.set()
        acceptor.join(5)
        listener.close()
        for worker in workers:
            worker.join(5)
