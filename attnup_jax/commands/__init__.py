"""Subcommands of the `attnup` CLI, one module each with `main(argv) -> int`."""
