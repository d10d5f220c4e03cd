"""openapi.json passes the validators third parties run on it, and every operation, including routes added
later, documents its 4XX answers the same way: the `ErrorBody` schema with an example."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest
import yaml
from openapi_spec_validator import validate

from confab.schemas import ErrorBody

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
ERROR_BODY = "#/components/schemas/ErrorBody"


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def takes_input(operation: dict) -> bool:
    """Whether a client can get anything wrong: a parameter, a body, or a token to send."""
    return bool(operation.get("parameters") or operation.get("requestBody") or operation.get("security") != [])


def pointer(path: str, method: str) -> str:
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + f"/{method}/responses"


@pytest.fixture
async def document(http) -> dict:
    """The contract as the server publishes it (what `just openapi` writes), so new routes are in it."""
    return (await http.get("/schema/openapi.json")).json()


async def test_the_published_contract_is_valid_openapi(document):
    validate(document)


async def test_every_4xx_answer_is_an_error_body_with_a_matching_example(document):
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if not status.startswith("4"):
                continue
            name = f"{method.upper()} {path} {status}"
            media = response.get("content", {}).get("application/json")
            assert media, f"{name}: no JSON body documented"
            assert media["schema"] == {"$ref": ERROR_BODY}, f"{name}: not the ErrorBody schema"
            assert media.get("examples"), f"{name}: no example"
            for example in media["examples"].values():
                body = msgspec.convert(example["value"], ErrorBody)
                assert str(body.status_code) == status, f"{name}: the example says {body.status_code}"


async def test_every_operation_that_takes_input_documents_how_it_can_be_refused(document):
    for path, method, operation in operations(document):
        name = f"{method.upper()} {path}"
        statuses = set(operation["responses"])
        if not takes_input(operation):
            continue
        assert any(status.startswith("4") for status in statuses), f"{name}: no 4XX documented"
        if operation.get("security") != []:
            assert "401" in statuses, f"{name}: needs a token but does not document 401"
        if operation.get("parameters"):
            assert "400" in statuses, f"{name}: has parameters but does not document 400"
        if operation.get("requestBody"):
            assert {"400", "413", "415"} <= statuses, f"{name}: takes a body but does not document 400, 413 and 415"


async def test_only_operations_that_take_nothing_are_exempt_from_documenting_a_4xx(document, project_root):
    """redocly's exemptions (.redocly.lint-ignore.yaml) are exactly the public probes that take no input."""
    ignored = yaml.safe_load((project_root / ".redocly.lint-ignore.yaml").read_text())
    exempt = set(ignored["openapi.json"]["operation-4xx-response"])
    assert ignored["openapi.json"].keys() == {"operation-4xx-response"}, "no other rule is waived"
    assert exempt == {pointer(path, method) for path, method, op in operations(document) if not takes_input(op)}


def text_fields(document: dict, operation: dict) -> list[tuple[str, dict, object]]:
    """(name, schema, documented example value) of each text field of the operation's request body."""
    media = operation["requestBody"]["content"]["application/json"]
    reference = media["schema"]["allOf"][0]["$ref"]
    properties = document["components"]["schemas"][reference.rsplit("/", 1)[-1]]["properties"]
    example = media["schema"]["examples"][0]
    return [
        (name, schema, example.get(name))
        for name, schema in properties.items()
        if "string" in [schema.get("type"), *(branch.get("type") for branch in schema.get("oneOf", []))]
    ]


async def test_no_text_field_of_a_request_body_accepts_nul(document):
    """PostgreSQL's text cannot hold NUL; a field whose rule lets it through would be a 500 there."""
    for path, method, operation in operations(document):
        if "application/json" not in operation.get("requestBody", {}).get("content", {}):
            continue  # a multipart upload's only field is the file's bytes, which may hold anything
        for name, schema, example in text_fields(document, operation):
            field = f"{method.upper()} {path} {name}"
            if "enum" in schema:  # a closed list of words refuses everything else, NUL included
                assert not any("\x00" in value for value in schema["enum"]), f"{field}: an allowed value holds NUL"
                continue
            assert "pattern" in schema, f"{field}: no pattern, so nothing refuses NUL (see confab.schemas.NO_NUL)"
            valid = example if isinstance(example, str) else "x" * schema.get("minLength", 1)
            assert re.search(schema["pattern"], valid), f"{field}: the pattern refuses the example {valid!r}"
            with_nul = valid[: len(valid) // 2] + "\x00" + valid[len(valid) // 2 :]
            assert not re.search(schema["pattern"], with_nul), f"{field}: the pattern lets NUL through"


def contract_copy(directory: Path, project_root: Path, document: dict) -> Path:
    """`document` as openapi.json in `directory`, with the repository's redocly settings beside it."""
    directory.mkdir()
    for name in ("redocly.yaml", ".redocly.lint-ignore.yaml"):
        shutil.copy(project_root / name, directory / name)
    (directory / "openapi.json").write_text(json.dumps(document, indent=2, ensure_ascii=False))
    return directory


def run_validators(directory: Path, project_root: Path) -> subprocess.CompletedProcess[str]:
    """The command `just check-openapi` runs on the committed file, run on another directory."""
    command = [sys.executable, str(project_root / "backend" / "contract" / "validate.py"), str(directory)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)


async def test_the_validation_passes_the_published_contract(document, project_root, tmp_path):
    result = run_validators(contract_copy(tmp_path / "published", project_root, document), project_root)
    assert result.returncode == 0, result.stderr


async def test_the_validation_fails_on_what_openapi_spec_validator_refuses(document, project_root, tmp_path):
    broken = copy.deepcopy(document)
    broken["components"]["securitySchemes"]["BearerToken"]["name"] = "Authorization"
    result = run_validators(contract_copy(tmp_path / "broken", project_root, broken), project_root)
    assert result.returncode == 1
    assert "openapi-spec-validator: " in result.stderr
    assert "('name' was unexpected)" in result.stderr


async def test_the_validation_fails_on_a_redocly_warning(document, project_root, tmp_path):
    broken = copy.deepcopy(document)
    responses = broken["paths"]["/api/me"]["get"]["responses"]
    del responses["401"]
    result = run_validators(contract_copy(tmp_path / "broken", project_root, broken), project_root)
    assert result.returncode == 1
    assert "openapi-spec-validator" not in result.stderr, "the copy is still valid OpenAPI: only redocly warns"
    assert f"redocly warn operation-4xx-response at {pointer('/api/me', 'get')}" in result.stderr


def test_the_committed_contract_passes_both_validators(project_root):
    result = run_validators(project_root, project_root)
    assert result.returncode == 0, result.stderr
