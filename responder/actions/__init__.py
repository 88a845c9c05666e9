"""The GitHub Action: what each event scans, its report and its response (runner I/O is core.gha).

May import every layer below it (core, scanning, report, response); not the CLI.
"""
