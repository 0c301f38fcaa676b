"""The declared command list (providers/host/commands.yaml), run as one shell session per host.

The session script is generated from that file alone: each command sits between two marker
lines that carry a per-run random nonce, so no file content printed by a command can forge a
boundary, and the exit code of every command comes back with it.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from mlpscan.errors import InputError
from mlpscan.loading import read_yaml, validate


class CommandSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    run: str
    root: bool = Field(default=False, description="Needs root to read everything (use --sudo)")
    ok_codes: list[int] = Field(default_factory=lambda: [0])


class CommandList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    commands: list[CommandSpec] = Field(min_length=1)


@dataclass(frozen=True)
class CommandResult:
    id: str
    exit_code: int
    output: str
    ok: bool
    truncated: bool = False   # the output went past its byte limit: what was kept is not judged


def load_commands(content_root: Path) -> list[CommandSpec]:
    path = content_root / "providers" / "host" / "commands.yaml"
    commands = validate(CommandList, read_yaml(path)).commands
    ids = [c.id for c in commands]
    if len(set(ids)) != len(ids):
        raise InputError("duplicate command id", path=path)
    return list(commands)


def new_marker() -> str:
    return f"@@MLPSCAN-{secrets.token_hex(8)}@@"


def build_script(commands: Sequence[CommandSpec], marker: str) -> str:
    """A POSIX sh script that runs every command once, in order, fencing each output."""
    lines = ["export LC_ALL=C LANG=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
    for command in commands:
        lines.append(f"printf '\\n%s begin {command.id}\\n' '{marker}'")
        lines.append(f"{{ {command.run}\n}} </dev/null 2>&1")
        lines.append(f"printf '\\n%s end {command.id} %s\\n' '{marker}' \"$?\"")
    return "\n".join(lines) + "\n"
