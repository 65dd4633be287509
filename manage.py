#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import sys


def main() -> None:
    from django.core.management import execute_from_command_line

    from cratb.bootstrap import run_or_exit, setup_django

    def run() -> None:
        setup_django()
        execute_from_command_line(sys.argv)

    run_or_exit(run, prog="manage.py")


if __name__ == "__main__":
    main()
