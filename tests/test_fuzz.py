"""Fuzzing: no input makes the readers or the scanner raise; only findings come out.

Arbitrary bytes, arbitrary text, YAML-shaped text, real YAML documents dumped from
generated data, and valid files mutated at random go through ``parse_sidecar``,
``parse_registry``, ``parse_config`` and a whole ``validate`` of a generated root. Every
finding must have a known code, a root-relative path, a message, and positions that are
positive integers or None.

The default Hypothesis profile runs ~100 examples per test; the long run is
``HYPOTHESIS_PROFILE=ci-fuzz FUZZ_EXAMPLES=5000 pytest -q -m fuzz -p no:cacheprovider``.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import fsspec
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from session_files import Finding, parse_sidecar
from session_files.api import validate_and_load
from session_files.findings import CODES
from session_files.layout import CONFIG_NAME
from session_files.read.config import parse_config
from session_files.read.registry import REGISTRY_FILES, parse_registry
from session_files.read.scan import ignore_spec

pytestmark = pytest.mark.fuzz

PATH = "M001/2024-01-15_10-30-00/session.yaml"

VALID_SIDECAR = """\
schema_version: 1
subject: M001
session_datetime: 2024-01-15 10:30:00
experimenters: [alice, bob]
projects: [vision]
note: "Recording went well; slight drift near the end."
attributes:
  rig: rig-3
  temperature_c: 36.50
  probe_depths_um:
    value: three shanks
    blob: [1200, 1500, {a: 1, b: [true, null]}]
"""
VALID_SUBJECTS = """\
M001:
  sex: F
  subject_birth_date: 2023-10-01
  subject_nickname: Mickey
