"""The answers wing: questions answered from the library with citations.

Owns the engine (engine.py: speaker, commenter, discussion and factual answers), the sentence
scoring of factual answers (factual.py), question types (questions.py), premise contradiction
(contradiction.py), the verbatim checks every answer passes (verbatim.py) and the optional LLM mode
(llm_mode.py). Uses the library's front door; imports the whosaid and text wings beneath it.
"""

from .engine import AnswerEngine, Tuning
from .records import Answer

__all__ = ["Answer", "AnswerEngine", "Tuning"]
