"""The upload scenario: file upload throughput against a plain disk write of the same bytes, and the
server's memory while many large uploads stream at once.

Its own server (one uvicorn worker, `UPLOAD_DIR` in the run's scratch directory, the embedded default
storage) and its own user. For 1 MB and 20 MB files: `POST /api/files` one at a time, timed from the
request to the 201 (the server has stored and recorded the file), against writing the same bytes to a
new file in the same directory (open, write, close: what the storage does, without the HTTP and
multipart framing), and against the same uploads to a bare Litestar route that only streams the body to a
file (`bench/bare_upload.py`: the cost of any HTTP upload, without confab's token check, parsing, sniffing,
quota and database). Then 20 uploads of 20 MB at once, with the server's peak RSS (VmHWM, reset just
before) compared to its RSS before them.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from bench.load import process_cpu_seconds
from bench.server import (
    ServerProcess,
    backend_environment,
    fresh_sqlite_url,
    migrate,
    read_status_kb,
    reset_peak_rss,
)

MB = 1024 * 1024
PASSWORD = "bench-password"


async def sign_up(http: aiohttp.ClientSession, url: str) -> str:
    nickname = f"up{uuid.uuid4().hex[:10]}"
    body = {"name": "Uploader", "email": f"{nickname}@example.com", "nickname": nickname, "password": PASSWORD}
    async with http.post(f"{url}/api/users", json=body) as response:
        assert response.status == 201, await response.text()
    async with http.post(f"{url}/api/auth/token", json={"nickname": nickname, "password": PASSWORD}) as response:
        return (await response.json())["access_token"]


async def upload(http: aiohttp.ClientSession, url: str, token: str, data: bytes) -> None:
    form = aiohttp.FormData()
    form.add_field("file", data, filename="bench.bin", content_type="application/octet-stream")
    async with http.post(f"{url}/api/files", data=form, headers={"Authorization": f"Bearer {token}"}) as response:
        if response.status != 201:
            raise RuntimeError(f"upload answered {response.status}: {await response.text()}")


def disk_write(directory: Path, data: bytes) -> None:
    path = directory / uuid.uuid4().hex
    with path.open("wb") as file:
        file.write(data)
    path.unlink()


async def measure_bare_uploads(
    workdir: Path, figures: dict[str, Any], count_1mb: int, count_20mb: int, uvicorn_args: list[str]
) -> None:
    """The same uploads to `bench.bare_upload`, each size's figures gaining its rate and confab's ratio to it."""
    directory = workdir / "bare-uploads"
    directory.mkdir(exist_ok=True)
    environment = {**os.environ, "BARE_UPLOAD_DIR": str(directory)}
    server = await ServerProcess("bench.bare_upload:app", environment, uvicorn_args).start("/alive")
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as http:
            for label, size, count in (("1mb", MB, count_1mb), ("20mb", 20 * MB, count_20mb)):
                data = os.urandom(size)
                await upload(http, server.url, "", data)  # warm-up, unmeasured
                cpu_before = process_cpu_seconds(server.pid)
                started = time.perf_counter()
                for _ in range(count):
                    await upload(http, server.url, "", data)
                rate = size * count / MB / (time.perf_counter() - started)
                figures[label]["bare_upload_mb_per_s"] = round(rate, 1)
                figures[label]["bare_server_cpu_ms_per_upload"] = round(
                    (process_cpu_seconds(server.pid) - cpu_before) * 1000 / count, 1
                )
                figures[label]["ratio_to_bare_upload"] = round(figures[label]["upload_mb_per_s"] / rate, 3)
    finally:
        server.stop()


async def run_uploads(
    workdir: Path, count_1mb: int, count_20mb: int, concurrent: int, app: str, uvicorn_args: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    uploads = workdir / "uploads"
    uploads.mkdir(exist_ok=True)
    baseline_dir = workdir / "plain-writes"
    baseline_dir.mkdir(exist_ok=True)
    database_url = fresh_sqlite_url(workdir, "confab-uploads.db")
    environment = backend_environment(database_url, {"UPLOAD_DIR": str(uploads), "UPLOAD_QUOTA_BYTES": str(1 << 40)})
    migrate(database_url, environment)
    server = await ServerProcess(app, environment, uvicorn_args).start("/db/alive")
    figures: dict[str, Any] = {}
    try:
        timeout = aiohttp.ClientTimeout(total=600)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            token = await sign_up(http, server.url)
            for label, size, count in (("1mb", MB, count_1mb), ("20mb", 20 * MB, count_20mb)):
                data = os.urandom(size)
                await upload(http, server.url, token, data)  # warm-up, unmeasured
                cpu_before = process_cpu_seconds(server.pid)
                started = time.perf_counter()
                for _ in range(count):
                    await upload(http, server.url, token, data)
                upload_seconds = time.perf_counter() - started
                cpu_seconds = process_cpu_seconds(server.pid) - cpu_before
                started = time.perf_counter()
                for _ in range(count):
                    disk_write(baseline_dir, data)
                disk_seconds = time.perf_counter() - started
                upload_rate = size * count / MB / upload_seconds
                disk_rate = size * count / MB / disk_seconds
                figures[label] = {
                    "files": count,
                    "upload_mb_per_s": round(upload_rate, 1),
                    "plain_disk_write_mb_per_s": round(disk_rate, 1),
                    "ratio_to_disk_write": round(upload_rate / disk_rate, 3),
                    "server_cpu_ms_per_upload": round(cpu_seconds * 1000 / count, 1),
                }
            data = os.urandom(20 * MB)
            rss_before = read_status_kb(server.pid, "VmRSS") or 0
            reset_peak_rss(server.pid)
            started = time.perf_counter()
            await asyncio.gather(*(upload(http, server.url, token, data) for _ in range(concurrent)))
            elapsed = time.perf_counter() - started
            peak = read_status_kb(server.pid, "VmHWM") or 0
            figures["concurrent_20mb"] = {
                "uploads": concurrent,
                "seconds": round(elapsed, 2),
                "server_rss_before_mb": round(rss_before / 1024, 1),
                "server_peak_rss_mb": round(peak / 1024, 1),
                "peak_growth_mb": round((peak - rss_before) / 1024, 1),
            }
    finally:
        server.stop()
    await measure_bare_uploads(workdir, figures, count_1mb, count_20mb, uvicorn_args)
    parameters = {"storage": "local directory", "concurrent_20mb_uploads": concurrent}
    return parameters, figures
