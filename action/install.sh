#!/usr/bin/env bash
# The Action's install step: a venv in $RUNNER_TEMP with the pinned, hash-checked
# dependencies of requirements/action.txt, and qp-responder itself from the action's own
# checkout (a .pth file: nothing is built). Nothing from the scanned workspace may run
# here (common.sh): the working directory is $RUNNER_TEMP (python -m puts the cwd first
# on sys.path, so a committed venv.py or pip.py would replace the real module), every
# Python runs with -I (no PYTHONPATH, no user site, no cwd on sys.path), and PATH keeps
# only absolute directories outside the workspace.
set -euo pipefail

# shellcheck source=action/common.sh
. "$GITHUB_ACTION_PATH/action/common.sh"

lock="$GITHUB_ACTION_PATH/requirements/action.txt"
venv="$RUNNER_TEMP/qp-responder-venv"
py="$(command -v python3)" || fail "python3 was not found: add actions/setup-python (python-version: '3.12') before this action."
"$py" -I -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
    fail "qp-responder needs Python 3.10 or later, found $("$py" -I -V 2>&1): add actions/setup-python (python-version: '3.12') before this action."

if "$py" -I -m venv --clear --without-pip "$venv" >venv.log 2>&1 &&
    "$py" -I -m pip --python "$venv/bin/python" --version >/dev/null 2>&1; then
    # The runner's own pip (22.3 or later) installs into a venv without one: no ensurepip
    # (4 s), 25 MB less, and it works where python3-venv is missing (Debian, Ubuntu).
    pip=("$py" -I -m pip --python "$venv/bin/python")
elif "$py" -I -m venv --clear "$venv" >>venv.log 2>&1; then
    pip=("$venv/bin/python" -I -m pip)
else
    cat venv.log >&2
    fail "python3 -m venv failed: install python3-venv or python3-pip (sudo apt-get install -y python3-venv) or add actions/setup-python before this action."
fi

"${pip[@]}" install --quiet --disable-pip-version-check --no-input --require-hashes --only-binary :all: -r "$lock" ||
    fail "installing the pinned dependencies (requirements/action.txt) failed; the log above says why."
site="$("$venv/bin/python" -I -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
printf '%s\n' "$GITHUB_ACTION_PATH" >"$site/qp_responder_action.pth"
"$venv/bin/python" -I -m responder --version
