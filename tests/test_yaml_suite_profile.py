"""The portable profile, construct by construct (docs/format.md, "Portable YAML").

Each sidecar issue 20 found accepted (invalid YAML libyaml parses, explicit tags, plain
scalars a YAML 1.2 reader cannot read, YAML 1.1 line breaks, valid YAML libyaml misreads, the
line reader's 1,025-character key) is refused, at its position, with a message that says how
to write it portably, by the sidecar reader's fast and full paths alike and by the registry
and config readers. Ordinary sidecars still pass. A Hypothesis test bends sidecars and suite
documents at random: whatever the full reader accepts, ruamel.yaml and yaml-rs read the same.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from session_files.read import portable
from session_files.read.ambiguous import ambiguous_findings
from session_files.read.config import parse_config
from session_files.read.registry import parse_registry
from session_files.read.sidecar import parse_sidecar, parse_sidecar_fully
from session_files.read.yamlsafe import YamlProblem, load
from session_files.write.writer import dump_yaml
from tests.test_yaml_suite import ruamel_reads, strict, yaml_rs_reads
from tests.yaml_suite import load_suite

HEAD = "subject: M001\nsession_datetime: 2024-01-15 10:30:00\n"
ENTRY = "M001:\n  sex: F\n  subject_birth_date: 2023-10-01\n"

# (what follows HEAD, code, line, column, a piece of the message: how to write it)
REFUSED = [
    # invalid YAML that libyaml parses
    ("experimenters: [alice, bob]#x\n", "yaml-syntax", 3, 28, "put a space before '#'"),
    ('note: "value"# x\n', "yaml-syntax", 3, 14, "put a space before '#'"),
    ("experimenters: [alice,\nbob]\n", "yaml-syntax", 4, 1, "indent this line by more than 0"),
    ("experimenters: [alice,\n\tbob]\n", "yaml-syntax", 4, 1, "use spaces"),
    ("experimenters: [-]\n", "yaml-syntax", 3, 17, "quote it ('-')"),
    ("note: ># comment\n  scalar\n", "yaml-syntax", 3, 7, "a space before any comment"),
    ('note: "a\nb"\n', "yaml-syntax", 4, 1, "indent this line"),
    ("note: a\t\n", "yaml-syntax", 3, 8, "use spaces"),
    ("note:\t|\n  x\n", "yaml-syntax", 3, 6, "use spaces"),
    ("note: >\n \n  x\n", "yaml-syntax", 4, 1, "leave the blank lines before its first line empty"),
    ("note: |\n", "yaml-syntax", 3, 7, "write '' for empty text"),
    ("note: |\n  x", "yaml-syntax", 4, 4, "end the file with a line break"),
    ("note:\n|\n x\n", "yaml-syntax", 4, 1, "indent the '|' or '>' more"),
    ("...\n...\n", "yaml-syntax", 4, 1, "remove it"),
    # explicit tags: only !!str is kept
    ("attributes:\n  x: !!float nope\n", "yaml-syntax", 4, 6, "remove the tag"),
    ("attributes:\n  x: !!int nope\n", "yaml-syntax", 4, 6, "remove the tag"),
    ("attributes:\n  x: !!bool 1\n", "yaml-syntax", 4, 6, "remove the tag"),
    ("attributes:\n  x: !!int\n", "yaml-syntax", 4, 6, "remove the tag"),
    ("attributes:\n  x: !!float 0x10\n", "yaml-syntax", 4, 6, "remove the tag"),
    ("attributes:\n  x: !!timestamp nope\n", "yaml-syntax", 4, 6, "remove the tag"),
    ("attributes:\n  x: !!value foo\n", "yaml-syntax", 4, 6, "remove the tag"),
    ("attributes:\n  x:\n    blob: !!int '017'\n", "yaml-syntax", 5, 11, "remove the tag"),
    ("attributes:\n  x: !!int '1:30'\n", "yaml-syntax", 4, 6, "remove the tag"),
    ("attributes:\n  x: !<tag:yaml.org,2002:str> a\n", "yaml-syntax", 4, 6, "as !!str"),
    ("attributes:\n  x: {a: !!str, b: c}\n", "yaml-syntax", 4, 10, "put a space after it"),
    ("attributes:\n  x: !lab a\n", "yaml-forbidden", 4, 6, "only YAML's core types"),
    ("attributes:\n  x:\n    blob: !!str [a]\n", "yaml-syntax", 5, 11, "!!str is for text"),
    # plain scalars a YAML 1.2 reader cannot read
    ("attributes:\n  x: ._\n", "yaml-ambiguous", 4, 6, "quote it ('._')"),
    ("attributes:\n  x: -_\n", "yaml-ambiguous", 4, 6, "quote it ('-_')"),
    ("attributes:\n  x: +_\n", "yaml-ambiguous", 4, 6, "quote it ('+_')"),
    ("attributes:\n  x: 0o_\n", "yaml-ambiguous", 4, 6, "quote it ('0o_')"),
    ("attributes:\n  x: 0b_\n", "yaml-ambiguous", 4, 6, "quote it ('0b_')"),
    ("attributes:\n  x: 0x_\n", "yaml-ambiguous", 4, 6, "quote it ('0x_')"),
    # YAML 1.1 line breaks
    ("note: x\u2028experimenters: [alice]\n", "yaml-syntax", 3, 8, "the escape \\L"),
    ("note: x\x85y\n", "yaml-syntax", 3, 8, "the escape \\N"),
    ("note: '\u2029'\n", "yaml-syntax", 3, 8, "the escape \\P"),
    # valid YAML libyaml misreads
    ("attributes:\n  x:\n    blob: {?foo: bar}\n", "yaml-syntax", 5, 12, "quote the text"),
    ("attributes:\n  x:\n    blob: [?x]\n", "yaml-syntax", 5, 12, "quote the text"),
    ("attributes:\n  x:\n    blob: ! 12\n", "yaml-syntax", 5, 11, "remove it"),
    ("attributes:\n  x: &an:chor value\n", "yaml-syntax", 4, 6, "end the name with a space"),
    ("attributes:\n  x:\n    blob: [{'a':b}]\n", "yaml-syntax", 5, 16, "put a space after ':'"),
    # a lone '-' ending plain text right before a flow indicator: yaml-rs refuses it (found by
    # the ci-fuzz profile); the line reader declines it, so both paths give this finding
    ("attributes:\n  x:\n    blob: ['k':, v]\n", "yaml-syntax", 5, 15, "write the value"),
    ("experimenters: [alice -]\n", "yaml-syntax", 3, 17, "or put a space before ']'"),
    ("experimenters: [alice -, bob]\n", "yaml-syntax", 3, 17, "quote it ('alice -')"),
    ("attributes:\n  x:\n    blob: {e: f -}\n", "yaml-syntax", 5, 15, "put a space before '}'"),
    ("attributes:\n  x:\n    blob: [&a {e: f -}]\n", "yaml-syntax", 5, 19, "put a space before '}'"),
    # the line reader's long key: the full reader's refusal, with what to do
    ("attributes:\n  x:\n    blob:\n      " + "k" * 1025 + ": 1\n", "yaml-syntax", 6, 1032, "shorten it"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "code", "line", "column", "fix"), REFUSED)
def test_a_construct_outside_the_profile_is_refused_with_how_to_write_it(
    text: str, code: str, line: int, column: int, fix: str
) -> None:
    data = (HEAD + text).encode()
    parsed = parse_sidecar(data, "s/session.yaml")
    assert parsed == parse_sidecar_fully(data, "s/session.yaml")  # the fast path agrees
    assert parsed.record is None
    (finding,) = parsed.findings
    assert (finding.code, finding.line, finding.column) == (code, line, column), finding
    assert fix in finding.message, finding.message
    # the registry and config readers refuse it the same way, one line further down
    # (they build every value: '0x_' cannot be made into the number its form says it is)
    codes = {code, "yaml-syntax"} if code == "yaml-ambiguous" else {code}
    registry = parse_registry("subjects", (ENTRY + text).encode(), "registry/subjects.yaml")
    ((got, *where),) = [(f.code, f.line, f.column) for f in registry.findings]
    assert got in codes and where == [line + 1, column]
    assert registry.rows == {} or code == "yaml-ambiguous"
    config = parse_config(("registry: registry\n" + text).encode())
    assert config.findings[0].code in codes and config.findings[0].line == line - 1


@pytest.mark.parametrize(
    ("head", "code", "column", "fix"),
    [
        ("%TAG !! tag:example.com,2000:", "yaml-forbidden", 1, "remove the directive"),
        ("%YAML 1.1#comment", "yaml-syntax", 10, "put a space before '#'"),
    ],
)
def test_directives_other_than_yaml_1_1_and_1_2_are_refused(
    head: str, code: str, column: int, fix: str
) -> None:
    parsed = parse_sidecar(f"{head}\n---\n{HEAD}".encode(), "s/session.yaml")
    (finding,) = parsed.findings
    assert (finding.code, finding.line, finding.column) == (code, 1, column)
    assert fix in finding.message


def test_the_line_reader_declines_a_key_the_full_reader_refuses() -> None:
    """Was: a blob key of 1,025 characters passed the line reader, not the full reader."""
    for width, ok in ((1024, True), (1025, False)):
        data = f"{HEAD}attributes:\n  x:\n    blob:\n      {'k' * width}: 1\n".encode()
        parsed = parse_sidecar(data, "s/session.yaml")
        assert parsed == parse_sidecar_fully(data, "s/session.yaml")
        assert parsed.ok is ok


ORDINARY = [
    HEAD + "note: text # a comment after a space\n",
    "# leading comment\n" + HEAD + "experimenters: [alice, bob]  # trailing\n",
    HEAD + "note: |\n  line one\n\n  line three\n",
    HEAD + "note: >-\n  folded\n  text\n",
    HEAD + "note: |2\n    indented\n  first\n",
    HEAD + "experimenters:\n  - alice\n  - bob\nprojects: [a,\n  b]\n",
    HEAD + "attributes:\n  x: {value: v, blob: {a: [1, 2.5, true, null], b: 'q'}}\n",
    HEAD + "attributes:\n  x:\n    blob: [1, 2,\n      3]\n",
    HEAD + 'note: "Temperatur 36,5 °C — gut. 実験 \\u2028 escaped"\n',
    HEAD + "note: 'it''s multi\n  line quoted'\n",
    HEAD + "note: !!str 017\n",
    HEAD + "note: a\tb in 'quotes' is fine as a comment? no\n".replace("\t", " "),
    HEAD + 'note: "a\tb"\n',
    HEAD + "note: |\n  a\tb\n",
    HEAD + "note: x # a\tcomment\n",
    "%YAML 1.1\n---\n" + HEAD + "...\n",
    "%YAML 1.2\n---\n" + HEAD,
    HEAD + "attributes:\n  a: &shared {value: v}\n  b: *shared\n",
    HEAD + "attributes:\n  ? explicit\n  : v\n",
]


@pytest.mark.parametrize("text", ORDINARY)
@pytest.mark.parametrize("form", ["lf", "crlf", "bom"])
def test_ordinary_sidecars_still_pass(text: str, form: str) -> None:
    data = text.encode()
    if form == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif form == "bom":
        data = b"\xef\xbb\xbf" + data
    parsed = parse_sidecar(data, "s/session.yaml")
    assert parsed.findings == (), parsed.findings
    assert parsed == parse_sidecar_fully(data, "s/session.yaml")


# ------------------------------------------------------------- differential fuzzing
_FRAGMENTS = [*":-[]{},&*!|>'\"#%?~ \t\n.0a\\", "\n  ", "# ", " #", "!!str ", "&a ", "*a"]
_FRAGMENTS += ["? ", "- ", ": ", "---\n", "...\n", "|\n", ">-\n", "|2\n", "\u2028", "\x85"]
_BASES = [
    HEAD + "experimenters: [alice, bob]\nnote: |\n  line one\n  line two\n"
    "attributes:\n  rig: rig-3 # c\n  t: 36.50\n  p:\n    value: x\n"
    "    blob: [1, {a: b}, 'q', \"d\"]\n",
    "a:\n  - x\n  - {b: c, d: [e, f]}\n  - >-\n    folded\n    text\n? k\n: v\n",
]


@st.composite
def _bent(
    draw: st.DrawFn,
    fragments: list[str] | None = None,
    bends: int = 3,
    tabs: bool = True,
) -> str:
    """A suite document or a base sidecar, bent 1..``bends`` times: a fragment inserted
    (``fragments``, by default this module's), a character deleted, a piece copied."""
    valid = [c.yaml for c in load_suite() if not c.fail and (tabs or "\t" not in c.yaml)]
    text = draw(st.sampled_from(_BASES + valid))
    for _ in range(draw(st.integers(1, bends))):
        at = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["insert", "delete", "copy"]))
        if how == "insert":
            text = text[:at] + draw(st.sampled_from(fragments or _FRAGMENTS)) + text[at:]
        elif how == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            start = draw(st.integers(0, len(text)))
            text = text[:at] + text[start : start + draw(st.integers(1, 8))] + text[at:]
    return text


