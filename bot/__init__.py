"""threadbot's Discord adapter: cogs over the `indexing` library, nothing more."""
