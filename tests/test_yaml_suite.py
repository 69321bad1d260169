"""The portable profile (docs/format.md, "Portable YAML") against the official YAML test suite.

Every case of the suite (tests/yaml_suite.py fetches it), as a whole file and embedded as a
sidecar's note, attribute value, blob, experimenters and key, a registry entry's value and
key, and the root config's value, goes through the sidecar, registry and config readers:

* no reader ever raises;
* every case the suite marks as invalid YAML is refused by every reader with a YAML finding;
* wherever a reader accepts a document (no YAML finding), the document's values (our reader's
  data) equal those of ruamel.yaml (safe, pure Python, YAML 1.2) and of yaml-rs (a strict
  YAML 1.2 reader in Rust), timestamps kept as text by all three.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import pytest
import ruamel.yaml
import yaml_rs

from session_files.read.config import parse_config
from session_files.read.registry import parse_registry
from session_files.read.sidecar import parse_sidecar
from session_files.read.yamlsafe import YamlProblem, load
from tests.yaml_suite import Case, load_suite

YAML_CODES = frozenset(
    {"unreadable", "yaml-syntax", "yaml-forbidden", "yaml-duplicate-key", "yaml-ambiguous"}
)
HEAD = "subject: M001\nsession_datetime: 2024-01-15 10:30:00\n"


def _indent(text: str, width: int) -> str:
    """``text`` with every non-empty line indented by ``width`` spaces."""
    pad = " " * width
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def _as_key(text: str, width: int) -> str:
    """``text`` after an explicit key's '? ', its other lines indented to line up."""
    return _indent(text, width)[width:]


def _codes(findings: Any) -> set[str]:
    return {finding.code for finding in findings}


Reader = Callable[[bytes], set[str]]
READERS: dict[str, Reader] = {
    "sidecar": lambda data: _codes(parse_sidecar(data, "s/session.yaml").findings),
    "registry": lambda data: _codes(
        parse_registry("experimenters", data, "registry/experimenters.yaml").findings
    ),
    "config": lambda data: _codes(parse_config(data).findings),
}


class Text(NamedTuple):
    """A file made from a case: which reader reads it, and how the case is in it."""

    reader: str
    form: str
    text: str


def texts(case: Case) -> Iterator[Text]:
    """The case as a whole file for every reader, and embedded in each kind of file."""
    text = case.yaml
    for reader in READERS:
        yield Text(reader, "whole", text)
    yield Text("sidecar", "note", f"{HEAD}note:\n{_indent(text, 2)}")
    yield Text("sidecar", "attribute", f"{HEAD}attributes:\n  x:\n{_indent(text, 4)}")
    yield Text("sidecar", "blob", f"{HEAD}attributes:\n  x:\n    blob:\n{_indent(text, 6)}")
    yield Text("sidecar", "experimenters", f"{HEAD}experimenters:\n{_indent(text, 2)}")
    yield Text("sidecar", "key", f"{HEAD}attributes:\n  ? {_as_key(text, 4)}\n  : v\n")
    yield Text("registry", "value", f"alice:\n  user_fullname:\n{_indent(text, 4)}")
    yield Text("registry", "key", f"? {_as_key(text, 2)}\n: {{}}\n")
    yield Text("config", "value", f"root_id:\n{_indent(text, 2)}")


def _ruamel() -> ruamel.yaml.YAML:
    reader = ruamel.yaml.YAML(typ="safe", pure=True)
    reader.version = (1, 2)
    constructors = reader.constructor.yaml_constructors
    constructors["tag:yaml.org,2002:timestamp"] = constructors["tag:yaml.org,2002:str"]
    return reader


def ruamel_reads(text: str) -> tuple[bool, Any]:
    """(accepted, data) by ruamel.yaml."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. ReusedAnchorWarning: the value is compared
            return True, _ruamel().load(text)
    except Exception:  # any refusal: there is nothing to compare
        return False, None


def yaml_rs_reads(text: str) -> tuple[bool, Any]:
    """(accepted, data) by yaml-rs."""
    try:
        return True, yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # any refusal
        return False, None


def strict(value: Any) -> Any:
    """Plain data with each scalar's type part of it (1, 1.0 and True differ; NaN is NaN)."""
    if isinstance(value, dict):
        return ("map", sorted((repr(strict(k)), strict(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("seq", [strict(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, repr(value))


class Outcome(NamedTuple):
    """What happened to one file: accepted by our reader, and where the readers disagree."""

    accepted: bool
    problem: str | None  # None: as it must be


def outcome(case: Case, item: Text) -> Outcome:
    data = item.text.encode("utf-8")
    codes = READERS[item.reader](data)  # must not raise
    refused = bool(codes & YAML_CODES)
    if refused:
        return Outcome(False, None)
    if case.fail and item.form == "whole":
        return Outcome(False, f"invalid YAML accepted by the {item.reader} reader")
    try:
        _, ours = load(data)
    except YamlProblem as problem:
        if problem.code == "schema":  # a list or mapping as a key: the reader reads no values
            return Outcome(False, None)
        return Outcome(
            True, f"accepted, but the full reader says {problem.code}: {problem.message}"
        )
    for name, read in (("ruamel.yaml", ruamel_reads), ("yaml-rs", yaml_rs_reads)):
        ok, theirs = read(item.text)
        if not ok:
            return Outcome(True, f"accepted, but {name} refuses it")
        if strict(theirs) != strict(ours):
            return Outcome(True, f"read as {ours!r}, but {name} reads {theirs!r}")
    return Outcome(True, None)


@pytest.fixture(scope="module")
def suite() -> tuple[Case, ...]:
    return load_suite()


@pytest.fixture(scope="module")
def outcomes(suite: tuple[Case, ...]) -> list[tuple[Case, Text, Outcome]]:
    return [(case, item, outcome(case, item)) for case in suite for item in texts(case)]


def figures(outcomes: list[tuple[Case, Text, Outcome]]) -> dict[str, int]:
    """The conformance figures: cases and files run, accepted, accepted where readers agree."""
    accepted = [(case, item) for case, item, result in outcomes if result.accepted]
    return {
        "cases": len({case.id for case, _, _ in outcomes}),
        "invalid cases": len({case.id for case, _, _ in outcomes if case.fail}),
        "files": len(outcomes),
        "whole files accepted": sum(item.form == "whole" for _, item in accepted),
        "files accepted": len(accepted),
        "files accepted where the readers agree": sum(
            result.accepted and result.problem is None for _, _, result in outcomes
        ),
    }


def test_the_whole_suite_is_there(suite: tuple[Case, ...]) -> None:
    assert len(suite) == 402  # the pinned version: 350 tests, 402 cases
    assert sum(case.fail for case in suite) == 94
    assert len({case.id for case in suite}) == len(suite)


def test_no_reader_raises_invalid_yaml_is_refused_and_accepted_files_read_the_same(
    outcomes: list[tuple[Case, Text, Outcome]],
) -> None:
    problems = [
        f"{case.id} ({case.name}) {item.reader}/{item.form}: {result.problem}\n{item.text!r}"
        for case, item, result in outcomes
        if result.problem is not None
    ]
    assert not problems, f"{len(problems)} files:\n" + "\n".join(problems[:20])
    counts = figures(outcomes)
    # every reader accepts some of the suite (the profile is not "refuse everything")
    assert counts["whole files accepted"] >= 300
    assert counts["files accepted"] == counts["files accepted where the readers agree"]
