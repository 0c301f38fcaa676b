"""A real OpenSSH sshd on 127.0.0.1: random port, throwaway keys, a /bin/sh user.

Used by the SSH tests (as a fixture) and by bench/hosts.py. What it needs from the machine is
prepared once per process and removed again when the process exits (see ``_Machine``): as root,
openssh-server and sudo are installed with apt when missing (their services are not started, and
packages it installed are purged again), the ``mlpscan-test`` user is created when missing (and
deleted again if it was created here), and a sudoers drop-in lets that user run ``sh -s`` (removed
again). Where that is impossible it fails rather than skipping.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SSHD = Path("/usr/sbin/sshd")
TEST_USER = "mlpscan-test"
MAX_LISTEN_SOCKS = 16
SUDOERS_FILE = Path("/etc/sudoers.d/mlpscan-test")


class SshdUnavailable(RuntimeError):
    """sshd could not be installed or started here."""


class _Machine:
    """What the SSH tests add to this machine, added once per process and removed at its exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready = False
        self.installed: list[str] = []
        self.created_user = False
        self.created_sudoers = False

    def prepare(self) -> None:
        with self._lock:
            if self._ready:
                return
            missing = [pkg for pkg, path in (("openssh-server", SSHD), ("sudo", Path("/usr/bin/sudo")))
                       if not path.exists()]
            atexit.register(self.restore)
            if missing:
                before = installed_packages()
                _apt_install(*missing)
                self.installed = sorted(installed_packages() - before)
            self.created_user = _ensure_user()
            # another test process on this machine may share the drop-in: only its creator removes it
            self.created_sudoers = not SUDOERS_FILE.exists()
            SUDOERS_FILE.write_text(f"{TEST_USER} ALL=(root) NOPASSWD: /bin/sh -s, /usr/bin/sh -s\n",
                                    encoding="utf-8")
            SUDOERS_FILE.chmod(0o440)
            self._ready = True

    def restore(self) -> None:
        """Leave nothing behind that a later `mlpscan scan` of this machine would see."""
        if self.created_sudoers:
            SUDOERS_FILE.unlink(missing_ok=True)
        if self.created_user:
            subprocess.run(["userdel", "--remove", TEST_USER], capture_output=True, check=False)
        if self.installed:
            # sudo's prerm refuses removal on a machine without a root password unless forced
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "SUDO_FORCE_REMOVE": "yes"}
            subprocess.run(["apt-get", "purge", "-y", "-qq", *self.installed], capture_output=True,
                           env=env, check=False)


_MACHINE = _Machine()


def installed_packages() -> set[str]:
    """The Debian packages installed on this machine."""
    listing = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\\n"],
                             capture_output=True, text=True, check=False).stdout
    return {line.split()[0] for line in listing.splitlines() if line.endswith(" installed")}


def apt_install(packages: Sequence[str], failure: Callable[[str], Exception]) -> None:
    """apt-get install `packages` with no service started (raising `failure(why)` if apt fails).

    A policy-rc.d that refuses every action keeps apt from starting (and leaving running) the
    packages' services: the system's own sshd on port 22, rsyslog, auditd."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    policy = Path("/usr/sbin/policy-rc.d")
    own_policy = not policy.exists()
    if own_policy:
        policy.write_text("#!/bin/sh\nexit 101\n", encoding="utf-8")
        policy.chmod(0o755)
    try:
        for command in (["apt-get", "update", "-qq"],
                        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]):
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
            if done.returncode != 0:
                raise failure(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")
    finally:
        if own_policy:
            policy.unlink(missing_ok=True)


def _apt_install(*packages: str) -> None:
    if os.geteuid() != 0:
        raise SshdUnavailable(f"{', '.join(packages)} missing and not root: install them to run the SSH tests")
    apt_install(packages, SshdUnavailable)


def _ensure_user() -> bool:
    """Make sure the test user exists; True if it was created here."""
    created = False
    try:
        pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", TEST_USER], check=True)
        created = True
    # useradd leaves the password locked ("!"), which sshd without PAM treats as a locked account
    subprocess.run(["usermod", "-p", "*", TEST_USER], check=True)
    return created


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _keygen(path: Path) -> str:
    """A new ed25519 key pair at ``path``; returns the public key line."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return Path(f"{path}.pub").read_text(encoding="utf-8").strip()


@dataclass(frozen=True)
class Sshd:
    port: int
    user: str
    client_key: Path
    other_key: Path            # a key sshd does not accept
    known_hosts: Path          # has the server's real key
    wrong_known_hosts: Path    # has another key for the same address
    empty_known_hosts: Path
    host_public_key: str
    # with etc_files: a process inside the host's private mount namespace (`nsenter -t PID -m`
    # runs a command that sees the same /etc as the sessions)
    namespace_pid: int | None = None

    def target(self, port: int | None = None) -> str:
        return f"ssh://{self.user}@127.0.0.1:{port or self.port}"


