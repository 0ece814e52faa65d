"""Lists come in pages: ``limit`` (at most ``MAX_LIMIT``) and ``offset``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import Parameter

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Page", "PageRequest", "page_request"]

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 100_000


class Page(msgspec.Struct, Generic[T], kw_only=True):
    items: list[T]
    limit: int
    offset: int
    # The offset of the next page, or null on the last one.
    next_offset: int | None


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int

    def page(self, rows: list[T]) -> Page[T]:
        """A page from ``rows`` fetched with ``limit + 1``: the extra row says more exist."""
        more = len(rows) > self.limit
        return Page(
            items=rows[: self.limit],
            limit=self.limit,
            offset=self.offset,
            next_offset=self.offset + self.limit if more else None,
        )


def page_request(
    limit: Annotated[
        int, Parameter(ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT} items per page.")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Parameter(ge=0, le=MAX_OFFSET)] = 0,
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)
