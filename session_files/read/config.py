"""The optional root config, ``session-files.yaml`` (docs/format.md, "The root config")."""

from __future__ import annotations

import posixpath
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, ValidationError

from ..findings import CODES, Finding, SeveritySetting
from ..layout import CONFIG_NAME, REGISTRY_DIR
from ..records import Strict
from .ambiguous import ambiguous_findings
from .mapping import load_mapping
from .problems import schema_findings
from .yamlsafe import Builder


def _known_code(code: str) -> str:
    if code not in CODES:
        msg = f"is not a finding code; use one of {', '.join(CODES)}"
        raise ValueError(msg)
    return code


def _off(value: object) -> object:
    # YAML 1.1 reads a bare `off` as false; older configs write it that way.
    return "off" if value is False else value


LAYOUT_FIELDS = ("subject", "session_datetime")
_LAYOUT_SAMPLE = datetime(2024, 1, 15, 10, 30)


def expected_session_dir(layout: str, subject: str, session_datetime: datetime) -> str:
    """The session directory (relative to the root, POSIX) that ``layout`` gives.

    ``layout`` is the root config's template, e.g.
    ``"{subject}/{session_datetime:%Y-%m-%d_%H-%M-%S}"``; ``{session_datetime:FORMAT}``
    takes a strftime format. Raises ValueError for a template that is not valid.
    """
    check_layout(layout)
    return _normal(layout.format(subject=subject, session_datetime=session_datetime))


def _normal(path: str) -> str:
    return "/".join(part for part in path.replace("\\", "/").split("/") if part not in ("", "."))


def check_layout(layout: str) -> str:
    """``layout`` itself when it is a valid template, else ValueError saying why."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(layout) if name is not None]
    except ValueError as exc:
        msg = f"is not a valid template ({exc}); write it like {_LAYOUT_EXAMPLE!r}"
        raise ValueError(msg) from None
    unknown = sorted({name for name in fields if name not in LAYOUT_FIELDS})
    if unknown:
        msg = (
            f"uses {', '.join('{' + name + '}' for name in unknown)}; the fields are {{subject}}"
            f" and {{session_datetime:FORMAT}}, e.g. {_LAYOUT_EXAMPLE!r}"
        )
        raise ValueError(msg)
    try:
        sample = _normal(layout.format(subject="M001", session_datetime=_LAYOUT_SAMPLE))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        msg = f"cannot be filled in ({exc}); write it like {_LAYOUT_EXAMPLE!r}"
        raise ValueError(msg) from None
    if layout.startswith(("/", "\\")) or ".." in sample.split("/") or not sample:
        msg = f"must give a path inside the root, relative to it, e.g. {_LAYOUT_EXAMPLE!r}"
        raise ValueError(msg)
    if posixpath.isabs(sample) or (len(sample) > 1 and sample[1] == ":"):
        msg = f"must give a relative path, e.g. {_LAYOUT_EXAMPLE!r}"
        raise ValueError(msg)
    return layout


_LAYOUT_EXAMPLE = "{subject}/{session_datetime:%Y-%m-%d_%H-%M-%S}"
MAX_IGNORE_PATTERNS = 1000
MAX_PATTERN_CHARS = 1024


def check_pattern(pattern: str) -> str:
    """``pattern`` itself when it is a gitignore-style pattern this tool can use, else
    ValueError saying why (the root config is untrusted input: its patterns are bounded, and
    matched by RE2 in linear time, see ``scan.ignore_spec``)."""
    if len(pattern) > MAX_PATTERN_CHARS:
        msg = f"is {len(pattern):,} characters long; a pattern may be at most {MAX_PATTERN_CHARS:,}"
        raise ValueError(msg)
    from .scan import ignore_spec  # pathspec is imported only when a config has patterns

    try:
        ignore_spec([pattern])
    except Exception as exc:  # pathspec, re and RE2 each raise their own kind
        msg = f"is not a valid gitignore-style pattern ({exc}); fix or remove it"
        raise ValueError(msg) from None
    return pattern


def check_registry_url(setting: str) -> str:
    """A ``registry:`` URL must name a filesystem that is installed."""
    if "://" not in setting or setting.startswith("file://"):
        return setting
    protocol = setting.split("://", 1)[0]
    try:
        import fsspec

        fsspec.get_filesystem_class(protocol)
    except ImportError as exc:
        msg = (
            f"is a {protocol}:// URL, but that filesystem is not installed ({exc});"
            " install it (e.g. pip install 'session-files[remote]') or use a local directory"
        )
        raise ValueError(msg) from None
    except ValueError:
        msg = (
            f"is a URL of an unknown filesystem {protocol!r}; use a local directory or a known URL"
        )
        raise ValueError(msg) from None
    return setting


class RootConfig(Strict):
    """What ``session-files.yaml`` may say; command-line options override it."""

    registry: Annotated[str, AfterValidator(check_registry_url)] = REGISTRY_DIR
    ignore: Annotated[
        list[Annotated[str, AfterValidator(check_pattern)]],
        Field(max_length=MAX_IGNORE_PATTERNS),
    ] = []
    severity: dict[
        Annotated[str, AfterValidator(_known_code)],
        Annotated[SeveritySetting, BeforeValidator(_off)],
    ] = {}
    layout: Annotated[str, AfterValidator(check_layout)] | None = None
    root_id: Annotated[str, StringConstraints(min_length=1, max_length=1024)] | None = None

    def session_dir(self, subject: str, session_datetime: datetime) -> str | None:
        """The session directory ``layout`` gives (None when no layout is set)."""
        if self.layout is None:
            return None
        return expected_session_dir(self.layout, subject, session_datetime)


@dataclass(frozen=True)
class LoadedConfig:
    """The root config as read (defaults when the file is absent or broken) and its findings."""

    config: RootConfig = field(default_factory=RootConfig)
    findings: tuple[Finding, ...] = ()


def parse_config(data: bytes | None, path: str = CONFIG_NAME) -> LoadedConfig:
    """Parse ``session-files.yaml``; a broken file is reported and the defaults apply."""
    if data is None:
        return LoadedConfig()
    expected = "it may set 'registry', 'ignore', 'severity', 'layout' and 'root_id'"
    loaded = load_mapping(data, path, Builder().build, expected=expected)
    node, document = loaded.node, loaded.data
    if node is None:
        return LoadedConfig(findings=loaded.findings)
    # reported, but the config still applies as read (this tool is its only reader)
    ambiguous = tuple(ambiguous_findings(node, path))
    try:
        return LoadedConfig(RootConfig.model_validate(document), ambiguous)
    except ValidationError as exc:
        found = schema_findings(exc, node, path, RootConfig)
        return LoadedConfig(findings=(*ambiguous, *found))
