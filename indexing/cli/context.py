"""What every CLI command gets: the configuration, read once, and the resources built from it.

Resources are passed in, not looked up: `main(argv, make_embedder=..., clock=...)` lets a test hand
the CLI a fake embedder, or a clock that says it is tomorrow, without patching a module global.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..config import Config, IndexConfig
from ..embed import Embedder, load_embedder
from ..following import utc_now

if TYPE_CHECKING:  # chat.py imports aiohttp, which only the LLM mode needs
    from ..chat import ChatClient
    from ..library import ThreadLibrary

EmbedderFactory = Callable[[IndexConfig], Embedder]


def default_embedder(config: IndexConfig) -> Embedder:
    return load_embedder(config.model_path, config.backend, config.cache_dir)


@dataclass(frozen=True)
class Context:
    config: Config
    make_embedder: EmbedderFactory = default_embedder
    clock: Callable[[], datetime] = utc_now  # the time now, in UTC (followed threads' schedules)

    def embedder(self) -> Embedder:
        return self.make_embedder(self.config.index)

    async def library(self, with_model: bool = True, long_running: bool = False) -> ThreadLibrary:
        """The library on the configured database; without a model for commands that only read.

        The embedder comes first: its ONNX session loads in a background thread (releasing the GIL)
        while this thread imports the library and the store and opens the database."""
        embedder = self.embedder() if with_model else None
        from ..library import ThreadLibrary

        return await ThreadLibrary.from_config(self.config.index, embedder, long_running=long_running)

    def chat_client(self, extractive_only: bool) -> ChatClient | None:
        """The `[llm]` client, unless the user asked for extractive answers or none is configured."""
        if extractive_only or self.config.llm is None:
            return None
        from ..chat import ChatClient

        return ChatClient(self.config.llm)
