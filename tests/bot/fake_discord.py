"""A small fake Discord (REST + gateway websocket on 127.0.0.1) that the real discord.py client talks to.

Only two class attributes are pointed at it (`Route.BASE`, `DiscordWebSocket.DEFAULT_GATEWAY`);
the client is otherwise unmodified. The fake records every request, serves the routes the bot
needs, and remembers any route it does not serve so the test fails loudly.

Sharding as Discord does it: each gateway connection IDENTIFYs with `shard: [id, count]` (none:
`[0, 1]`) and gets only the guilds with `(guild_id >> 22) % count == id`; every event of a guild
goes out on its shard's connection only. The REST side serves what a gateway-less worker needs
(`GET /users/@me/guilds`, `GET /channels/{id}`).

Synchronisation without sleeps: `barrier()` sends a gateway HEARTBEAT request and waits for the
bot's answer. Frames are read in order, so once it answers, every event sent before has been
parsed and its handler task created; `settle()` then awaits those tasks (and the bot's own
background tasks) until none is left.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
import yarl
from aiohttp import web

from .fake_channels import channel_route

API = "/api/v10"
EVERYONE_PERMISSIONS = discord.Permissions.text() | discord.Permissions(view_channel=True)
ADMIN_PERMISSIONS = discord.Permissions.all()
# GATEWAY_MESSAGE_CONTENT_LIMITED: what an unverified bot gets once the intent is switched on.
MESSAGE_CONTENT_FLAG = 1 << 19
_TASK_PREFIXES = ("CommandTree-invoker", "discord.py: on_", "threadbot-")

_ids = itertools.count(1)
DISCORD_EPOCH_MS = 1_420_070_400_000


def snowflake(at: datetime | None = None) -> str:
    """A fresh id that, like Discord's, encodes its time (so `after=datetime` pages work)."""
    ms = int((at or datetime.now(UTC)).timestamp() * 1000) - DISCORD_EPOCH_MS
    return str((ms << 22) | (next(_ids) & 0x3FFFFF))


def snowflake_on_shard(shard_id: int, shard_count: int) -> str:
    """A fresh id whose guild would live on this shard (Discord's rule: the id's timestamp mod the count)."""
    while shard_of(guild := snowflake(), shard_count) != shard_id:
        pass
    return guild


def shard_of(guild_id: str | int, shard_count: int) -> int:
    return (int(guild_id) >> 22) % shard_count


def now() -> str:
    return datetime.now(UTC).isoformat()


