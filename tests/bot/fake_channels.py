"""The fake Discord's channels beyond sending: threads opened on a message, message history in pages
(with `before`/`after`, at most 100 a page, and rate-limit headers that discord.py obeys), members
editing and deleting messages (one and in bulk), and permission overwrites that hide a channel."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import discord
from aiohttp import web

PAGE = 100  # Discord's largest history page


def _json(data: Any, status: int = 200, headers: dict | None = None) -> web.Response:
    import json

    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def _guild_of(fake, channel_id: str):
    for guild in fake.guilds.values():
        if channel_id in guild.channels.values():
            return guild
    thread = fake.threads.get(channel_id)
    return fake.guilds[thread["guild_id"]] if thread else None


async def channel_route(fake, method: str, parts: list[str], body: Any, query: dict) -> web.Response | None:
    """Serve the routes of this module, or None when the request is not one of them."""
    if parts[0] != "channels" or len(parts) < 3:
        return None
    if method == "POST" and len(parts) == 5 and parts[2] == "messages" and parts[4] == "threads":
        return await _open_thread(fake, parts[1], parts[3], body or {})
    if method == "GET" and len(parts) == 3 and parts[2] == "messages":
        return _history(fake, parts[1], query)
    return None


async def _open_thread(fake, channel_id: str, message_id: str, body: dict) -> web.Response:
    from .fake_discord import now

    guild = _guild_of(fake, channel_id)
    thread = {
        "id": message_id, "type": 11, "guild_id": guild.id, "parent_id": channel_id, "name": body.get("name", "thread"),
        "owner_id": fake.app_id, "last_message_id": None, "rate_limit_per_user": 0, "message_count": 0,
        "member_count": 1, "flags": 0,
        "thread_metadata": {"archived": False, "auto_archive_duration": body.get("auto_archive_duration", 1440),
                            "archive_timestamp": now(), "locked": False, "create_timestamp": now()},
    }
    fake.threads[message_id] = thread
    fake.channel_messages.setdefault(message_id, [])
    await fake.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
    return _json(thread, status=201)


def _history(fake, channel_id: str, query: dict) -> web.Response:
    limit_count, window = fake.rate_limit
    clock = time.time()
    fake._rate_window = [t for t in fake._rate_window if clock - t < window]
    reset_after = window - (clock - fake._rate_window[0]) if fake._rate_window else window
    if len(fake._rate_window) >= limit_count:
        headers = {"X-RateLimit-Limit": str(limit_count), "X-RateLimit-Remaining": "0",
                   "X-RateLimit-Reset-After": f"{reset_after:.3f}", "X-RateLimit-Bucket": "history",
                   "X-RateLimit-Scope": "user", "Retry-After": f"{reset_after:.3f}"}
        fake.history_pages.append({**query, "status": 429})
        return _json({"message": "You are being rate limited.", "retry_after": reset_after, "global": False},
                     status=429, headers=headers)
    fake._rate_window.append(clock)
    limit = min(int(query.get("limit", 50)), PAGE)
    messages = sorted(fake.channel_messages.get(channel_id, []), key=lambda m: int(m["id"]))
    if "after" in query:
        page = [m for m in messages if int(m["id"]) > int(query["after"])][:limit][::-1]
    else:
        before = int(query["before"]) if "before" in query else None
        page = [m for m in messages if before is None or int(m["id"]) < before][-limit:][::-1]
    fake.history_pages.append({**query, "status": 200, "served": len(page)})
    remaining = limit_count - len(fake._rate_window)
    headers = {"X-RateLimit-Limit": str(limit_count), "X-RateLimit-Remaining": str(remaining),
               "X-RateLimit-Reset": f"{clock + reset_after:.3f}", "X-RateLimit-Reset-After": f"{reset_after:.3f}",
               "X-RateLimit-Bucket": "history"}
    return _json(page, headers=headers)


# ---- members acting ----------------------------------------------------------------------------
def seed_history(fake, guild, channel: str, texts: list[str], users: list[dict], start: datetime,
                 step: timedelta) -> list[dict]:
    """Messages that were already in a channel (no gateway event): what history serves."""
    from .fake_discord import snowflake

    cid = channel if channel in fake.threads else guild.channel(channel)
    out = []
    for n, text in enumerate(texts):
        at = start + step * n
        message = fake._message(cid, {"content": text}, users[n % len(users)], guild_id=guild.id)
        message["id"] = snowflake(at)
        message["timestamp"] = at.isoformat()
        message.pop("allowed_mentions")
        out.append(message)
    fake.channel_messages.setdefault(cid, []).extend(out)
    return out


async def edit_message(fake, message: dict, content: str, settle: bool = True) -> None:
    message.update(content=content, edited_timestamp=datetime.now().astimezone().isoformat())
    await fake.dispatch("MESSAGE_UPDATE", dict(message))
    if settle:
        await fake.settle()


async def delete_messages(fake, guild, messages: list[dict], settle: bool = True) -> None:
    """One MESSAGE_DELETE for one message, a MESSAGE_DELETE_BULK for several."""
    channel_id = messages[0]["channel_id"]
    ids = {m["id"] for m in messages}
    fake.channel_messages[channel_id] = [m for m in fake.channel_messages[channel_id] if m["id"] not in ids]
    if len(messages) == 1:
        await fake.dispatch("MESSAGE_DELETE", {"id": messages[0]["id"], "channel_id": channel_id, "guild_id": guild.id})
    else:
        await fake.dispatch("MESSAGE_DELETE_BULK", {"ids": sorted(ids), "channel_id": channel_id, "guild_id": guild.id})
    if settle:
        await fake.settle()


async def hide_channel(fake, guild, channel: str, user: dict) -> None:
    """A permission overwrite: `user` may no longer view `channel` (nor its threads)."""
    cid = guild.channel(channel)
    deny = discord.Permissions(view_channel=True, read_message_history=True)
    fake.overwrites.setdefault(cid, []).append({"id": user["id"], "type": 1, "allow": "0", "deny": str(deny.value)})
    position = list(guild.channels).index(channel)
    await fake.dispatch("CHANNEL_UPDATE", fake._channel_payload(guild, channel, position))
    await fake.settle()
