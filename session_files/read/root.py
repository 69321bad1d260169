"""Finding the data root that holds a path, as git finds its repository (docs/format.md)."""

from __future__ import annotations

import os
from pathlib import Path

from ..layout import CONFIG_NAME, REGISTRY_DIR


def find_root(start: str | os.PathLike[str]) -> Path | None:
    """The nearest directory, from ``start`` upward, that holds ``session-files.yaml`` or a
    ``registry/`` directory; None when there is none.

    ``start`` need not exist yet (a session directory about to be created).
    """
    here = Path(os.path.abspath(start))
    for directory in (here, *here.parents):
        if (directory / CONFIG_NAME).is_file() or (directory / REGISTRY_DIR).is_dir():
            return directory
    return None
