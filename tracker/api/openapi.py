"""The OpenAPI 3.0.3 description of the API, served at ``/api/v1/openapi.json``.

Written by hand to match ``tracker.api.views``; ``tests/api/test_openapi.py`` checks the two agree with
Schemathesis (documented status codes, content types, response schemas).
"""

from copy import deepcopy

NULLABLE_STRING = {"type": "string", "nullable": True}
#: A decimal number as a string: JSON numbers lose precision in many clients.
DECIMAL = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "nullable": True,
           "description": "A decimal number as a string, e.g. \"12\" or \"0.5\"; null when not set.",
           "example": "12"}
#: What the API reads as a number (``tracker.core.numbers``): ASCII digits with an optional decimal point.
NUMBER_TEXT = {"type": "string", "maxLength": 40, "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*$",
               "description": "ASCII digits with an optional decimal point, e.g. \"12\" or \"0.5\": no sign, "
                              "exponent, thousands separator or other digits. A count takes a whole number."}
INPUT_NUMBER = {"oneOf": [{"type": "number", "minimum": 0}, NUMBER_TEXT], "nullable": True}
DATE = {"type": "string", "format": "date", "example": "2026-01-01"}
DATETIME = {"type": "string", "format": "date-time", "example": "2026-04-10T09:30:00+00:00",
            "description": "ISO 8601, in UTC."}

COLUMNS = ["backlog", "concept", "prototyping", "on_hold", "completed"]
KINDS = ["quick_win", "idea", "concept", "prototype"]


def _obj(properties: dict, description: str = "", example: dict | None = None) -> dict:
    schema = {"type": "object", "required": sorted(properties), "additionalProperties": False,
              "properties": properties}
    if description:
        schema["description"] = description
    if example is not None:
        schema["example"] = example
    return schema


def _list_of(key: str, ref: str) -> dict:
    return _obj({key: {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}})


