"""The OpenAPI description matches the API: Schemathesis generates requests from it and checks every
response against it (documented status codes, content types, headers and response schemas)."""

import schemathesis
from hypothesis import HealthCheck, settings

from tracker import create_app
from tracker.api.openapi import openapi_document
from tracker.extensions import db

#: Writing a figure has rules no schema can state (a numerator at most its denominator, a period that
#: has started, the fields the indicator's unit uses, an indicator code that exists), so well-formed data
#: may still be refused with 422 there; everywhere else the default expectations hold.
CONFIG = schemathesis.Config.from_dict({
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
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_description(case, app, api):
    """A facilitator's token, so that requests built from the description's examples (programme
    ``welsh-pilot``, organisation ``council-a``, indicator ``1.1.1``, period 3) find real data."""
    case.call_and_validate(app=app, headers=api.headers("facilitator"))


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
