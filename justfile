# confab's local workflow. Every recipe installs what it needs first, so a fresh clone works.

set shell := ["bash", "-euo", "pipefail", "-c"]
set positional-arguments := true

python := "backend/.venv/bin/python"
host := env_var_or_default("HOST", "127.0.0.1")
port := env_var_or_default("PORT", "8000")

# List the recipes
default:
    @just --list --unsorted

# Install the backend (a virtualenv in backend/.venv) and the frontend's npm packages
setup: backend-deps frontend-deps

# Create backend/.venv and install confab with its test tools (again only when pyproject.toml changed)
backend-deps:
    #!/usr/bin/env bash
    set -euo pipefail
    mkdir -p .just-stamps
    if [ ! -x {{python}} ]; then python3 -m venv backend/.venv; fi
    if [ ! -f .just-stamps/backend ] || [ backend/pyproject.toml -nt .just-stamps/backend ]; then
        {{python}} -m pip install --quiet --upgrade pip
        {{python}} -m pip install --quiet -e 'backend[test]'
        touch .just-stamps/backend
    fi

# Install the frontend's npm packages (again only when package.json changed)
frontend-deps:
    #!/usr/bin/env bash
    set -euo pipefail
    [ -f frontend/package.json ] || exit 0
    mkdir -p .just-stamps
    if [ ! -d frontend/node_modules ] || [ frontend/package.json -nt .just-stamps/frontend ]; then
        (cd frontend && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi)
        touch .just-stamps/frontend
    fi

# Upgrade the database named by DATABASE_URL (default: backend/confab.db) to the latest schema
migrate: backend-deps
    cd backend && .venv/bin/confab migrate

# Migrate, then run the API with auto-reload (and the frontend dev server once it exists)
dev: setup migrate
    #!/usr/bin/env bash
    set -euo pipefail
    if [ -f frontend/package.json ]; then
        export CORS_ORIGINS="${CORS_ORIGINS:-http://localhost:5173,http://127.0.0.1:5173}"
        trap 'kill 0' EXIT INT TERM
        (cd backend && exec .venv/bin/uvicorn confab.asgi:app --reload --host {{host}} --port {{port}}) &
        (cd frontend && BACKEND_URL="http://{{host}}:{{port}}" exec npx vite --host 127.0.0.1 --port 5173 --strictPort) &
        echo "confab: open http://127.0.0.1:5173 (API on http://{{host}}:{{port}})"
        wait
    else
        cd backend && exec .venv/bin/uvicorn confab.asgi:app --reload --host {{host}} --port {{port}}
    fi

# Run the API alone with auto-reload (HOST default 127.0.0.1, PORT default 8000)
backend: backend-deps migrate
    cd backend && exec .venv/bin/uvicorn confab.asgi:app --reload --host {{host}} --port {{port}}

# Run every test: backend on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set
test *args: backend-deps
    #!/usr/bin/env bash
    set -euo pipefail
    cd backend
    .venv/bin/pytest "$@"
    if [ -n "${TEST_POSTGRES_URL:-}" ]; then
        echo "--- the same suite on PostgreSQL ---"
        CONFAB_TEST_DATABASE=postgres .venv/bin/pytest "$@"
    fi

# Fuzz a fresh server against openapi.json with schemathesis (bounded; extra arguments go to schemathesis)
fuzz *args: backend-deps
    #!/usr/bin/env bash
    set -euo pipefail
    if [ ! -f .just-stamps/fuzz ] || [ backend/pyproject.toml -nt .just-stamps/fuzz ]; then
        {{python}} -m pip install --quiet -e 'backend[test,fuzz]'
        touch .just-stamps/fuzz
    fi
    {{python}} backend/fuzz/run.py "$@"

# Check style and common bugs with ruff
lint: backend-deps
    cd backend && .venv/bin/ruff check src tests fuzz && .venv/bin/ruff format --check src tests fuzz

# Rewrite openapi.json from the code
openapi: backend-deps
    cd backend && SECRET_KEY=openapi-export .venv/bin/confab openapi --output ../openapi.json

# Fail when openapi.json differs from what the code generates
check-openapi: backend-deps
    #!/usr/bin/env bash
    set -euo pipefail
    generated=$(mktemp)
    (cd backend && SECRET_KEY=openapi-export .venv/bin/confab openapi --output "$generated")
    if ! diff -u openapi.json "$generated"; then
        echo "openapi.json is out of date: run 'just openapi' and commit it" >&2
        exit 1
    fi
