"""One module per command-line subcommand; `lib.cli` lists them."""
