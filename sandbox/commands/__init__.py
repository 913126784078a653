"""Commands of the CLI beyond `serve`, one module per concern."""
