"""Rich rendering of workflow results for the terminal (no logic, only presentation)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from stockwise.cli.tables import Column, print_fitted
from stockwise.data.holes import describe_holes
from stockwise.data.partition import PartedSales
from stockwise.data.validation import ValidatedTable

MAX_ISSUES_SHOWN = 20
ISSUE_COLUMNS = (
    Column("row", "key", justify="right"),
    Column("column", "text"),
    Column("value", "text"),
    Column("rule"),
    Column("message", "text"),
)


def validation_report(
    console: Console, result: ValidatedTable | PartedSales, files: dict[str, Path] | None = None
) -> None:
    """Print the accounting line, notes, the first issues and where the files went."""
    report = result.report
    colour = "green" if report.n_quarantined == 0 else "yellow"
    console.print(f"[bold]{report.table}[/] {report.source}", highlight=False)
    console.print(f"  [{colour}]{report.summary}[/]", highlight=False)
    if report.frequency:
        console.print(f"  frequency: {report.frequency}")
    holes = describe_holes(report.holes)
    for note in report.notes:
        kind = "[yellow]warning:[/]" if note == holes else "note:"
        console.print(f"  {kind} {note}", highlight=False)
    if not report.issues.empty:
        rows = []
        for issue in report.issues.head(MAX_ISSUES_SHOWN).itertuples():
            row = "" if issue.row is None or issue.row != issue.row else str(issue.row)
            column = issue.column if isinstance(issue.column, str) else ""  # missing: NaN
            rows.append(
                [
                    row,
                    escape(column),
                    escape(_short(issue.value)),
                    issue.rule,
                    escape(str(issue.message)),
                ]
            )
        print_fitted(console, ISSUE_COLUMNS, rows)
        hidden = len(report.issues) - MAX_ISSUES_SHOWN
        if hidden > 0:
            console.print(f"  … and {hidden} more issues (see the issues file)")
        console.print(
            "  by rule: "
            + ", ".join(f"{rule} {n}" for (_, rule), n in report.rule_counts().items()),
            highlight=False,
        )
    for kind, path in (files or {}).items():
        console.print(f"  {kind}: {path}", highlight=False, soft_wrap=True)


def _short(value: object, width: int = 24) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
