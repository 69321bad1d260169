"""Finding the data root from a directory inside it, as git finds its repository."""

from __future__ import annotations

import os
from pathlib import Path

from ..layout import CONFIG_NAME, REGISTRY_DIR


class RootNotFoundError(FileNotFoundError):
    """No directory from the start upward holds ``session-files.yaml`` or ``registry/``."""


def is_root(directory: Path) -> bool:
    """Whether ``directory`` marks a data root: it holds the root config or a registry folder."""
    return (directory / CONFIG_NAME).is_file() or (directory / REGISTRY_DIR).is_dir()


def find_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The nearest directory from ``start`` (default: the current one) upward that holds
    ``session-files.yaml`` or a ``registry/`` directory; RootNotFoundError when none does."""
    here = Path(start if start is not None else Path.cwd()).absolute()
    for directory in (here, *here.parents):
        if is_root(directory):
            return directory
    msg = (
        f"no data root found: neither {here} nor any directory above it holds"
        f" {CONFIG_NAME} or a {REGISTRY_DIR}/ directory; name the root (session-files"
        " COMMAND ROOT) or create one of them at the top of the data"
    )
    raise RootNotFoundError(msg)
