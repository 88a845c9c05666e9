"""Which commits a push brings: git's pre-push and pre-receive protocols, and the
pre-commit framework's pre-push variables, turned into one revision list for one ``git log``.

Pure functions of their input; the only git call is resolving the repository directory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REMOTE = re.compile(r"[^\s*?\[\\]+")  # a remote's name: used in a --remotes= pattern


class PushInputError(ValueError):
    """The hook's input is not what git sends; the message is safe to show."""


def _is_zero(sha: str) -> bool:
    return set(sha) == {"0"}


def _sha(value: str, what: str) -> str:
    if not _SHA.fullmatch(value):
        raise PushInputError(f"{what}: expected a commit id, got {value[:80]!r}")
    return value


@dataclass(frozen=True)
class PushRevisions:
    """Arguments for ``git log`` naming exactly the commits to scan (empty: nothing)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    not_all: bool = False
    not_remote: str | None = None

    def revs(self) -> list[str]:
        if not self.include:
            return []
        args = [*self.include, *(f"^{rev}" for rev in self.exclude)]
        if self.not_all or self.not_remote:
            args.append("--not")
        if self.not_all:
            args.append("--all")
        if self.not_remote:
            args.append(f"--remotes={self.not_remote}")
        return args


def _remote(name: str | None) -> str | None:
    """A remote's name for ``--remotes=``; a URL pushed to directly has no remote refs."""
    if not name or "/" in name or ":" in name or not _REMOTE.fullmatch(name):
        return None
    return name


def pre_push(lines: Iterable[str], remote: str | None, exists: Callable[[str], bool] = lambda _: True) -> PushRevisions:
    """git's pre-push stdin: ``<local ref> <local sha> <remote ref> <remote sha>`` per ref.

    A deletion sends nothing; an update sends what the remote's tip does not have; a new
    branch, what no remote-tracking ref of ``remote`` has. A remote tip this repository
    does not have (someone pushed since the last fetch) cannot be excluded: ``exists``
    says which it has.
    """
    include: list[str] = []
    exclude: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4:
            expected = "'<local ref> <local sha> <remote ref> <remote sha>'"
            raise PushInputError(f"pre-push line {number}: expected {expected}")
        local_sha = _sha(parts[1], f"pre-push line {number}")
        remote_sha = _sha(parts[3], f"pre-push line {number}")
        if _is_zero(local_sha):
            continue
        include.append(local_sha)
        if not _is_zero(remote_sha) and exists(remote_sha):
            exclude.append(remote_sha)
    return PushRevisions(tuple(include), tuple(exclude), not_remote=_remote(remote))


def pre_commit_pre_push(env: Mapping[str, str]) -> PushRevisions | None:
    """The pre-commit framework's variables for a pre-push hook, or None when it is not
    running one. It sets FROM/TO for an update or a new branch with a base on the remote;
    for a push that carries a root commit it sets only the branch (and runs "all files")."""
    to_ref = env.get("PRE_COMMIT_TO_REF")
    local = env.get("PRE_COMMIT_LOCAL_BRANCH")
    remote = _remote(env.get("PRE_COMMIT_REMOTE_NAME"))
    if to_ref:
        from_ref = env.get("PRE_COMMIT_FROM_REF", "")
        exclude = (from_ref,) if from_ref and not _is_zero(from_ref) else ()
        return PushRevisions((_rev(to_ref),), tuple(_rev(r) for r in exclude), not_remote=remote)
    if local:
        return PushRevisions((_rev(local),), not_remote=remote)
    return None


def _rev(value: str) -> str:
    """A revision from the environment: never an option, never a range."""
    if not value or value.startswith("-") or ".." in value or any(c.isspace() for c in value):
        raise PushInputError(f"not a revision: {value[:80]!r}")
    return value


def pre_receive(lines: Iterable[str]) -> PushRevisions:
    """git's pre-receive stdin: ``<old sha> <new sha> <ref>`` per ref. Only commits no ref
    of the repository has yet are scanned (``new... --not --all``), all refs in one walk;
    a deletion scans nothing."""
    include: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=2)
        if len(parts) != 3:
            raise PushInputError(f"pre-receive line {number}: expected '<old sha> <new sha> <ref>'")
        _sha(parts[0], f"pre-receive line {number}")
        new = _sha(parts[1], f"pre-receive line {number}")
        if not _is_zero(new):
            include.append(new)
    return PushRevisions(tuple(dict.fromkeys(include)), not_all=True)