SCHEMAS = {
    "Error": _obj({
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "additionalProperties": False,
            "properties": {
                "status": {"type": "integer", "minimum": 400, "maximum": 599, "example": 422},
                "message": {"type": "string", "example": "The figure is not valid"},
                "details": {"type": "object", "additionalProperties": {"type": "string"},
                            "description": "A message per field, for validation errors (422).",
                            "example": {"numerator": "The numerator cannot be more than the denominator"}},
                "current": {"allOf": [{"$ref": "#/components/schemas/Figure"}], "nullable": True,
                            "description": "For a stale write (409): the figure as it is now (null if it "
                                           "no longer exists)."},
            },
        },
    }, "Every error: its HTTP status, a message for people, and field messages for validation errors."),
    "Programme": _obj({
        "slug": {"type": "string", "example": "welsh-pilot"},
        "name": {"type": "string"},
        "aim": {"type": "string", "description": "The \"How might we …?\" aim."},
        "expected_outcomes": {"type": "string", "description": "Markdown."},
        "start_date": DATE,
        "evaluation_months": {"type": "integer"},
        "reporting_interval_months": {"type": "integer"},
        "figures_due_days": {"type": "integer", "description": "Figures are due this many days after a period ends."},
        "figures_lock_days": {"type": "integer",
                              "description": "Figures lock this many days after a period ends (then only "
                                             "facilitators may change them)."},
        "rag_band_percent": {"type": "integer"},
        "role": {"type": "string", "enum": ["facilitator", "team_member", "viewer"],
                 "description": "Your role in the programme."},
        "organisation": {**NULLABLE_STRING, "description": "Your organisation's slug (null for facilitators "
                                                           "and programme-wide viewers)."},
    }),
    "Organisation": _obj({
        "slug": {"type": "string", "example": "council-a"},
        "name": {"type": "string", "example": "Council A"},
        "can_edit": {"type": "boolean", "description": "Whether you may write this organisation's figures."},
    }),
    "Period": _obj({
        "number": {"type": "integer", "minimum": 1},
        "label": {"type": "string", "example": "0–3 months since start date"},
        "months_from": {"type": "integer"},
        "months_to": {"type": "integer"},
        "start": DATE,
        "end": {**DATE, "description": "The last day of the period."},
        "due": {**DATE, "description": "Figures are due by this day."},
        "locks": {**DATE, "description": "Figures lock after this day."},
        "has_started": {"type": "boolean"},
        "is_locked": {"type": "boolean"},
    }),
    "Indicator": _obj({
        "code": {"type": "string", "example": "1.1.1"},
        "name": {"type": "string"},
        "definition": {"type": "string"},
        "unit": {"type": "string", "enum": ["count", "proportion", "yes_no", "narrative"],
                 "description": "Which fields a figure uses: count → value; proportion → numerator and "
                                "denominator; yes_no → flag; narrative → narrative."},
        "numerator_label": {"type": "string"},
        "denominator_label": {"type": "string"},
        "direction": {"type": "string", "enum": ["increase", "decrease"]},
        "baseline": {**DECIMAL, "description": "For proportions, a percentage."},
        "target": {**DECIMAL, "description": "For proportions, a percentage."},
        "frequency": {"type": "string"},
        "data_source": {"type": "string"},
        "who_collects": {"type": "string"},
        "outcome": {"type": "string", "description": "The outcome's code.", "example": "1.1"},
    }),
    "Figure": _obj({
        "indicator": {"type": "string", "description": "The indicator's code.", "example": "1.1.1"},
        "organisation": {"type": "string", "description": "The organisation's slug.", "example": "council-a"},
        "period": {"type": "integer", "minimum": 1},
        "value": DECIMAL,
        "numerator": DECIMAL,
        "denominator": DECIMAL,
        "flag": {"type": "boolean", "nullable": True},
        "narrative": {"type": "string"},
        "is_testing_phase": {"type": "boolean"},
        "note": {"type": "string"},
        "source": {"type": "string"},
        "version": {"type": "integer", "minimum": 1,
                    "description": "Send it back when you change the figure to be told of a change made "
                                   "in between (409)."},
        "updated": DATETIME,
    }, "One organisation's figure for one indicator and reporting period."),
    "FigureInput": {
        "type": "object",
        "additionalProperties": False,
        "description": "A figure. Send the fields the indicator's unit uses: value (count); numerator and "
                       "denominator (proportion); flag (yes_no); narrative (narrative). The figure is "
                       "replaced: fields left out take their defaults. Numbers may be JSON numbers or "
                       "strings of ASCII digits with an optional decimal point (\"12\", \"0.5\"); they must "
                       "not be negative and must be less than 100,000,000,000,000; a count (value) is a whole "
                       "number, and a numerator cannot exceed its denominator. Text must not hold NUL "
                       "characters or unpaired surrogates.",
        "properties": {
            "value": INPUT_NUMBER,
            "numerator": INPUT_NUMBER,
            "denominator": INPUT_NUMBER,
            "flag": {"type": "boolean", "nullable": True},
            "narrative": {"type": "string", "maxLength": 10000, "nullable": True},
            "is_testing_phase": {"type": "boolean", "default": True},
            "note": {"type": "string", "maxLength": 10000, "nullable": True},
            "source": {"type": "string", "maxLength": 1000, "nullable": True},
            "version": {"type": "integer", "minimum": 0, "nullable": True,
                        "description": "The version you last read; a different current version gives 409."},
        },
        "example": {"value": "12", "note": "From the monthly case management report",
                    "source": "Case management system", "is_testing_phase": True},
    },
    "Card": _obj({
        "code": {"type": "string", "description": "\"3\" for a quick win; \"1.2\" for idea 2 under design "
                                                  "opportunity 1.", "example": "1.2"},
        "number": {"type": "integer"},
        "opportunity": {"type": "integer", "nullable": True,
                        "description": "The design opportunity's number; null for quick wins."},
        "title": {"type": "string"},
        "kind": {"type": "string", "enum": KINDS},
        "priority": {"type": "string", "enum": ["low", "medium", "high"]},
        "column": {"type": "string", "enum": COLUMNS},
        "completed_on": {**DATE, "nullable": True},
        "owners": {"type": "array", "items": {"type": "string"}, "description": "Owners' names."},
        "team_owned": {"type": "boolean",
                       "description": "Owned by the whole project team, as well as by any owners named."},
        "indicators": {"type": "array", "items": {"type": "string"},
                       "description": "Codes of the indicators the card is meant to move."},
        "version": {"type": "integer"},
        "updated": DATETIME,
    }, "A card on an organisation's roadmap (archived cards are left out)."),
    "ProgrammeList": _list_of("programmes", "Programme"),
    "OrganisationList": _list_of("organisations", "Organisation"),
    "PeriodList": _list_of("periods", "Period"),
    "IndicatorList": _list_of("indicators", "Indicator"),
    "FigureList": _list_of("figures", "Figure"),
    "CardList": _list_of("cards", "Card"),
}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


