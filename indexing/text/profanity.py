"""Is a text profane or a slur? For text the bot posts on its own (a digest's representative quote):
what a member asks for is shown as it is, but nothing auto-posted should put a slur on the channel.

The words come from the `better-profanity` package's list (about 900 profanities, slurs and their
spellings), read from the installed package: nothing is fetched. Matching is ours: whole words
only, case-insensitive, so "Scunthorpe", "assassin" or "classic" never match "cunt" or "ass", and
a phrase entry ("blow job") matches across any spaces. The package's own matcher is not used (it
builds every leetspeak variant of every word at start-up).

The list also holds ordinary words that news threads use in their plain sense: crime and history
("murder", "rape", "hitler", "nazi"), medicine and the body ("breasts", "organ", "hiv"), drugs,
identities ("gay", "lesbians", "queer"), names ("Wang", "Pollock", "Guido", "Willy") and things
("knob", "pawn", "strip", "sandbar"). Those are `ORDINARY` here and never flag a text: a quote about
an organ donor or a gay councillor is no slur.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

ORDINARY = frozenset("""
aryan arian asanchez bondage breasts crap damn drunk erect erection erotic enlargement facial fat flange
god hell gay gays lesbians queer queers transsexual hiv herpes organ oral orally ovary ovum ovums uterus
womb urine urinal menses menstruate menstruation penetrate penetration sex sexual kill murder rape raped
raping rapist hitler nazi nazism reich kkk klan heroin hemp meth opium opiate peyote pcp valium viagra
vodka rum weed pot ganja hookah napalm uzi sniper slave virgin seaman seamen sandbar revue pawn strip
stroke thrust tramp vomit ugly stupid dummy moron doofus dopey weirdo jerk prude prig nimrod ninny trashy
tawdry sleaze sleazy scum vulgar racy steamy lust lusting lusty seduce naked omg lmao lmfao foobar
essohbee len yury toke toots tinkle potty pee wedgie woody willy willies wang knob dong paddy pollock
guido homey hooch hootch massa maxi cipa loin loins teat testes testis testicle vulva vagina penis labia
clitoris rectum rectal rectus scrotum pubic pubis hymen foreskin glans gonad gonads phallic phalli sperm
semen tampon crotch snatch screw screwed screwing suck sucked sucking hump humped humping slope souse
soused spunk prick pricks pecker vixen hooker playboy prostitute pedophile pedophilia incest molest
sadism sadist masochist perversion stoned pms lube thug sodom pornography inbred lech leper undies
""".split())


@cache
def _pattern() -> re.Pattern[str]:
    listed = resources.files("better_profanity").joinpath("profanity_wordlist.txt").read_text(encoding="utf-8")
    words = {_fold(w) for w in listed.splitlines() if w.strip()} - ORDINARY
    alternatives = []
    for word in sorted(words, key=len, reverse=True):  # the longest first: "fuck-ass" before "fuck"
        prefix = word.endswith("*")  # "masterbat*": any ending
        body = r"\s+".join(re.escape(part) for part in word.rstrip("*").split())
        alternatives.append(body + (r"\w*" if prefix else ""))
    # Not inside a longer word on either side ("sh!t" and "f.u.c.k" keep their own marks).
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def is_flagged(text: str) -> bool:
    """True when the text holds a word of the profanity and slur list, as a whole word."""
    return _pattern().search(_fold(text)) is not None


def flagged_words(text: str) -> list[str]:
    """The listed words the text holds, as they appear (casefolded), for logs and tests."""
    return [m.group(0) for m in _pattern().finditer(_fold(text))]
