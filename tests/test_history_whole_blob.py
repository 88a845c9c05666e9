"""``--history`` patches a suspect commit only when a blob it writes holds a key when judged
whole (``scanner._may_add_keys``): request ids under key-like names cost no ``git log -p``,
and a key is still found in the commit that adds it, wherever the file's other suspect
lines are."""

from __future__ import annotations

import json
import os

import pytest

from responder.core.redact import hashed_secret
from responder.scanning import gitio
from tests.conftest import Repo, run_main
from tests.corpus import new_key, new_uuid


def _cassette(n: int) -> str:
    """A recorded HTTP exchange: UUIDs under names the line gate lets through (``token``)
    that the whole file shows are not QuestionPro keys (another host, no QuestionPro)."""
    return "".join(
        f'    "uri": "https://api.example.com/v1/sessions",\n    "token": "{new_uuid()}",\n'
        f'    "request_id": "{new_uuid()}",\n'
        for _ in range(n)
    )


def _suspect(text: str) -> bool:
    from responder.scanning import triage

    return triage.has_suspect_line(text.encode())


@pytest.fixture
def patched(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The commits each ``git log -p`` of the scan was asked for."""
    asked: list[list[str]] = []
    real = gitio.log_patches

    def spy(root, revs, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(list(kwargs.get("stdin_revs", ())))
        return real(root, revs, **kwargs)

    monkeypatch.setattr(gitio, "log_patches", spy)
    return asked


def _scan(repo: Repo, *args: str, secrets: tuple[str, ...] = ()) -> tuple[int, list[tuple[str, str, int]]]:
    done = run_main(["scan", "--history", "--format", "json", *args], repo.path, secrets=list(secrets))
    found = json.loads(done.stdout) if done.stdout.strip() else []
    return done.code, sorted((f["hashed_secret"], f["commit"], f["line_number"]) for f in found)


def test_suspect_lines_that_hold_no_key_cost_no_patch(repo: Repo, patched: list[list[str]]) -> None:
    assert _suspect(_cassette(1))
    for n in range(6):
        repo.write("tests/cassettes/session.json", "{\n" + _cassette(20 + n) + "}\n")
        repo.commit(f"record {n}")
    assert _scan(repo) == (0, [])
    assert patched == []


@pytest.mark.parametrize("where", ["above the suspect lines", "between them", "below them"])
def test_a_key_among_suspect_lines_is_found_in_the_commit_that_adds_it(
    repo: Repo, patched: list[list[str]], where: str
) -> None:
    before, after = _cassette(10), _cassette(10)
    repo.write("config/settings.py", before + after)
    repo.commit("ids")
    key = new_key()
    line = f'QUESTIONPRO_API_KEY = "{key}"\n'
    body = {
        "above the suspect lines": line + before + after,
        "between them": before + line + after,
        "below them": before + after + line,
    }[where]
    repo.write("config/settings.py", body)
    adding = repo.commit("configure")
    repo.write("config/settings.py", body + _cassette(3))
    repo.commit("more ids")  # writes the key's file again: judged whole, patched, adds nothing
    number = body.splitlines().index(line.rstrip("\n")) + 1
    assert _scan(repo, secrets=(key,)) == (1, [(hashed_secret(key), adding, number)])
    assert len(patched) == 1 and adding in patched[0] and len(patched[0]) == 2


def test_an_excluded_file_is_not_judged_whole(repo: Repo, patched: list[list[str]]) -> None:
    key = new_key()
    repo.write("fixtures/app.env", f"QUESTIONPRO_API_KEY={key}\n")
    repo.commit("fixture")
    code, found = _scan(repo, "--exclude", "fixtures/*", secrets=(key,))
    assert (code, found) == (0, [])
    assert patched == []


@pytest.mark.parametrize("helper", ["judges its half", "dies"])
def test_many_suspect_blobs_are_judged_on_two_cores(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, patched: list[list[str]], helper: str
) -> None:
    """Past ``_FORK_FROM`` whole blobs a forked helper judges every other one; if it dies,
    this process judges its half too: the same commits are patched either way."""
    from responder.scanning import forked, scanner

    monkeypatch.setattr(forked, "available", lambda: True)
    started: list[str] = []
    real_start = forked.start
    monkeypatch.setattr(
        forked, "start", lambda work: started.append(getattr(work, "__qualname__", "")) or real_start(work)
    )
    key = new_key()
    adding = ""
    for n in range(scanner._FORK_FROM + 8):
        body = "{\n" + _cassette(4 + n % 3) + "}\n"
        if n == scanner._FORK_FROM + 3:
            body += f'QUESTIONPRO_API_KEY = "{key}"\n'
        repo.write(f"tests/cassettes/session{n % 2}.json", body)
        sha = repo.commit(f"record {n}")
        adding = sha if n == scanner._FORK_FROM + 3 else adding
    if helper == "dies":
        parent, holds_key = os.getpid(), scanner._holds_key

        def dying(blob: bytes, name: str) -> bool:
            if os.getpid() != parent:
                os._exit(3)
            return holds_key(blob, name)

        monkeypatch.setattr(scanner, "_holds_key", dying)
    code, found = _scan(repo, secrets=(key,))
    assert code == 1 and [(f[0], f[1]) for f in found] == [(hashed_secret(key), adding)]
    assert len(patched) == 1 and patched[0] == [adding]
    assert any(name.startswith("_judge_whole") for name in started)  # the whole-blob look forked
