"""The outcome of a publish, as data: the CLI and Python callers format it as they need."""

from __future__ import annotations

from dataclasses import dataclass, field

from session_files.records import TABLES

from .cascade import Cascade, full_name
from .plan import Conflict, Plan, Rows, SessionKey


@dataclass(frozen=True)
class PublishResult:
    """What a publish inserted, updated, deleted, left unchanged, and left alone.

    With ``dry_run`` nothing was written and every count is what a real run would do.
    ``cascade`` counts, per table (``schema.table``), the rows the run's deletes reach, in
    every schema of the database; ``downstream`` is the part of it in tables session-files
    does not declare. ``refused`` is true when such rows exist and ``cascade`` was not
    given: then nothing was written.
    """

    schema: str
    root_id: str = ""
    dry_run: bool = False
    sessions_inserted: tuple[SessionKey, ...] = ()
    sessions_replaced: tuple[SessionKey, ...] = ()
    sessions_unchanged: int = 0
    sessions_adopted: tuple[SessionKey, ...] = ()
    sessions_missing: tuple[SessionKey, ...] = ()
    sessions_pruned: tuple[SessionKey, ...] = ()
    registry_inserted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    registry_updated: dict[str, tuple[str, ...]] = field(default_factory=dict)
    registry_unchanged: int = 0
    conflicts: tuple[Conflict, ...] = ()
    changes_by_session: dict[SessionKey, tuple[str, ...]] = field(default_factory=dict)
    cascade: dict[str, int] = field(default_factory=dict)
    downstream: dict[str, int] = field(default_factory=dict)
    refused: bool = False
    rows_inserted: dict[str, int] = field(default_factory=dict)
    rows_updated: dict[str, int] = field(default_factory=dict)
    rows_deleted: dict[str, int] = field(default_factory=dict)
    errors_left_out: int = 0
    vocabulary_rows: dict[str, int] = field(default_factory=dict)  # inserted, deleted

    @property
    def ok(self) -> bool:
        """True when the schema now holds the root's view: no conflict left alone, nothing
        refused, no session of this root missing on disk left in the database."""
        missing = len(self.sessions_missing) > len(self.sessions_pruned)
        return not self.conflicts and not self.refused and not missing

    @property
    def changes(self) -> int:
        """Sessions and registry rows inserted, replaced, pruned or updated (would be, in a
        dry run)."""
        registry = sum(len(keys) for keys in self.registry_inserted.values())
        updated = sum(len(keys) for keys in self.registry_updated.values())
        sessions = (
            len(self.sessions_inserted) + len(self.sessions_replaced) + len(self.sessions_pruned)
        )
        return sessions + registry + updated


def result_of(
    plan: Plan,
    schema: str,
    root_id: str,
    reach: Cascade,
    declared: dict[tuple[str, str], str],
    *,
    replace: bool,
    prune: bool,
) -> PublishResult:
    """The result of a plan (before it is written), with the rows its deletes reach."""

    def keys(rows_by_table: dict[str, Rows]) -> dict[str, tuple[str, ...]]:
        return {
            table: tuple(str(row[TABLES[table].PRIMARY_KEY[0]]) for row in rows)
            for table, rows in rows_by_table.items()
            if rows
        }

    replaced = list(plan.changed_sessions) if replace else []
    conflicts = [*plan.foreign_registry, *plan.foreign_sessions]
    if not replace:
        conflicts = [*plan.registry_conflicts, *plan.foreign_registry, *plan.session_conflicts,
                     *plan.foreign_sessions]  # fmt: skip
    changes = {c.key: c.differences for c in plan.session_conflicts if c.key in replaced}
    return PublishResult(
        schema=schema,
        root_id=root_id,
        sessions_inserted=tuple(plan.new_sessions),
        sessions_replaced=tuple(replaced),
        sessions_unchanged=len(plan.unchanged_sessions),
        sessions_adopted=tuple(plan.adopted_sessions),
        sessions_missing=tuple(plan.missing_sessions),
        sessions_pruned=tuple(plan.missing_sessions) if prune else (),
        registry_inserted=keys(plan.new_registry),
        registry_updated=keys(plan.changed_registry) if replace else {},
        registry_unchanged=sum(plan.unchanged_registry.values()),
        conflicts=tuple(conflicts),
        changes_by_session={(k[0], k[1]): v for k, v in changes.items()},
        cascade={full_name(t): n for t, n in sorted(reach.counts.items()) if n},
        downstream={full_name(t): n for t, n in sorted(reach.beyond(set(declared)).items())},
    )
