"""What uvicorn runs: `uvicorn confab.asgi:app`."""

from confab.app import create_asgi_app

app = create_asgi_app()
