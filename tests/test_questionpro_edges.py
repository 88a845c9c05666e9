"""The QuestionPro client at its edges (issue 8 finding 9, issue 11 item 5): malformed
endpoints are usage errors before anything is sent, a proxy never sees a cleartext key,
a slow or endless reply is cut off, and an exhausted call allowance says what to do.

Real HTTP against the local fake on 127.0.0.1; the client in-process where the CLI adds
nothing, the real CLI where the exit code is the contract.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from responder.response import questionpro
from tests.conftest import run_cli
from tests.corpus import new_key
from tests.fake_questionpro import FakeQuestionPro


@pytest.fixture
def qp() -> Iterator[tuple[FakeQuestionPro, str]]:
    fake = FakeQuestionPro(valid_key=new_key())
    url = fake.start()
    yield fake, url
    fake.stop()


def client(timeout: float = 5.0) -> questionpro.QuestionProClient:
    return questionpro.QuestionProClient(questionpro.new_session, timeout=timeout, sleep=lambda _: None)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080:8080",
        "http://127.0.0.1:0",
        "http://127.0.0.1:65536",
        "http://127.0.0.1:99999999",
        "http://127.0.0.1:",
        "http://127.0.0.1:80a",
        "http://[::1",
        "http://[::zz]:80",
        "http://127.0.0.1\t:80",
        "http://127.0.0.1:80?x=1",
        "http://127.0.0.1:80#frag",
        "http://:80",
        "http://127.0.0.1 .evil.example",
        "https://api.questionpro.com:8443",
        "https://api.questionpro.com:443:443",
    ],
)
def test_malformed_base_url_is_a_usage_error_before_sending(tmp_path: Path, url: str) -> None:
    with pytest.raises(questionpro.ConfigError):
        questionpro.validate_base_url(url)
    run = run_cli(
        ["respond", "--repo", "octo/app", "--yes"],
        tmp_path,
        stdin=new_key() + "\n",
        env={"QUESTIONPRO_BASE_URL": url, "GITHUB_TOKEN": "t", "QP_RESPONDER_STATE_DIR": str(tmp_path / "s")},
    )
    assert run.code == 2, run.output
    assert "QUESTIONPRO_BASE_URL" in run.stderr and "unknown" not in run.output.lower()


class Recorder:
    """A TCP listener that records whether anything connected (a proxy that must stay unused).

    ``close`` shuts the socket down before closing it: a thread blocked in ``accept`` on a
    socket that is only closed stays in the kernel's accept, still listening, and would
    answer the next connection to that port with this 502 (a later test's client)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.received = b""
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept up (EINVAL): the thread ends
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)
        assert not self.thread.is_alive(), "the recorder still listens"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.settimeout(1)
            try:
                self.received += conn.recv(65536)
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            conn.close()


@pytest.mark.parametrize("proxy_var", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_proxy_never_receives_a_cleartext_key(
    qp: tuple[FakeQuestionPro, str], monkeypatch: pytest.MonkeyPatch, proxy_var: str
) -> None:
    fake, url = qp
    with Recorder() as proxy:
        for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv(proxy_var, proxy.url)
        old = fake.valid_key
        result = client().regenerate(old, questionpro.endpoints(None, url))
        assert result.new_key == fake.valid_key != old
        assert proxy.connections == 0 and old.encode() not in proxy.received


def test_a_slow_drip_reply_is_cut_off_at_the_deadline(qp: tuple[FakeQuestionPro, str]) -> None:
    """One byte every 0.2 s never trips a per-read timeout; the whole call is bounded."""
    fake, url = qp
    fake.script = ["drip-after-rotate"]
    started = time.monotonic()
    with pytest.raises(questionpro.RegenerateUnknown, match="did not answer completely within 2s"):
        client(timeout=2).regenerate(fake.valid_key, questionpro.endpoints(None, url))
    assert time.monotonic() - started < 10  # the drip alone lasts 20,000 s
    assert fake.calls == 1  # sent once, never again


def test_an_endless_body_is_read_only_up_to_the_cap(qp: tuple[FakeQuestionPro, str]) -> None:
    fake, url = qp
    fake.script = ["huge-after-rotate"]
    with pytest.raises(questionpro.RegenerateUnknown, match="more than 1024 KiB"):
        client().regenerate(fake.valid_key, questionpro.endpoints(None, url))
    time.sleep(0.5)  # let the server notice the hang-up
    assert fake.bytes_sent < 64 * 1024**2  # of 3 GB announced: socket buffers, not the body
    assert fake.calls == 1


@pytest.mark.parametrize(
    ("script", "reason", "says", "calls"),
    [
        (["429-no-retry"], "rate-limited", "allowance is used up", 1),
        (["429-no-retry"], "rate-limited", "regenerate the key in QuestionPro's web application", 1),
        (["429-no-retry"], "rate-limited", "qp-responder store", 1),
        (["error:403:1013"], "forbidden", "HTTP 403 error 1013 FORBIDDEN", 1),
        (["loose-error:403:1013"], "forbidden", "does not have permission", 1),
    ],
)
def test_exhausted_allowance_and_forbidden_are_told_apart(
    qp: tuple[FakeQuestionPro, str], script: list[str], reason: str, says: str, calls: int
) -> None:
    fake, url = qp
    fake.script = list(script)
    with pytest.raises(questionpro.RegenerateRefused) as caught:
        client().regenerate(fake.valid_key, questionpro.endpoints(None, url))
    assert caught.value.reason == reason
    assert says.lower() in str(caught.value).lower()
    assert "retrying will not help" not in str(caught.value) or reason == "rate-limited"
    assert fake.calls == calls and fake.rotations == 0


def test_a_429_with_retry_after_is_waited_out(qp: tuple[FakeQuestionPro, str]) -> None:
    fake, url = qp
    fake.script = ["429-retry-after"]
    result = client().regenerate(fake.valid_key, questionpro.endpoints(None, url))
    assert result.new_key == fake.valid_key and fake.calls == 2 and fake.rotations == 1


def test_a_compressed_reply_is_read_and_a_compression_bomb_is_capped(qp: tuple[FakeQuestionPro, str]) -> None:
    fake, url = qp
    fake.script = ["ok-gzip", "gzip-bomb-after-rotate"]
    result = client().regenerate(fake.valid_key, questionpro.endpoints(None, url))
    assert result.new_key == fake.valid_key
    with pytest.raises(questionpro.RegenerateUnknown, match="more than 1024 KiB"):
        client().regenerate(fake.valid_key, questionpro.endpoints(None, url))
    assert fake.calls == 2 and fake.rotations == 2