M002: {sex: M, subject_birth_date: 2023-09-12}
"""
VALID_PROJECTS = "vision:\n  project_description: Retinotopic mapping\npilot:\n"
VALID_EXPERIMENTERS = "alice:\n  user_email: alice@example.org\nbob: {}\n"
VALID_CONFIG = 'registry: registry\nignore: ["scratch/**"]\nseverity:\n  misnamed-sidecar: "off"\n'
BASES = [VALID_SIDECAR, VALID_SUBJECTS, VALID_PROJECTS, VALID_EXPERIMENTERS, VALID_CONFIG]

# Characters and fragments with a meaning in YAML, for the mutations.
YAML_CHARS = list(":-[]{},&*!|>'\"#%@`?~ \t\n\r.0123456789aZé\x00\x85\u2028\ufeff")
YAML_FRAGMENTS = [
    "&a ",
    "*a",
    "*a\n",
    "!!python/object:os.system ",
    "!!python/name:os.system",
    "!!binary ",
    "!!set ",
    "!custom ",
    "<<: ",
    "---\n",
    "...\n",
    "? ",
    "%YAML 1.1\n",
    "%TAG ! tag:example.com,2000:\n",
    "[" * 200,
    "- " * 200,
    "\xef\xbb\xbf",
    "2024-01-15T10:30:00Z",
    ".nan",
    "0x1F",
    "null",
    "~",
    # numbers YAML 1.1 promises and Python cannot make (issue 15)
    "0x_",
    "0b_",
    "!!int ",
    "!!float ",
    "!!bool ",
    "1:0:0:0",
    "9" * 4400,
    # outside the portable profile (issue 20): libyaml reads them, YAML 1.2 readers do not
    "]#x",
    '"v"#x',
    "! ",
    "!!str,",
    "&a:b ",
    "[?x]",
    "[-]",
    "|#x\n",
    ">\n \n  x\n",
    "._",
    "-_",
    "0o_",
]


# ---------------------------------------------------------------- invariants
def check(findings: Iterable[Finding], paths: set[str], *, default_severity: bool) -> None:
    """Every finding is well formed; ``paths`` are the paths it may name."""
    for finding in findings:
        assert finding.code in CODES, finding
        if default_severity:
            assert finding.severity == CODES[finding.code][0], finding
        assert finding.severity in ("error", "warning")
        assert finding.path in paths, finding
        for position in (finding.line, finding.column):
            assert position is None or (type(position) is int and position >= 1), finding
        assert (finding.line is None) == (finding.column is None), finding
        assert isinstance(finding.message, str) and finding.message.strip(), finding
        finding.message.encode("utf-8")  # text a report can print: no lone surrogates
        finding.path.encode("utf-8")


def every_reader(data: bytes) -> None:
    """``data`` through the sidecar, registry and config readers: findings, never raises."""
    parsed = parse_sidecar(data, PATH)
    check(parsed.findings, {PATH}, default_severity=True)
    assert (parsed.record is None) == bool(parsed.findings)
    if parsed.record is not None:
        assert parsed.refs is not None
    for kind in REGISTRY_FILES:
        registry = parse_registry(kind, data, f"registry/{kind}.yaml")
        check(registry.findings, {f"registry/{kind}.yaml"}, default_severity=True)
    config = parse_config(data, CONFIG_NAME)
    check(config.findings, {CONFIG_NAME}, default_severity=True)


# ---------------------------------------------------------------- strategies
TEXT = st.text(st.characters(codec="utf-8"), max_size=400)
YAML_TEXT = st.text(st.sampled_from(YAML_CHARS), max_size=400)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(st.characters(codec="utf-8"), max_size=30)
    | st.dates()
    | st.datetimes()
)
data_trees: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.text(max_size=10) | st.integers(), inner, max_size=5)
    ),
    max_leaves=25,
)
sidecar_like = st.fixed_dictionaries(
    {"subject": scalars, "session_datetime": scalars | st.just("2024-01-15 10:30:00")},
    optional={
        "schema_version": scalars,
        "experimenters": data_trees,
        "projects": data_trees,
        "note": data_trees,
        "attributes": st.dictionaries(st.text(max_size=40), data_trees, max_size=4),
        "extra_key": data_trees,
    },
)
registry_like = st.dictionaries(
    st.text(max_size=12) | st.integers(),
    st.none()
    | st.fixed_dictionaries({}, optional={"sex": scalars, "subject_birth_date": scalars})
    | data_trees,
    max_size=5,
)


@st.composite
def dumped_documents(draw: st.DrawFn) -> bytes:
    """Real YAML, as other programs write it: generated data through ``yaml.safe_dump``."""
    document = draw(sidecar_like | registry_like | data_trees)
    text = yaml.safe_dump(
        document,
        default_flow_style=draw(st.sampled_from([False, True, None])),
        allow_unicode=draw(st.booleans()),
        explicit_start=draw(st.booleans()),
        width=draw(st.sampled_from([20, 80, 10_000])),
        sort_keys=draw(st.booleans()),
    )
    encoded = text.encode("utf-8")
    if draw(st.booleans()):
        encoded = encoded.replace(b"\n", b"\r\n")
    if draw(st.booleans()):
        encoded = b"\xef\xbb\xbf" + encoded
    return encoded


@st.composite
def mutated(draw: st.DrawFn, bases: list[str] = BASES) -> bytes:
    """A valid file with a few random edits: insert, delete or replace characters."""
    text = draw(st.sampled_from(bases))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "fragment", "duplicate"]))
        if op == "insert":
            text = text[:at] + draw(st.sampled_from(YAML_CHARS)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        elif op == "replace":
            text = text[:at] + draw(st.sampled_from(YAML_CHARS)) + text[at + 1 :]
        elif op == "fragment":
            text = text[:at] + draw(st.sampled_from(YAML_FRAGMENTS)) + text[at:]
        else:
            end = draw(st.integers(at, len(text)))
            text = text[:end] + text[at:end] + text[end:]
    return text.encode("utf-8", "surrogatepass")


any_input = (
    st.binary(max_size=600)
    | TEXT.map(lambda text: text.encode("utf-8"))
    | YAML_TEXT.map(lambda text: text.encode("utf-8"))
    | dumped_documents()
    | mutated()
)


# ---------------------------------------------------------------- the readers
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    every_reader(data)


@given(TEXT)
def test_arbitrary_text(text: str) -> None:
    every_reader(text.encode("utf-8"))


@given(YAML_TEXT)
def test_yaml_shaped_text(text: str) -> None:
    every_reader(text.encode("utf-8"))


@given(dumped_documents())
def test_yaml_documents(data: bytes) -> None:
    every_reader(data)


@given(mutated())
def test_mutated_valid_files(data: bytes) -> None:
    every_reader(data)


NUMBER_CHARS = "0123456789_:xXbBoO+-.eEabcdef "
NUMBER_TAGS = ["", "!!int ", "!!float ", "!!bool ", "!!null ", "!!str ", "!!timestamp "]


@given(
    st.sampled_from(NUMBER_TAGS),
    st.text(st.sampled_from(NUMBER_CHARS), max_size=60)
    | st.builds(
        lambda head, n: head + "1" * n,
        st.sampled_from(["", "0x", "0b", "1:"]),
        st.integers(4000, 5000),
    ),
)
def test_numbers_and_their_tags(tag: str, body: str) -> None:
    """Every number-like value, with or without a tag, as a note, a key and a config value."""
    every_reader(
        f"subject: M001\nsession_datetime: 2024-01-15 10:30:00\nnote: {tag}{body}\n".encode()
    )
    every_reader(f"{tag}{body}: 1\n".encode())


@given(st.lists(st.text(st.sampled_from("*?[]!\\/ab-z^{}#. "), max_size=30), max_size=5))
def test_ignore_patterns_are_findings_or_usable(patterns: list[str]) -> None:
    """A root config's patterns: a finding each, or a spec that matches without raising."""
    config = parse_config(("ignore: " + json.dumps(patterns) + "\n").encode(), CONFIG_NAME)
    check(config.findings, {CONFIG_NAME}, default_severity=True)
    if not config.findings:
        ignore_spec(config.config.ignore).match_file("a" * 300 + "/b/session.yaml")


