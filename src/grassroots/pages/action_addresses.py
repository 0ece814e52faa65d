"""A GET on a form's action address leads to the page the form lives on.

A refused form is answered at the address it was posted to (the form again, with
what was typed and why), so that address is what the address bar then shows.
The language switch, a reload the browser turns into a GET, a bookmark or a
shared link then ask for it with GET; a path that takes only POST would answer
the framework's 405, in JSON. So every page path that takes POST and no GET
gets a GET twin here, answering 303 to the page its form lives on:

- the POST handler's ``opt["form_page"]``, a path template filled with the
  path's own parameters (``"/desk/centers/{center_id}/new"``; a ``#fragment``
  may name the row the form is in);
- or else the nearest page above it that has a GET route
  (``/share/<id>/like`` → ``/share/<id>``, ``/logout`` → ``/``).

``?lang=`` goes along, so the language switch of a refused form's page switches
the language of the form's page. The twin checks nothing and reads nothing: the
page it leads to checks who may open it, as it always does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.handlers import HTTPRouteHandler
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.pages.words import LANGUAGES

__all__ = ["FORM_PAGE", "form_page_of", "with_get_twins"]

# The key of a POST handler's ``opt`` naming the page its form lives on.
FORM_PAGE = "form_page"

_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def _template(path: str) -> str:
    """A route path as a format string: ``/a/{id:uuid}`` → ``/a/{id}``."""
    return _PARAMETER.sub(r"{\1}", path)


def _shape(path: str) -> str:
    """What two route paths share when they match the same addresses."""
    return _PARAMETER.sub("{}", path).rstrip("/") or "/"


def _names(path: str) -> set[str]:
    return set(_PARAMETER.findall(path))


def form_page_of(path: str, get_paths: Iterable[str], declared: str | None = None) -> str:
    """The page template a POST-only ``path``'s twin leads to: ``declared``, or the
    nearest GET path above it whose parameters the path has, or ``/``."""
    if declared:
        return declared
    shapes = {_shape(p): _template(p) for p in get_paths}
    names = _names(path)
    segments = path.rstrip("/").split("/")
    for cut in range(len(segments) - 1, 0, -1):
        parent = "/".join(segments[:cut]) or "/"
        found = shapes.get(_shape(parent))
        if found is not None and _names(found) <= names:
            return found
    return "/"


def _twin(path: str, target: str, name: str) -> HTTPRouteHandler:
    async def lead_to_form_page(request: Request[Any, Any, Any]) -> Redirect:
        location, _, fragment = target.format(**request.path_params).partition("#")
        lang = request.query_params.get("lang")
        if lang in LANGUAGES:
            location += "?" + urlencode({"lang": lang})
        if fragment:
            location += "#" + fragment
        return Redirect(location, status_code=HTTP_303_SEE_OTHER)

    lead_to_form_page.__name__ = f"get_{name.replace('-', '_')}"
    return get(path, name=f"{name}-get")(lead_to_form_page)


def with_get_twins(handlers: Sequence[HTTPRouteHandler]) -> list[HTTPRouteHandler]:
    """``handlers`` and a GET twin for each path among them that takes POST and no GET."""
    methods: dict[str, set[str]] = {}
    for handler in handlers:
        for path in handler.paths:
            methods.setdefault(path, set()).update(handler.http_methods)
    get_paths = [path for path, taken in methods.items() if "GET" in taken]
    twins = []
    for handler in handlers:
        for path in sorted(handler.paths):
            if "POST" in handler.http_methods and "GET" not in methods[path]:
                target = form_page_of(path, get_paths, handler.opt.get(FORM_PAGE))
                twins.append(_twin(path, target, handler.name or path))
    return [*handlers, *twins]
