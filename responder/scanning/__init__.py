"""Finding keys: the pure detector, diff parsing, the git adapter, the scanner and baselines.

May import ``responder.core`` only. Never touches the network.
"""
