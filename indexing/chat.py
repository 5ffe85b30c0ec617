"""A minimal client for OpenAI-compatible chat-completions servers (Ollama, llama.cpp server, vLLM,
OpenAI): `POST {base_url}/chat/completions` over aiohttp, one error type.

Every call has one total deadline (`[llm] timeout`, connect to last byte), not a per-read socket
timeout: a server that trickles a byte a second cannot keep a call alive, and since the HTTP is
async no worker thread is left blocked on the socket after the deadline (a stuck thread would
starve the default pool that embedding and search share, and hold the process open at exit).
A reply is read up to a bound derived from `max_tokens`; a larger one is refused, never shown.

What is sent and how a reply is checked belong to the features that use it (answers/llm_mode.py,
summaries/rewrite.py); this module only speaks the protocol.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from .config import LlmConfig
from .errors import ThreadbotError

if TYPE_CHECKING:  # imported on the first call: `threadbot ask` without an LLM should not wait for aiohttp
    import aiohttp

# A token is 3-4 characters of English; 16 leaves room for long words, URLs and other scripts.
CHARS_PER_TOKEN = 16
MIN_REPLY_CHARS = 4000
# The JSON around the text, and its escapes (a non-ASCII character may take 6 bytes as \uXXXX).
ENVELOPE_BYTES = 64 * 1024
BYTES_PER_CHAR = 6


class LlmError(ThreadbotError):
    """The model server failed, timed out or replied with something unusable."""


class ChatClient:
    """A minimal chat-completions client: one total deadline and a bounded reply per call.

    `stream=True` asks for server-sent events and joins the deltas; the bounds are the same."""

    def __init__(self, config: LlmConfig, *, stream: bool = False):
        self.config = config
        self.stream = stream

    @property
    def max_reply_chars(self) -> int:
        return max(MIN_REPLY_CHARS, self.config.max_tokens * CHARS_PER_TOKEN)

    @property
    def max_reply_bytes(self) -> int:
        return ENVELOPE_BYTES + self.max_reply_chars * BYTES_PER_CHAR

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers

    def _body(self, messages: list[dict]) -> dict:
        return {"model": self.config.model, "messages": messages, "temperature": self.config.temperature,
                "max_tokens": self.config.max_tokens, "stream": self.stream}

    async def complete(self, messages: list[dict]) -> str:
        """The model's reply text; LlmError on any failure, the deadline or an oversized reply."""
        import aiohttp

        url = f"{self.config.base_url}/chat/completions"
        try:
            # asyncio.timeout covers everything (DNS, connect, headers, every byte); aiohttp's own
            # timeout is off so exactly one deadline applies.
            async with asyncio.timeout(self.config.timeout):
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as session:
                    async with session.post(url, json=self._body(messages), headers=self._headers()) as response:
                        if response.status >= 400:
                            raise LlmError(f"the model server answered HTTP {response.status}")
                        if self.stream:
                            content = await self._streamed_content(response)
                        else:
                            content = _message_content(json_payload(await self._bounded_body(response)))
        except TimeoutError as exc:
            raise LlmError(f"the model server did not reply within {self.config.timeout:g} s") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise LlmError(f"the model server is unreachable: {exc}") from exc
        if len(content) > self.max_reply_chars:
            raise LlmError(f"the model's reply is longer than max_tokens allows ({len(content):,} characters)")
        return content

    async def _chunks(self, response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
        """The body's bytes, refusing more than `max_reply_bytes` in all (Content-Length or not)."""
        declared = response.content_length
        if declared is not None and declared > self.max_reply_bytes:
            raise LlmError(f"the model server's reply is too large ({declared:,} bytes)")
        received = 0
        async for chunk in response.content.iter_any():
            received += len(chunk)
            if received > self.max_reply_bytes:
                raise LlmError(f"the model server's reply is larger than {self.max_reply_bytes:,} bytes")
            yield chunk

    async def _bounded_body(self, response: aiohttp.ClientResponse) -> bytes:
        return b"".join([chunk async for chunk in self._chunks(response)])

    async def _streamed_content(self, response: aiohttp.ClientResponse) -> str:
        """Join the `choices[0].delta.content` of server-sent events until `data: [DONE]`."""
        parts: list[str] = []
        size = 0
        pending = b""
        async for chunk in self._chunks(response):
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                event = line.strip()
                if not event.startswith(b"data:"):
                    continue  # comments, event names, blank separators
                data = event[len(b"data:"):].strip()
                if data == b"[DONE]":
                    return "".join(parts)
                piece = _delta_content(json_payload(data))
                size += len(piece)
                if size > self.max_reply_chars:
                    raise LlmError("the model's streamed reply is longer than max_tokens allows")
                parts.append(piece)
        if not parts:
            raise LlmError("the model server's stream ended without any text")
        return "".join(parts)  # a stream closed without [DONE] still delivered what it had


def json_payload(raw: bytes) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LlmError("the model server did not reply with JSON") from exc


def _message_content(payload: object) -> str:
    try:
        content = payload["choices"][0]["message"]["content"]  # type: ignore[index]
    except (KeyError, IndexError, TypeError) as exc:
        raise LlmError("the model server's reply has no choices[0].message.content") from exc
    if not isinstance(content, str):
        raise LlmError("the model's message content is not text")
    return content


def _delta_content(payload: object) -> str:
    try:
        choices = payload["choices"]  # type: ignore[index]
        delta = choices[0].get("delta") or {} if choices else {}
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise LlmError("the model server's stream event has no choices[0].delta") from exc
    content = delta.get("content") if isinstance(delta, dict) else None
    if content is None:
        return ""  # the role-only first event, or the final one with finish_reason
    if not isinstance(content, str):
        raise LlmError("the model's streamed content is not text")
    return content
