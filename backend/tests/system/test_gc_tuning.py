"""The served app tunes the garbage collector: its long pauses were the slowest room deliveries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from confab.gc_tuning import GC_THRESHOLDS
from tests.support.serving import backend_environment

REPORT = "import gc, confab.asgi; print(gc.get_threshold(), gc.get_freeze_count())"


def test_the_served_app_freezes_its_startup_objects_and_collects_less_often(tmp_path: Path) -> None:
    environment = backend_environment(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'confab.db'}", SECRET_KEY="test-secret-for-this-process"
    )
    finished = subprocess.run(
        [sys.executable, "-c", REPORT], env=environment, capture_output=True, text=True, timeout=60, check=True
    )
    thresholds, frozen = finished.stdout.rsplit(" ", 1)
    assert thresholds == str(GC_THRESHOLDS)
    assert int(frozen) > 50_000, "the app's modules, routes and mappers are out of every scan"
