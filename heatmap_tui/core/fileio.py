"""Atomic writes and exclusive locks for the small files the app keeps (config, state, exports).

A write goes to a temp file in the same directory, is fsynced, then renamed over the old one:
readers see the old file or the new one, never half. A lock is an fcntl.flock on a sibling
`<name>.lock` file, so that processes doing a read-modify-write of the same file take turns.
Where fcntl does not exist (Windows) there is no lock; writes stay atomic.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from heatmap_tui.core.errors import HeatmapError


class FileError(HeatmapError):
    """A file cannot be read, locked or written; str() names the file (and line when known)."""

    def __init__(self, message: str, path: Path | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}, line {line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")


def lock_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.lock")


if sys.platform != "win32":
    import fcntl

    def flock(fd: int, *, exclusive: bool = True, wait: bool = True) -> bool:
        """Lock the open file `fd` (shared or exclusive); without `wait`, False when it is taken."""
        flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(fd, flags)
        except BlockingIOError:
            return False
        return True

else:  # Windows: no advisory locks; writes stay atomic

    def flock(fd: int, *, exclusive: bool = True, wait: bool = True) -> bool:
        return True


@contextlib.contextmanager
def exclusive_lock(path: Path, *, error: type[FileError] = FileError) -> Iterator[Path]:
    """Hold the exclusive lock of `path` (blocking until other processes let go).

    Not re-entrant: a second lock of the same file in one process waits for itself.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise error(f"cannot be locked ({os_reason(exc)})", path) from None
    try:
        flock(fd)
        yield path
    finally:
        os.close(fd)  # closing releases the lock


def write_atomic(
    path: Path, data: str | bytes, *, error: type[FileError] = FileError, mode: int | None = None
) -> None:
    """Temp file in the same directory, fsync, then os.replace: readers see old or new, never half.

    Text is written as UTF-8 with "\n" line ends; bytes as they are (the trash keeps an unreadable
    line byte for byte). `mode` sets the permissions of the new file (mkstemp's 0600 otherwise).
    A symlink stays a symlink: the file it points to is replaced (the temp file goes next to it).
    """
    target = path.resolve() if path.is_symlink() else path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise error(f"cannot be written ({os_reason(exc)})", path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data if isinstance(data, bytes) else data.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise error(f"cannot be written ({os_reason(exc)})", path) from None
        raise
    fsync_dir(target.parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename itself durable where the platform allows opening a directory."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc)
