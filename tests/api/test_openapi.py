"""The OpenAPI description matches the API: Schemathesis generates requests from it, valid and invalid,
and checks every response against it — no server error, a documented status code, the documented content
type, headers and response schema, valid data accepted and invalid data refused."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tracker import create_app
from tracker.api.openapi import openapi_document
from tracker.extensions import db

#: Writing a figure has rules no schema can state (a numerator at most its denominator, a period that
#: has started, the fields the indicator's unit uses, an indicator code that exists), so well-formed data
#: may still be refused with 422 there; everywhere else the default expectations hold.
#: The checks every response must pass, named so that none is left out by a default.
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "positive_data_acceptance",
          "negative_data_rejection", "missing_required_header", "unsupported_method", "ignored_auth")
CONFIG = schemathesis.Config.from_dict({
    # Valid requests (positive) and requests the description says are invalid (negative): an empty
    # ``?column=`` is one of those, and must be refused like the rest.
    "generation": {"mode": "all"},
    "checks": {name: {"enabled": True} for name in CHECKS},
    "operations": [{
        "include-operation-id": "putFigure",
        "checks": {"positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "422"]}},
    }],
})


def _load_schema():
    """Load the description the way a client does: from ``/api/v1/openapi.json`` of a running app (one
    built for collection; the tests then call the suite's app, whose database holds the data)."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    with app.app_context():
        db.engine.dispose()
    return loaded


schema = _load_schema()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_description(case, app, api):
    """A facilitator's token, so that requests built from the description's examples (programme
    ``welsh-pilot``, organisation ``council-a``, indicator ``1.1.1``, period 3) find real data."""
    case.call_and_validate(app=app, headers=api.headers("facilitator"))


def _query_parameters():
    for path, operations in openapi_document()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    yield path, method, parameter


@pytest.mark.parametrize(("path", "method", "parameter"), list(_query_parameters()),
                         ids=lambda value: value["name"] if isinstance(value, dict) else str(value))
def test_every_filter_sent_empty_is_refused_as_documented(client, api, path, method, parameter):
    """No query parameter's schema takes an empty value (an enum without "", a number, a string of at
    least one character), so ``?column=`` is a 422 with the parameter named, as for any other bad value."""
    schema_of = parameter["schema"]
    assert "" not in schema_of.get("enum", []) and (schema_of["type"] != "string" or schema_of.get("minLength", 0)
                                                    or "enum" in schema_of)
    url = "/api/v1" + path.replace("{slug}", api.slug).replace("{org_slug}", "council-a")
    response = client.open(f"{url}?{parameter['name']}=", method=method.upper(), headers=api.headers("facilitator"))
    assert response.status_code == 422 and response.is_json
    assert parameter["name"] in response.get_json()["error"]["details"]


def test_description_is_served_and_covers_every_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        **document["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer"}
    documented = set()
    for path, operations in openapi_document()["paths"].items():
        flask_path = "/api/v1" + path.replace("{period}", "<int:period>")
        for name in ("slug", "org_slug", "indicator_code"):
            flask_path = flask_path.replace("{" + name + "}", f"<{name}>")
        documented |= {(flask_path, method.upper()) for method in operations}
    routes = {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented
