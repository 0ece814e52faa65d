"""A cadre's "1+100" list: the youths they keep in direct contact with.

Read from the write side: the cadre aggregate holds the list, current the
moment a write returns.
"""

# No postponed annotations here: a view below is named from the package, and
# its field types must not be looked up again in the package's namespace.

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import Meta

from grassroots.api.auth import requires
from grassroots.api.cadres.views import CallerRequest
from grassroots.api.context import ApiDep
from grassroots.api.fields import LINE, Name, Phone
from grassroots.api.pagination import Page, PageRequest, page_request
from grassroots.api.problems import problem_responses
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.cadre import Cadre, Contact

__all__ = ["MyContactsController"]

WalkOfLife = Annotated[
    str, Meta(min_length=1, max_length=50, examples=["外卖骑手"], extra_json_schema=LINE)
]


class NewContact(msgspec.Struct, kw_only=True):
    name: Name
    phone: Phone
    walk_of_life: WalkOfLife


class ContactView(msgspec.Struct, kw_only=True):
    # Named from the package, as before it was split by resource: the OpenAPI
    # document's component names come from the module, and clients use them.
    __module__ = "grassroots.api.cadres"

    contact_id: UUID
    name: str
    phone: str
    walk_of_life: str


def _contact_view(contact: Contact) -> ContactView:
    return ContactView(
        contact_id=contact.id,
        name=contact.name,
        phone=contact.phone,
        walk_of_life=contact.walk_of_life,
    )


def _add(app: Grassroots, cadre_id: UUID, data: NewContact) -> ContactView:
    contact_id = app.add_contact(
        cadre_id, name=data.name, phone=data.phone, walk_of_life=data.walk_of_life
    )
    return _contact_view(app.get(Cadre, cadre_id).contacts[contact_id])


def _remove(app: Grassroots, cadre_id: UUID, contact_id: UUID, reason: str) -> None:
    app.remove_contact(cadre_id, contact_id, reason=reason)


class MyContactsController(Controller):
    path = "/api/v1/me"
    tags = ["cadres"]  # noqa: RUF012
    guards = [requires(Role.CADRE)]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/contacts",
        operation_id="listMyContacts",
        summary='The caller\'s "1+100" direct-contact list, in the order added (cadre)',
        responses=problem_responses(400, 401, 403, 404, 429),
    )
    async def contacts(
        self, request: CallerRequest, api: ApiDep, page: NamedDependency[PageRequest]
    ) -> Page[ContactView]:
        cadre = await api.read(None, api.app.get, Cadre, request.user.cadre_id)
        listed = list(cadre.contacts.values())[page.offset : page.offset + page.limit + 1]
        return page.page([_contact_view(c) for c in listed])

    @post(
        "/contacts",
        operation_id="addMyContact",
        summary='Put a youth on the caller\'s "1+100" list (cadre)',
        description="One entry per phone number.",
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def add_contact(
        self, data: JSONBody[NewContact], request: CallerRequest, api: ApiDep
    ) -> ContactView:
        caller = request.user
        return await api.write(caller.account_id, _add, api.app, caller.cadre_id, data)

    @delete(
        "/contacts/{contact_id:uuid}",
        operation_id="removeMyContact",
        summary='Take a youth off the caller\'s "1+100" list, with a reason (cadre)',
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def remove_contact(
        self,
        contact_id: FromPath[UUID],
        reason: Annotated[str, Parameter(min_length=1, max_length=500)],
        request: CallerRequest,
        api: ApiDep,
    ) -> None:
        caller = request.user
        await api.write(caller.account_id, _remove, api.app, caller.cadre_id, contact_id, reason)
