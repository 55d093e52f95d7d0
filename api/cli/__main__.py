"""`python -m api.cli`: the `tidings` command."""

from api.cli import main

main()
