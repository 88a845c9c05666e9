"""What a value's written form says of it, before any name does: a braced GUID is an id
(the registry's, Visual Studio's, SSIS's form) unless its own name says key; a URL's
password is its host's secret; Jenkins' ``credentials('<uuid>')`` is the id a secret is
stored under. Each look is bounded to the value's line."""

from __future__ import annotations

import re

from responder.core import datacenters
from responder.scanning import keypath, names
from responder.scanning.keypath import Level, Source
from responder.scanning.names import Kind, Owner

REGISTRY_ID = Level("{guid}", Source.LINE, names.Verdict(Owner.NONE, Kind.ID))
CREDENTIALS_ID = Level("credentials", Source.CALLEE, names.Verdict(Owner.NONE, Kind.REFERENCE))
# Source files of languages where ``credentials(…)`` is an ordinary call; anywhere else
# (Jenkinsfiles, Job DSL, JCasC YAML, docs, commit messages) it is Jenkins' lookup by id.
PROGRAM = re.compile(
    r"\.(?:py|rb|kt|kts|java|js|mjs|cjs|ts|tsx|jsx|vue|svelte|go|cs|php|rs|swift|scala|ex|exs|dart|r|c|h|cc|cpp|"
    r"hpp|m|mm|lua|pl|pm|ps1|psm1|sh|bash|zsh|fs|vb|clj|erl|hs|ml|jl)$",
    re.IGNORECASE,
)


def names_the_connection(shape: keypath.LineShape, host: Level) -> bool:
    """May the line's names judge a URL's password before its host? On a bare host name
    (``qp-elastic``) always; on another company's domain only when the line names the
    connection itself (``AIRFLOW_CONN_QUESTIONPRO=``), not a URL of something
    (``QUESTIONPRO_WEBHOOK_URL=``, ``qp_smtp_url:``: another service's password)."""
    if host.verdict.owner is Owner.NONE:
        return True
    named = next((lv for lv in shape.levels if lv.verdict.owner is not Owner.NONE), None)  # past ``https://apikey``
    return named is not None and named.verdict.owner is Owner.QUESTIONPRO and named.verdict.kind is not Kind.REFERENCE


_TOKEN = re.compile(r"[A-Za-z_][\w:.\-]*")


def keyed_by_own_name(text: str, line_start: int, start: int) -> bool:
    """A braced value whose own name says it is a key (``QUESTIONPRO_API_KEY={…}``,
    ``<add key="QuestionProApiKey" value="{…}" />``, ``--api-key {…}``): the line's nearest
    name up to the brace has a key's kind, and only weak names (``value``) stand between
    it and the brace (``ObjectName="QuestionProApiKey" DTSID="{…}"`` is the DTSID's)."""
    shape = keypath.line_shape(text, line_start, start - 1)
    first = shape.levels[0] if shape.levels else None
    if first is None or first.verdict.kind not in names.KEY_KINDS:
        return False
    lo = max(line_start, start - 1 - keypath.LINE_WINDOW)
    at = text.rfind(first.name, lo, start - 1)
    if at < 0:
        return False
    between = _TOKEN.findall(text, at + len(first.name), start - 1)
    return all(names.judge(token).kind is Kind.WEAK for token in between)


_CREDENTIALS_CALL = re.compile(r"""(?<![\w.])credentials\([ \t]*["']\Z""")


def credentials_id(text: str, start: int) -> bool:
    """``credentials('<uuid>')``: the id a CI server (Jenkins) stores a secret under, which
    its UI generates as a UUID; the secret is not in the file."""
    called = _CREDENTIALS_CALL.search(text, max(0, start - 16), start) is not None
    return called and text.startswith(("'", '"'), start + 36)


_URL_HOST = re.compile(r"[\w.\-]+")
# Hosts that name no company: a cluster's, a private zone's, documentation's examples.
_PRIVATE_HOST = re.compile(
    r"(?:^|\.)(?:localhost|local|internal|lan|svc|cluster\.local|example|example\.(?:com|org|net)|test|invalid)\.?$",
    re.IGNORECASE,
)


def userinfo_password(text: str, host_start: int) -> tuple[Level, Level]:
    """A URL's password (an Airflow connection, a database URL) is a secret of its host:
    QuestionPro's on one of its domains, another service's on another domain, nobody's
    named on a bare host name (``qp-elastic``). The password says "secret" as a sibling
    does, not as the value's own name (a comment above naming QuestionPro does not make a
    search cluster's password its key)."""
    found = _URL_HOST.match(text, host_start)
    host = found.group(0) if found is not None else ""
    if datacenters.is_questionpro_host(host):
        owner = Owner.QUESTIONPRO
    else:
        owner = Owner.NONE if _PRIVATE_HOST.search(host) or "." not in host.strip(".") else Owner.OTHER
    host_level = Level(host, Source.SIBLING, names.Verdict(owner, Kind.NEUTRAL))
    return Level("password", Source.SIBLING, names.judge("password")), host_level
