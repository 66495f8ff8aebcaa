"""Command-line edge: ``stockwise`` (Typer). Parses options, calls workflows, renders."""
