"""The interactive documentation is served, and every route in the contract is described with examples."""

from __future__ import annotations

import pytest

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def operations(document: dict) -> list[tuple[str, dict]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def has_examples(media: dict) -> bool:
    return bool(media.get("examples") or media.get("schema", {}).get("examples"))


@pytest.fixture
async def document(http) -> dict:
    return (await http.get("/schema/openapi.json")).json()


async def test_every_route_has_a_summary_a_description_and_example_bodies(document):
    assert len(operations(document)) >= 20
    for name, operation in operations(document):
        assert operation.get("summary"), name
        assert operation.get("description"), name
        body = operation.get("requestBody")
        if body:
            for media in body["content"].values():
                assert has_examples(media), f"{name}: request body without example"
        for status, response in operation["responses"].items():
            assert response.get("description"), f"{name} {status}"
            for media in (response.get("content") or {}).values():
                assert has_examples(media), f"{name} {status}: response without example"


async def test_examples_keep_null_fields_as_the_api_sends_them(document):
    sent = document["paths"]["/api/rooms/{room_id}/messages"]["post"]["responses"]["201"]
    example = next(iter(sent["content"]["application/json"]["examples"].values()))["value"]
    assert example["recipient"] is None
    assert example["room_id"] == 7


async def test_the_interactive_docs_are_served(http):
    for path in ("/schema", "/schema/swagger"):
        page = await http.get(path)
        assert page.status_code == 200, path
        assert "text/html" in page.headers["content-type"]
