"""The query library over HTTP: ``/queries`` lists the named queries, and each becomes a
documented route ``/queries/NAME`` with its parameters."""

from __future__ import annotations

from collections.abc import (
    Callable,
)
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from treatygraph.api.lookup import (
    DEFAULT_LIMIT,
    FORMAT,
    MAX_LIMIT,
    PAGED,
    RESERVED,
    LookupRoute,
    Representation,
    checked,
    documented,
    lookups,
    negotiate,
    paging,
    send,
)
from treatygraph.api.routes import pages
from treatygraph.named_queries.library import (
    Library,
    ParameterError,
    UnknownQuery,
)
from treatygraph.named_queries.library import (
    Query as LibraryQuery,
)
from treatygraph.named_queries.shapes import (
    JSON,
)

# --- the query library at /queries ---------------------------------------------------------


def query_json(request: Request, q: LibraryQuery) -> JSON:
    url = request.url_for(f"query:{q.name}").include_query_params(**q.example)
    cli = " ".join(["treatygraph query", q.name, *(f"--{k} '{v}'" for k, v in q.example.items())])
    return {
        "name": q.name,
        "summary": q.summary,
        "description": q.description,
        "tags": list(q.tags),
        "parameters": [
            {
                "name": p.name,
                "type": p.type.name,
                "required": p.required,
                "description": p.description,
                "format": p.type.description,
                "choices": list(p.type.choices),
            }
            for p in q.params
        ],
        "columns": dict(q.columns),
        "example": {"parameters": dict(q.example), "url": str(url), "cli": cli},
        "sparql": q.text,
    }


def query_router(library: Library) -> APIRouter:
    """``/queries`` and one documented route per query of the library."""
    r = APIRouter(route_class=LookupRoute, tags=["queries"])

    @r.get(
        "/queries",
        summary="The query library",
        responses=documented(
            [{"name": "citations", "summary": "Instruments a paragraph cites"}],
            csv="name,summary\r\n",
            summary="the query library",
        ),
    )
    def list_queries(request: Request, format: FORMAT = None) -> Response:
        """Every named query: summary, description, parameters, columns and an example."""
        items = [query_json(request, q) for q in lookups(request).library]
        rows = [
            {"name": i["name"], "summary": i["summary"], "url": i["example"]["url"]} for i in items
        ]
        return send(
            request,
            Representation(
                items, "queries.html", {}, ["name", "summary", "url"], rows, title="Query library"
            ),
        )

    for q in library:
        r.add_api_route(
            f"/queries/{q.name}",
            _query_endpoint(q.name),
            methods=["GET"],
            name=f"query:{q.name}",
            summary=q.summary,
            description=q.description,
            openapi_extra={"parameters": _query_parameters(q)},
            responses=_query_responses(q),
        )

    @r.get("/queries/{name}", include_in_schema=False)
    def unknown_query(request: Request, name: str) -> Response:
        raise UnknownQuery(f"name: no query named {name[:60]!r}; see /queries")

    return r


def _query_endpoint(name: str) -> Callable[[Request], Response]:
    def run(request: Request) -> Response:
        lk = lookups(request)
        q = lk.library[name]
        values = {k: v for k, v in request.query_params.items() if k not in RESERVED}
        html = negotiate(request) == "html"
        if html and not values:  # a browser arriving at the form: show the example at work
            values = dict(q.example)
        offset = checked("offset", _natural, request.query_params.get("offset", "0"))
        limit = checked("limit", _limit, request.query_params.get("limit", str(DEFAULT_LIMIT)))
        context = {"query": query_json(request, q), "values": values, "columns": list(q.columns)}
        try:
            table = lk.runner.table(name, values, offset=offset, limit=limit)
        except ParameterError as err:
            if not html:
                raise
            return pages.render(
                request,
                "query.html",
                context | {"data": [], "error": err, "title": q.summary},
                status=422,
            )
        records = table.records()
        page = paging(offset, limit, table.total)
        return send(
            request,
            Representation(
                records, "query.html", context, table.columns, records, page, title=q.summary
            ),
        )

    run.__doc__ = f"Run the named query {name}."
    return run


def _natural(text: str) -> int:
    if not text.isdigit() or len(text) > 9:
        raise ValueError(f"not a whole number: {text[:20]!r}")
    return int(text)


def _limit(text: str) -> int:
    value = _natural(text)
    if not 1 <= value <= MAX_LIMIT:
        raise ValueError(f"must be between 1 and {MAX_LIMIT}")
    return value


def _query_parameters(q: LibraryQuery) -> list[JSON]:
    params = [
        {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": f"{p.description} ({p.type.description})",
            "schema": {"type": "integer" if p.type.name == "integer" else "string"},
            "example": q.example.get(p.name, p.type.example),
        }
        for p in q.params
    ]
    paging_params = [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": PAGED,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            "example": 100,
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "description": "Rows to skip",
            "schema": {"type": "integer", "minimum": 0},
            "example": 0,
        },
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "json, csv or html",
            "schema": {"type": "string", "enum": ["json", "csv", "html"]},
            "example": "json",
        },
    ]
    return params + paging_params


def _query_responses(q: LibraryQuery) -> dict[int | str, dict[str, Any]]:
    example = [dict(r) for r in (q.expected.rows or q.expected.contains)[:2]] or [
        {c: "…" for c in q.columns}
    ]
    responses = documented(example, csv=",".join(q.columns) + "\r\n", summary=q.summary)
    schema = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {c: {"description": d} for c, d in q.columns.items()},
        },
    }
    responses[200]["content"]["application/json"]["schema"] = schema
    return responses
