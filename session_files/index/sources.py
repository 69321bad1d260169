"""The root config and the registries: where they are, what they say, and their state.

Both are small, so they are read on every refresh; their digests tell the index whether
every reference has to be checked again. Parsing them needs the pydantic models, so it is
done only when needed: the config's settings are kept in the index (``Sources.snapshot``)
and reused while its bytes are unchanged, and the registries are parsed on first use of
``Registries.parsed`` (a refresh that finds nothing changed never asks).
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from session_files.findings import Finding, SeveritySetting
from session_files.layout import CONFIG_NAME, READ_LIMIT, REGISTRY_DIR
from session_files.read.files import digest, read_regular
from session_files.read.scan import LocalRoot, Root, read_bounded

if TYPE_CHECKING:
    from pathlib_abc import ReadablePath

    from session_files.read.registry import ParsedRegistry
    from session_files.read.vocabulary import Vocabulary

RegistryArg: TypeAlias = "str | os.PathLike[str] | ReadablePath | None"
Reader: TypeAlias = Callable[[str], bytes | None]


class Settings(NamedTuple):
    """What the root config says, as plain data. (This and ``Sources`` are NamedTuples: a
    command-line refresh imports this module, and a dataclass costs a millisecond to make.)"""

    registry: str
    ignore: tuple[str, ...]
    severity: dict[str, SeveritySetting]
    layout: str | None
    root_id: str | None


@dataclass(frozen=True)
class Registries:
    """Where the registries are (``display`` prefixes their finding paths), their files
    (kind -> file name), and what they hold: the bytes read (None: missing; an OSError: could
    not be read), parsed on first use."""

    display: str
    inside: str | None  # the registry directory relative to the root, when it is inside
    files: dict[str, str] = field(default_factory=dict)
    data: dict[str, bytes | OSError | None] = field(default_factory=dict)
    # the lab vocabulary (attributes.yaml; None: no such file) and the lookup registries it
    # names, by name
    vocabulary_data: bytes | OSError | None = None
    lookup_data: dict[str, bytes | OSError | None] = field(default_factory=dict)

    def file(self, kind: str) -> str:
        """The path findings use for a registry file."""
        name = self.files[kind]
        return posixpath.join(self.display, name) if self.display else name

    @property
    def missing(self) -> frozenset[str]:
        """The kinds whose file does not exist."""
        return frozenset(kind for kind, data in self.data.items() if data is None)

    @cached_property
    def parsed(self) -> dict[str, ParsedRegistry]:
        """Each kind's parsed registry (with its findings)."""
        from session_files.read.registry import ParsedRegistry, parse_registry

        parsed: dict[str, ParsedRegistry] = {}
        for kind, data in self.data.items():
            path = self.file(kind)
            if isinstance(data, OSError):
                parsed[kind] = ParsedRegistry(kind, path, findings=(_read_failure(path, data),))
            else:
                parsed[kind] = parse_registry(kind, data, path)
        return parsed

    @cached_property
    def vocabulary(self) -> Vocabulary | None:
        """The lab vocabulary, parsed (None without ``attributes.yaml``: attributes are
        free-form)."""
        if self.vocabulary_data is None:
            return None
        from session_files.read.vocabulary import build_vocabulary

        return build_vocabulary(self.display, self.vocabulary_data, self.lookup_data, _read_failure)


class Sources(NamedTuple):
    """The config and registries of one refresh, a digest of everything they say, and the
    snapshot (JSON) that lets the next refresh skip parsing an unchanged config."""

    config: Settings
    config_findings: tuple[Finding, ...]
    registries: Registries
    state: str
    snapshot: str = ""
    vocabulary_state: str = ""  # the vocabulary's part of ``state`` ('' without one)


def _read_failure(path: str, exc: OSError) -> Finding:
    message = f"cannot be read ({exc.strerror or exc}); check its permissions"
    return Finding.make("unreadable", path, message)


def _parse_config(data: bytes | None) -> tuple[Settings, tuple[Finding, ...], dict[str, str]]:
    """Parse the root config (pydantic): its settings, findings, and the registry files."""
    from session_files.read.config import parse_config
    from session_files.read.registry import REGISTRY_FILES

    loaded = parse_config(data, CONFIG_NAME)
    config = loaded.config
    settings = Settings(
        config.registry, tuple(config.ignore), dict(config.severity), config.layout, config.root_id
    )
    return settings, loaded.findings, dict(REGISTRY_FILES)


def _from_snapshot(
    snapshot: str | None, key: str
) -> tuple[Settings, tuple[Finding, ...], dict[str, str]] | None:
    """What an earlier refresh parsed from the same config bytes (``key``), if it kept it."""
    try:
        kept: dict[str, Any] = json.loads(snapshot or "null") or {}
        if kept.get("config") != key:
            return None
        values = kept["settings"]
        settings = Settings(**{**values, "ignore": tuple(values["ignore"])})
        findings = tuple(Finding(*fields) for fields in kept["findings"])
        return settings, findings, dict(kept["files"])
    except (ValueError, KeyError, TypeError):
        return None


def load_config(
    root: Root, snapshot: str | None = None
) -> tuple[Settings, tuple[Finding, ...], dict[str, str], str]:
    """The root config's settings (defaults when absent) and findings, the registry files,
    and the key (digest) of its bytes; parsed only when ``snapshot`` is not of these bytes."""
    try:
        data = root.read_optional(CONFIG_NAME)
    except OSError as exc:
        settings, _, files = _parse_config(None)
        return settings, (_read_failure(CONFIG_NAME, exc),), files, "unreadable"
    key = digest(data) if data is not None else "-"
    kept = _from_snapshot(snapshot, key)
    settings, findings, files = kept if kept is not None else _parse_config(data)
    return settings, findings, files, key


