"""`python -m extractor` is the `extract` command."""

from extractor.cli import cli

if __name__ == "__main__":
    cli()
