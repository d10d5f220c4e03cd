"""Example bodies for the file routes in openapi.json."""

from litestar.openapi.spec import Example

from confab.domain.files.schemas import File

LINK = "expires=1795777200&signature=3f1c0e2a9b7d4c5e6f8a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a"
SCREENSHOT = File(
    id=7,
    name="screenshot.png",
    size=48213,
    content_type="image/png",
    url=f"/api/files/7/content?{LINK}",
    width=1280,
    height=800,
    thumbnail_url=f"/api/files/7/thumbnail?{LINK}",
)
LOG = File(
    id=8,
    name="server.log",
    size=1834,
    content_type="application/octet-stream",
    url=f"/api/files/8/content?{LINK}",
)
UPLOADED = Example(summary="An image: its size and a thumbnail", value=SCREENSHOT)
UPLOADED_DOWNLOAD = Example(summary="Anything else: a download", value=LOG)
