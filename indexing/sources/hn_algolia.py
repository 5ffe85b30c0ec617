"""Hacker News Algolia item JSON (`https://hn.algolia.com/api/v1/items/ID`); the importer is in hackernews.py."""

from __future__ import annotations

from .hackernews import FORMAT_ALGOLIA as FORMAT
from .hackernews import detect_algolia as detect
from .hackernews import parse_algolia as parse

__all__ = ["FORMAT", "detect", "parse"]
