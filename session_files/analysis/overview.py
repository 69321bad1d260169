"""The figures of a catalog a lab manager looks at: totals, sessions per subject per month,
breakdowns by experimenter, project and chosen attributes, findings by code.

Everything is counted in SQL over the index (group-by queries), so an overview of a
100,000-session root costs about as much as listing it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from session_files.findings import Finding
from session_files.index.catalog import Catalog


@dataclass(frozen=True)
class SubjectSummary:
    """One subject's sessions: how many, first and last date-time."""

    subject: str
    sessions: int
    first: str
    last: str


@dataclass
class Overview:
    """Plain figures of one catalog (no open connection)."""

    root: str
    sessions: int
    subjects: int
    left_out: int
    errors: int
    warnings: int
    months: list[str]
    per_month: dict[str, int]
    per_subject_month: dict[tuple[str, str], int]
    per_subject: list[SubjectSummary]
    experimenters: list[tuple[str, int]]
    projects: list[tuple[str, int]]
    attribute_names: list[tuple[str, int]]
    attributes: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)  # chosen attribute -> declared unit

    def findings_by_code(self) -> dict[str, list[Finding]]:
        """The findings grouped by code, codes with errors first, then by count."""
        groups: dict[str, list[Finding]] = {}
        for finding in self.findings:
            groups.setdefault(finding.code, []).append(finding)
        return dict(
            sorted(
                groups.items(),
                key=lambda item: (
                    not any(f.severity == "error" for f in item[1]),
                    -len(item[1]),
                    item[0],
                ),
            )
        )


def month_range(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last``, gaps included."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months: list[str] = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _counts(rows: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(((str(k), int(n)) for k, n in rows), key=lambda kv: (-kv[1], kv[0]))


def build_overview(catalog: Catalog, *, attributes: Iterable[str] = ()) -> Overview:
    """The figures of ``catalog`` (as ``load_catalog`` gives it: with its findings and
    left-out count); ``attributes``: names whose values are broken down."""
    conn = catalog._conn  # read-only aggregate queries over the public views
    per_subject_month: dict[tuple[str, str], int] = {}
    for subject, month, count in conn.execute(
        "SELECT subject, substr(session_datetime, 1, 7), count(*) FROM session GROUP BY 1, 2"
    ):
        per_subject_month[(subject, month)] = count
    per_month: Counter[str] = Counter()
    for (_, month), count in per_subject_month.items():
        per_month[month] += count
    months = month_range(min(per_month), max(per_month)) if per_month else []
    per_subject = [
        SubjectSummary(subject, count, first, last)
        for subject, count, first, last in conn.execute(
            "SELECT subject, count(*), min(session_datetime), max(session_datetime)"
            " FROM session GROUP BY subject ORDER BY count(*) DESC, subject"
        )
    ]
    sessions = sum(s.sessions for s in per_subject)
    experimenters = _counts(
        conn.execute('SELECT "user", count(*) FROM session_experimenter GROUP BY 1')
    )
    with_users = int(
        conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT subject, session_datetime FROM session_experimenter)"
        ).fetchone()[0]
    )
    if sessions - with_users:  # sorted in by its count like any other value
        experimenters = _counts([*experimenters, ("(none)", sessions - with_users)])
    projects = _counts(conn.execute("SELECT project, count(*) FROM project_session GROUP BY 1"))
    with_projects = int(
        conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT subject, session_datetime FROM project_session)"
        ).fetchone()[0]
    )
    if sessions - with_projects:
        projects = _counts([*projects, ("(none)", sessions - with_projects)])
    attribute_names = _counts(
        conn.execute('SELECT attribute_name, count(*) FROM "session__attribute" GROUP BY 1')
    )
    chosen: dict[str, list[tuple[str, int]]] = {}
    for name in dict.fromkeys(attributes):
        values = _counts(
            conn.execute(
                'SELECT attribute_value, count(*) FROM "session__attribute"'
                " WHERE attribute_name = ? GROUP BY 1",
                (name,),
            )
        )
        missing = sessions - sum(n for _, n in values)
        if missing:
            values = _counts([*values, ("(not set)", missing)])
        chosen[name] = values
    findings = catalog.findings
    return Overview(
        root=catalog.root,
        sessions=sessions,
        subjects=len(per_subject),
        left_out=catalog.left_out,
        errors=sum(f.severity == "error" for f in findings),
        warnings=sum(f.severity == "warning" for f in findings),
        months=months,
        per_month=dict(per_month),
        per_subject_month=per_subject_month,
        per_subject=per_subject,
        experimenters=experimenters,
        projects=projects,
        attribute_names=attribute_names,
        attributes=chosen,
        findings=findings,
        units={
            n: i["unit"] for n, i in (catalog.vocabulary or {}).items() if n in chosen and i["unit"]
        },
    )
