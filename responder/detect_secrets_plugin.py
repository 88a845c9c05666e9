"""detect-secrets plugin: QuestionPro API keys.

    detect-secrets scan --plugin "$(qp-responder plugin-path)"
    detect-secrets-hook --plugin .secrets-plugins/questionpro.py --baseline .secrets.baseline

detect-secrets drops every UUID-shaped secret (``heuristic.is_potential_uuid``) and every
line that looks like ``x = f(...)`` (``heuristic.is_indirect_reference``), so a plain plugin
reports nothing. When this plugin is loaded it swaps those two default filters for
versions that apply exactly as before to every other plugin and skip only this one:
built-in detectors report what they reported before.
"""

from __future__ import annotations

from typing import Any

from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.filters import heuristic
from detect_secrets.plugins.base import BasePlugin

from responder.scanning import detect, file_keys

_MODULE = "responder.detect_secrets_plugin"
_REPLACED = {
    "detect_secrets.filters.heuristic.is_potential_uuid": f"{_MODULE}.uuid_filter_except_questionpro",
    "detect_secrets.filters.heuristic.is_indirect_reference": f"{_MODULE}.indirect_reference_filter_except_questionpro",
}


def _is_ours(plugin: Any) -> bool:
    # Compared by type name: detect-secrets may load this file twice under other module names.
    return getattr(plugin, "secret_type", None) == detect.SECRET_TYPE


def uuid_filter_except_questionpro(secret: str, plugin: Any) -> bool:
    """``is_potential_uuid`` for every plugin but this one."""
    return not _is_ours(plugin) and heuristic.is_potential_uuid(secret)


def indirect_reference_filter_except_questionpro(line: str, secret: str, plugin: Any) -> bool:
    """``is_indirect_reference``, applied per secret so this plugin can be skipped."""
    return not _is_ours(plugin) and heuristic.is_indirect_reference(line)


def _swap_default_filters() -> None:
    from detect_secrets.settings import get_filters, get_settings

    filters = get_settings().filters
    if any(original in filters for original in _REPLACED):
        for original, replacement in _REPLACED.items():
            if original in filters:
                filters[replacement] = filters.pop(original)
        get_filters.cache_clear()


class QuestionProDetector(BasePlugin):
    """Reports UUIDs that are QuestionPro API keys by their context."""

    secret_type = detect.SECRET_TYPE

    def __init__(self) -> None:
        _swap_default_filters()
        self._cached_file: str | None = None
        self._cached_keys: file_keys.FileKeys | None = None

    def analyze_string(self, string: str) -> Any:
        for match in detect.find_keys(string):
            yield match.secret

    def _keys_in_file(self, filename: str) -> file_keys.FileKeys | None:
        if filename != self._cached_file:
            self._cached_file, self._cached_keys = filename, file_keys.judge(filename)
        return self._cached_keys

    def analyze_line(
        self, filename: str, line: str, line_number: int = 0, context: Any = None, **kwargs: Any
    ) -> set[PotentialSecret]:
        if (
            not detect.has_candidate(line)
            and next(detect.encoded_hits(line.encode("latin-1", "replace")), None) is None
        ):
            return set()
        in_file = self._keys_in_file(filename)
        if in_file is not None:  # judged with the whole file as context
            places = in_file.places(line, line_number)
        else:  # a diff or a string: judge the line within the lines around it
            around = "\n".join(getattr(context, "lines", None) or [line])
            places = {(line_number, m.secret) for m in detect.find_keys(around, path=filename) if m.secret in line}
        return {
            PotentialSecret(type=self.secret_type, filename=filename, secret=secret, line_number=number)
            for number, secret in places
        }
