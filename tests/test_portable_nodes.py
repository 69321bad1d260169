"""The portable profile read from the node tree (``portable_nodes``) finds exactly what the
walk over libyaml's tokens finds: the same code, message and position, for every input.

``yamlsafe.compose`` checks a composed document from its node tree and walks the tokens only
where the tree does not say enough (``NeedsTokens``); these tests compare the two on the
official YAML test suite (whole and embedded in sidecars, registries and config), on the
profile's own examples, and on bent documents (Hypothesis).
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from session_files.read import portable
from session_files.read.portable_nodes import NeedsTokens, from_nodes
from tests.test_yaml_suite import texts
from tests.test_yaml_suite_profile import _BASES, HEAD, ORDINARY, REFUSED, _bent
from tests.yaml_suite import load_suite


def _composed(text: str) -> yaml.Node | None:
    """The node tree ``yamlsafe.compose`` would check, or None where it refuses earlier."""
    if portable.unportable_character(text):
        return None  # refused before composing
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:  # not YAML to libyaml (or several documents): its own finding
        return None


def _agree(text: str) -> str:
    """Assert that the tree and the token walk agree on ``text``; which one answered."""
    node = _composed(text)
    if node is None:
        return "not composed"
    walked = portable.unportable(text)
    assert portable.unportable(text, node) == walked, text
    if not portable._MAY_BE_UNPORTABLE.search(text):
        return "not walked"
    try:
        assert from_nodes(text, node) == walked, text
    except NeedsTokens:
        return "tokens"
    return "tree" if walked is None else "tree, refused"


def _corpus() -> list[str]:
    found = [item.text for case in load_suite() for item in texts(case)]
    found += [HEAD + text for text, *_ in REFUSED] + ORDINARY + _BASES
    return found + [text.replace("\n", "\r\n") for text in found]


def test_the_tree_and_the_token_walk_agree_on_the_suite_and_the_profile_examples() -> None:
    answered: dict[str, int] = {}
    for text in _corpus():
        how = _agree(text)
        answered[how] = answered.get(how, 0) + 1
    # the tree answers most documents, refusals included; the rest go to the tokens
    assert answered["tree"] > 1000, answered
    assert answered["tree, refused"] > 50, answered
    assert answered["tokens"] > 500, answered


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (HEAD + "experimenters: [alice, bob]\nnote: |\n  a\n", "tree"),
        (HEAD + "note: |\n  a\n# did you mean 'rig'? 100%... a&b, a*b\n", "tree"),
        (HEAD + "note: |\n  a\n# a comment & more\n", "tokens"),
        (HEAD + "note: 'why? a&b, 100% ... #x'\n", "tree"),
        (HEAD + "note: 'why? & so'\n", "tokens"),
        (HEAD + "note: 'a'\nblob: {x: [a,\n  b]}\n", "tree"),
        (HEAD + "note: !!str 'a'\n", "tokens"),
        (HEAD + "note: &a 'a'\n", "tokens"),
        ("a: &a ['x', 'x']\nb: &b [*a, *a]\nc: [*b, *b, *b]\n", "tokens"),
        (HEAD + "note: 'a' #x\nother: [a]#x\n", "tokens"),
        (HEAD + "note: 'a\tb'\n", "tokens"),
        (HEAD + "experimenters: [a, b]\n...\n", "tokens"),
        (HEAD + "experimenters:\n- [a,\n b]\n", "tree"),
        (HEAD + "experimenters: [a,\nb]\n", "tree, refused"),
        (HEAD + "blob: [{'a':b}]\n", "tree, refused"),
        (HEAD + "blob: [a, # c:x\n  b]\n", "tree"),
        (HEAD + "blob: [-]\nnote: >\n \n  x\n", "tree, refused"),
    ],
)
def test_the_tree_answers_what_it_holds_and_leaves_the_rest_to_the_tokens(
    text: str, answer: str
) -> None:
    assert _agree(text) == answer


# Fragments that keep a document within what the tree answers, and a few that do not.
_TREE_FRAGMENTS = [*":-[]{},|>'\"# \n.0a\\", "\n  ", "\n    ", "# ", " #", "- ", ": "]
_TREE_FRAGMENTS += ["---\n", "|\n", ">-\n", "|2\n", "|+\n", "\r\n", "\r", "? ", "!!str "]


def _bent_for_the_tree() -> st.SearchStrategy[str]:
    """Bent documents without tabs (the tree hands any tab to the walk), with its fragments."""
    return _bent(_TREE_FRAGMENTS, bends=4, tabs=False)


@pytest.mark.fuzz
@given(_bent_for_the_tree() | _bent())
@example("a: [b,\nc]\nd: 'e\nf'\n")
@example("- a: |\n  b\n")
@example("a:\n- b\n- 'c\n d'\n")
def test_the_tree_and_the_token_walk_agree_on_bent_documents(text: str) -> None:
    _agree(text)
