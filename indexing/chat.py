"""A minimal client for OpenAI-compatible chat-completions servers (Ollama, llama.cpp server, vLLM,
OpenAI): `POST {base_url}/chat/completions`, stdlib HTTP run in a worker thread, one error type.

What is sent and how a reply is checked belong to the features that use it (answers/llm_mode.py,
summaries/rewrite.py); this module only speaks the protocol.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

from .config import LlmConfig
from .errors import ThreadbotError


class LlmError(ThreadbotError):
    """The model server failed, timed out or replied with something unusable."""


class ChatClient:
    """A minimal chat-completions client (stdlib HTTP, run in a worker thread)."""

    def __init__(self, config: LlmConfig):
        self.config = config

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers

    def complete_sync(self, messages: list[dict]) -> str:
        body = json.dumps({"model": self.config.model, "messages": messages,
                           "temperature": self.config.temperature, "max_tokens": self.config.max_tokens,
                           "stream": False}).encode()
        request = urllib.request.Request(f"{self.config.base_url}/chat/completions", data=body,
                                         headers=self._headers(), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise LlmError(f"the model server answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise LlmError(f"the model server is unreachable or too slow: {exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise LlmError("the model server did not reply with JSON") from exc
        try:
            content = payload["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise LlmError("the model server's reply has no choices[0].message.content") from exc
        if not isinstance(content, str):
            raise LlmError("the model's message content is not text")
        return content

    async def complete(self, messages: list[dict]) -> str:
        # The socket timeout bounds each read; wait_for bounds the whole exchange.
        try:
            return await asyncio.wait_for(asyncio.to_thread(self.complete_sync, messages),
                                          timeout=self.config.timeout + 1)
        except TimeoutError as exc:
            raise LlmError("the model server timed out") from exc
