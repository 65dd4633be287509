"""Handlers of the ``cratb`` subcommands (argument parsing lives in ``cratb.cli``)."""
