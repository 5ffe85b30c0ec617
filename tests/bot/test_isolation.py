"""Guild isolation across every command, autocomplete included: guild B never sees guild A's thread."""

from __future__ import annotations

import json

from .fake_discord import ADMIN_PERMISSIONS
from .test_uploads import thread_json

SECRET = "zanzibarian"


async def test_no_command_leaks_another_guilds_thread(bot_env):
    env, fake = bot_env, bot_env.fake
    a, b = env.guild_a, env.guild_b
    secret = thread_json(
        "Zanzibarian ferry plans",
        [
            ("Zed", "The Zanzibarian ferry is the best plan, said Zed."),
            ("Yan", "Zanzibarian taxes will rise."),
        ],
        ["Officials said the Zanzibarian ferry would sail in May.", "Zed told reporters the plan was final."],
    )
    a_thread = (await env.library.index_bytes(secret, "zanzibar.json", scope=str(a.id)))[0]
    await env.library.index_bytes(thread_json("Bridge vote", [("ann", "Fine.")]), "bridge.json", scope=str(b.id))

    seen: list = []
    for command, options in [
        ("ask", {"question": "what about the Zanzibarian ferry?"}),
        ("ask", {"question": "what did Zed say?"}),
        ("ask", {"question": "what did Zed say?", "thread": a_thread.thread_id}),
        ("summary", {}),
        ("summary", {"thread": a_thread.thread_id}),
        ("summary", {"thread": "Zanzibarian ferry plans"}),
        ("digest", {}),
        ("digest", {"thread": a_thread.thread_id}),
        ("quotes", {"speaker": "Zed"}),
        ("quotes", {"speaker": "Zed", "thread": a_thread.thread_id}),
        ("threads", {}),
    ]:
        inter = await fake.slash(b, command, options)
        assert inter.messages(), (command, options)
        seen += inter.messages()
    forget = await fake.slash(b, "forget", {"thread": a_thread.thread_id}, permissions=ADMIN_PERMISSIONS)
    seen += forget.messages()
    for command in ("ask", "summary", "digest", "quotes", "forget"):
        for typed in ("", "zan", a_thread.thread_id[:4]):
            seen.append(await fake.autocomplete(b, command, "thread", typed))
    await fake.post_message(b, "what did Zed say about the Zanzibarian ferry?", mention_bot=True)
    for channel in b.channels.values():
        seen += fake.messages_in(channel)

    leaked = [item for item in seen if SECRET in json.dumps(item).lower().replace("zanzibarian ferry?", "")]
    assert not leaked, leaked
    # A's thread id shows up only where B's own input is echoed back in a "not found" message.
    for item in seen:
        if a_thread.thread_id in json.dumps(item):
            assert "no thread matching" in json.dumps(item), item
    # Guild A still has its thread, and sees it.
    assert [t.title for t in await env.library.threads(scope=str(a.id))] == ["Zanzibarian ferry plans"]
    mine = await fake.autocomplete(a, "ask", "thread", "zan")
    assert [c["value"] for c in mine] == [a_thread.thread_id]
