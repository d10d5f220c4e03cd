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

# Migrate, then run the API with auto-reload and the frontend's dev server (Ctrl-C stops both)
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

# Production server: migrate, then uvicorn with WORKERS processes (default: one per core; more than one needs REDIS_URL), JSON logs
serve: backend-deps migrate
    cd backend && exec .venv/bin/confab serve --host {{host}} --port {{port}}

# Run every test: backend on SQLite (and PostgreSQL when TEST_POSTGRES_URL is set), then the frontend's unit and browser tests
test *args: backend-deps
    #!/usr/bin/env bash
    set -euo pipefail
    (
        cd backend
        .venv/bin/pytest "$@"
        if [ -n "${TEST_POSTGRES_URL:-}" ]; then
            echo "--- the same suite on PostgreSQL ---"
            CONFAB_TEST_DATABASE=postgres .venv/bin/pytest "$@"
        fi
    )
    {{just_executable()}} frontend-test e2e

# Build the web frontend into frontend/dist (set VITE_API_URL when the API is not on the site's own origin)
build: frontend-deps
    cd frontend && npx vite build

# Run the frontend's unit tests (Vitest, views in jsdom)
frontend-test: frontend-deps
    cd frontend && npx vitest run

# Run the browser tests: the built site against a real backend in Debian's Chromium (installed when missing)
e2e: backend-deps frontend-deps
    #!/usr/bin/env bash
    set -euo pipefail
    if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
        echo "Chromium is missing: installing Debian's package"
        as_root=$([ "$(id -u)" = 0 ] || echo sudo)
        $as_root apt-get update -qq
        $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
    fi
    cd frontend && npx vitest run --config e2e/vitest.config.js

# Measure the web client in a busy conversation (1,000 messages at 20/s, a 50-member room, heap growth): one JSON line (`just bench-frontend --help`)
bench-frontend *args: backend-deps frontend-deps
    cd frontend && node e2e/bench.js "$@"

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
    cd backend && .venv/bin/ruff check src tests fuzz bench contract && .venv/bin/ruff format --check src tests fuzz bench contract

# Load-test a fresh server and print one JSON line per scenario (`just bench --quick`, `--help`; see backend/bench/RESULTS.md)
bench *args: backend-deps
    #!/usr/bin/env bash
    set -euo pipefail
    if [ ! -f .just-stamps/bench ] || [ backend/pyproject.toml -nt .just-stamps/bench ]; then
        {{python}} -m pip install --quiet -e 'backend[test,bench]'
        touch .just-stamps/bench
    fi
    cd backend && exec .venv/bin/python -m bench "$@"

# Mixed load on a fresh server for MINUTES (default 10), sampling RSS, open files and asyncio tasks (see backend/bench/RESULTS.md)
soak minutes="10" *args: backend-deps
    #!/usr/bin/env bash
    set -euo pipefail
    if [ ! -f .just-stamps/bench ] || [ backend/pyproject.toml -nt .just-stamps/bench ]; then
        {{python}} -m pip install --quiet -e 'backend[test,bench]'
        touch .just-stamps/bench
    fi
    cd backend && exec .venv/bin/python -m bench.soak --minutes "{{minutes}}" "${@:2}"

# Rewrite openapi.json from the code
openapi: backend-deps
    cd backend && SECRET_KEY=openapi-export .venv/bin/confab openapi --output ../openapi.json

# Fail when openapi.json differs from what the code generates, or openapi-spec-validator or redocly lint finds any error or warning in it
check-openapi: backend-deps
    #!/usr/bin/env bash
    set -euo pipefail
    generated=$(mktemp)
    (cd backend && SECRET_KEY=openapi-export .venv/bin/confab openapi --output "$generated")
    if ! diff -u openapi.json "$generated"; then
        echo "openapi.json is out of date: run 'just openapi' and commit it" >&2
        exit 1
    fi
    {{python}} backend/contract/validate.py

# Fill the running server (CONFAB_URL, default http://HOST:PORT) with the tutorial's alice, bob, charlie, messages and a room
demo *args: backend-deps
    @CONFAB_URL="${CONFAB_URL:-http://{{host}}:{{port}}}" backend/.venv/bin/confab demo "$@"

# Send one more message to alice from charlie, to watch it arrive live (after `just demo`)
demo-message *args: backend-deps
    @CONFAB_URL="${CONFAB_URL:-http://{{host}}:{{port}}}" backend/.venv/bin/confab demo-message "$@"

# Run the command-line client, e.g. `just confab login alice` (see README "The confab command")
confab *args: backend-deps
    @CONFAB_URL="${CONFAB_URL:-http://{{host}}:{{port}}}" backend/.venv/bin/confab "$@"

# Validate docker-compose.yml without a Docker engine (installs Debian's docker-compose when missing)
check-compose:
    #!/usr/bin/env bash
    set -euo pipefail
    if ! command -v docker-compose >/dev/null 2>&1; then
        as_root=$([ "$(id -u)" -eq 0 ] || echo sudo)
        $as_root apt-get install -y -q docker-compose >/dev/null || { $as_root apt-get update -q && $as_root apt-get install -y -q docker-compose >/dev/null; }
    fi
    # An empty env file, so a local .env cannot hide a missing guard.
    no_env_file=$(mktemp)
    trap 'rm -f "$no_env_file"' EXIT
    export SECRET_KEY=check POSTGRES_PASSWORD=check MINIO_ROOT_PASSWORD=check-minio
    docker-compose --env-file "$no_env_file" -f docker-compose.yml config -q
    for secret in SECRET_KEY POSTGRES_PASSWORD MINIO_ROOT_PASSWORD; do
        if env -u "$secret" docker-compose --env-file "$no_env_file" -f docker-compose.yml config -q 2>/dev/null; then
            echo "docker-compose.yml starts without $secret: its \${$secret?...} guard is missing" >&2
            exit 1
        fi
    done
    echo "docker-compose.yml is valid, and refuses to start without SECRET_KEY, POSTGRES_PASSWORD or MINIO_ROOT_PASSWORD"
