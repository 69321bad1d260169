"""Import DataJoint 2 on first use, with an error that says how to install it."""

from __future__ import annotations

import contextlib
import importlib.util
import threading
import warnings
from types import ModuleType

from .errors import INSTALL_HINT, MissingExtraError

# DataJoint 2 warns on every connection to MariaDB that it is "not officially supported"
# (its own test matrix has MySQL 8 only). session-files tests what it does on MariaDB 10.11
# (docs/datajoint.md, "Tested backends"), so the warning is explained there instead of
# being printed by every command.
MARIADB_WARNING = "MariaDB is not officially supported by DataJoint"


def load() -> ModuleType:
    """The ``datajoint`` module, or MissingExtraError naming the extra to install.

    Also (again on every call, so a caller that resets the warning filters, as pytest does
    per test, keeps it) ignores DataJoint's MariaDB warning: see ``MARIADB_WARNING``.
    """
    warnings.filterwarnings("ignore", MARIADB_WARNING, UserWarning)
    try:
        with warnings.catch_warnings():
            # Settings come from DJ_* variables here; a missing datajoint.json is not a problem.
            warnings.filterwarnings("ignore", "No datajoint.json found", UserWarning)
            # DataJoint 2.3 imports its own deprecated migration module; nothing for us to do.
            warnings.filterwarnings("ignore", "datajoint.migrate is deprecated", DeprecationWarning)
            import datajoint
    except ImportError as exc:
        msg = f"publishing to DataJoint needs DataJoint 2: {INSTALL_HINT} ({exc})"
        raise MissingExtraError(msg) from exc
    module: ModuleType = datajoint
    version = getattr(module, "__version__", "0")
    if int(version.split(".")[0]) < 2:
        msg = f"DataJoint {version} is installed; session-files needs DataJoint 2: {INSTALL_HINT}"
        raise MissingExtraError(msg)
    return module


def load_in_background() -> threading.Thread:
    """Start importing DataJoint in a thread (join it, then call ``load``); a missing
    DataJoint raises MissingExtraError here, before anything else is done."""
    if importlib.util.find_spec("datajoint") is None:
        load()  # raises, saying what to install
    thread = threading.Thread(target=_load_quietly, name="import datajoint", daemon=True)
    thread.start()
    return thread


def _load_quietly() -> None:
    with contextlib.suppress(Exception):  # ``load`` in the caller's thread raises it again
        load()
