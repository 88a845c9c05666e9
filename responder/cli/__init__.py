"""The command line: click commands that parse options and call one function each.

The top layer: may import everything; nothing imports it except ``responder.entry``.
"""