def test_the_unmutated_bases_are_valid() -> None:
    """The mutations start from files that pass, so they probe the edge of valid."""
    assert parse_sidecar(VALID_SIDECAR.encode(), PATH).findings == ()
    for kind, text in zip(REGISTRY_FILES, BASES[1:4], strict=True):
        parsed = parse_registry(kind, text.encode(), "r.yaml")
        assert parsed.findings == ()
        assert parsed.rows
    assert parse_config(VALID_CONFIG.encode()).findings == ()


# ---------------------------------------------------------------- the whole scanner
ROOT_FILES = [
    "registry/subjects.yaml",
    "registry/projects.yaml",
    "registry/experimenters.yaml",
    CONFIG_NAME,
    "M001/2024-01-15_10-30-00/session.yaml",
    "M001/2024-01-16_09-00-00/session.yaml",
    "M002/a b/é/session.yaml",
    "session.yaml",
    "M003/session.yml",
    "M003/x/Session.yaml",
]
VALID_ROOT = {
    "registry/subjects.yaml": VALID_SUBJECTS.encode(),
    "registry/projects.yaml": VALID_PROJECTS.encode(),
    "registry/experimenters.yaml": VALID_EXPERIMENTERS.encode(),
    "M001/2024-01-15_10-30-00/session.yaml": VALID_SIDECAR.encode(),
    "M001/2024-01-16_09-00-00/session.yaml": VALID_SIDECAR.replace("01-15", "01-16").encode(),
}


@given(st.dictionaries(st.sampled_from(ROOT_FILES), any_input, max_size=6))
def test_validate_whole_roots(changes: dict[str, bytes]) -> None:
    """A valid root with some of its files replaced (or added) by fuzzed ones."""
    files = {**VALID_ROOT, **changes}
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        report, catalog = validate_and_load(root)
        try:
            # a config may change severities (or turn codes off), so severity is free here
            check(report.findings, set(files), default_severity=False)
            sidecars = sum(rel.endswith("/session.yaml") or rel == "session.yaml" for rel in files)
            assert 0 <= report.sessions <= sidecars
            assert report.sessions == len(catalog.sessions())
            report.to_dict()
        finally:
            catalog.close()


@given(st.dictionaries(st.sampled_from(ROOT_FILES), any_input, max_size=6))
def test_validate_whole_remote_roots(changes: dict[str, bytes]) -> None:
    """The same through an fsspec root (``memory://``), read by ``PathRoot``."""
    files = {**VALID_ROOT, **changes}
    memory = fsspec.filesystem("memory")
    base = f"/fuzz-{uuid.uuid4().hex}"
    for rel, data in files.items():
        memory.pipe(f"{base}/{rel}", data)
    try:
        report, catalog = validate_and_load(f"memory://{base}")
        try:
            check(report.findings, set(files), default_severity=False)
            assert report.sessions == len(catalog.sessions())
        finally:
            catalog.close()
    finally:
        memory.rm(base, recursive=True)