def _local_reader(directory: Path) -> Reader:
    def read(name: str) -> bytes | None:
        try:  # a regular file only: a FIFO named like a registry must not hang a refresh
            return read_regular(str(directory / name), READ_LIMIT)
        except FileNotFoundError:
            return None

    return read


def locate_registry(root: Root, setting: RegistryArg) -> tuple[str, str | None, Reader]:
    """(display, inside-root relative dir or None, reader) for a registry setting.

    A relative setting is relative to the root; an absolute one inside a local root is
    treated as relative; anything else is outside and shown by its absolute POSIX path.
    """
    if setting is not None and not isinstance(setting, (str, os.PathLike)):
        from pathlib_abc import ReadablePath  # a local registry never needs it

        if isinstance(setting, ReadablePath):
            return _remote_registry(setting)
    text = os.fspath(setting if setting is not None else REGISTRY_DIR)
    if "://" in text:
        from upath import UPath

        return locate_registry(root, UPath(text))
    absolute = Path(text).is_absolute()
    if isinstance(root, LocalRoot):
        full = Path(os.path.normpath(root.path / text))
        try:
            rel = full.relative_to(root.path).as_posix()
        except ValueError:
            return full.as_posix(), None, _local_reader(full)
        if rel == ".":
            rel = ""
        return rel, rel, _reader_in(root, rel)
    if absolute:
        full = Path(text)
        return full.as_posix(), None, _local_reader(full)
    rel = posixpath.normpath(text.replace(os.sep, "/"))
    rel = "" if rel == "." else rel
    return rel, rel, _reader_in(root, rel)


def _remote_registry(remote: ReadablePath) -> tuple[str, str | None, Reader]:
    def read_remote(name: str) -> bytes | None:
        try:
            return read_bounded(remote.joinpath(name))
        except FileNotFoundError:
            return None

    return str(remote), None, read_remote


def _reader_in(root: Root, rel: str) -> Reader:
    def read(name: str) -> bytes | None:
        return root.read_optional(posixpath.join(rel, name) if rel else name)

    return read


def load_sources(root: Root, registry: RegistryArg, snapshot: str | None = None) -> Sources:
    """Read the config and the registries (the ``registry`` argument overrides the config).

    ``snapshot``: ``Sources.snapshot`` of the previous refresh, so that an unchanged config
    is not parsed again.
    """
    config, findings, files, config_key = load_config(root, snapshot)
    setting = registry if registry is not None else config.registry
    display, inside, reader = locate_registry(root, setting)
    data: dict[str, bytes | OSError | None] = {}
    state = [repr(setting), "config", config_key]
    for kind, name in files.items():
        try:
            data[kind] = reader(name)
        except OSError as exc:
            data[kind] = exc
            state += [kind, "unreadable"]
            continue
        raw = data[kind]
        state += [kind, digest(raw) if isinstance(raw, bytes) else "-"]
    vocabulary_words: list[str] = []
    vocabulary, lookups, names = _read_vocabulary(reader, snapshot, vocabulary_words)
    state += vocabulary_words
    registries = Registries(display, inside, files, data, vocabulary, lookups)
    kept = {
        "config": config_key,
        "settings": {**config._asdict(), "ignore": list(config.ignore)},
        "findings": [[f.path, f.line, f.column, f.code, f.message, f.severity] for f in findings],
        "files": files,
        "lookups": names,
    }
    return Sources(
        config,
        findings,
        registries,
        " ".join(state),
        json.dumps(kept),
        " ".join(vocabulary_words),
    )


def _read_vocabulary(
    reader: Reader, snapshot: str | None, state: list[str]
) -> tuple[bytes | OSError | None, dict[str, bytes | OSError | None], list[Any]]:
    """The vocabulary's bytes and those of the lookup registries it names, each digest
    added to ``state`` (a change to any of them re-checks every sidecar). Which lookups it
    names is kept in the snapshot with its digest: an unchanged vocabulary is not parsed.
    Without ``attributes.yaml``, ``state`` is as it always was."""
    from session_files.layout import REGISTRY_SUFFIX, VOCABULARY_KIND

    try:
        data: bytes | OSError | None = reader(VOCABULARY_KIND + REGISTRY_SUFFIX)
    except OSError as exc:
        data = exc
    if data is None:
        return None, {}, []
    key = digest(data) if isinstance(data, bytes) else "unreadable"
    names = _kept_lookups(snapshot, key)
    if names is None:
        names = []
        if isinstance(data, bytes):
            from session_files.read.vocabulary import lookup_names, parse_vocabulary

            names = lookup_names(parse_vocabulary(data, ""))
    state += [VOCABULARY_KIND, key]
    lookups: dict[str, bytes | OSError | None] = {}
    for name in names:
        try:
            lookups[name] = reader(name + REGISTRY_SUFFIX)
        except OSError as exc:
            lookups[name] = exc
        raw = lookups[name]
        state += [f"lookup:{name}", digest(raw) if isinstance(raw, bytes) else repr(raw)[:20]]
    return data, lookups, [key, names]


def _kept_lookups(snapshot: str | None, key: str) -> list[str] | None:
    try:
        kept = json.loads(snapshot or "null") or {}
        vocabulary_key, names = kept["lookups"]
    except (ValueError, KeyError, TypeError):
        return None
    if vocabulary_key != key or not all(isinstance(name, str) for name in names):
        return None
    return list(names)