RESPONSES = {
    "BadRequest": _error("The request is malformed (e.g. the body is not a JSON object)."),
    "Unauthorized": {**_error("No token, or a token that is unknown, revoked or whose account is disabled."),
                     "headers": {"WWW-Authenticate": {"schema": {"type": "string"},
                                                      "description": "Bearer"}}},
    "Forbidden": _error("You may see this but not change it."),
    "NotFound": _error("Not found, or not visible to you."),
    "Conflict": _error("The figure changed since the version you sent; 'current' holds it as it is now."),
    "UnsupportedMediaType": _error("The body is not sent as application/json."),
    "Unprocessable": _error("A value is not valid; 'details' has a message per field."),
}

PARAMETERS = {
    "slug": {"name": "slug", "in": "path", "required": True, "description": "The programme's slug.",
             "schema": {"type": "string", "minLength": 1, "maxLength": 80}, "example": "welsh-pilot"},
    "org_slug": {"name": "org_slug", "in": "path", "required": True,
                 "description": "The participating organisation's slug.",
                 "schema": {"type": "string", "minLength": 1, "maxLength": 80}, "example": "council-a"},
    "indicator_code": {"name": "indicator_code", "in": "path", "required": True,
                       "description": "The indicator's code.",
                       "schema": {"type": "string", "minLength": 1, "maxLength": 20}, "example": "1.1.1"},
    "period": {"name": "period", "in": "path", "required": True, "description": "The reporting period's number.",
               "schema": {"type": "integer", "minimum": 1, "maximum": 1000}, "example": 3},
}


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _ok(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("schemas", schema)}}}


def _read(summary: str, operation_id: str, schema: str, params=(), query=(), description: str = "",
          unprocessable: bool = False) -> dict:
    responses = {"200": _ok(schema, summary), "401": _ref("responses", "Unauthorized")}
    if params:
        responses["404"] = _ref("responses", "NotFound")
    if unprocessable:
        responses["422"] = _ref("responses", "Unprocessable")
    operation = {"summary": summary, "operationId": operation_id, "tags": ["read"],
                 "parameters": [_ref("parameters", p) for p in params] + list(query), "responses": responses}
    if description:
        operation["description"] = description
    return {"get": operation}


def _query(name: str, description: str, schema: dict, example=None) -> dict:
    parameter = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if example is not None:
        parameter["example"] = example
    return parameter


