"""What several reporters share: a finding's position, and repository paths."""

from __future__ import annotations

import os
import re
from pathlib import Path

from session_files.findings import Finding

# C0 and C1 controls (a newline would forge an output line, ESC starts terminal escapes),
# line and paragraph separators, and bidirectional overrides ("Trojan Source")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` for a terminal or a line-based reader: control characters as ``\\n``,
    ``\\x1b``, ``\\u202e``... (names from the files are untrusted). With ``keep_newlines``
    a line break stays a line break."""
    if text.isprintable() and text.isascii():
        return text
    if keep_newlines:
        return "\n".join(_CONTROL.sub(_escape, line) for line in text.split("\n"))
    return _CONTROL.sub(_escape, text)


def position(finding: Finding, prefix: str = "") -> str:
    """``path:line:col``, ``path:line`` or ``path``, whichever the finding knows (control
    characters in the path escaped); ``prefix`` goes before a root-relative path."""
    where = escape_controls(prefixed(prefix, finding.path))
    if finding.line is not None:
        where += f":{finding.line}"
        if finding.column is not None:
            where += f":{finding.column}"
    return where


def repository_prefix(root: str) -> str:
    """The root's path relative to the repository, as a prefix for root-relative paths.

    CI annotations (GitHub workflow commands, SARIF) need paths relative to the
    repository checkout, while findings are relative to the data root. The base is
    ``$GITHUB_WORKSPACE`` when it is set (the checkout in GitHub Actions), otherwise
    the current directory. A root inside the base gives ``"sub/dir/"``; the base
    itself, a root elsewhere, or a URL root gives ``""`` (paths stay root-relative).
    """
    if "://" in root:
        return ""
    base = os.environ.get("GITHUB_WORKSPACE") or Path.cwd()
    try:
        relative = Path(root).resolve().relative_to(Path(base).resolve())
    except (OSError, ValueError):
        return ""
    prefix = relative.as_posix()
    return "" if prefix == "." else prefix + "/"


def prefixed(prefix: str, path: str) -> str:
    """``prefix + path`` for a root-relative path; an absolute one (a registry outside the
    root) stays as it is."""
    return path if path.startswith("/") or "://" in path else prefix + path


def working_prefix(root: str) -> str:
    """The prefix that makes root-relative paths resolve from the current directory.

    A root inside the current directory gives ``"data/"`` (a pre-commit hook runs at the top
    of the repository, the data root may be a subfolder); the current directory inside the
    root gives ``"../"`` steps; the root itself, a root elsewhere, or a URL gives ``""``.
    """
    if "://" in root:
        return ""
    try:
        here = Path.cwd().resolve()
        where = Path(root).resolve()
    except OSError:
        return ""
    if where == here:
        return ""
    if where.is_relative_to(here):
        return where.relative_to(here).as_posix() + "/"
    if here.is_relative_to(where):
        return "../" * len(here.relative_to(where).parts)
    return ""
