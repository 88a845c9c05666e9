#!/usr/bin/env bash
# The Action's first step: refuse Windows at once, and hash the lock file for the key of
# the download cache (hashFiles() only reads the workspace, never the action's own files).
set -euo pipefail
# shellcheck source=action/common.sh
. "$GITHUB_ACTION_PATH/action/common.sh"

lock="$GITHUB_ACTION_PATH/requirements/action.txt"
if command -v sha256sum >/dev/null; then
    hash=$(sha256sum "$lock")
else
    hash=$(shasum -a 256 "$lock") # macOS
fi
echo "lock-hash=${hash%% *}" >>"$GITHUB_OUTPUT"
