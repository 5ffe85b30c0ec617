"""Hacker News official (Firebase) API item JSON, one item or a list; the importer is in hackernews.py."""

from __future__ import annotations

from .hackernews import FORMAT_API as FORMAT
from .hackernews import detect_api as detect
from .hackernews import parse_api as parse

__all__ = ["FORMAT", "detect", "parse"]
