"""SARIF 2.1.0, the format GitHub code scanning and most code-review tools import.

One run whose driver is ``session-files`` with a rule for every finding code, and
one result per finding. Artifact URIs are relative to ``%SRCROOT%``, the
repository checkout: the data root's place inside it is a prefix, as for the
``github`` format (see :func:`~session_files.reporters._common.repository_prefix`).
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from session_files.findings import CODES, Finding
from session_files.report import Report

from ._common import repository_prefix

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
_DIST = "session-files"


def _driver_metadata() -> tuple[str, str]:
    """The installed distribution's version and home page (the PyPI page as a fallback)."""
    try:
        meta = metadata.metadata(_DIST)
    except metadata.PackageNotFoundError:
        return "0", f"https://pypi.org/project/{_DIST}/"
    home = f"https://pypi.org/project/{_DIST}/"
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in {"homepage", "home", "source", "repository"}:
            home = url.strip()
            break
    return meta["Version"], home


def rules() -> list[dict[str, Any]]:
    """One reporting descriptor per finding code, in :data:`CODES` order."""
    return [
        {
            "id": code,
            "shortDescription": {"text": description},
            "defaultConfiguration": {"level": severity},
        }
        for code, (severity, description) in CODES.items()
    ]


def result(finding: Finding, prefix: str, rule_index: dict[str, int]) -> dict[str, Any]:
    """One SARIF result: rule, level, message and (where known) the region."""
    physical: dict[str, Any] = {
        "artifactLocation": (
            {"uri": Path(finding.path).as_uri()}  # a registry outside the root
            if finding.path.startswith("/")
            else {"uri": quote(prefix + finding.path), "uriBaseId": SRCROOT}
        )
    }
    if finding.line is not None:
        region = {"startLine": finding.line}
        if finding.column is not None:
            region["startColumn"] = finding.column
        physical["region"] = region
    out: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in rule_index:
        out["ruleIndex"] = rule_index[finding.code]
    out["level"] = finding.severity
    out["message"] = {"text": finding.message}
    out["locations"] = [{"physicalLocation": physical}]
    return out


def _invocation(report: Report) -> dict[str, Any]:
    """Whether the check ran; when it could not, the reason as an error notification."""
    if report.failure is None:
        return {"executionSuccessful": True}
    return {
        "executionSuccessful": False,
        "exitCode": 2,
        "exitCodeDescription": report.failure,
        "toolExecutionNotifications": [{"level": "error", "message": {"text": report.failure}}],
    }


def to_sarif(report: Report) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dictionary."""
    version, home = _driver_metadata()
    prefix = repository_prefix(report.root)
    rule_index = {code: index for index, code in enumerate(CODES)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": _DIST,
                "version": version,
                "informationUri": home,
                "rules": rules(),
            }
        },
        "invocations": [_invocation(report)],
        "columnKind": "unicodeCodePoints",
        "results": [result(finding, prefix, rule_index) for finding in sorted(report.findings)],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, *, color: bool = False) -> str:
    """The SARIF log, indented JSON."""
    del color  # SARIF is read by programs
    return json.dumps(to_sarif(report), indent=2)
