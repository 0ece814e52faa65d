"""Two real applications on one store, with a race staged at a chosen point.

A race between two processes is: the loser reads, the winner reads and writes,
then the loser writes what it decided from its stale read. ``RaceAtCommit``
stages exactly that order without touching the command under test: it stands
in for the loser's committer (the application's documented seam for saving),
and just before the loser's first write it lets the winner run its whole
command on its own application instance. The loser's write then meets the
store's real refusal, and the command's own conflict handling must answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from eventsourcing.domain import Aggregate

from grassroots.application.committing import Committer
from grassroots.application.errors import ConcurrentChange
from grassroots.application.service import Grassroots

__all__ = ["RaceAtCommit", "race_at_commit"]


@dataclass
class RaceAtCommit:
    """The loser's committer: the winner's command lands before the loser's first write."""

    real: Committer
    winner_moves: Callable[[], object]
    # One entry per write the loser attempted: True if saved, False if refused.
    writes: list[bool] = field(default_factory=list)

    def commit(self, aggregates: Sequence[Aggregate]) -> None:
        if not self.writes:
            self.winner_moves()
        try:
            self.real.commit(aggregates)
        except ConcurrentChange:
            self.writes.append(False)
            raise
        self.writes.append(True)

    @property
    def refused(self) -> int:
        return self.writes.count(False)


def race_at_commit(loser: Grassroots, winner_moves: Callable[[], object]) -> RaceAtCommit:
    """Make ``winner_moves`` (a command on another application) land between the
    loser's reads and its first write; returns the record of the loser's writes."""
    race = RaceAtCommit(real=loser.committer, winner_moves=winner_moves)
    loser.committer = race
    return race