@pytest.mark.fuzz
@given(_bent())
@example("stip: >-\n\nclip: >\n\nkeep: |+\n")
@example("- aaa: |2\n   #  xxx\n  bbb: |\n    xxx\n")
@example("'k' : [\n  'a' :y' value,\n ]\n")
@example("a: 'q\n * x'\n")
@example("--- |-\n#  ab\n \n \n...\n")
@example("\n  &flowseq [\n a: b,\n &c c: d,\n { &e e: f -},\n &g { g: h }\n]\n")
@example('"implicit block key" : [\n  "implicit flow key" :, value,\n ]\n')
def test_whatever_the_reader_accepts_every_reader_reads_the_same(text: str) -> None:
    try:
        node, ours = load(text.encode())
    except YamlProblem:
        return
    if node is not None and ambiguous_findings(node, "f.yaml"):
        return
    for name, read in (("ruamel.yaml", ruamel_reads), ("yaml-rs", yaml_rs_reads)):
        accepted, theirs = read(text)
        assert accepted, f"{name} refuses {text!r}, read here as {ours!r}"
        assert strict(theirs) == strict(ours), f"{name} reads {theirs!r}, here {ours!r}"


_TEXT = st.lists(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(_FRAGMENTS),
    max_size=60,
).map("".join)
_BLOB = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text("abc_-1", min_size=1, max_size=4), children, max_size=3)
    ),
    max_leaves=12,
)


