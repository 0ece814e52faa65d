"""The Grassroots application: one event-sourced application, one ordered log."""

from __future__ import annotations

from grassroots.application.accounts import AccountCommands
from grassroots.application.activities import ActivityCommands
from grassroots.application.cadres import CadreCommands
from grassroots.application.certificates import CertificateCommands
from grassroots.application.organisation import OrganisationCommands
from grassroots.application.rule_sets import RuleSetCommands
from grassroots.application.sharing import SharingCommands
from grassroots.application.surveys import SurveyCommands
from grassroots.application.volunteers import VolunteerCommands

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
