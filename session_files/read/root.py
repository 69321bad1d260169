"""Finding the data root that holds a path, as git finds its repository (docs/format.md)."""

from __future__ import annotations

import os
from pathlib import Path

from ..layout import CONFIG_NAME, REGISTRY_DIR


class RootNotFoundError(FileNotFoundError):
    """No directory from the start upward holds ``session-files.yaml`` or ``registry/``."""


def is_root(directory: Path) -> bool:
    """Whether ``directory`` marks a data root: it holds the root config or a registry folder."""
    return (directory / CONFIG_NAME).is_file() or (directory / REGISTRY_DIR).is_dir()


def find_root(start: str | os.PathLike[str]) -> Path | None:
    """The nearest directory, from ``start`` upward, that holds ``session-files.yaml`` or a
    ``registry/`` directory; None when there is none.

    ``start`` need not exist yet (a session directory about to be created).
    """
    here = Path(os.path.abspath(start))
    for directory in (here, *here.parents):
        if is_root(directory):
            return directory
    return None


def require_root(start: str | os.PathLike[str] | None = None) -> Path:
    """``find_root`` from ``start`` (default: the current directory), or RootNotFoundError
    saying where it looked and what makes a root."""
    here = Path(os.path.abspath(start if start is not None else Path.cwd()))
    found = find_root(here)
    if found is None:
        msg = (
            f"no data root found: neither {here} nor any directory above it holds"
            f" {CONFIG_NAME} or a {REGISTRY_DIR}/ directory; name the root (session-files"
            " COMMAND ROOT) or create one of them at the top of the data"
        )
        raise RootNotFoundError(msg)
    return found
