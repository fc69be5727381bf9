"""The dashboard served to browsers through textual-serve, one process per tab, behind a token.

:mod:`.address` and :mod:`.session` are standard library only (the command line checks its flags with
them before textual-serve is imported); :mod:`.guard`, :mod:`.page` and :mod:`.server` need the ``serve``
extra (aiohttp and textual-serve), and never import Textual.
"""
