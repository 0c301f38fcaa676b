"""Writing output files: all of them or none, never through a path that is not a regular file.

Each file is written to a temporary file beside its destination, then every one is renamed into
place, so a failure leaves the old outputs as they were. A symbolic link to a regular file is
followed on purpose (the file it points to is replaced, the link stays); anything else that is
not a regular file (a device such as /dev/stdout, a FIFO, a directory, a dangling link) is
refused rather than replaced. New files get the permissions the user's umask allows; a replaced
file keeps its own.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from mlpscan.errors import InputError

STDOUT = "-"
MAX_LINKS = 40
_KINDS = {stat.S_IFDIR: "a directory", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFIFO: "a pipe", stat.S_IFSOCK: "a socket"}


def write_files(directory: Path, files: Mapping[str, bytes | Callable[[], bytes]]) -> list[Path]:
    """Write ``files`` (name -> content, or a function rendering it) into ``directory``; returns the
    paths written. A rendering function is called only when its file is staged, and its bytes are
    let go before the next is rendered: a large report's formats are never all in memory at once."""
    if not files:
        return []
    check_path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write output: {exc.strerror or exc}", path=directory) from None
    destinations = {name: _destination(directory / name) for name in files}
    staged: list[tuple[Path, Path]] = []
    try:
        for name, content in files.items():
            staged.append((_stage(destinations[name], content() if callable(content) else content),
                           destinations[name]))
        for temporary, final in staged:
            temporary.replace(final)
    except OSError as exc:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write output: {exc.strerror or exc}", path=directory) from None
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    return [directory / name for name in files]


def write_file(path: Path, data: bytes) -> None:
    write_files(path.parent, {path.name: data})


def check_path(path: Path | str) -> None:
    """A path the operating system can take: no NUL byte (which no file name may hold)."""
    if "\0" in str(path):
        raise InputError("a path may not contain a NUL byte", path=repr(str(path)))


def _destination(path: Path) -> Path:
    """The regular file to replace (through a link to one), or a new file's path."""
    try:
        own = path.lstat()
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise InputError(f"cannot write output: {exc.strerror or exc}", path=path) from None
    if stat.S_ISREG(own.st_mode):
        return path
    if not stat.S_ISLNK(own.st_mode):
        raise InputError(f"refusing to replace {_kind(own.st_mode)} with an output file", path=path)
    if _through_proc(path):
        raise InputError("refusing to write through a link to an open file descriptor (/proc/.../fd); "
                         "use '-' for standard output", path=path)
    try:
        followed = path.stat()
    except OSError:
        raise InputError("refusing to write through a symbolic link whose target does not exist",
                         path=path) from None
    if not stat.S_ISREG(followed.st_mode):
        raise InputError(f"refusing to write: the symbolic link leads to {_kind(followed.st_mode)}, "
                         "not a regular file (use '-' for standard output)", path=path)
    return Path(os.path.realpath(path))


def _through_proc(path: Path) -> bool:
    """Whether a chain of links passes through /proc (/dev/stdout -> /proc/self/fd/1 -> ...): its
    end is whatever a descriptor happens to be open on, not a file the user named."""
    current = path.absolute()
    for _ in range(MAX_LINKS):
        try:
            target = current.readlink()
        except OSError:
            return False
        current = Path(os.path.normpath(current.parent / target))
        if current.parts[:2] == ("/", "proc"):
            return True
    return True


def _stage(final: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", dir=final.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            os.fchmod(handle.fileno(), _mode_for(final))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _mode_for(final: Path) -> int:
    try:
        return stat.S_IMODE(final.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~current_umask()


def current_umask() -> int:
    """The process umask, read without changing it where Linux tells it (/proc), else briefly set."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "something other than a regular file")
