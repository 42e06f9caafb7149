"""The OpenAPI 3.1 document of the JSON API, made from the app's route table.

Each API route in the table carries its :class:`Operation`; the document is
built from that same table, so it cannot list a route the app does not have.
A route under ``/api/`` (or ``/metrics``) without one is refused by
:func:`undocumented`, which the app and the tests check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

OPENAPI_VERSION = "3.1.0"
JSON = "application/json"

ERROR = {
    "type": "object",
    "description": "Every error of the API has this shape.",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {"error": {
        "type": "object", "required": ["code", "message"], "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "description": "stable, for programs: query, "
                     "not_found, store_locked, store_damaged…"},
            "message": {"type": "string", "description": "one sentence, for people"},
        },
    }},
}

#: Why each error status can happen.
ERROR_STATUSES = {
    400: "a parameter is unknown, repeated, malformed or out of range",
    404: "no such endpoint, or nothing by that name",
    503: "the store is not available (locked, full, damaged or missing); "
         "Retry-After is set when waiting helps",
}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    description: str
    schema: Mapping[str, Any]
    required: bool = False
    #: "query", or "path" for a part of the route's path (always required)
    location: str = "query"


@dataclass(frozen=True, slots=True)
class Operation:
    """What one GET endpoint takes and answers."""

    operation_id: str
    summary: str
    #: media type → schema of a 200 answer
    answers: Mapping[str, Mapping[str, Any]]
    parameters: tuple[Param, ...] = ()
    errors: tuple[int, ...] = (400, 503)
    description: str = ""
    tags: tuple[str, ...] = field(default=("api",))


def _operation(op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {
        "description": "OK",
        "content": {media: {"schema": dict(schema)} for media, schema in op.answers.items()},
    }}
    for status in op.errors:
        responses[str(status)] = {
            "description": ERROR_STATUSES[status],
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    doc: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary,
                           "tags": list(op.tags), "responses": responses}
    if op.description:
        doc["description"] = op.description
    if op.parameters:
        doc["parameters"] = [{"name": p.name, "in": p.location,
                              "required": p.required or p.location == "path",
                              "description": p.description, "schema": dict(p.schema)}
                             for p in op.parameters]
    return doc


def document(operations: Iterable[tuple[str, Operation]], *, title: str,
             version: str) -> dict[str, Any]:
    """The OpenAPI document of these (path, operation) pairs."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": version,
                 "description": "The JSON API of a finews server: search, the newest "
                                "stories, the sources' state, live events and metrics."},
        "paths": {path: {"get": _operation(op)} for path, op in operations},
        "components": {"schemas": {"Error": ERROR}},
    }


def needs_document(path: str) -> bool:
    """Whether a route must be in the OpenAPI document."""
    return path.startswith("/api/") or path == "/metrics"


def undocumented(routes: Iterable[tuple[str, Operation | None]]) -> list[str]:
    """Paths of API routes that have no Operation."""
    return [path for path, op in routes if needs_document(path) and op is None]
