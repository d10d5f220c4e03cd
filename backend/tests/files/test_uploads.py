"""Uploading: streamed to storage, typed by its bytes, limited in size and per user, images thumbnailed."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from tests.support.files import jpeg_with_gps_rotated, png, upload, uploaded


async def test_an_image_gets_its_size_a_thumbnail_and_links(http: httpx.AsyncClient, make_user) -> None:
    alice = await make_user()
    data = png(800, 600)
    response = await upload(http, alice, data, "screenshot.png", "image/png")
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["name"] == "screenshot.png"
    assert stored["size"] == len(data)
    assert (stored["content_type"], stored["width"], stored["height"]) == ("image/png", 800, 600)
    content = await http.get(stored["url"])
    assert content.status_code == 200
    assert content.content == data
    assert content.headers["content-type"] == "image/png"
    assert content.headers["x-content-type-options"] == "nosniff"
    assert content.headers["content-security-policy"].startswith("sandbox")
    assert content.headers["content-disposition"].startswith("inline;")
    assert 'filename="screenshot.png"' in content.headers["content-disposition"]
    thumbnail = await http.get(stored["thumbnail_url"])
    assert thumbnail.status_code == 200
    with Image.open(io.BytesIO(thumbnail.content)) as small:
        assert small.size == (400, 300)


async def test_thumbnails_are_upright_and_carry_no_metadata(http: httpx.AsyncClient, make_user) -> None:
    alice = await make_user()
    stored = await uploaded(http, alice, jpeg_with_gps_rotated(1000, 500), "holiday.jpg")
    # EXIF orientation 6: the 1000x500 pixels are shown as a 500x1000 portrait.
    assert (stored["content_type"], stored["width"], stored["height"]) == ("image/jpeg", 500, 1000)
    thumbnail = await http.get(stored["thumbnail_url"])
    with Image.open(io.BytesIO(thumbnail.content)) as small:
        assert small.size == (200, 400)
        assert len(small.getexif()) == 0
        assert "exif" not in small.info
    assert b"SpyCam" not in thumbnail.content


async def test_the_type_comes_from_the_bytes_not_the_label(http: httpx.AsyncClient, make_user) -> None:
    alice = await make_user()
    page = b"<html><script>alert(document.cookie)</script></html>"
    stored = await uploaded(http, alice, page, "innocent.png")
    assert stored["content_type"] == "application/octet-stream"
    assert stored["width"] is None and stored["thumbnail_url"] is None
    download = await http.get(stored["url"])
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["content-security-policy"].startswith("sandbox")
    assert download.headers["x-content-type-options"] == "nosniff"

    pdf = await uploaded(http, alice, b"%PDF-1.7\n" + b"x" * 100, "report.txt")
    assert pdf["content_type"] == "application/pdf"


async def test_a_fake_image_is_a_plain_download(http: httpx.AsyncClient, make_user) -> None:
    alice = await make_user()
    fake = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    stored = await uploaded(http, alice, fake, "broken.png")
    assert stored["content_type"] == "application/octet-stream"
    assert stored["width"] is None and stored["height"] is None and stored["thumbnail_url"] is None


async def test_names_lose_directories_and_control_characters(http: httpx.AsyncClient, make_user) -> None:
    alice = await make_user()
    raw = await http.post(
        "/api/files",
        headers={**alice.headers, "content-type": "multipart/form-data; boundary=b"},
        content=b'--b\r\nContent-Disposition: form-data; name="file"; filename="../../etc/pa\x07sswd"\r\n\r\n'
        b"hello\r\n--b--\r\n",
    )
    assert raw.status_code == 201, raw.text
    stored = raw.json()
    assert stored["name"] == "passwd"
    download = await http.get(stored["url"])
    assert download.headers["content-disposition"] == "attachment; filename=\"passwd\"; filename*=UTF-8''passwd"
    accented = await uploaded(http, alice, b"hello", 'résumé "final".txt')
    disposition = (await http.get(accented["url"])).headers["content-disposition"]
    assert (
        disposition
        == "attachment; filename=\"r_sum_ _final_.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.txt"
    )


async def test_empty_missing_or_mislabelled_uploads_are_refused(
    http: httpx.AsyncClient, make_user, stored_keys
) -> None:
    alice = await make_user()
    empty = await upload(http, alice, b"", "empty.txt")
    assert empty.status_code == 400
    assert empty.json()["detail"] == "the file is empty"
    other_field = await http.post("/api/files", headers=alice.headers, files={"document": ("a.txt", b"hi")})
    assert other_field.status_code == 400
    as_json = await http.post("/api/files", headers=alice.headers, json={"file": "aGk="})
    assert as_json.status_code == 415
    truncated = await http.post(
        "/api/files",
        headers={**alice.headers, "content-type": "multipart/form-data; boundary=xyz"},
        content=b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhalf a fi',
    )
    assert truncated.status_code == 400
    anonymous = await http.post("/api/files", files={"file": ("a.txt", b"hi")})
    assert anonymous.status_code == 401
    assert stored_keys() == []


async def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(
    start_server, storage_settings, make_user, stored_keys
) -> None:
    async with (
        start_server(**storage_settings, max_upload_bytes=100_000) as small,
        httpx.AsyncClient(base_url=small.url, timeout=60) as client,
    ):
        alice = await make_user()
        fits = await upload(client, alice, b"x" * 100_000)
        assert fits.status_code == 201
        before = stored_keys()
        too_big = await upload(client, alice, b"x" * 100_001)
        assert too_big.status_code == 413
        assert "100000" in too_big.json()["detail"]

        async def chunked():  # no Content-Length: the limit is found while streaming
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
            for _ in range(30):
                yield b"y" * 10_000
            yield b"\r\n--b--\r\n"

        streamed = await client.post(
            "/api/files",
            headers={**alice.headers, "content-type": "multipart/form-data; boundary=b"},
            content=chunked(),
        )
        assert streamed.status_code == 413
        assert stored_keys() == before


async def test_the_quota_counts_every_file_a_user_keeps(start_server, storage_settings, make_user, stored_keys) -> None:
    async with (
        start_server(**storage_settings, upload_quota_bytes=250_000) as limited,
        httpx.AsyncClient(base_url=limited.url, timeout=60) as client,
    ):
        alice, bob = await make_user(), await make_user()
        assert (await upload(client, alice, b"a" * 200_000)).status_code == 201
        before = stored_keys()
        over = await upload(client, alice, b"b" * 60_000)
        assert over.status_code == 413
        assert "quota" in over.json()["detail"]
        assert stored_keys() == before
        assert (await upload(client, alice, b"c" * 40_000)).status_code == 201
        assert (await upload(client, bob, b"d" * 200_000)).status_code == 201
