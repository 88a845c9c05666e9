"""Rendering scan reports for people and machines: text, JSON, SARIF.

May import ``responder.core`` and ``responder.scanning``.
"""
