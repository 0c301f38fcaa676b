"""Running the session script: the shared pieces and the `local` transport.

Both transports (this one and `ssh`) feed the same script to `sh -s` on the host's stdin, so
what runs is exactly the declared command list. A failure to reach, trust or log in to a host
raises `HostError` with a short code; the collector turns it into an `error` for that host only.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

SESSION_COMMAND = "sh -s"
SUDO_SESSION_COMMAND = "sudo -n sh -s"  # -n: never prompt; a password-protected sudo fails loudly
PASSWORD_ENV = "MLPSCAN_SSH_PASSWORD"


class HostError(Exception):
    """The host could not be reached, trusted or logged in to, or the session failed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SessionOutput:
    stdout: str
    exit_code: int


def run_local(script: str, *, sudo: bool, timeout: float) -> SessionOutput:
    command = SUDO_SESSION_COMMAND if sudo else SESSION_COMMAND
    try:
        done = subprocess.run(command.split(), input=script, capture_output=True, text=True,
                              timeout=timeout, check=False, errors="replace")
    except subprocess.TimeoutExpired:
        raise HostError("Timeout", f"local session did not finish within {timeout:.0f} s") from None
    except OSError as exc:
        raise HostError("CommandFailed", f"cannot start {command!r}: {exc.strerror}") from None
    return SessionOutput(stdout=done.stdout + done.stderr, exit_code=done.returncode)
