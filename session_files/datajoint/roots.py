"""Which root is publishing: its ``root_id`` (root config), else its absolute path or URL."""

from __future__ import annotations

import os

from session_files.index.sources import load_config
from session_files.read.scan import LocalRoot, open_root


def root_identity(root: str | os.PathLike[str]) -> str:
    """The id a root publishes as: the root config's ``root_id``, else its path or URL."""
    opened = open_root(root)
    config = load_config(opened)[0]
    if config.root_id:
        return config.root_id
    if isinstance(opened, LocalRoot):
        return os.path.realpath(opened.path)
    return opened.display
