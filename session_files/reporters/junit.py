"""JUnit XML, the test-report format GitLab, Jenkins, Azure Pipelines and others display.

The document is ``<testsuites>`` holding one ``<testsuite name="session-files">``
with one ``<testcase>`` per checked file (each sidecar in the view, and each file
with a finding); ``name``, ``classname`` and ``file`` are the root-relative path.
A file with error findings fails: its test case holds one ``<failure>`` (the
usual JUnit schema allows one per test case, and CI systems show only one), with
``message="N error(s)"`` and one line per error, in the text format, as its body.
Warnings never fail a file: they are listed the same way in the test case's
``<system-out>``. ``tests`` counts files and ``failures`` failing files;
``errors`` and ``skipped`` are always 0.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from session_files.findings import Finding
from session_files.report import Report

from .text import finding_line, plural

SUITE_NAME = "session-files"
# Characters XML 1.0 cannot carry at all (control characters, lone surrogates from
# undecodable file names); they become U+FFFD so the document always parses.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def checked_files(report: Report) -> list[str]:
    """The report's checked files, and every file with a finding (a report built by hand
    may list no files)."""
    return sorted({*report.files, *(finding.path for finding in report.findings)})


def _testcase(path: str, findings: list[Finding]) -> ET.Element:
    name = _xml_text(path)
    case = ET.Element("testcase", name=name, classname=name, file=name)
    errors = [finding for finding in findings if finding.severity == "error"]
    warnings = [finding for finding in findings if finding.severity != "error"]
    if errors:
        failure = ET.SubElement(
            case, "failure", message=plural(len(errors), "error"), type="session-files"
        )
        failure.text = _xml_text("\n".join(finding_line(finding) for finding in errors))
    if warnings:
        out = ET.SubElement(case, "system-out")
        out.text = _xml_text("\n".join(finding_line(finding) for finding in warnings))
    return case


def to_element(report: Report) -> ET.Element:
    """The ``<testsuites>`` element of the report."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(report.findings):
        by_file[finding.path].append(finding)
    cases = [_testcase(path, by_file.get(path, [])) for path in checked_files(report)]
    if report.failure is not None:  # the check could not run: one test case in error says why
        case = ET.Element("testcase", name=SUITE_NAME, classname=SUITE_NAME)
        error = ET.SubElement(
            case, "error", message=_xml_text(report.failure), type="could-not-run"
        )
        error.text = _xml_text(report.failure)
        cases.append(case)
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(case.find("failure") is not None for case in cases)),
        "errors": str(sum(case.find("error") is not None for case in cases)),
        "skipped": "0",
    }
    suites = ET.Element("testsuites", {"name": SUITE_NAME, **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": SUITE_NAME, **counts})
    suite.extend(cases)
    return suites


def render(report: Report, *, color: bool = False) -> str:
    """The JUnit XML document, with an XML declaration, indented."""
    del color  # XML is read by programs
    root = to_element(report)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body
