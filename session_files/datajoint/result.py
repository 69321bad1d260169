"""The outcome of a publish, as data: the CLI and Python callers format it as they need."""

from __future__ import annotations

from dataclasses import dataclass, field

from .plan import Conflict, SessionKey


@dataclass(frozen=True)
class PublishResult:
    """What a publish inserted, replaced, left unchanged, and left alone as a conflict.

    With ``dry_run`` nothing was written and every count is what a real run would do.
    """

    schema: str
    dry_run: bool = False
    sessions_inserted: tuple[SessionKey, ...] = ()
    sessions_replaced: tuple[SessionKey, ...] = ()
    sessions_unchanged: int = 0
    registry_inserted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    registry_updated: dict[str, tuple[str, ...]] = field(default_factory=dict)
    registry_unchanged: int = 0
    conflicts: tuple[Conflict, ...] = ()
    rows_inserted: dict[str, int] = field(default_factory=dict)
    errors_left_out: int = 0

    @property
    def ok(self) -> bool:
        """True when no conflict was left alone."""
        return not self.conflicts

    @property
    def changes(self) -> int:
        """Sessions and registry rows inserted, replaced or updated (would be, in a dry run)."""
        registry = sum(len(keys) for keys in self.registry_inserted.values())
        updated = sum(len(keys) for keys in self.registry_updated.values())
        return len(self.sessions_inserted) + len(self.sessions_replaced) + registry + updated
