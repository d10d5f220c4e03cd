"""Every file test runs twice: against a local upload directory and against a real S3 endpoint (moto)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager

import httpx
import obstore
import pytest

from confab.domain.files.storage import FileStorage
from tests.conftest import LiveServer, free_port
from tests.support.files import MotoServer


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoServer]:
    server = MotoServer(free_port())
    yield server
    server.stop()


@pytest.fixture(params=["disk", "s3"])
def storage_settings(request: pytest.FixtureRequest, tmp_path) -> dict[str, object]:
    if request.param == "disk":
        return {"upload_dir": str(tmp_path / "uploads")}
    moto: MotoServer = request.getfixturevalue("moto_s3")
    bucket = f"confab-{uuid.uuid4().hex[:12]}"
    moto.create_bucket(bucket)
    return {
        "s3_bucket": bucket,
        "s3_endpoint_url": moto.url,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }


@pytest.fixture
async def file_server(
    start_server: Callable[..., AbstractAsyncContextManager[LiveServer]], storage_settings: dict[str, object]
) -> AsyncIterator[LiveServer]:
    async with start_server(**storage_settings) as server:
        yield server


@pytest.fixture
async def http(file_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=file_server.url, timeout=60) as client:
        yield client


@pytest.fixture
def stored_keys(file_server: LiveServer) -> Callable[[], list[str]]:
    """What the server's storage holds right now, read straight from the directory or bucket."""

    def keys() -> list[str]:
        storage = FileStorage.from_settings(file_server.settings)
        return sorted(item["path"] for batch in obstore.list(storage.backend.fs) for item in batch)

    return keys
