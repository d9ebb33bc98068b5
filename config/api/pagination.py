from collections.abc import Callable
from typing import Any, NamedTuple

from django.db.models import QuerySet
from rest_framework.pagination import CursorPagination

from config.api.sql import CompiledQuery


class CreatedAtCursorPagination(CursorPagination):
    """Newest first; stable under inserts (a cursor, not an offset). Page size capped at 100."""

    ordering = "-created_at"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CompiledPage:
    """A list for `CursorPagination.paginate_queryset`, whose page query is compiled once.

    DRF's cursor paginator orders the queryset, filters it past the cursor's position and slices a
    page (and one more row, to know whether a next page exists). On the app's lists, building and
    compiling that queryset cost more CPU than PostgreSQL spent answering it. Handed to
    `paginate_queryset` in place of the queryset, this takes the same three steps and runs the same
    queryset, `build(*arguments)` ordered, filtered and sliced as DRF asks, compiled once per
    ordering, cursor direction and page size (`config.api.sql.CompiledQuery`). A page at an offset
    (rows sharing the cursor's position) or an argument that is None is evaluated by the ORM as it is.
    `build` is the list's one definition, taking ids (`notifications.selectors.inbox_page_of`).
    """

    def __init__(
        self,
        build: Callable[..., QuerySet[Any]],
        *arguments: Any,
        ordering: tuple[str, ...] = (),
        position: tuple[str, Any] | None = None,
    ) -> None:
        self._build, self._arguments = build, arguments
        self._ordering, self._position = ordering, position

    def order_by(self, *ordering: str) -> "CompiledPage":
        return CompiledPage(self._build, *self._arguments, ordering=ordering, position=self._position)

    def filter(self, **lookup: Any) -> "CompiledPage":
        ((name, value),) = lookup.items()  # DRF filters by the one ordering field
        return CompiledPage(self._build, *self._arguments, ordering=self._ordering, position=(name, value))

    def __getitem__(self, page: slice) -> list[Any]:
        start, stop = page.start or 0, page.stop
        if start or stop is None or any(argument is None for argument in self._arguments):
            return list(self._queryset(self._build, self._ordering, self._position, *self._arguments)[page])
        lookup = self._position[0] if self._position else None
        key = (self._build, self._ordering, lookup, stop)
        page_query = _PAGES.get(key)
        if page_query is None:
            page_query = _PAGES[key] = _PageQuery.of(self._build, self._ordering, lookup, stop, self._arguments)
        if self._position is None:
            return page_query.compiled.objects(*self._arguments)
        # The cursor carries the position as text; the ORM would convert it with the field's to_python.
        position = page_query.position_field.to_python(self._position[1])
        return page_query.compiled.objects(*self._arguments, position)

    @staticmethod
    def _queryset(
        build: Callable[..., QuerySet[Any]],
        ordering: tuple[str, ...],
        position: tuple[str, Any] | None,
        *arguments: Any,
    ) -> QuerySet[Any]:
        queryset = build(*arguments).order_by(*ordering)
        return queryset.filter(**dict([position])) if position else queryset

    @classmethod
    def _page_query(
        cls, build: Callable[..., QuerySet[Any]], ordering: tuple[str, ...], lookup: str | None, stop: int
    ) -> Callable[..., QuerySet[Any]]:
        def page(*arguments: Any) -> QuerySet[Any]:
            if lookup is None:
                return cls._queryset(build, ordering, None, *arguments)[:stop]
            *ids, value = arguments
            return cls._queryset(build, ordering, (lookup, value), *ids)[:stop]

        return page


class _PageQuery(NamedTuple):
    compiled: CompiledQuery
    position_field: Any  # None, or the model field the cursor's position is compared with

    @classmethod
    def of(
        cls,
        build: Callable[..., QuerySet[Any]],
        ordering: tuple[str, ...],
        lookup: str | None,
        stop: int,
        arguments: tuple[Any, ...],
    ) -> "_PageQuery":
        model = build(*arguments).model
        field = model._meta.get_field(lookup.split("__")[0]) if lookup else None
        return cls(CompiledQuery(CompiledPage._page_query(build, ordering, lookup, stop)), field)


# (build, ordering, cursor lookup, page size + 1) -> its compiled page query; bounded by the lists,
# their two directions and the page sizes asked for (at most max_page_size + 1 each).
_PAGES: dict[tuple[Any, ...], _PageQuery] = {}
