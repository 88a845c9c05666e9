"""Responding to a leak: the QuestionPro client, the GitHub adapter, sealing, the journal,
resume tokens, the issue text and the response workflow.

May import ``responder.core``, ``responder.scanning`` and ``responder.report``.
"""
