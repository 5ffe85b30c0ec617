"""threadbot's library: parse news threads, index them in SQLite, search, answer and summarise.

This package never imports discord; the bot and the CLI are thin adapters over it.
"""

__version__ = "0.1.0"
