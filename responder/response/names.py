"""Strict checks of the names that become GitHub API paths: a repository, an organization,
an environment, a secret. A name that could collapse into another path (``..``, ``.``, an
empty segment, a slash where none belongs) or smuggle text (controls, whitespace) is
refused, so the plan shown is exactly what the API calls touch.

Rules follow GitHub's own: logins are alphanumerics and single inner hyphens (at most 39);
repository names are ``[A-Za-z0-9_.-]`` (at most 100) and never ``.`` or ``..``; secret names
are ``[A-Za-z_][A-Za-z0-9_]*`` not starting with ``GITHUB_``; environment names are at most
255 characters (the adapter percent-encodes them).
"""

from __future__ import annotations

import re

_LOGIN = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9])*")
_REPO_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_SECRET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class InvalidName(ValueError):
    """A name GitHub would not accept, or that could address another API path."""


def owner(name: str) -> str:
    if len(name) > 39 or not _LOGIN.fullmatch(name):
        raise InvalidName(f"invalid owner or organization {name!r} (letters, digits and single inner hyphens)")
    return name


def repository(full_name: str) -> str:
    """``OWNER/NAME``, exactly one slash, neither part a dot path."""
    parts = full_name.split("/")
    if len(parts) != 2:
        raise InvalidName(f"invalid repository {full_name!r}: expected OWNER/NAME")
    owner(parts[0])
    name = parts[1]
    if len(name) > 100 or not _REPO_NAME.fullmatch(name) or set(name) == {"."}:
        raise InvalidName(f"invalid repository name {name!r} in {full_name!r}")
    return full_name


def environment(name: str) -> str:
    if not name or len(name) > 255 or name != name.strip() or set(name) <= {"."} or not name.isprintable():
        raise InvalidName(f"invalid environment name {name!r}")
    return name


def secret(name: str) -> str:
    if len(name) > 255 or not _SECRET.fullmatch(name) or name.upper().startswith("GITHUB_"):
        raise InvalidName(f"invalid secret name {name!r} (letters, digits, _; not starting with a digit or GITHUB_)")
    return name
