"""The work behind each subcommand of `python -m preflight`; cli.py only parses and dispatches."""
