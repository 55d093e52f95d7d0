"""CLI commands for analysis: `analyze`, `process` and the `entities` knowledge-base browser."""

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from api.groups import app
from nlp.errors import NlpError
from nlp.pipeline import Analyzer
from nlp.types import Analysis

console = Console()
err_console = Console(stderr=True)

# Highlight colour per entity type in the terminal view.
TYPE_STYLES = {
    "CRYPTO_ASSET": "bold yellow",
    "EXCHANGE": "bold cyan",
    "ETF": "bold magenta",
    "COMPANY": "bold blue",
    "PROTOCOL": "bold green",
    "PERSON": "bold red",
    "ORGANIZATION": "blue",
    "GOV_BODY": "bold white on blue",
    "MACRO_INDICATOR": "bold white on dark_green",
    "MARKET_INDEX": "green",
    "EVENT": "bold white on dark_red",
    "COUNTRY_MARKET": "cyan",
}


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error line and return the Exit to raise."""
    err_console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def parse_published(value: str | None) -> date | None:
    """--published YYYY-MM-DD, or None; a clear usage error otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def read_text(file: str) -> str:
    """The UTF-8 text of FILE, or of stdin for '-'; a clear error for unreadable input."""
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = "stdin" if file == "-" else file
        raise fail(
            f"{where} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it first, e.g. `iconv -f latin1 -t utf-8`"
        ) from None


def render(text: str, analysis: Analysis) -> None:
    """Entities highlighted in the text, then a table of mentions."""
    styled = Text(text)
    for mention in analysis.entities:
        if mention.nested_in is None:
            styled.stylize(TYPE_STYLES.get(mention.type, "bold"), mention.start, mention.end)
    console.print(styled)
    table = Table(title=f"{len(analysis.entities)} entity mentions")
    for column in ("#", "text", "type", "entity id", "name", "sentence", "span"):
        table.add_column(column)
    for i, m in enumerate(analysis.entities):
        nested = f" (in #{m.nested_in})" if m.nested_in is not None else ""
        table.add_row(
            str(i), m.text, m.type, m.entity_id or "[dim]unlinked[/dim]", m.name,
            str(m.sentence_index if m.sentence_index is not None else "-"),
            f"{m.start}-{m.end}{nested}",
        )  # fmt: skip
    console.print(table)
    console.print(
        f"{len(analysis.sentences)} sentences, {len(analysis.claims)} claims; "
        f"models: {', '.join(f'{k}={v}' for k, v in analysis.model_versions.items())}"
    )


@app.command("analyze")
def analyze_command(
    file: Annotated[str, typer.Argument(help="UTF-8 text file, or - for stdin.")],
    published: Annotated[
        str | None, typer.Option(help="Publication date YYYY-MM-DD (resolves 'last week').")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the analyze --json object (EVALUATION.md).")
    ] = False,
) -> None:
    """Analyze one text: sentences, entities, claims and sentiment."""
    published_at = parse_published(published)
    text = read_text(file)
    try:
        analysis = Analyzer().analyze(text, published_at)
    except NlpError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(analysis.to_json_dict(), ensure_ascii=False, indent=1))
        return
    render(text, analysis)
