"""The demonstration region in the web database, built by ``cratb demo`` (docs/demo.md).

One module per app it fills: ``accounts`` (one demo user per role), ``network`` (the
directory), ``training`` (the year's plan and sessions), ``advice`` (two years of
requests and a rota), ``resistance`` (a demo lab and its API token), ``activity`` (a
reporting campaign in progress and the network activity log), ``audits`` (two practice
audits with results), ``reports`` (a draft annual report of the demo year, written after
the indicators are published). The engine writes and imports the demo's files
(``cratb.engine.demo``); this package fills the web side.

It sits above the apps it fills, and only the command line (``cratb.commands.demo``)
and the tests call it: no app imports it.
"""
