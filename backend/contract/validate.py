"""Run the two validators third parties run on a contract: `openapi-spec-validator` and `redocly lint`.

`python contract/validate.py [DIRECTORY]` checks DIRECTORY/openapi.json (default: the repository's own)
with redocly's settings from DIRECTORY (redocly.yaml and .redocly.lint-ignore.yaml, whose exemptions
name the file by its path relative to them). Exits 1 on any error or warning of either, and installs
redocly (tools/contract, pinned by its package-lock.json) the first time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools" / "contract"
REDOCLY = TOOLS / "node_modules" / ".bin" / "redocly"
# No usage reports leave the machine, and no update notices mix into the output.
QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}


def install_redocly() -> None:
    if not REDOCLY.exists() or (TOOLS / "package-lock.json").stat().st_mtime > REDOCLY.stat().st_mtime:
        npm = shutil.which("npm") or sys.exit("npm is needed to install redocly (Node.js 20 or later)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=TOOLS, check=True)
        REDOCLY.touch()


def spec_validator_problems(contract: Path) -> list[str]:
    """openapi-spec-validator's complaints (it reports errors only; it has no warnings)."""
    validator = Path(sys.executable).with_name("openapi-spec-validator")
    result = subprocess.run([str(validator), str(contract)], capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return []
    return [f"openapi-spec-validator: {(result.stdout + result.stderr).strip()}"]


def redocly_problems(directory: Path) -> list[str]:
    """Every error and warning of `redocly lint` with the directory's config, as `severity rule at pointer: message`."""
    install_redocly()
    result = subprocess.run(
        [str(REDOCLY), "lint", "openapi.json", "--format=json"],
        cwd=directory,
        env={**os.environ, **QUIET},
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return [f"redocly lint did not run: {(result.stdout + result.stderr).strip()}"]
    return [
        f"redocly {problem['severity']} {problem['ruleId']} at "
        f"{problem['location'][0]['pointer'] if problem.get('location') else '?'}: {problem['message']}"
        for problem in report["problems"]
    ]


def problems(directory: Path) -> list[str]:
    contract = directory / "openapi.json"
    return spec_validator_problems(contract) + redocly_problems(directory)


def main() -> int:
    directory = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT
    found = problems(directory)
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print(f"{directory / 'openapi.json'}: {len(found)} problem(s); see above", file=sys.stderr)
        return 1
    print(f"{directory / 'openapi.json'}: valid OpenAPI 3.1, and redocly's recommended rules pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
