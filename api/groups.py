"""The `tidings` command tree; each commands/ module adds its commands to these groups."""

import typer

app = typer.Typer(
    name="tidings",
    help="News-and-sentiment intelligence for crypto and macro markets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
sources_app = typer.Typer(help="Manage feed sources.", no_args_is_help=True)
ingest_app = typer.Typer(help="Poll feeds and store articles.", no_args_is_help=True)
entities_app = typer.Typer(help="Browse and extend the knowledge base.", no_args_is_help=True)
claims_app = typer.Typer(help="Search extracted numeric claims.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate the NLP models (gold articles by default).")
train_app = typer.Typer(help="Train tidings' own models.", no_args_is_help=True)
bench_app = typer.Typer(help="Measure speed.", no_args_is_help=True)
market_app = typer.Typer(help="Import, list and fetch market data.", no_args_is_help=True)

app.add_typer(sources_app, name="sources")
app.add_typer(ingest_app, name="ingest")
app.add_typer(entities_app, name="entities")
app.add_typer(claims_app, name="claims")
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
app.add_typer(bench_app, name="bench")
app.add_typer(market_app, name="market")