def json_response(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": discord.py's login fails on aiohttp's default "; charset=utf-8".
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


@dataclass
class Request:
    method: str
    path: str
    query: dict
    json: Any
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Interaction:
    id: str
    token: str
    payload: dict
    callbacks: list[dict] = field(default_factory=list)
    followups: list[dict] = field(default_factory=list)  # message payloads the bot sent
    edits: list[dict] = field(default_factory=list)
    deleted_original: bool = False

    @property
    def deferred(self) -> bool:
        return any(c.get("type") == 5 for c in self.callbacks)

    def messages(self) -> list[dict]:
        """What the user sees: an immediate reply, then follow-ups and edits, in order."""
        out = [c["data"] for c in self.callbacks if c.get("type") == 4]
        return out + self.edits + self.followups

    def ephemeral(self, message: dict) -> bool:
        return bool((message.get("flags") or 0) & 64)

    def text(self) -> str:
        """All visible text: contents and embed titles/descriptions."""
        parts = []
        for m in self.messages():
            parts.append(m.get("content") or "")
            for e in m.get("embeds") or []:
                parts += [
                    e.get("title") or "",
                    e.get("description") or "",
                    (e.get("footer") or {}).get("text", ""),
                ]
        return "\n".join(p for p in parts if p)


@dataclass
class Guild:
    id: str
    name: str
    channels: dict[str, str]  # name -> id

    def channel(self, name: str = "general") -> str:
        return self.channels[name]


class FakeDiscord:
    def __init__(self, *, message_content: bool = True, heartbeat_ms: int = 41_250):
        self.app_id = snowflake()
        self.bot_user = {
            "id": self.app_id,
            "username": "threadbot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "flags": 0,
            "public_flags": 0,
        }
        self.message_content = message_content
        self.valid_token: str | None = None  # when set, login with any other token is refused
        self.heartbeat_ms = heartbeat_ms
        self.guilds: dict[str, Guild] = {}
        self.requests: list[Request] = []
        self.unserved: list[str] = []
        self.commands: dict[str | None, list[dict]] = {}  # guild id (None: global) -> synced commands
        self.interactions: dict[str, Interaction] = {}
        self.channel_messages: dict[str, list[dict]] = {}
        self.files: dict[str, bytes] = {}
        self.threads: dict[str, dict] = {}  # Discord thread id -> its channel payload
        self.overwrites: dict[str, list[dict]] = {}  # channel id -> permission overwrites
        self.history_pages: list[dict] = []  # the query of every history page served
        self.rate_limit = (5, 1.0)  # history: requests per window of seconds (like Discord's headers)
        self._rate_window: list[float] = []
        self.identify: dict | None = None  # the last IDENTIFY
        self.identifies: list[dict] = []  # every IDENTIFY, in order
        self.heartbeats: list[float] = []  # loop time of each heartbeat the bot sent
        self._sockets: dict[int, web.WebSocketResponse] = {}  # shard id -> its gateway connection
        self.shard_count = 1
        self._seq = 0
        self._identified = asyncio.Event()
        self._barriers: dict[int, asyncio.Queue[None]] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- server ------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(client_max_size=200 * 2**20)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/files/{name}", self._file)
        app.router.add_route("*", API + "/{tail:.*}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for ws in list(self._sockets.values()):
            if not ws.closed:
                await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> yarl.URL:
        return yarl.URL(f"ws://127.0.0.1:{self.port}/gateway")

    # ---- world -------------------------------------------------------------------------------
    def add_guild(self, name: str, channels: tuple[str, ...] = ("general", "digests", "uploads"),
                  guild_id: str | None = None) -> Guild:
        guild = Guild(guild_id or snowflake(), name, {c: snowflake() for c in channels})
        self.guilds[guild.id] = guild
        for cid in guild.channels.values():
            self.channel_messages[cid] = []
        return guild

    def user(self, name: str = "alice", user_id: str | None = None) -> dict:
        return {
            "id": user_id or str(abs(hash(name)) % 10**17 + 10**17),
            "username": name,
            "discriminator": "0",
            "global_name": name,
            "avatar": None,
            "bot": False,
            "flags": 0,
            "public_flags": 0,
        }

    def member(self, user: dict, permissions: discord.Permissions) -> dict:
        return {
            "user": user,
            "roles": [],
            "joined_at": now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "pending": False,
            "permissions": str(permissions.value),
        }

    def _channel_payload(self, guild: Guild, name: str, position: int) -> dict:
        if name in self.threads:  # a Discord thread, by id
            return self.threads[name]
        return {
            "id": guild.channels[name],
            "type": 0,
            "name": name,
            "position": position,
            "guild_id": guild.id,
            "permission_overwrites": self.overwrites.get(guild.channels[name], []),
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    def _guild_payload(self, guild: Guild) -> dict:
        me = self.member(self.bot_user, EVERYONE_PERMISSIONS)
        me.pop("permissions")
        return {
            "id": guild.id,
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": snowflake(),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "large": False,
            "unavailable": False,
            "joined_at": now(),
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "roles": [
                {
                    "id": guild.id,
                    "name": "@everyone",
                    "permissions": str(EVERYONE_PERMISSIONS.value),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                    "icon": None,
                    "unicode_emoji": None,
                }
            ],
            "channels": [self._channel_payload(guild, n, i) for i, n in enumerate(guild.channels)],
            # member_count must equal the member list, or start-up waits seconds for chunks.
            "members": [me],
            "member_count": 1,
        }

    def _channel_by_id(self, channel_id: str) -> dict | None:
        if channel_id in self.threads:
            return self.threads[channel_id]
        for guild in self.guilds.values():
            for position, (name, cid) in enumerate(guild.channels.items()):
                if cid == channel_id:
                    return self._channel_payload(guild, name, position)
        return None

    def add_file(self, name: str, data: bytes) -> str:
        key = f"{snowflake()}-{name}"
        self.files[key] = data
        return f"http://127.0.0.1:{self.port}/files/{key}"

    def attachment(self, name: str, data: bytes, size: int | None = None) -> dict:
        url = self.add_file(name, data)
        return {
            "id": snowflake(),
            "filename": name,
            "size": len(data) if size is None else size,
            "url": url,
            "proxy_url": url,
            "content_type": "text/plain",
        }

    # ---- gateway -----------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        shard = 0
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}})
        async for msg in ws:
            data = json.loads(msg.data)
            op = data.get("op")
            if op == 1:
                self.heartbeats.append(asyncio.get_running_loop().time())
                await self._barriers.setdefault(shard, asyncio.Queue()).put(None)
                await ws.send_json({"op": 11})
            elif op == 2:
                self.identify = data["d"]
                self.identifies.append(data["d"])
                shard, self.shard_count = data["d"].get("shard") or (0, 1)
                self._sockets[shard] = ws
                await self._send_ready(ws, shard)
            elif op == 6:  # resume is not supported: ask for a fresh session
                await ws.send_json({"op": 9, "d": False})
        if self._sockets.get(shard) is ws:
            del self._sockets[shard]
        return ws

    def guilds_on(self, shard: int) -> list[Guild]:
        return [g for g in self.guilds.values() if shard_of(g.id, self.shard_count) == shard]

    async def _send_ready(self, ws: web.WebSocketResponse, shard: int) -> None:
        await self._send(
            ws,
            "READY",
            {
                "v": 10,
                "user": self.bot_user,
                "session_id": "fake-session",
                "shard": [shard, self.shard_count],
                "resume_gateway_url": str(self.gateway_url),
                "guilds": [{"id": g.id, "unavailable": True} for g in self.guilds_on(shard)],
                "application": {"id": self.app_id, "flags": self.app_flags},
                "private_channels": [],
                "relationships": [],
                "user_settings": {},
                "presences": [],
                "geo_ordered_rtc_regions": [],
            },
        )
        for guild in self.guilds_on(shard):
            await self._send(ws, "GUILD_CREATE", self._guild_payload(guild))
        self._identified.set()

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict) -> None:
        self._seq += 1
        await ws.send_json({"op": 0, "s": self._seq, "t": event, "d": data})

    async def dispatch(self, event: str, data: dict) -> None:
        """Send an event on the connection of its guild's shard (the only one that may see it)."""
        guild_id = data.get("guild_id")
        shard = shard_of(guild_id, self.shard_count) if guild_id else min(self._sockets, default=0)
        ws = self._sockets.get(shard)
        assert ws is not None, f"no bot is connected for shard {shard} of {self.shard_count}"
        await self._send(ws, event, data)

    async def wait_identified(self, timeout: float = 20) -> None:
        await asyncio.wait_for(self._identified.wait(), timeout)

    async def barrier(self, timeout: float = 20) -> None:
        """Return once the bot has read every frame sent so far (it answers a HEARTBEAT request on
        each of its connections)."""
        for shard, ws in list(self._sockets.items()):
            queue = self._barriers.setdefault(shard, asyncio.Queue())
            while not queue.empty():
                queue.get_nowait()
            await ws.send_json({"op": 1, "d": None})
            await asyncio.wait_for(queue.get(), timeout)

    async def settle(self, timeout: float = 120) -> None:
        """Wait until the bot has no event handler, command or background task left running."""
        await self.barrier()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            current = asyncio.current_task()
            pending = [
                t
                for t in asyncio.all_tasks()
                if t is not current and not t.done() and t.get_name().startswith(_TASK_PREFIXES)
            ]
            if not pending:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"bot still busy after {timeout} s: {[t.get_name() for t in pending]}")
            await asyncio.wait(pending, timeout=remaining)

    # ---- driving the bot ---------------------------------------------------------------------
    @property
    def app_flags(self) -> int:
        return MESSAGE_CONTENT_FLAG if self.message_content else 0

    def _options(self, guild: Guild, options: dict, resolved: dict) -> list[dict]:
        out = []
        for name, value in options.items():
            if isinstance(value, dict) and "username" in value:  # a user (a member of the guild)
                resolved.setdefault("users", {})[value["id"]] = value
                out.append({"name": name, "type": 6, "value": value["id"]})
            elif isinstance(value, dict) and "filename" in value:  # an attachment
                resolved.setdefault("attachments", {})[value["id"]] = value
                out.append({"name": name, "type": 11, "value": value["id"]})
            elif isinstance(value, Channel):
                payload = self._channel_payload(guild, value.name, 0)
                payload["permissions"] = str(ADMIN_PERMISSIONS.value)
                resolved.setdefault("channels", {})[payload["id"]] = payload
                out.append({"name": name, "type": 7, "value": payload["id"]})
            elif isinstance(value, Focused):
                out.append({"name": name, "type": 3, "value": value.text, "focused": True})
            elif isinstance(value, bool):
                out.append({"name": name, "type": 5, "value": value})
            elif isinstance(value, int):
                out.append({"name": name, "type": 4, "value": value})
            else:
                out.append({"name": name, "type": 3, "value": value})
        return out

    async def slash(
        self,
        guild: Guild,
        command: str,
        options: dict | None = None,
        *,
        channel: str = "general",
        user: dict | None = None,
        permissions: discord.Permissions = EVERYONE_PERMISSIONS,
        kind: int = 2,
        settle: bool = True,
    ) -> Interaction:
        """Send an application command ("ask", or "config digest-channel" for a subcommand) and,
        by default, wait until the bot is done with it."""
        user = user or self.user()
        resolved: dict = {}
        names = command.split()
        opts = self._options(guild, options or {}, resolved)
        for sub in reversed(names[1:]):
            opts = [{"name": sub, "type": 1, "options": opts}]
        channel_payload = self._channel_payload(guild, channel, 0)
        data = {
            "id": self._command_id(names[0]),
            "name": names[0],
            "type": 1,
            "options": opts,
            "resolved": resolved,
            "guild_id": guild.id,
        }
        payload = {
            "id": snowflake(),
            "application_id": self.app_id,
            "type": kind,
            "token": f"token-{snowflake()}",
            "version": 1,
            "guild_id": guild.id,
            "channel_id": channel_payload["id"],
            "channel": channel_payload,
            "member": self.member(user, permissions),
            "data": data,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": str(EVERYONE_PERMISSIONS.value),
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild.id},
            "context": 0,
            "attachment_size_limit": 25 * 2**20,
        }
        record = Interaction(payload["id"], payload["token"], payload)
        self.interactions[record.token] = record
        await self.dispatch("INTERACTION_CREATE", payload)
        if settle:
            await self.settle()
        return record

    async def autocomplete(
        self, guild: Guild, command: str, option: str, typed: str, options: dict | None = None
    ) -> list[dict]:
        """The choices the bot offers while a user types `typed` into `option`."""
        record = await self.slash(guild, command, {**(options or {}), option: Focused(typed)}, kind=4)
        assert record.callbacks and record.callbacks[0]["type"] == 8, record.callbacks
        return record.callbacks[0]["data"]["choices"]

    async def post_message(
        self,
        guild: Guild,
        content: str,
        *,
        channel: str = "general",
        user: dict | None = None,
        attachments: list[dict] | None = None,
        mention_bot: bool = False,
        settle: bool = True,
        reply_to: dict | None = None,
    ) -> dict:
        """A member posts a message (Discord sends mentions' content even without the intent;
        everything else is blanked when the bot lacks the message content intent)."""
        user = user or self.user()
        cid = channel if channel in self.threads else guild.channel(channel)
        mentions = [self.bot_user] if mention_bot else []
        if mention_bot:
            content = f"<@{self.app_id}> {content}"
        visible = self.message_content or mention_bot
        member = self.member(user, EVERYONE_PERMISSIONS)
        member.pop("permissions")
        member.pop("user")
        message = self._message(
            cid,
            {"content": content if visible else ""},
            user,
            guild_id=guild.id,
            member=member,
            attachments=(attachments or []) if visible else [],
            mentions=mentions,
        )
        if reply_to is not None:
            message["type"] = 19
            message["message_reference"] = {"message_id": reply_to["id"], "channel_id": cid, "guild_id": guild.id}
            message["referenced_message"] = reply_to
        message.pop("allowed_mentions")  # a member's message carries none
        self.channel_messages[cid].append(message)
        await self.dispatch("MESSAGE_CREATE", message)
        if settle:
            await self.settle()
        return message

    def _command_id(self, name: str) -> str:
        for commands in self.commands.values():
            for c in commands:
                if c["name"] == name:
                    return c["id"]
        return snowflake()

    # ---- REST --------------------------------------------------------------------------------
    async def _file(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["name"])
        if data is None:
            self.unserved.append(f"GET {request.path}")
            return web.Response(status=404)
        return web.Response(body=data, headers={"Content-Type": "application/octet-stream"})

    async def _read(self, request: web.Request) -> tuple[Any, dict[str, bytes]]:
        if request.content_type == "multipart/form-data":
            body, files = None, {}
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    files[part.filename or part.name] = await part.read()
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), {}

    def _message(self, channel_id: str, body: dict, author: dict, **extra) -> dict:
        return {
            "id": snowflake(),
            "channel_id": channel_id,
            "author": author,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": now(),
            "edited_timestamp": None,
            "type": 0,
            "flags": body.get("flags") or 0,
            "components": [],
            "allowed_mentions": body.get("allowed_mentions"),
            **extra,
        }

    async def _api(self, request: web.Request) -> web.StreamResponse:
        body, files = await self._read(request)
        path = request.path[len(API) :]
        self.requests.append(Request(request.method, path, dict(request.query), body, files))
        parts = path.strip("/").split("/")
        route = (request.method, *parts)
        if route == ("GET", "users", "@me"):
            if self.valid_token is not None and request.headers.get("Authorization") != f"Bot {self.valid_token}":
                return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
            return json_response(self.bot_user)
        if route == ("GET", "oauth2", "applications", "@me"):
            return json_response(
                {
                    "id": self.app_id,
                    "name": "threadbot",
                    "icon": None,
                    "description": "",
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "verify_key": "0" * 64,
                    "owner": self.user("owner"),
                    "team": None,
                    "flags": self.app_flags,
                    "summary": "",
                    "rpc_origins": [],
                    "interactions_endpoint_url": None,
                }
            )
        if request.method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            guild_id = parts[3] if len(parts) == 5 else None
            synced = [
                {
                    **c,
                    "id": snowflake(),
                    "application_id": self.app_id,
                    "version": snowflake(),
                    "guild_id": guild_id,
                    "description": c.get("description", ""),
                }
                for c in body
            ]
            self.commands[guild_id] = synced
            return json_response(synced)
        if request.method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            record = self.interactions[parts[2]]
            record.callbacks.append(body)
            ephemeral = bool(((body.get("data") or {}).get("flags") or 0) & 64)
            return json_response(
                {
                    "interaction": {
                        "id": parts[1],
                        "type": record.payload["type"],
                        "response_message_loading": body.get("type") == 5,
                        "response_message_ephemeral": ephemeral,
                    }
                }
            )
        if route == ("GET", "users", "@me", "guilds"):  # a gateway-less worker's list of its servers
            return json_response([{"id": g.id, "name": g.name, "icon": None, "owner": False, "permissions": "0",
                                   "features": []} for g in self.guilds.values()])
        if route[:2] == ("GET", "channels") and len(parts) == 2:
            payload = self._channel_by_id(parts[1])
            if payload is not None:
                return json_response(payload)
            return json_response({"message": "Unknown Channel", "code": 10003}, status=404)
        if parts[0] == "webhooks" and len(parts) >= 3:
            return self._webhook(request.method, parts, body)
        if route[:2] == ("POST", "channels") and parts[-1] == "messages":
            message = self._message(parts[1], body, self.bot_user)
            self.channel_messages.setdefault(parts[1], []).append(message)
            return json_response(message)
        if route[:2] == ("POST", "channels") and parts[-1] == "typing":
            return web.Response(status=204)
        served = await channel_route(self, request.method, parts, body, dict(request.query))
        if served is not None:
            return served
        self.unserved.append(f"{request.method} {path}")
        return json_response({"message": "Unknown route (fake Discord)", "code": 0}, status=404)

    def _webhook(self, method: str, parts: list[str], body: dict | None) -> web.Response:
        record = self.interactions.get(parts[2])
        if record is None:
            self.unserved.append(f"{method} /{'/'.join(parts)} (unknown token)")
            return json_response({"message": "Unknown Webhook", "code": 10015}, status=404)
        channel_id = record.payload["channel_id"]
        extra = {"webhook_id": self.app_id, "application_id": self.app_id}
        if method == "POST" and len(parts) == 3:
            message = self._message(channel_id, body, self.bot_user, **extra)
            record.followups.append(message)
            return json_response(message)
        if parts[3:] == ["messages", "@original"]:
            if method == "PATCH":
                message = self._message(channel_id, body, self.bot_user, **extra)
                record.edits.append(message)
                return json_response(message)
            if method == "DELETE":
                record.deleted_original = True
                return web.Response(status=204)
            if method == "GET":
                return json_response(self._message(channel_id, {}, self.bot_user, **extra))
        self.unserved.append(f"{method} /{'/'.join(parts)}")
        return json_response({"message": "Unknown route (fake Discord)", "code": 0}, status=404)

    # ---- inspection --------------------------------------------------------------------------
    def sent_messages(self) -> list[dict]:
        """Every message payload the bot asked Discord to post or edit, in order."""
        out = []
        for r in self.requests:
            if r.method not in ("POST", "PATCH") or not isinstance(r.json, dict):
                continue
            if r.path.endswith("/callback"):
                if r.json.get("type") in (4, 7):  # a message reply or an edit of one
                    out.append(r.json.get("data") or {})
            elif r.path.endswith("/messages") or r.path.startswith("/webhooks/"):
                out.append(r.json)
        return out

    def messages_in(self, channel_id: str) -> list[dict]:
        return [m for m in self.channel_messages.get(channel_id, []) if m["author"]["id"] == self.app_id]

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 30) -> asyncio.Future:
        async def poll():
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while not predicate():
                if loop.time() > deadline:
                    raise TimeoutError("condition not met in time")
                await asyncio.sleep(0.02)

        return asyncio.ensure_future(poll())


@dataclass(frozen=True)
class Channel:
    """An option value naming one of the guild's channels."""

    name: str


@dataclass(frozen=True)
class Focused:
    """The option the user is typing into (autocomplete)."""

    text: str
