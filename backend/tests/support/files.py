"""File chores: images with known metadata, uploads through the public API, and a moto S3 server."""

from __future__ import annotations

import io
import subprocess
import sys
import time

import httpx
from PIL import Image

from tests.support.accounts import Account


def png(width: int = 800, height: int = 600, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), color).save(output, format="PNG")
    return output.getvalue()


def jpeg_with_gps_rotated(width: int = 1000, height: int = 500) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90°" (orientation 6) and carries a GPS position."""
    image = Image.new("RGB", (width, height), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SpyCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 24.0)
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


async def upload(
    http: httpx.AsyncClient,
    owner: Account,
    data: bytes,
    name: str = "file.bin",
    claimed: str = "application/octet-stream",
) -> httpx.Response:
    return await http.post("/api/files", headers=owner.headers, files={"file": (name, data, claimed)})


async def uploaded(http: httpx.AsyncClient, owner: Account, data: bytes, name: str = "file.bin") -> dict:
    response = await upload(http, owner, data, name)
    assert response.status_code == 201, response.text
    return response.json()


class MotoServer:
    """moto's standalone S3 server on a loopback port, a real HTTP S3 endpoint for the storage tests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.url}/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)

    def create_bucket(self, name: str) -> None:
        response = httpx.put(f"{self.url}/{name}")
        assert response.status_code == 200, response.text

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
