"""What several reporters share: a finding's position, and repository paths."""

from __future__ import annotations

import os
from pathlib import Path

from session_files.findings import Finding


def position(finding: Finding) -> str:
    """``path:line:col``, ``path:line`` or ``path``, whichever the finding knows."""
    where = finding.path
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
