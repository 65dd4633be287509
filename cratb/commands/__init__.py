"""The ``cratb`` commands: one module per command, each declaring its arguments and its
handler (``base.Command``); ``cratb.cli`` builds the parser from them."""