def _config(port: int, addresses: tuple[str, ...], host_key: Path, pid_file: Path, authorized: Path,
            password: bool) -> str:
    listen = "\n".join(f"ListenAddress {a}" for a in addresses)
    return f"""\
Port {port}
{listen}
HostKey {host_key}
PidFile {pid_file}
AuthorizedKeysFile {authorized}
StrictModes no
PasswordAuthentication {"yes" if password else "no"}
KbdInteractiveAuthentication no
UsePAM no
MaxSessions 50
MaxStartups 100:30:200
AllowUsers {TEST_USER}
"""


def _in_private_etc(home: Path, etc_files: dict[str, str], command: list[str]) -> list[str]:
    etc = home / "etc"
    if not etc.exists():
        shutil.copytree("/etc", etc, symlinks=True, ignore_dangling_symlinks=True,
                        ignore=shutil.ignore_patterns("mtab"))
        for relative, text in etc_files.items():
            path = etc / relative.removeprefix("/etc/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
            path.write_text(text, encoding="utf-8")
    script = f'mount --bind "{etc}" /etc && exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sshd", *command]


def _wait_until_listening(process: subprocess.Popen[bytes], address: str, port: int, log: Path) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection((address, port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SshdUnavailable(f"sshd did not start: {log.read_text(errors='replace')}") from None
            time.sleep(0.02)


@contextmanager
def running_sshd(addresses: tuple[str, ...] = ("127.0.0.1",),
                 etc_files: dict[str, str] | None = None, password: str | None = None) -> Iterator[Sshd]:
    """One sshd listening on each loopback address given (all on the same random port).

    ``password`` enables password logins and gives the test user that password.
    ``etc_files`` (path under /etc -> content) makes a host of its own: sshd runs in a private
    mount namespace where a copy of /etc with those files is mounted over /etc, so every
    command of a session sees that configuration while the machine's own /etc is untouched.
    """
    _MACHINE.prepare()
    if password is not None:
        subprocess.run(["chpasswd"], input=f"{TEST_USER}:{password}\n", text=True, check=True)
    # not under pytest's tmp_path: its parent is root-only, and sshd reads authorized_keys as the user
    home = Path(tempfile.mkdtemp(prefix="mlpscan-sshd-"))
    home.chmod(0o755)
    host_key, client_key, other_key, impostor = (home / n for n in ("host_key", "client", "other", "impostor"))
    host_public = _keygen(host_key)
    client_public = _keygen(client_key)
    _keygen(other_key)
    impostor_public = _keygen(impostor)
    authorized = home / "authorized_keys"
    authorized.write_text(client_public + "\n", encoding="utf-8")
    authorized.chmod(0o644)  # sshd reads it as the user
    port = _free_port()
    known, wrong, empty = home / "known_hosts", home / "wrong_known_hosts", home / "empty_known_hosts"
    host_entry, impostor_entry = (" ".join(k.split()[:2]) for k in (host_public, impostor_public))
    known.write_text("".join(f"[{a}]:{port} {host_entry}\n" for a in addresses), encoding="utf-8")
    wrong.write_text("".join(f"[{a}]:{port} {impostor_entry}\n" for a in addresses), encoding="utf-8")
    empty.write_text("", encoding="utf-8")
    Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation directory
    processes: list[subprocess.Popen[bytes]] = []
    # sshd listens on at most 16 sockets: one process per 16 addresses
    for index in range(0, len(addresses), MAX_LISTEN_SOCKS):
        chunk = addresses[index:index + MAX_LISTEN_SOCKS]
        config = home / f"sshd_config.{index}"
        config.write_text(_config(port, chunk, host_key, home / f"sshd.{index}.pid", authorized,
                                  password is not None),
                          encoding="utf-8")
        log = home / f"sshd.{index}.log"  # a file, not a pipe: a full pipe would stall sshd
        command = [str(SSHD), "-D", "-e", "-f", str(config)]
        if etc_files:
            command = _in_private_etc(home, etc_files, command)
        with log.open("wb") as sink:
            processes.append(subprocess.Popen(command, stderr=sink))
        _wait_until_listening(processes[-1], chunk[0], port, log)
    try:
        yield Sshd(port=port, user=TEST_USER, client_key=client_key, other_key=other_key,
                   known_hosts=known, wrong_known_hosts=wrong, empty_known_hosts=empty,
                   host_public_key=host_public,
                   namespace_pid=processes[0].pid if etc_files else None)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        if password is not None:
            subprocess.run(["usermod", "-p", "*", TEST_USER], check=True)  # no password outlives its test
        shutil.rmtree(home, ignore_errors=True)
