"""`/config charts`: a per-server setting (migration 10), on unless turned off, kept across restarts."""

from __future__ import annotations

from indexing.library import ThreadLibrary


async def test_charts_are_on_by_default_and_off_is_kept_per_server(store_location, fake_embedder):
    library = await ThreadLibrary.open(store_location, fake_embedder)
    try:
        assert (await library.guild_settings(1)).charts  # no row yet
        await library.set_guild_setting(1, "digest_channel_id", 42)
        assert (await library.guild_settings(1)).charts  # a row from before: the column is NULL
        await library.set_guild_setting(1, "charts", False)
        await library.set_guild_setting(2, "charts", True)
    finally:
        await library.close()
    reopened = await ThreadLibrary.open(store_location, fake_embedder)
    try:
        one, two = await reopened.guild_settings(1), await reopened.guild_settings(2)
        assert not one.charts and one.digest_channel_id == 42 and two.charts
    finally:
        await reopened.close()
