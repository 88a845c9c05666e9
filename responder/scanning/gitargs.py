"""What every ``git`` call is given: settings and options pinned so that neither the user's
nor the scanned repository's config and attributes change what git shows. Imports only
``os``: the hook's quick path (``quick``) uses it before anything else is loaded."""

from __future__ import annotations

import os

# Settings (git-config(1): core.*, diff.*, log.*) that change what git shows, pinned.
# In-tree .gitattributes cannot be switched off by config: ``--text`` overrides
# ``-diff``/``binary``/``diff.<driver>.binary``, ``--no-textconv``/``--no-ext-diff`` the
# drivers; blobs are read with ``cat-file``, which applies no attributes at all.
TRANSPORTS = ("file", "git", "ssh", "http", "https", "ext")
SETTINGS = {
    "core.quotepath": "off",
    "core.attributesFile": os.devnull,
    "core.bigFileThreshold": "2g",
    "core.fsmonitor": "false",
    "log.showSignature": "false",
    "log.showRoot": "true",
    "log.follow": "false",
    "diff.noprefix": "false",
    "diff.mnemonicPrefix": "false",
    "diff.relative": "false",
    "diff.renames": "false",
    "diff.orderFile": os.devnull,
    "diff.submodule": "short",
    "diff.ignoreSubmodules": "none",
    "diff.context": "0",
    "diff.interHunkContext": "0",
    "color.ui": "false",
    "color.diff": "false",
    # A log in UTF-16 (the repository's ``i18n.logOutputEncoding``) interleaves NULs with
    # every commit line: the walk's commit ids broke, and a range crashed.
    "i18n.logOutputEncoding": "UTF-8",
    # No transport at all: reading a repository needs none, and a partial clone's lazy fetch
    # of a missing blob would run what its config names (``remote.<name>.uploadpack``,
    # ``core.sshCommand``, a credential helper, ``ext::``). Each protocol is pinned, since
    # ``protocol.<name>.allow`` in the repository's config outranks ``protocol.allow``. A
    # missing blob then stays missing: the scan says so and fails closed.
    "protocol.allow": "never",
    **{f"protocol.{name}.allow": "never" for name in TRANSPORTS},
}
CONFIG = tuple(arg for key, value in SETTINGS.items() for arg in ("-c", f"{key}={value}"))
DIFF_OPTS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--text",
    "--no-relative",
    "-U0",
    "--inter-hunk-context=0",
    "--submodule=short",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--diff-filter=ACDMRT",
)


# What git shows as a commit's content, pinned to the objects themselves: a replace ref
# (``refs/replace/*``, fetched by ``clone --mirror``, planted by whoever controlled the
# repository) or an ``info/grafts`` file would otherwise show another commit in place of
# the one holding a key. Replace refs are switched off by GIT_NO_REPLACE_OBJECTS, grafts
# only by pointing GIT_GRAFT_FILE elsewhere.
PINNED_ENV = {
    "GIT_PAGER": "cat",
    "LC_ALL": "C",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ATTR_NOSYSTEM": "1",
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_GRAFT_FILE": os.devnull,
}


# Credentials git never needs to read a repository: kept out of every git process but a
# fetch, so nothing a repository could make git run would find them in its environment.
CREDENTIALS = (
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "QP_RESPONDER_SECRETS_TOKEN",
    "QUESTIONPRO_API_KEY",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
)


def clean_env(*, network: bool = False) -> dict[str, str]:
    """The process environment minus what changes git's diff output (and, unless git
    goes to the network, minus credentials), plus a fixed pager, locale and no prompts;
    system-wide attributes, replace refs and grafts off."""
    env = dict(os.environ)
    if not network:
        for name in CREDENTIALS:
            env.pop(name, None)
    env.update(PINNED_ENV)
    for name in ("GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS", "GIT_NOTES_REF", "GIT_DIFF_PATH_COUNTER", "GIT_DIFF_PATH_TOTAL"):
        env.pop(name, None)
    for name in PATHSPEC_ENV:  # our pathspecs say how they are read (--literal-pathspecs, :(top,literal))
        env.pop(name, None)
    return env


# Global pathspec settings: a literal one would turn ``:(top,literal)path`` into a path
# that matches nothing (an empty diff: a missed key); the others conflict with
# ``--literal-pathspecs`` (git refuses to run).
PATHSPEC_ENV = ("GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS")
