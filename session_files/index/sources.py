"""The root config and the registries: where they are, what they say, and their state.

Both are small, so they are read on every refresh; their digests tell the index whether
every reference has to be checked again.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from pathlib_abc import ReadablePath

from session_files.findings import Finding
from session_files.layout import CONFIG_NAME, READ_LIMIT, REGISTRY_DIR
from session_files.read.config import LoadedConfig, RootConfig, parse_config
from session_files.read.files import read_regular
from session_files.read.registry import REGISTRY_FILES, ParsedRegistry, parse_registry
from session_files.read.scan import LocalRoot, Root, read_bounded

from .extract import digest

RegistryArg: TypeAlias = str | os.PathLike[str] | ReadablePath | None
Reader: TypeAlias = Callable[[str], bytes | None]


@dataclass(frozen=True)
class Registries:
    """Where the registries are (``display`` prefixes their finding paths) and what they hold."""

    display: str
    inside: str | None  # the registry directory relative to the root, when it is inside
    parsed: dict[str, ParsedRegistry] = field(default_factory=dict)
    missing: frozenset[str] = frozenset()

    def file(self, kind: str) -> str:
        """The path findings use for a registry file."""
        name = REGISTRY_FILES[kind]
        return posixpath.join(self.display, name) if self.display else name


@dataclass(frozen=True)
class Sources:
    """The config and registries of one refresh, and a digest of everything they say."""

    config: RootConfig
    config_findings: tuple[Finding, ...]
    registries: Registries
    state: str


def _read_failure(path: str, exc: OSError) -> Finding:
    message = f"cannot be read ({exc.strerror or exc}); check its permissions"
    return Finding.make("unreadable", path, message)


def load_config(root: Root) -> tuple[LoadedConfig, bytes | None]:
    """The root config (defaults when absent) and its bytes."""
    try:
        data = root.read_optional(CONFIG_NAME)
    except OSError as exc:
        return LoadedConfig(findings=(_read_failure(CONFIG_NAME, exc),)), None
    return parse_config(data, CONFIG_NAME), data


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
    if isinstance(setting, ReadablePath) and not isinstance(setting, os.PathLike):
        remote = setting

        def read_remote(name: str) -> bytes | None:
            try:
                return read_bounded(remote.joinpath(name))
            except FileNotFoundError:
                return None

        return str(remote), None, read_remote
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


def _reader_in(root: Root, rel: str) -> Reader:
    def read(name: str) -> bytes | None:
        return root.read_optional(posixpath.join(rel, name) if rel else name)

    return read


def load_sources(root: Root, registry: RegistryArg) -> Sources:
    """Read the config and the registries (the ``registry`` argument overrides the config)."""
    loaded, config_bytes = load_config(root)
    setting = registry if registry is not None else loaded.config.registry
    display, inside, reader = locate_registry(root, setting)
    shell = Registries(display, inside)
    parsed: dict[str, ParsedRegistry] = {}
    missing: set[str] = set()
    state = [repr(setting), "config", digest(config_bytes) if config_bytes is not None else "-"]
    for kind, name in REGISTRY_FILES.items():
        path = shell.file(kind)
        try:
            data = reader(name)
        except OSError as exc:
            parsed[kind] = ParsedRegistry(kind, path, findings=(_read_failure(path, exc),))
            state += [kind, "unreadable"]
            continue
        if data is None:
            missing.add(kind)
        parsed[kind] = parse_registry(kind, data, path)
        state += [kind, digest(data) if data is not None else "-"]
    registries = Registries(display, inside, parsed, frozenset(missing))
    return Sources(loaded.config, loaded.findings, registries, " ".join(state))
