"""The README's newcomer path names recipes and commands that exist, and shows no image that does not."""

from __future__ import annotations

import re
import subprocess


def test_the_first_five_minutes_use_recipes_that_exist(project_root):
    readme = (project_root / "README.md").read_text()
    recipes = subprocess.run(
        ["just", "--summary"], cwd=project_root, capture_output=True, text=True, check=True
    ).stdout.split()
    for recipe in ("dev", "test", "demo", "demo-message", "confab"):
        assert f"just {recipe}" in readme
        assert recipe in recipes


def test_every_image_the_readme_shows_exists(project_root):
    readme = (project_root / "README.md").read_text()
    for path in re.findall(r"!\[[^\]]*\]\(([^)\s]+)", readme):
        if not path.startswith("http"):
            assert (project_root / path).is_file(), f"README shows {path}, which is not in the repository"
