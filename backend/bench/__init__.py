"""confab's load benchmark: `python -m bench` (or `just bench`); see bench/RESULTS.md for what it measured."""
