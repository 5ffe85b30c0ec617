"""One cog per feature; `bot.client.EXTENSIONS` lists them and `setup_hook` loads them."""