@pytest.mark.fuzz
@settings(max_examples=min(settings.default.max_examples, 1000))  # ~45 ms an example
@given(_TEXT, _TEXT, _BLOB)
@example("word " * 40 + "\x01", "a\tb", ["x" * 12] * 12)
def test_what_the_writer_writes_is_portable(note: str, value: str, blob: object) -> None:
    """The package's YAML writer stays inside the profile: its files read back the same
    here, in ruamel.yaml and in yaml-rs."""
    document = {"note": note, "attributes": {"x": {"value": value, "blob": blob}}}
    text = dump_yaml(document)
    node, ours = load(text.encode())
    assert ours == document
    assert node is not None and ambiguous_findings(node, "f.yaml") == []
    for name, read in (("ruamel.yaml", ruamel_reads), ("yaml-rs", yaml_rs_reads)):
        accepted, theirs = read(text)
        assert accepted, f"{name} refuses {text!r}"
        assert strict(theirs) == strict(ours), f"{name} reads {theirs!r}"


@pytest.mark.fuzz
@given(_bent())
@example("::\n")
@example("-:\n")
@example("]-]:\n")
def test_text_that_is_not_walked_has_nothing_the_walk_would_find(text: str) -> None:
    """``portable.unportable`` skips text without the characters its rules need."""
    if portable._MAY_BE_UNPORTABLE.search(text) or portable.unportable_character(text):
        return  # walked, or refused before (U+2028 and friends)
    try:  # the walk runs only on what libyaml composes (']-]:' is refused before it)
        load(text.encode())
    except YamlProblem:
        return
    scanner = portable._Scanner(text)
    try:
        found = portable._Walk(text).run(scanner)
    except yaml.YAMLError:  # not YAML to libyaml: its own finding
        return
    finally:
        scanner.dispose()
    assert found is None, (text, found)
