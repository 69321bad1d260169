"""Bytes to a YAML mapping, or the findings that stop it: how every kind of file starts.

A sidecar, a registry and the root config are each one YAML mapping. ``load_mapping``
decodes and composes the bytes, checks that the document is a mapping, runs the caller's
``build`` over it, and turns every ``YamlProblem`` on the way into a finding with the
file's path; the caller then validates the data against its model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from yaml.nodes import MappingNode

from ..findings import Finding
from .yamlsafe import YamlProblem, compose, decode, position

T = TypeVar("T")


@dataclass(frozen=True)
class LoadedMapping(Generic[T]):
    """The document's mapping node and what ``build`` made of it; or the findings that stop
    it; or neither, for an empty document where one is allowed."""

    node: MappingNode | None = None
    data: T | None = None
    findings: tuple[Finding, ...] = ()


def problem_finding(problem: YamlProblem, path: str) -> Finding:
    """The finding of a YAML problem in the file ``path``."""
    return Finding.make(problem.code, path, problem.message, problem.line, problem.column)


def load_mapping(
    data: bytes,
    path: str,
    build: Callable[[MappingNode], T],
    *,
    expected: str,
    required: bool = False,
) -> LoadedMapping[T]:
    """Bytes to ``build(mapping node)``, or the findings that stop it, never an exception.

    ``expected`` completes the message when the document is not a mapping (``is not a
    mapping; <expected>``). An empty document is a ``schema`` finding when ``required``,
    else an empty result.
    """
    try:
        node = compose(decode(data))
        if node is None:
            if not required:
                return LoadedMapping()
            finding = Finding.make("schema", path, f"is empty; {expected}")
            return LoadedMapping(findings=(finding,))
        if not isinstance(node, MappingNode):
            line, column = position(node)
            msg = f"is not a mapping; {expected}"
            return LoadedMapping(findings=(Finding.make("schema", path, msg, line, column),))
        return LoadedMapping(node, build(node))
    except YamlProblem as problem:
        return LoadedMapping(findings=(problem_finding(problem, path),))
