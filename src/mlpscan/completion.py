"""Shell completion (bash, zsh) generated from the command-line parser, so it never goes stale.

The bash script completes subcommands, options, the values of options with a fixed set of
choices, and file or directory names where an option takes a path. zsh loads the same function
through its bash compatibility layer (bashcompinit), which ships with zsh.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

SHELLS = ("bash", "zsh")
DIRECTORY_METAVARS = frozenset({"DIR"})
FILE_METAVARS = frozenset({"FILE", "REPORT", "NAME|PATH"})


@dataclass
class _Command:
    path: str                                             # "checks list"; "" for mlpscan itself
    subcommands: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    arguments: list[str] = field(default_factory=list)    # choices of positional arguments
    values: dict[str, str] = field(default_factory=dict)  # option -> compgen arguments


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    body = _bash(list(_commands(parser, "")), parser.prog)
    if shell == "zsh":
        return (f"#compdef {parser.prog}\n# zsh completion for {parser.prog}: bash's function, through "
                "zsh's bashcompinit\nautoload -U +X bashcompinit && bashcompinit\n" + body)
    return f"# bash completion for {parser.prog}: eval \"$({parser.prog} completion bash)\"\n" + body


def _commands(parser: argparse.ArgumentParser, path: str) -> Iterator[_Command]:
    command = _Command(path)
    children: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                command.subcommands.append(name)
                children.append((name, child))
            continue
        if not action.option_strings and action.choices is not None:
            command.arguments.extend(str(choice) for choice in action.choices)
        for option in action.option_strings:
            command.options.append(option)
            values = _values(action)
            if values is not None:
                command.values[option] = values
    yield command
    for name, child in children:
        yield from _commands(child, f"{path} {name}".strip())


def _values(action: argparse.Action) -> str | None:
    """compgen arguments for the option's value; None when the option takes none."""
    if action.nargs == 0:
        return None
    if action.choices is not None:
        return "-W " + shlex.quote(" ".join(str(c) for c in action.choices))
    metavar = action.metavar if isinstance(action.metavar, str) else ""
    if metavar in DIRECTORY_METAVARS:
        return "-d"
    if metavar in FILE_METAVARS:
        return "-f"
    return ""  # a free value: nothing to offer


def _bash(commands: list[_Command], prog: str) -> str:
    name = f"_{prog}"
    steps = "\n".join(f"            {shlex.quote(c.path + ':' + sub)}) "
                      f"path={shlex.quote(f'{c.path} {sub}'.strip())} ;;"
                      for c in commands for sub in c.subcommands)
    values = "\n".join(f"        {shlex.quote(c.path + ':' + option)}) {_reply(compgen)} ;;"
                       for c in commands for option, compgen in c.values.items())
    words = "\n".join(f"        {shlex.quote(c.path)}) "
                      f"words={shlex.quote(' '.join(c.subcommands + c.arguments))} "
                      f"options={shlex.quote(' '.join(c.options))} ;;" for c in commands)
    return f"""{name}() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="" path="" words="" options="" i
    [ "$COMP_CWORD" -gt 0 ] && prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "$path:${{COMP_WORDS[i]}}" in
{steps}
        esac
    done
    case "$path:$prev" in
{values}
    esac
    case "$path" in
{words}
    esac
    case "$cur" in
        -*) words="$options" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -o default -F {name} {prog}
"""


def _reply(compgen: str) -> str:
    if not compgen:
        return "COMPREPLY=(); return"
    return f'COMPREPLY=($(compgen {compgen} -- "$cur")); return'
