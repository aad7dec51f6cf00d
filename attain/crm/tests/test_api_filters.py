"""The record lists' filters (docs/crm.md, "API"): each is in the OpenAPI document, and
read as strictly as every other query parameter (attain.web.query): a status that is
not one, or a filter given twice, is a 400 naming it. Before, the document listed only
``page`` and ``page_size``, and ``?status=confimed`` (a typo) answered an empty list,
which looks like no orders."""

from __future__ import annotations

from attain.conftest import Company, api_client_for

FILTERS = {
    "/api/customers/": {"q", "owner"},
    "/api/contacts/": {"customer"},
    "/api/opportunities/": {"stage"},
    "/api/orders/": {"status"},
    "/api/tickets/": {"status"},
    "/api/surveys/": {"person"},
    "/api/training-scores/": {"person"},
    "/api/peer-ratings/": {"person"},
    "/api/products/": {"line"},
}


def test_the_document_lists_every_filter(company: Company) -> None:
    paths = api_client_for(company).get("/api/openapi.json").json()["paths"]
    for url, names in FILTERS.items():
        documented = {p["name"] for p in paths[url]["get"]["parameters"]}
        assert names <= documented, (url, names - documented)
    statuses = {
        p["name"]: p["schema"].get("enum") for p in paths["/api/orders/"]["get"]["parameters"]
    }
    # the empty value too: ?status= is read as not given
    assert statuses["status"] == ["", "cancelled", "confirmed", "returned"]


def test_a_status_that_is_not_one_is_a_400(company: Company) -> None:
    client = api_client_for(company)
    for url in ["/api/orders/", "/api/tickets/"]:
        response = client.get(url, {"status": "confimed"}, headers={"accept-language": "zh-hans"})
        assert response.status_code == 400, (url, response.content[:300])
        assert list(response.json()["error"]["fields"]) == ["status"]
    assert client.get("/api/orders/", {"status": "confirmed"}).status_code == 200
    assert client.get("/api/tickets/", {"status": "in_progress"}).status_code == 200
    assert client.get("/api/orders/", {"status": ""}).status_code == 200  # empty: not given


def test_a_filter_given_twice_is_a_400(company: Company) -> None:
    client = api_client_for(company)
    for url, names in FILTERS.items():
        for name in names:
            response = client.get(f"{url}?{name}=a&{name}=b")
            assert response.status_code == 400, (url, name, response.content[:300])
            assert list(response.json()["error"]["fields"]) == [name]


def test_an_opportunitys_history_is_documented_as_the_list_it_answers(company: Company) -> None:
    """The history answers every stage change as a plain list; the document promised a
    page of them (``count``, ``results``) and ``?page=`` / ``?page_size=``."""
    operation = (
        api_client_for(company)
        .get("/api/openapi.json")
        .json()["paths"]["/api/opportunities/{external_id}/history/"]["get"]
    )
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["type"] == "array", schema
    assert {p["name"] for p in operation["parameters"]} == {"external_id"}
