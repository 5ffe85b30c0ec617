"""What an answer is: the text shown, whether the threads answered it, and the citations behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..records import Citation

AnswerMode = Literal["extractive", "llm"]


@dataclass
class Answer:
    question: str
    thread_id: str | None
    answered: bool
    answer: str
    mode: AnswerMode
    citations: list[Citation] = field(default_factory=list)
