# Sourced by the Action's steps before anything else runs. The step starts in the scanned
# workspace, which is hostile: leave it, and drop from PATH every entry the repository
# could control (relative ones resolve against the working directory; absolute ones
# inside the workspace), so no committed python3, git or sha256sum runs in place of the
# real one. No Python variable may point into it either (every Python also runs with -I).

fail() {
    echo "::error title=qp-responder::$*"
    exit 1
}

case "${RUNNER_OS:-}" in
    Windows) fail "Windows runners are not supported yet: run this action with runs-on: ubuntu-latest or macos-latest." ;;
esac

safe_path=""
IFS=: read -r -a entries <<<"$PATH"
for dir in "${entries[@]}"; do
    case "$dir" in
        /*) ;;
        *) continue ;;
    esac
    if [ -n "${GITHUB_WORKSPACE:-}" ]; then
        case "$dir/" in "${GITHUB_WORKSPACE%/}"/*) continue ;; esac
    fi
    safe_path="${safe_path:+$safe_path:}$dir"
done
export PATH="$safe_path"
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONUSERBASE PYTHONINSPECT PYTHONEXECUTABLE safe_path entries dir
cd "$RUNNER_TEMP"
