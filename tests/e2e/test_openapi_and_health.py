import re


def test_every_api_route_is_documented(app, client):
    spec = client.get("/openapi.json").get_json()
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1", "/gateway")):
            continue
        # Flask's /x/<int:id> is OpenAPI's /x/{id}: drop converters, keep the braces.
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append(f"{method} {rule.rule}")
    assert missing == []


def test_errors_are_documented_as_problem_json(client):
    spec = client.get("/openapi.json").get_json()
    assert "application/problem+json" in spec["components"]["responses"]["DEFAULT_ERROR"]["content"]


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["status"] == "ok"


def test_unknown_routes_and_methods_are_problem_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    response = client.delete("/api/v1/dossiers/X")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
