"""The on-disk layout of a data root: file and folder names, and the size limit.

One home for every name a reader or writer of the format must agree on (docs/format.md).
A leaf module: it imports nothing from the package, so both the read path and the write
path can use it without either importing the other.
"""

from __future__ import annotations

SIDECAR_NAME = "session.yaml"
"""The sidecar a session directory holds (docs/format.md, "The sidecar")."""

CONFIG_NAME = "session-files.yaml"
"""The optional root config at the top of a root (docs/format.md, "The root config")."""

REGISTRY_DIR = "registry"
"""The default registry folder, relative to the root (overridden by the config or options)."""

REGISTRY_SUFFIX = ".yaml"
"""A registry file is ``<kind>.yaml`` (``subject.yaml``, ``user.yaml``, ...)."""

INDEX_DIR = ".session-files"
"""The hidden folder at the top of a local root that holds the index."""

INDEX_FILE = "index.sqlite"
"""The index file inside ``INDEX_DIR``."""

TEMP_PREFIX = ".session.yaml."
"""A writer's temporary file: hidden, so a scanner never mistakes it for a sidecar."""

LOCK_NAME = ".session.yaml.lock"
"""The per-session-directory lock file of read-modify-write updates (never scanned)."""

MAX_BYTES = 1024 * 1024
"""The largest YAML file (sidecar, registry, root config) that is read: 1 MiB."""

READ_LIMIT = MAX_BYTES + 1
"""How many bytes a reader takes: one past the limit, so an oversized file is reported."""

VOCABULARY_KIND = "attributes"
"""The lab vocabulary is the registry file ``<registry>/attributes.yaml`` (docs/format.md, "The lab vocabulary"); a
lookup registry named by a declaration's ``registry:`` is ``<registry>/<NAME>.yaml``."""
