"""The profanity and slur check auto-posted text goes through: whole words, any case, offline."""

from __future__ import annotations

import socket

import pytest

from indexing.text import profanity
from indexing.text.profanity import flagged_words, is_flagged


@pytest.mark.parametrize("text", [
    "What the FUCK is this", "Shit.", "sh!t happens", "total bullshit", "bull  shit", "you are a faggot",
    "N1GGER", "that cunt again", "Motherfucker!", "a fucking disgrace",
])
def test_profanities_and_slurs_are_flagged(text):
    assert is_flagged(text)


@pytest.mark.parametrize("text", [
    "Scunthorpe United won again", "the assassin fled", "a classic shitake risotto", "grass and glasses",
    "Penistone and Sussex", "the cockpit crew", "an analysis by the therapist", "niggardly funding",
    "Japan and Arsenal", "Middlesex", "cumulative", "a title by the class", "Essex",
    "the mayor backs organ donation", "a gay councillor", "Mr Wang spoke", "the door knob", "",
    "the murder trial", "Hitler's rise",
])
def test_ordinary_words_and_longer_words_are_not(text):
    assert not is_flagged(text), flagged_words(text)


def test_the_list_loads_with_no_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    profanity._pattern.cache_clear()
    try:
        assert is_flagged("shit") and len(profanity._pattern().pattern) > 5000
    finally:
        profanity._pattern.cache_clear()
