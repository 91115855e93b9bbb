#!/usr/bin/env bash
# The README's two quick-start commands, runnable on a fresh Debian machine
# with Python 3.11:
#   bash tasks.sh run    create .venv, install everything, run the workflow
#   bash tasks.sh test   install what the tests need too, run the linters and
#                        the test suite (tests/unit alone: seconds)
#   bash tasks.sh lint   the linters alone
# Extra arguments go to snakemake (run) or pytest (test).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv

# Install Debian packages that are missing, when we may (root with apt-get).
ensure_debian_packages() {
    local missing=() package
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "tasks.sh: installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "tasks.sh: please install these Debian packages first: ${missing[*]}" >&2
        exit 1
    fi
}

# The virtual environment with the ascflow package in editable mode, so the
# rule scripts and the tests import the same code. $1: pip extras, if any.
install_python_packages() {
    if [ ! -x "$VENV/bin/python" ]; then
        # Debian's python3 has venv's ensurepip in a separate package.
        "$PYTHON" -c "import ensurepip" 2>/dev/null || ensure_debian_packages python3-venv
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
    fi
    "$VENV/bin/python" -m pip install --quiet --editable ".${1:+[$1]}"
}

# Every linter the project keeps clean: code style and format, the rule
# files' format, the package's layer contract and Snakemake's own linter.
run_linters() {
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/snakefmt" --check Snakefile workflow/Snakefile workflow/rules
    "$VENV/bin/lint-imports"
    "$VENV/bin/snakemake" --lint --workflow-profile none
}

case "${1:-}" in
run)
    shift
    install_python_packages ""
    exec "$VENV/bin/snakemake" --cores 8 "$@"
    ;;
test)
    shift
    # pdftotext reads the PDF report back in the report tests.
    ensure_debian_packages poppler-utils
    install_python_packages test
    run_linters
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
lint)
    install_python_packages test
    run_linters
    ;;
*)
    echo "usage: bash tasks.sh run [snakemake args] | bash tasks.sh test [pytest args] | bash tasks.sh lint" >&2
    exit 2
    ;;
esac
