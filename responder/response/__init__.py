"""Responding to a leak: the QuestionPro client, the GitHub adapter, sealing, the journal,
resume tokens, the issue text and the response workflow.

The response core, by module: ``records`` (the typed records: steps, the leak, the one
``Delivery`` that the journal, resume tokens and the workflow share), ``statedir`` (the
state directory's checks, lock and token key), ``journal`` (typed, strictly parsed journal
lines), ``resume_token`` (bound, optionally verified tokens), ``outcome`` (plan, status,
outcome), ``workflow`` (preflight, regenerate, seal), ``delivery`` (store and issue),
``resume`` (from journals or a token).

May import ``responder.core``, ``responder.scanning`` and ``responder.report``.
"""
