"""session-files: YAML session sidecars checked into a trustworthy relational catalog.

The names below are imported on first use (PEP 562), so ``import session_files`` (and the
command line, which starts with it) does not pay for pydantic, jsonschema or SQLite until
something needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import (
        IncompleteCatalogWarning,
        IndexRebuiltWarning,
        IndexUpdate,
        load_catalog,
        update_index,
        validate,
    )
    from .datajoint.pipeline import activate
    from .datajoint.publish import publish
    from .datajoint.pull import pull
    from .findings import Finding
    from .index.attribute_names import UnknownAttributeError
    from .index.catalog import Catalog, SessionInfo, Sessions, Table
    from .index.watch import WatchEvent, watch
    from .read.config import expected_session_dir
    from .read.root import find_root
    from .read.sidecar import SidecarError, parse_sidecar, read_sidecar
    from .records import (
        Attribute,
        ExperimenterEntry,
        ProjectEntry,
        Sidecar,
        SubjectEntry,
        now,
    )
    from .report import Report
    from .write.check import check_session
    from .write.registry_edit import add_entry, remove_entry
    from .write.rename import apply_rename, plan_rename
    from .write.update import update_sidecar
    from .write.writer import SidecarWarning, write_sidecar

# public name -> the module (relative to this package) that defines it
_HOMES = {
    "Attribute": ".records",
    "Catalog": ".index.catalog",
    "ExperimenterEntry": ".records",
    "Finding": ".findings",
    "IncompleteCatalogWarning": ".api",
    "IndexRebuiltWarning": ".api",
    "IndexUpdate": ".api",
    "ProjectEntry": ".records",
    "Report": ".report",
    "SessionInfo": ".index.catalog",
    "Sessions": ".index.catalog",
    "Sidecar": ".records",
    "SidecarError": ".read.sidecar",
    "SidecarWarning": ".write.writer",
    "SubjectEntry": ".records",
    "Table": ".index.catalog",
    "UnknownAttributeError": ".index.attribute_names",
    "activate": ".datajoint",
    "add_entry": ".write.registry_edit",
    "apply_rename": ".write.rename",
    "check_session": ".write.check",  # DataJoint (an optional extra) loads on first call
    "expected_session_dir": ".read.config",
    "find_root": ".read.root",
    "load_catalog": ".api",
    "now": ".records",
    "parse_sidecar": ".read.sidecar",
    "plan_rename": ".write.rename",
    "publish": ".datajoint",
    "pull": ".datajoint",
    "read_sidecar": ".read.sidecar",
    "remove_entry": ".write.registry_edit",
    "update_index": ".api",
    "update_sidecar": ".write.update",
    "validate": ".api",
    "watch": ".index.watch",
    "WatchEvent": ".index.watch",
    "write_sidecar": ".write.writer",
}

__all__ = [
    "Attribute",
    "Catalog",
    "ExperimenterEntry",
    "Finding",
    "IncompleteCatalogWarning",
    "IndexRebuiltWarning",
    "IndexUpdate",
    "ProjectEntry",
    "Report",
    "SessionInfo",
    "Sessions",
    "Sidecar",
    "SidecarError",
    "SidecarWarning",
    "SubjectEntry",
    "Table",
    "UnknownAttributeError",
    "WatchEvent",
    "activate",
    "add_entry",
    "apply_rename",
    "check_session",
    "expected_session_dir",
    "find_root",
    "load_catalog",
    "now",
    "parse_sidecar",
    "plan_rename",
    "publish",
    "pull",
    "read_sidecar",
    "remove_entry",
    "update_index",
    "update_sidecar",
    "validate",
    "watch",
    "write_sidecar",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
