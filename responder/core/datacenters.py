"""QuestionPro's datacenters: the one table of their names and API hosts.

Detection reads a datacenter from a host or a setting in the scanned text, the response
sends to a host, the CLI lists the names: all from here.
"""

from __future__ import annotations

HOSTS: dict[str, str] = {
    "com": "api.questionpro.com",
    "eu": "api.questionpro.eu",
    "ca": "api.questionpro.ca",
    "sg": "api.questionpro.sg",
    "au": "api.questionpro.au",
    "ae": "api.questionpro.ae",
    "sa": "api.surveyanalytics.com",
    "ksa": "api.questionprosa.com",
}
ALIASES: dict[str, str] = {"us": "com"}
# Region words that name one datacenter in scanned text (``{"europe": KEY}`` under
# ``questionpro:``); detection only: the CLI takes names and aliases.
_REGIONS = {"usa": "com", "europe": "eu", "canada": "ca", "singapore": "sg", "australia": "au", "uae": "ae"}
# What names a datacenter in text: its name, an alias, a region, or its host without "api.".
_BY_WORD = {
    **{name: name for name in HOSTS},
    **ALIASES,
    **_REGIONS,
    **{host.removeprefix("api."): name for name, host in HOSTS.items()},
}


_DOMAINS = frozenset(host.removeprefix("api.") for host in HOSTS.values())


def is_questionpro_host(host: str) -> bool:
    """One of QuestionPro's own hosts: a datacenter's domain, its API host or its www host
    (not ``sentry.questionpro.com`` nor a host that only has ``qp`` in its name)."""
    host = host.lower().rstrip(".")
    return host.removeprefix("api.").removeprefix("www.") in _DOMAINS


def is_service_host(host: str) -> bool:
    """A datacenter's API host or its bare domain (``questionpro.eu``); not ``www.``, where
    surveys' public pages are."""
    return host.lower().rstrip(".").removeprefix("api.") in _DOMAINS


def words() -> list[str]:
    """Every word that names a datacenter (names, aliases, hosts without "api."), longest first."""
    return sorted(_BY_WORD, key=len, reverse=True)


def named_by(word: str) -> str | None:
    """The datacenter ``word`` names (any case), or None."""
    return _BY_WORD.get(word.lower())


def listing() -> str:
    """The names for a help text: ``com (us), eu, …, sa or ksa``."""
    names = [name + "".join(f" ({a})" for a, to in ALIASES.items() if to == name) for name in HOSTS]
    return ", ".join(names[:-1]) + " or " + names[-1]
