"""Shared basics every layer may use: exit codes, redaction, URL checks, console and runner I/O.

Imports nothing else from ``responder``.
"""
