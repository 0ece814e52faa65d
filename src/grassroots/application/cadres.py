"""Commands of cadres: registration, assigned points, the "1+100" list, visits and problems."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from grassroots.application.core import Core
from grassroots.application.retrying import retried
from grassroots.domain.cadre import Cadre, CadreKind
from grassroots.domain.cadre_presence import CadrePresence
from grassroots.domain.errors import InvalidValue, NotAllowed
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.problem import Problem
from grassroots.domain.qr_token import QrSubject, SubjectKind, held_scan_at
from grassroots.domain.values import GeoPoint
from grassroots.domain.visit import LocationProof, QrProof, Visit, VisitProof

__all__ = ["CadreCommands"]


class CadreCommands(Core):
    def register_cadre(
        self,
        *,
        name: str,
        kind: CadreKind,
        org_unit_id: UUID,
        point_ids: Sequence[UUID] = (),
    ) -> UUID:
        cadre = self.new_cadre(name=name, kind=kind, org_unit_id=org_unit_id, point_ids=point_ids)
        self.commit(cadre)
        return cadre.id

    def new_cadre(
        self, *, name: str, kind: CadreKind, org_unit_id: UUID, point_ids: Sequence[UUID] = ()
    ) -> Cadre:
        """A cadre's record, not yet written: in a unit that exists, at active points."""
        self.get(OrgUnit, org_unit_id)
        for point_id in point_ids:
            self.get(GrassrootsPoint, point_id).require_active()
        return Cadre.register(
            name=name, kind=kind, org_unit_id=org_unit_id, point_ids=point_ids, at=self.now()
        )

    def reassign_points(self, cadre_id: UUID, point_ids: Sequence[UUID]) -> None:
        cadre = self.get(Cadre, cadre_id)
        for point_id in point_ids:
            self.get(GrassrootsPoint, point_id).require_active()
        cadre.reassign_points(point_ids, at=self.now())
        self.commit(cadre)

    def add_contact(self, cadre_id: UUID, *, name: str, phone: str, walk_of_life: str) -> UUID:
        cadre = self.get(Cadre, cadre_id)
        contact_id = cadre.add_contact(
            name=name,
            phone=phone,
            walk_of_life=walk_of_life,
            at=self.now(),
            id_secret=self.config.secret_key,
        )
        self.commit(cadre)
        return contact_id

    def remove_contact(self, cadre_id: UUID, contact_id: UUID, *, reason: str) -> None:
        cadre = self.get(Cadre, cadre_id)
        cadre.remove_contact(contact_id, reason=reason, at=self.now())
        self.commit(cadre)

    def start_visit(
        self,
        cadre_id: UUID,
        point_id: UUID,
        *,
        token: str | None = None,
        location: GeoPoint | None = None,
        accuracy_m: float | None = None,
        seen_at: datetime | None = None,
    ) -> UUID:
        """Start a visit proven by the point's rotating code or, failing that, by location.

        A cadre's second scan at a point whose visit is under way answers that visit;
        a start at another point while one is under way is refused (``VisitUnderWay``).
        ``seen_at``: when the server itself saw ``token`` fresh on this phone (a scan
        held while the cadre logged in); the code is checked as it was then.
        """
        # Another start by the same cadre may land first (the page sent twice):
        # look again with what it wrote, and resume it or refuse.
        return retried(
            lambda: self._start_visit(
                cadre_id,
                point_id,
                token=token,
                location=location,
                accuracy_m=accuracy_m,
                seen_at=seen_at,
            )
        )

    def _start_visit(
        self,
        cadre_id: UUID,
        point_id: UUID,
        *,
        token: str | None,
        location: GeoPoint | None,
        accuracy_m: float | None,
        seen_at: datetime | None,
    ) -> UUID:
        cadre = self.get(Cadre, cadre_id)
        point = self.get(GrassrootsPoint, point_id)
        point.require_active()
        now = self.now()
        proof: VisitProof
        if token is not None:
            checked_at = now if seen_at is None else held_scan_at(seen_at, now)
            proof = QrProof(
                token_step=self.code_step(QrSubject(SubjectKind.POINT, point_id), token, checked_at)
            )
        elif location is not None and accuracy_m is not None:
            proof = LocationProof(position=location, accuracy_m=accuracy_m)
        else:
            raise InvalidValue(
                "a visit starts with the point's code or a location with its accuracy",
                code="visit-proof-required",
            )
        visit = Visit.start(
            cadre_id=cadre_id,
            point_id=point_id,
            point_was_assigned=cadre.is_assigned_to(point_id),
            point_geofence=point.geofence,
            proof=proof,
            at=now,
        )
        presence = self._cadre_presence(cadre_id)
        if (under_way := presence.visit_to_resume(point_id)) is not None:
            return under_way
        presence.arrive(visit.id, point_id, at=now)
        self.commit(visit, presence)
        return visit.id

    def _cadre_presence(self, cadre_id: UUID) -> CadrePresence:
        found = self.find(CadrePresence, CadrePresence.id_for(cadre_id))
        return CadrePresence(cadre_id=cadre_id) if found is None else found

    def log_visit(self, visit_id: UUID, text: str) -> None:
        visit = self.get(Visit, visit_id)
        visit.write_log(text, at=self.now())
        self.commit(visit)

    def record_youth_met(
        self, visit_id: UUID, *, name: str, contact_id: UUID | None = None
    ) -> None:
        visit = self.get(Visit, visit_id)
        if contact_id is not None and contact_id not in self.get(Cadre, visit.cadre_id).contacts:
            raise NotAllowed("this youth is not on the cadre's list", code="contact-not-listed")
        visit.meet_youth(name=name, contact_id=contact_id, at=self.now())
        self.commit(visit)

    def end_visit(self, visit_id: UUID) -> None:
        visit = self.get(Visit, visit_id)
        now = self.now()
        visit.end(at=now)
        presence = self.find(CadrePresence, CadrePresence.id_for(visit.cadre_id))
        if presence is None:  # a visit started before presence was kept
            self.commit(visit)
            return
        presence.leave(visit_id, at=now)
        self.commit(visit, presence)

    def raise_problem(
        self,
        cadre_id: UUID,
        *,
        title: str,
        description: str,
        org_unit_id: UUID,
        visit_id: UUID | None = None,
    ) -> UUID:
        """A problem routed to ``org_unit_id``; raised during a visit, the visit notes it too."""
        self.get(Cadre, cadre_id)
        self.get(OrgUnit, org_unit_id)
        now = self.now()
        problem = Problem.raise_problem(
            cadre_id=cadre_id,
            title=title,
            description=description,
            org_unit_id=org_unit_id,
            visit_id=visit_id,
            at=now,
        )
        if visit_id is None:
            self.commit(problem)
            return problem.id
        visit = self.get(Visit, visit_id)
        if visit.cadre_id != cadre_id:
            raise NotAllowed("this visit is another cadre's", code="visit-not-yours")
        visit.note_problem(problem_id=problem.id, title=problem.title, at=now)
        self.commit(visit, problem)
        return problem.id

    def reroute_problem(self, problem_id: UUID, *, org_unit_id: UUID, reason: str) -> None:
        problem = self.get(Problem, problem_id)
        self.get(OrgUnit, org_unit_id)
        problem.reroute(org_unit_id=org_unit_id, reason=reason, at=self.now())
        self.commit(problem)

    def answer_problem(self, problem_id: UUID, *, answer: str, answered_by: UUID) -> None:
        problem = self.get(Problem, problem_id)
        problem.answer(answer, answered_by=answered_by, at=self.now())
        self.commit(problem)

    def close_problem(self, problem_id: UUID, *, closed_by: UUID) -> None:
        problem = self.get(Problem, problem_id)
        problem.close(closed_by=closed_by, at=self.now())
        self.commit(problem)

    def reopen_problem(self, problem_id: UUID, *, reason: str, reopened_by: UUID) -> None:
        problem = self.get(Problem, problem_id)
        problem.reopen(reason=reason, reopened_by=reopened_by, at=self.now())
        self.commit(problem)
