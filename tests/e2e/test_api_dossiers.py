from tests.e2e.auth.helpers import bearer_for
from tests.factories import make_dossier


def test_get_a_dossier_with_its_fee(client, db_session):
    dossier = make_dossier(db_session, fee_due_vnd=1_284_000)
    response = client.get(f"/api/v1/dossiers/{dossier.code}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["code"] == dossier.code
    assert body["fee_due_vnd"] == 1_284_000
    assert body["currency"] == "VND"
    assert body["received_at"] == "2026-11-20T02:30:00+00:00"


def test_an_unknown_dossier_is_a_problem_json_404(client):
    response = client.get("/api/v1/dossiers/NOPE")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404
    assert "NOPE" in body["detail"]


def test_put_creates_then_updates_and_validates(client, db_session):
    dossier = make_dossier(db_session)
    procedure_code = dossier.procedure.code
    body = {
        "procedure_code": procedure_code,
        "applicant_name": "Đỗ Minh Tâm",
        "applicant_id": "022090009999",
        "received_at": "2026-11-23T09:00:00+07:00",
        "status": "received",
        "fee_due_vnd": 200_000,
    }
    headers = bearer_for(db_session, "dossiers:write")
    created = client.put("/api/v1/dossiers/HS-NEW-1", json=body, headers=headers)
    assert created.status_code == 201
    assert created.get_json()["status"] == "received"
    updated = client.put(
        "/api/v1/dossiers/HS-NEW-1", json=body | {"status": "done"}, headers=headers
    )
    assert updated.status_code == 200
    assert updated.get_json()["status"] == "done"

    bad = client.put("/api/v1/dossiers/HS-NEW-1", json=body | {"fee_due_vnd": 1.5}, headers=headers)
    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"
    assert bad.get_json()["errors"][0]["where"] == "body.fee_due_vnd"
    assert client.get("/api/v1/dossiers/HS-NEW-1").get_json()["status"] == "done"


def test_a_body_that_is_not_json_is_refused(client, db_session):
    response = client.put(
        "/api/v1/dossiers/X",
        data="nope",
        content_type="text/plain",
        headers=bearer_for(db_session, "dossiers:write"),
    )
    assert response.status_code in (415, 422)
    assert response.mimetype == "application/problem+json"


def test_a_push_takes_paid_at_as_the_csv_feed_does(client, db_session):
    dossier = make_dossier(db_session)
    body = {
        "procedure_code": dossier.procedure.code,
        "applicant_name": "Đỗ Minh Tâm",
        "applicant_id": "022090009999",
        "received_at": "2026-11-23T09:00:00+07:00",
        "status": "processing",
        "fee_due_vnd": 200_000,
    }
    headers = bearer_for(db_session, "dossiers:write")
    url = "/api/v1/dossiers/HS-PAID-1"
    # a time without an offset is Vietnam time, as in the CSV feed
    created = client.put(url, json=body | {"paid_at": "2026-11-23T10:00:00"}, headers=headers)
    assert created.status_code == 201
    assert created.get_json()["paid_at"] == "2026-11-23T03:00:00+00:00"
    # absent: what the dossier system said before stands
    assert client.put(url, json=body, headers=headers).get_json()["paid_at"] is not None
    bad = client.put(url, json=body | {"paid_at": "23/11/2026"}, headers=headers)
    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"
    problem = bad.get_json()
    assert problem["errors"][0]["where"] == "body.paid_at"
    assert "leave it empty if the fee is not paid" in problem["detail"]
    assert client.get(url).get_json()["paid_at"] == "2026-11-23T03:00:00+00:00"
    # null clears it, as an empty CSV value does
    cleared = client.put(url, json=body | {"paid_at": None}, headers=headers)
    assert cleared.status_code == 200
    assert cleared.get_json()["paid_at"] is None
