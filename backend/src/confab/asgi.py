"""What uvicorn runs: `uvicorn confab.asgi:app`, in a process tuned for many long-lived connections."""

from confab.app import create_asgi_app
from confab.gc_tuning import tune_garbage_collector

app = create_asgi_app()
tune_garbage_collector()
