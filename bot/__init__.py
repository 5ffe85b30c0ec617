"""The Discord adapter: a discord.py bot over the library's front door (`indexing.library`).

One cog per feature (cogs/), Discord formatting and splitting (render.py), sending with mentions
disabled (replies.py), one translation of errors (errors.py); it adds `run` and `sync-commands`
to the CLI through an entry point (commands.py). Nothing in `indexing` imports it.
"""
