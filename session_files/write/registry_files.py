"""The registry files an edit may change, described once: kind -> file, entry model, key type.

Built from ``records.REGISTRIES`` (the three fixed tables) plus the lab vocabulary
(``layout.VOCABULARY_KIND``), so a new registry plugs in by adding a row to ``KINDS``. Reading
and writing here is shared by ``registry add/remove`` and by renames: a registry file is
read whole, its keys located by the project's reader, and replaced atomically under a lock
in the registry directory (``.session.yaml.lock``, as a session directory's).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from yaml.nodes import MappingNode, ScalarNode

from ..layout import READ_LIMIT, REGISTRY_SUFFIX, VOCABULARY_KIND
from ..read.files import read_regular
from ..read.scan import LocalRoot, open_root
from ..read.yamlsafe import YamlProblem, compose, decode
from ..records import REGISTRIES
from ..records.types import AttributeName, Strict
from ..records.vocabulary import AttributeDeclaration


@dataclass(frozen=True)
class RegistryKind:
    """One kind of registry entry as the command line names it (``subject``...)."""

    name: str  # subject, project, experimenter, attribute
    file_kind: str  # subjects, ... : the file is <registry>/<file_kind>.yaml
    entry: type[Strict]  # the model of an entry
    key_type: Any  # the key's type
    sidecar_key: str  # the sidecar key that refers to it
    key_name: str  # the key as the file's findings name it (subject, user, attribute name)

    @property
    def file_name(self) -> str:
        return self.file_kind + REGISTRY_SUFFIX


KINDS: dict[str, RegistryKind] = {
    "subject": RegistryKind(
        "subject",
        "subjects",
        REGISTRIES["subjects"].entry,
        REGISTRIES["subjects"].key_type,
        "subject",
        REGISTRIES["subjects"].key,
    ),
    "project": RegistryKind(
        "project",
        "projects",
        REGISTRIES["projects"].entry,
        REGISTRIES["projects"].key_type,
        "projects",
        REGISTRIES["projects"].key,
    ),
    "experimenter": RegistryKind(
        "experimenter",
        "experimenters",
        REGISTRIES["experimenters"].entry,
        REGISTRIES["experimenters"].key_type,
        "experimenters",
        REGISTRIES["experimenters"].key,
    ),
    # the lab vocabulary (registry/attributes.yaml): attribute name -> its declaration
    "attribute": RegistryKind(
        "attribute",
        VOCABULARY_KIND,
        AttributeDeclaration,
        AttributeName,
        "attributes",
        "attribute name",
    ),
}


class EditRefused(ValueError):
    """An edit that was not made (nothing was written); ``reasons`` says why, one per line."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        super().__init__("\n".join(self.reasons))


def local_root(root: str | os.PathLike[str]) -> LocalRoot:
    opened = open_root(root)
    if not isinstance(opened, LocalRoot):
        msg = f"{root} is not a local directory; edits are made on local roots only"
        raise ValueError(msg)
    return opened


def registry_dir(opened: LocalRoot, registry: str | os.PathLike[str] | None = None) -> Path:
    """The registry directory of a local root (the config's ``registry``, or ``registry``)."""
    from ..index.sources import load_sources

    display = load_sources(opened, registry).registries.display
    return Path(os.path.join(opened.path, display))


def check_key(kind: RegistryKind, key: str) -> str | None:
    """Why ``key`` cannot be a key of ``kind`` (None when it can)."""
    try:
        TypeAdapter(kind.key_type).validate_python(key)
    except ValidationError as exc:
        return f"{kind.name} {key!r} is not a valid key: {exc.errors(include_url=False)[0]['msg']}"
    return None


def read_file(path: Path) -> bytes | None:
    """A registry file's bytes; None when it does not exist."""
    try:
        return read_regular(str(path), READ_LIMIT)
    except FileNotFoundError:
        return None


def top_keys(data: bytes | None, shown: str) -> dict[str, int]:
    """The keys of a registry file and their 1-based lines; EditRefused for a file that is
    not a YAML mapping (an edit never guesses at a broken file)."""
    if data is None:
        return {}
    try:
        node = compose(decode(data))
    except YamlProblem as problem:
        where = f":{problem.line}" if problem.line else ""
        msg = f"{shown}{where}: {problem.code}: {problem.message}; fix it first"
        raise EditRefused([msg]) from None
    if node is None:
        return {}
    if not isinstance(node, MappingNode):
        msg = f"{shown}: is not a mapping; fix it first"
        raise EditRefused([msg])
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value if isinstance(k, ScalarNode)}


def plain_entries(data: bytes | None) -> dict[str, Any]:
    """A registry file as plain data (key -> entry), for computing a minimal edit."""
    if data is None:
        return {}
    from ..read.yamlsafe import load

    _, document = load(data)
    return dict(document or {})