PATHS = {
    "/openapi.json": {"get": {
        "summary": "This description", "operationId": "getOpenApi", "tags": ["meta"], "security": [],
        "responses": {"200": {"description": "The OpenAPI document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }},
    "/programmes": _read("The programmes you belong to", "listProgrammes", "ProgrammeList"),
    "/programmes/{slug}": _read("A programme", "getProgramme", "Programme", ["slug"]),
    "/programmes/{slug}/organisations": _read(
        "The participating organisations you may see", "listOrganisations", "OrganisationList", ["slug"]),
    "/programmes/{slug}/periods": _read(
        "The reporting periods", "listPeriods", "PeriodList", ["slug"],
        description="Derived from the programme's start date and reporting interval."),
    "/programmes/{slug}/indicators": _read("The indicators", "listIndicators", "IndicatorList", ["slug"]),
    "/programmes/{slug}/figures": _read(
        "Figures of the organisations you may see", "listFigures", "FigureList", ["slug"],
        query=[
            _query("indicator", "Only this indicator (its code).",
                   {"type": "string", "minLength": 1, "maxLength": 20}, "1.1.1"),
            _query("organisation", "Only this organisation (its slug).",
                   {"type": "string", "minLength": 1, "maxLength": 80}, "council-a"),
            _query("period", "Only this reporting period (its number).",
                   {"type": "integer", "minimum": 1, "maximum": 1000}, 3),
        ],
        description="Filters that match nothing you may see give an empty list. A filter sent empty "
                    "(`?period=`) is refused with 422: leave it out to see everything.", unprocessable=True),
    "/programmes/{slug}/organisations/{org_slug}/cards": _read(
        "An organisation's roadmap cards", "listCards", "CardList", ["slug", "org_slug"],
        query=[_query("column", "Only cards in this roadmap column.", {"type": "string", "enum": COLUMNS}),
               _query("kind", "Only cards of this kind.", {"type": "string", "enum": KINDS})],
        description="A filter sent empty (`?column=`) is refused with 422: leave it out to see every card.",
        unprocessable=True),
    "/programmes/{slug}/figures/{indicator_code}/{org_slug}/{period}": {"put": {
        "summary": "Create or replace a figure",
        "operationId": "putFigure",
        "tags": ["write"],
        "description": "Team members may write their own organisation's figures, facilitators any "
                       "organisation's; viewers may not write (403). A period that has not started, "
                       "a negative number, a numerator above its denominator or an unknown indicator code "
                       "give 422 with a message per field. A locked period gives 403 unless you are a "
                       "facilitator.",
        "parameters": [_ref("parameters", p) for p in ("slug", "indicator_code", "org_slug", "period")],
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": _ref("schemas", "FigureInput")}}},
        "responses": {
            "200": _ok("Figure", "The figure was replaced (or was already the same)."),
            "201": _ok("Figure", "The figure was created."),
            "400": _ref("responses", "BadRequest"),
            "401": _ref("responses", "Unauthorized"),
            "403": _ref("responses", "Forbidden"),
            "404": _ref("responses", "NotFound"),
            "409": _ref("responses", "Conflict"),
            "415": _ref("responses", "UnsupportedMediaType"),
            "422": _ref("responses", "Unprocessable"),
        },
    }},
}

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {
        "title": "Service improvement tracker API",
        "version": "1.0.0",
        "description": (
            "Read programmes, organisations, reporting periods, indicators, figures and roadmap cards; "
            "write indicator figures. Authenticate with a personal API token (create one on the \"API "
            "tokens\" page): `Authorization: Bearer trk_…`. A token acts with its owner's permissions: you "
            "see only what you could see in the app, and what you may not see is a 404.\n\n"
            "Numbers are strings holding a decimal (\"12\", \"0.5\"), so no precision is lost: ASCII digits with "
            "an optional decimal point, nothing else; dates are ISO 8601. Every error is JSON: "
            "`{\"error\": {\"status\": 422, \"message\": \"…\", \"details\": {\"field\": \"…\"}}}`."
        ),
    },
    "security": [{"bearerAuth": []}],
    "tags": [{"name": "read"}, {"name": "write"}, {"name": "meta"}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "trk_…",
                                           "description": "A personal API token."}},
        "schemas": SCHEMAS,
        "responses": RESPONSES,
        "parameters": PARAMETERS,
    },
}


def openapi_document(server_url: str = "/api/v1") -> dict:
    """The document (a copy), with the API's base URL (relative to the host serving it by default)."""
    document = deepcopy(DOCUMENT)
    document["servers"] = [{"url": server_url}]
    return document
