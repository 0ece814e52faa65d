"""The "8+4" and "1+100" rules as versioned data.

Rules differ by province and change over time (GLOSSARY.md, "The rules, and how
Grassroots models them"), so they are data, not code:

* ``RuleTerms`` is one set of figures: how many visits and days a month, whether
  either minimum suffices or both are needed, how long a visit must last to count,
  how many days a year, and the "1+100" contact target per cadre kind.
* ``RuleSet`` is an aggregate naming the org subtree it governs and a history of
  versions, each in force from its effective-from date until the next one. A
  version is never edited in place: a change is a new version, so a past period
  can still be judged by the terms that governed it.
* ``governing_choice`` picks, among the rule sets on a cadre's ancestry, the one
  closest to the cadre that has a version in force on a given day. It is the one
  home of that rule: the compliance read model and the rule-set routes call it
  over their stored rows, ``governing_rule_set`` over aggregates.

The presets are the two variants the seed documents describe; see the glossary
for their source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Generic, Literal, NamedTuple, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import InvalidValue, NotAllowed
from grassroots.domain.values import require_aware, require_day, require_text

# What a caller hands in with each rule-set candidate, and gets back when it governs.
_Of = TypeVar("_Of")

__all__ = [
    "CADRE_KINDS",
    "COUNTY_1_PLUS_3_TERMS",
    "INNER_MONGOLIA_TERMS",
    "PRESETS",
    "MonthlyMode",
    "RuleSet",
    "RuleSetCandidate",
    "RuleTerms",
    "RuleVersion",
    "governing_choice",
    "governing_rule_set",
    "governing_terms",
]

MonthlyMode = Literal["either", "both"]
MONTHLY_MODES: tuple[MonthlyMode, ...] = ("either", "both")

# The cadre kinds' string values (CadreKind in cadre.py); kept as plain strings
# here because the terms travel inside events, where enums are not allowed.
CADRE_KINDS: tuple[str, ...] = ("full_time", "seconded", "part_time")

# Upper bounds catch typing slips (a 300 where 3 was meant) rather than express
# a rule: no month has more than 31 days, no year more than 366.
MAX_DAYS_PER_MONTH = 31
MAX_DAYS_PER_YEAR = 366
MAX_VISITS_PER_MONTH = 100
MAX_VISIT_MINUTES = 24 * 60
MAX_CONTACT_TARGET = 10_000

# The seeds' "1+100" targets (Inner Mongolia): 100 youths for full-time and
# seconded cadres, 10 for part-time cadres.
_SEED_CONTACT_TARGETS: Mapping[str, int] = MappingProxyType(
    {"full_time": 100, "seconded": 100, "part_time": 10}
)


def _seed_contact_targets() -> Mapping[str, int]:
    return dict(_SEED_CONTACT_TARGETS)


@dataclass(frozen=True)
class RuleTerms:
    """One version's figures for the "8+4" visits and the "1+100" contact list.

    ``monthly_mode`` says whether either monthly minimum suffices ("either") or
    both are needed ("both"); when one minimum is None the other alone applies
    and the mode is moot. ``min_days_per_year`` is judged on its own, over the
    whole year. ``one_visit_per_day`` makes several visits on one local day
    count as one visit (the day counts once regardless).

    ``contact_targets`` must name every cadre kind: a rule set that asks nothing
    of a kind says 0 for it, so a missing kind is always a mistake.
    """

    min_visits_per_month: int | None
    min_days_per_month: int | None
    monthly_mode: MonthlyMode
    min_visit_minutes: int = 60
    min_days_per_year: int | None = None
    assigned_points_only: bool = True
    one_visit_per_day: bool = True
    # Excluded from the hash (a mapping is not hashable) but not from equality;
    # equal terms still hash equal because the hash uses a subset of the fields.
    contact_targets: Mapping[str, int] = field(default_factory=_seed_contact_targets, hash=False)

    def __post_init__(self) -> None:
        _check_count(self.min_visits_per_month, "min_visits_per_month", MAX_VISITS_PER_MONTH)
        _check_count(self.min_days_per_month, "min_days_per_month", MAX_DAYS_PER_MONTH)
        _check_count(self.min_days_per_year, "min_days_per_year", MAX_DAYS_PER_YEAR)
        if (
            self.min_visits_per_month is None
            and self.min_days_per_month is None
            and self.min_days_per_year is None
        ):
            raise InvalidValue(
                "a rule set needs at least one monthly or yearly minimum",
                code="rule-terms-no-requirement",
            )
        if self.monthly_mode not in MONTHLY_MODES:
            raise InvalidValue(
                f"monthly_mode must be 'either' or 'both', not {self.monthly_mode!r}",
                code="rule-terms-mode-invalid",
            )
        if _is_bad_int(self.min_visit_minutes) or not (
            0 <= self.min_visit_minutes <= MAX_VISIT_MINUTES
        ):
            raise InvalidValue(
                f"min_visit_minutes must be a whole number from 0 to {MAX_VISIT_MINUTES}",
                code="rule-terms-min-visit-minutes-invalid",
            )
        for flag in ("assigned_points_only", "one_visit_per_day"):
            if not isinstance(getattr(self, flag), bool):
                raise InvalidValue(f"{flag} must be true or false", code="rule-terms-flag-invalid")
        # Freeze a sorted copy: the caller's dict must not be able to change the
        # terms afterwards, and a fixed order keeps to_data() stable.
        object.__setattr__(
            self, "contact_targets", MappingProxyType(_checked_targets(self.contact_targets))
        )

    def __deepcopy__(self, _memo: dict[int, object]) -> RuleTerms:
        # Immutable (frozen, its mapping read-only): a copy is the same value, and
        # the read-only mapping could not be deep-copied anyway.
        return self

    def contact_target(self, kind: str) -> int:
        """The "1+100" list size a cadre of ``kind`` (a CadreKind value) must keep."""
        try:
            return self.contact_targets[str(kind)]
        except KeyError:
            raise InvalidValue(f"unknown cadre kind {kind!r}", code="cadre-kind-invalid") from None

    def to_data(self) -> dict[str, object]:
        """The terms as JSON-transcodable primitives, for storing in an event."""
        return {
            "min_visits_per_month": self.min_visits_per_month,
            "min_days_per_month": self.min_days_per_month,
            "monthly_mode": self.monthly_mode,
            "min_visit_minutes": self.min_visit_minutes,
            "min_days_per_year": self.min_days_per_year,
            "assigned_points_only": self.assigned_points_only,
            "one_visit_per_day": self.one_visit_per_day,
            "contact_targets": dict(self.contact_targets),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> RuleTerms:
        """The terms stored by ``to_data``.

        The monthly minimums and the mode must be present; the other fields fall
        back to their defaults, so events stored before a field existed still
        replay. Anything malformed raises InvalidValue.
        """
        if not isinstance(data, Mapping):
            raise InvalidValue("rule terms must be a mapping", code="rule-terms-malformed")
        for key in ("min_visits_per_month", "min_days_per_month", "monthly_mode"):
            if key not in data:
                raise InvalidValue(f"rule terms lack {key}", code="rule-terms-malformed")
        mode = data["monthly_mode"]
        if mode not in MONTHLY_MODES:
            raise InvalidValue(
                f"monthly_mode must be 'either' or 'both', not {mode!r}",
                code="rule-terms-mode-invalid",
            )
        targets = data.get("contact_targets", _SEED_CONTACT_TARGETS)
        if not isinstance(targets, Mapping):
            raise InvalidValue(
                "contact_targets must be a mapping", code="rule-terms-targets-invalid"
            )
        return cls(
            min_visits_per_month=_optional_int(data, "min_visits_per_month"),
            min_days_per_month=_optional_int(data, "min_days_per_month"),
            monthly_mode="either" if mode == "either" else "both",
            min_visit_minutes=_int(data, "min_visit_minutes", 60),
            min_days_per_year=_optional_int(data, "min_days_per_year"),
            assigned_points_only=_bool(data, "assigned_points_only", True),
            one_visit_per_day=_bool(data, "one_visit_per_day", True),
            contact_targets={str(k): v for k, v in targets.items()},
        )


def _is_bad_int(value: object) -> bool:
    # bool is an int subclass; True as "1 visit" is a slip, not a figure.
    return isinstance(value, bool) or not isinstance(value, int)


def _check_count(value: int | None, name: str, maximum: int) -> None:
    if value is None:
        return
    if _is_bad_int(value) or not (0 <= value <= maximum):
        raise InvalidValue(
            f"{name} must be a whole number from 0 to {maximum}", code="rule-terms-count-invalid"
        )


def _checked_targets(targets: Mapping[str, int]) -> dict[str, int]:
    if not isinstance(targets, Mapping):
        raise InvalidValue("contact_targets must be a mapping", code="rule-terms-targets-invalid")
    unknown = sorted(str(k) for k in targets if k not in CADRE_KINDS)
    if unknown:
        raise InvalidValue(
            f"unknown cadre kinds in contact_targets: {', '.join(unknown)}",
            code="cadre-kind-invalid",
        )
    missing = [k for k in CADRE_KINDS if k not in targets]
    if missing:
        raise InvalidValue(
            f"contact_targets lacks {', '.join(missing)}", code="rule-terms-targets-incomplete"
        )
    for kind in CADRE_KINDS:
        value = targets[kind]
        if _is_bad_int(value) or not (0 <= value <= MAX_CONTACT_TARGET):
            raise InvalidValue(
                f"the contact target for {kind} must be a whole number "
                f"from 0 to {MAX_CONTACT_TARGET}",
                code="rule-terms-targets-invalid",
            )
    return {kind: targets[kind] for kind in CADRE_KINDS}


def _optional_int(data: Mapping[str, object], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"{key} must be a whole number", code="rule-terms-malformed")
    return value


def _int(data: Mapping[str, object], key: str, default: int) -> int:
    value = _optional_int(data, key)
    return default if value is None else value


def _bool(data: Mapping[str, object], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise InvalidValue(f"{key} must be true or false", code="rule-terms-malformed")
    return value


# Inner Mongolia's practice, from the seeds: as 引领员 each cadre works at the
# assigned point at least 2 visits or at least 3 workdays every month; visits of
# at least 60 minutes; "1+100" targets of 100 (full-time, seconded) and 10
# (part-time). This is the default rule set.
INNER_MONGOLIA_TERMS = RuleTerms(
    min_visits_per_month=2,
    min_days_per_month=3,
    monthly_mode="either",
    min_visit_minutes=60,
    min_days_per_year=None,
    contact_targets=_SEED_CONTACT_TARGETS,
)

# The county "1+3" variant from the seeds: at least 3 visits a month and at least
# 12 days a year. Only one monthly minimum is set, so the monthly mode is moot;
# the yearly minimum is judged on its own over the year. Same visit length and
# contact targets as Inner Mongolia's.
COUNTY_1_PLUS_3_TERMS = RuleTerms(
    min_visits_per_month=3,
    min_days_per_month=None,
    monthly_mode="both",
    min_visit_minutes=60,
    min_days_per_year=12,
    contact_targets=_SEED_CONTACT_TARGETS,
)

PRESETS: Mapping[str, RuleTerms] = MappingProxyType(
    {"inner-mongolia": INNER_MONGOLIA_TERMS, "county-1-plus-3": COUNTY_1_PLUS_3_TERMS}
)


class RuleVersion(NamedTuple):
    """One version of a rule set: its number (from 1), first day in force, and terms."""

    number: int
    effective_from: date
    terms: RuleTerms


class RuleSet(Aggregate):
    """A named, versioned set of rules for the org subtree under ``org_unit_id``.

    Each version is in force from its effective-from date (a local calendar date
    in the governed unit's zone) until the day before the next version's. A
    revision must take effect after the latest version does, so the history
    only ever grows at its end and earlier periods keep their terms. A revision
    may take effect in the past (a correction), which re-judges those periods.
    """

    class Defined(Aggregate.Created):
        name: str
        org_unit_id: UUID
        effective_from: str
        terms: dict[str, object]
        at: datetime

    class Revised(Aggregate.Event):
        effective_from: str
        terms: dict[str, object]
        at: datetime

    @classmethod
    def define(
        cls,
        *,
        name: str,
        org_unit_id: UUID,
        effective_from: date,
        terms: RuleTerms,
        at: datetime,
    ) -> RuleSet:
        """A new rule set whose first version is in force from ``effective_from``."""
        return cls(
            name=require_text(name, "name"),
            org_unit_id=org_unit_id,
            effective_from=_checked_day(effective_from).isoformat(),
            terms=_checked_terms(terms).to_data(),
            at=require_aware(at),
        )

    @event(Defined)
    def __init__(
        self,
        name: str,
        org_unit_id: UUID,
        effective_from: str,
        terms: dict[str, object],
        at: datetime,
    ) -> None:
        self.name = name
        self.org_unit_id = org_unit_id
        self._versions: list[tuple[date, RuleTerms]] = [
            (date.fromisoformat(effective_from), RuleTerms.from_data(terms))
        ]

    def revise(self, *, effective_from: date, terms: RuleTerms, at: datetime) -> None:
        """Add a version in force from ``effective_from``; earlier versions stay as they were."""
        day = _checked_day(effective_from)
        checked = _checked_terms(terms)
        latest = self._versions[-1][0]
        if day <= latest:
            raise NotAllowed(
                f"a revision must take effect after {latest.isoformat()}, "
                "the latest version's effective-from date",
                code="rule-set-revision-out-of-order",
            )
        self._revised(effective_from=day.isoformat(), terms=checked.to_data(), at=require_aware(at))

    @event(Revised)
    def _revised(self, effective_from: str, terms: dict[str, object], at: datetime) -> None:
        self._versions.append((date.fromisoformat(effective_from), RuleTerms.from_data(terms)))

    @property
    def versions(self) -> list[RuleVersion]:
        """Every version, oldest first, numbered from 1."""
        return [
            RuleVersion(number, day, terms)
            for number, (day, terms) in enumerate(self._versions, start=1)
        ]

    def version_on(self, day: date) -> RuleVersion | None:
        """The version in force on ``day``; None before the first takes effect."""
        found: RuleVersion | None = None
        for version in self.versions:
            if version.effective_from > day:
                break
            found = version
        return found

    def terms_on(self, day: date) -> RuleTerms | None:
        """The terms in force on ``day``; None before the first version takes effect."""
        version = self.version_on(day)
        return None if version is None else version.terms


def _checked_day(day: date) -> date:
    # datetime is a subclass of date; an instant here would hide a time-zone
    # question (whose midnight?) that the caller must answer first.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise InvalidValue(
            "effective_from must be a calendar date", code="rule-set-effective-from-invalid"
        )
    return require_day(day, "effective_from")


def _checked_terms(terms: RuleTerms) -> RuleTerms:
    if not isinstance(terms, RuleTerms):
        raise InvalidValue("terms must be RuleTerms", code="rule-terms-malformed")
    return terms


@dataclass(frozen=True, slots=True)
class RuleSetCandidate(Generic[_Of]):
    """What the choice of the governing rule set needs to know of one candidate.

    ``depth`` places the candidate's unit on the cadre's ancestry: deeper means
    closer to the cadre (region 0 … village 4, or minus the levels up from the
    cadre's unit). ``effective_dates`` are its versions' effective-from dates.
    ``of`` is whatever the caller holds for it (an aggregate, stored rows, a view),
    handed back when it governs.
    """

    depth: int
    rule_set_id: UUID
    effective_dates: tuple[date, ...]
    of: _Of


def governing_choice(candidates: Iterable[RuleSetCandidate[_Of]], day: date) -> _Of | None:
    """The one rule for which rule set governs a cadre on ``day``.

    The closest unit with a version in force on ``day`` wins: a county's own rules
    override the region's, but only from the day they take effect, so before that
    the region's still apply.

    Two rule sets on one unit are a configuration slip the domain does not
    forbid; they are settled deterministically: the one whose version in force
    took effect later wins (the more recent decision), then the larger id.
    """
    best: tuple[int, date, UUID] | None = None
    chosen: RuleSetCandidate[_Of] | None = None
    for candidate in candidates:
        in_force = [d for d in candidate.effective_dates if d <= day]
        if not in_force:
            continue
        key = (candidate.depth, max(in_force), candidate.rule_set_id)
        if best is None or key > best:
            best, chosen = key, candidate
    return None if chosen is None else chosen.of


def governing_rule_set(candidates: Iterable[tuple[int, RuleSet]], day: date) -> RuleSet | None:
    """The rule set that governs a cadre on ``day`` (see ``governing_choice``).

    ``candidates`` pairs each rule set defined on the cadre's org unit or one of
    its ancestors with that unit's depth in the tree (deeper means closer).
    """
    return governing_choice(
        (
            RuleSetCandidate(
                depth=depth,
                rule_set_id=rule_set.id,
                effective_dates=tuple(v.effective_from for v in rule_set.versions),
                of=rule_set,
            )
            for depth, rule_set in candidates
        ),
        day,
    )


def governing_terms(candidates: Iterable[tuple[int, RuleSet]], day: date) -> RuleTerms | None:
    """The terms in force on ``day`` from the governing rule set (see ``governing_rule_set``).

    None when no candidate has a version in force that day.
    """
    rule_set = governing_rule_set(candidates, day)
    return None if rule_set is None else rule_set.terms_on(day)
