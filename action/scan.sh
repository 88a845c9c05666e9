#!/usr/bin/env bash
# The Action's scan step: from $RUNNER_TEMP with -I, so nothing in the scanned workspace
# (a responder/ package, sitecustomize.py) can be imported, and with common.sh's PATH
# (the action checks it again before it runs git).
set -euo pipefail
# shellcheck source=action/common.sh
. "$GITHUB_ACTION_PATH/action/common.sh"
exec "$RUNNER_TEMP/qp-responder-venv/bin/python" -I -m responder action
