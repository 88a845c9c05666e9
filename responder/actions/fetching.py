"""Bringing what an event asks to scan into the checkout, with the job's own token when
the checkout kept no credentials (actions/checkout with ``persist-credentials: false``).

The token goes to git as an ``http.<server>/.extraheader`` through the environment
(``GIT_CONFIG_COUNT``/``KEY``/``VALUE``): never in argv, where other processes can read it,
nor in ``.git/config``, which the scanned workspace owns. It is offered only after a fetch
without it failed, because a checkout that did persist credentials already sends one, and
GitHub refuses a request with two Authorization headers.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from responder.core import gha
from responder.scanning import gitio


def auth_env(token: str, server_url: str, environ: dict[str, str]) -> dict[str, str]:
    """The GIT_CONFIG_* variables that add the token's header for ``server_url`` only,
    after any the environment already holds."""
    index = int(environ.get("GIT_CONFIG_COUNT") or 0)
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": str(index + 1),
        f"GIT_CONFIG_KEY_{index}": f"http.{server_url.rstrip('/')}/.extraheader",
        f"GIT_CONFIG_VALUE_{index}": f"AUTHORIZATION: basic {basic}",
    }


@contextmanager
def _with_token(token: str) -> Iterator[None]:
    server = os.environ.get("GITHUB_SERVER_URL") or "https://github.com"
    added = auth_env(token, server, dict(os.environ))
    gha.mask(added[f"GIT_CONFIG_VALUE_{int(added['GIT_CONFIG_COUNT']) - 1}"].rsplit(" ", 1)[1])
    saved = {name: os.environ.get(name) for name in added}
    os.environ.update(added)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def fetch(root: Path, *refspecs: str, unshallow: bool = False) -> bool:
    """``git fetch origin``: with the checkout's credentials, else with GITHUB_TOKEN."""
    if gitio.fetch(root, *refspecs, unshallow=unshallow):
        return True
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        return False
    with _with_token(token):
        return gitio.fetch(root, *refspecs, unshallow=unshallow)
