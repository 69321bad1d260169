"""The optional root config, ``session-files.yaml`` (SPEC section 6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, ValidationError
from yaml.nodes import MappingNode

from .findings import CODES, Finding, SeveritySetting
from .problems import schema_findings
from .records import Strict
from .yamlsafe import Builder, YamlProblem, compose, decode, position

CONFIG_FILE = "session-files.yaml"


def _known_code(code: str) -> str:
    if code not in CODES:
        msg = f"is not a finding code; use one of {', '.join(CODES)}"
        raise ValueError(msg)
    return code


def _off(value: object) -> object:
    # YAML 1.1 reads a bare `off` as false; the SPEC's own example writes it that way.
    return "off" if value is False else value


class RootConfig(Strict):
    """What ``session-files.yaml`` may say; command-line options override it."""

    registry: str = "registry"
    ignore: list[str] = []
    severity: dict[
        Annotated[str, AfterValidator(_known_code)],
        Annotated[SeveritySetting, BeforeValidator(_off)],
    ] = {}


@dataclass(frozen=True)
class LoadedConfig:
    """The root config as read (defaults when the file is absent or broken) and its findings."""

    config: RootConfig = field(default_factory=RootConfig)
    findings: tuple[Finding, ...] = ()


def parse_config(data: bytes | None, path: str = CONFIG_FILE) -> LoadedConfig:
    """Parse ``session-files.yaml``; a broken file is reported and the defaults apply."""
    if data is None:
        return LoadedConfig()
    try:
        node = compose(decode(data))
        if node is None:
            return LoadedConfig()
        if not isinstance(node, MappingNode):
            line, column = position(node)
            msg = "is not a mapping; it may set 'registry', 'ignore' and 'severity'"
            return LoadedConfig(findings=(Finding.make("schema", path, msg, line, column),))

        document = Builder().build(node)
    except YamlProblem as problem:
        finding = Finding.make(problem.code, path, problem.message, problem.line, problem.column)
        return LoadedConfig(findings=(finding,))
    try:
        return LoadedConfig(RootConfig.model_validate(document))
    except ValidationError as exc:
        return LoadedConfig(findings=tuple(schema_findings(exc, node, path, RootConfig)))
