"""Where every command's changes are written: the one place that saves.

A command changes one or more aggregates and hands them to the committer,
which writes all their pending events atomically. ``DirectCommitter`` gives
each command a transaction of its own; ``group_committing.GroupCommitter``
lets concurrent commands share one (chosen by a setting in ``bootstrap.py``),
without touching any command.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from grassroots.application.errors import ConcurrentChange

__all__ = ["Committer", "DirectCommitter"]


class Committer(Protocol):
    def commit(self, aggregates: Sequence[Aggregate]) -> None:
        """Write the aggregates' pending events in one transaction, or none of them.

        Raises ConcurrentChange when another writer recorded a conflicting event
        (the same aggregate at the same version, or a create of an id already
        taken) first.
        """


class DirectCommitter:
    """Each command in a transaction of its own."""

    def __init__(self, save: Callable[..., Any]) -> None:
        self._save = save

    def commit(self, aggregates: Sequence[Aggregate]) -> None:
        try:
            self._save(*aggregates)
        except IntegrityError as e:
            raise ConcurrentChange(
                "another change to the same record was saved first; try again"
            ) from e
