"""The Grassroots application: one event-sourced application, one ordered log."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from grassroots.application.accounts import AccountCommands
from grassroots.application.activities import ActivityCommands
from grassroots.application.cadres import CadreCommands
from grassroots.application.certificates import CertificateCommands
from grassroots.application.organisation import OrganisationCommands
from grassroots.application.rule_sets import RuleSetCommands
from grassroots.application.sharing import SharingCommands
from grassroots.application.surveys import SurveyCommands
from grassroots.application.volunteers import VolunteerCommands
from grassroots.domain.account import Grant, Role
from grassroots.domain.cadre import CadreKind

__all__ = ["Grassroots"]


class Grassroots(
    AccountCommands,
    OrganisationCommands,
    VolunteerCommands,
    ActivityCommands,
    CadreCommands,
    RuleSetCommands,
    CertificateCommands,
    SharingCommands,
    SurveyCommands,
):
    """Every command of the write side, in the domain's words.

    The commands are grouped by subject in mixins; they share one event store,
    one repository and one committer (see ``core.Core``).
    """

    name = "grassroots"

    def register_cadre_with_account(
        self,
        *,
        name: str,
        kind: CadreKind,
        org_unit_id: UUID,
        point_ids: Sequence[UUID],
        phone: str,
        password: str,
    ) -> tuple[UUID, UUID, bool]:
        """A cadre's record and their log-in, written together: never a cadre nobody
        can log in as. The cadre role goes to the account the number has, or to a new
        one. The cadre's id, the account's, and whether the account was opened."""
        cadre = self.new_cadre(name=name, kind=kind, org_unit_id=org_unit_id, point_ids=point_ids)
        account_id, opened = self.open_or_grant(
            phone=phone,
            name=name,
            password=password,
            grant=Grant(Role.CADRE, cadre.id),
            others=[cadre],
        )
        return cadre.id, account_id, opened
