"""Fetching a thread from a URL: a known site's public JSON (Reddit, Hacker News through Algolia,
Discourse), else the page itself, and for a link post with no text of its own the linked article.

Every request is guarded: http and https only, a total timeout, a size cap enforced while the body
streams in, redirects followed by hand with every hop checked again, robots.txt obeyed, and no
private address ever connected to. The check runs inside the resolver the connector uses, so the
connection goes to the very addresses that were checked (a DNS answer that changes between check and
connect, "rebinding", is never used); IP literals, which aiohttp does not resolve, are checked before
the request. Every failure is a `FetchError`: one line naming the URL and saying why.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import aiohttp
from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver

from ..errors import ParseError
from . import discourse, hn_algolia, reddit

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: a crawler reads at least the first 500 KiB
CHUNK_BYTES = 64 * 1024
JSON_ACCEPT = "application/json"
PAGE_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
PRIVATE_HINT = "add it to [fetch] allow_private in the config to allow it"

REDDIT_POST = re.compile(r"/(?:(?:r|u|user)/[^/]+/)?comments/([a-z0-9]+)(?:/.*)?", re.IGNORECASE)
REDDIT_SHORT = re.compile(r"/([a-z0-9]+)/?", re.IGNORECASE)
# /t/ID and /t/ID/post_number (tried first, as Discourse does), /t/slug/ID and /t/slug/ID/post_number.
DISCOURSE_TOPIC = re.compile(r"/t/(?:(\d+)|[^/]+/(\d+))(?:/\d+)?/?")
PAGE_TYPES = {"": ".html", "text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt",
              "text/markdown": ".md", "application/json": ".json", "text/xml": ".xml", "application/xml": ".xml"}


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 8 * 1024 * 1024
    timeout: float = 20.0  # seconds for the whole exchange, per request
    max_redirects: int = 5
    user_agent: str = "threadbot/0.1 (+https://github.com/threadbot; thread indexer)"
    # Host names or IP networks ("10.0.0.0/8", "127.0.0.1") allowed although private.
    allow_private: frozenset[str] = frozenset()
    respect_robots: bool = True


@dataclass(frozen=True)
class SiteApis:
    """Where each known site's public JSON lives (tests point these at a local server). Discourse
    needs no base: a topic URL's own origin + ".json"."""

    reddit: str = "https://www.reddit.com"
    hn_algolia: str = "https://hn.algolia.com/api/v1"


@dataclass(frozen=True)
class Fetched:
    name: str  # a file name for messages and the thread's source_file: "reddit-1cebxh.json", "example.com-post.html"
    data: bytes = field(repr=False)  # the document, for indexing.sources.parse_bytes, unchanged
    url: str  # the final URL after redirects
    linked_article: Fetched | None = None  # for a link post with no text of its own: the linked page


class FetchError(ParseError):
    """A URL could not be fetched, so nothing was indexed; the message is one line naming the URL."""


class HttpStatusError(FetchError):
    """The server answered with an error status (or a redirect without a Location)."""

    def __init__(self, source: str, status: int, where: str = ""):
        self.status = status
        super().__init__(source, f"HTTP {status}{where}")


class RefusedAddressError(FetchError):
    """The host is, or resolves to, a private address that allow_private does not list."""


class RobotsDisallowedError(FetchError):
    """The site's robots.txt does not let threadbot fetch the URL."""


async def fetch_thread(url: str, limits: FetchLimits = FetchLimits(), apis: SiteApis = SiteApis()) -> Fetched:
    """The thread at `url`: a known site's JSON, else the page. Raises FetchError (only)."""
    url = url.strip()
    guard = _Guard(limits.allow_private)
    guard.check_url(url, url)  # a bad scheme or a private IP literal fails before anything else
    headers = {"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"}
    connector = aiohttp.TCPConnector(resolver=_GuardedResolver(guard), use_dns_cache=False)
    async with aiohttp.ClientSession(connector=connector, headers=headers,
                                     timeout=aiohttp.ClientTimeout(total=limits.timeout)) as session:
        fetcher = _Fetcher(session, limits, guard)
        site = _known_site(url, apis)
        if site is None:
            return await fetcher.page(url)
        if site.kind == "discourse":
            return await _discourse(fetcher, url, site)
        response = await fetcher.get(site.api_url, JSON_ACCEPT, source=url)
        data = _json(response.body)
        if not site.detect(data):
            raise FetchError(url, f"{site.api_url} did not return {site.label} thread JSON")
        link = site.link(data)
        linked = await fetcher.linked(link) if link else None
        return Fetched(site.name, response.body, response.url, linked)


# ---- known sites -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Site:
    kind: str  # "reddit", "hn" or "discourse"
    label: str  # for messages: "a Reddit"
    api_url: str
    name: str
    detect: Callable[[object], bool]
    link: Callable[[object], str | None]  # a link post's article URL to fetch too


def _known_site(url: str, apis: SiteApis) -> _Site | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if host == "redd.it" or host == "reddit.com" or host.endswith(".reddit.com"):
        match = (REDDIT_SHORT if host == "redd.it" else REDDIT_POST).fullmatch(parts.path)
        if match:
            post = match.group(1).lower()
            return _Site("reddit", "a Reddit", f"{apis.reddit.rstrip('/')}/comments/{post}.json?raw_json=1&limit=500",
                         f"reddit-{post}.json", reddit.detect, _reddit_link)
    if host == "news.ycombinator.com" and parts.path == "/item":
        item = (parse_qs(parts.query).get("id") or [""])[0]
        if item.isdigit():
            return _Site("hn", "a Hacker News", f"{apis.hn_algolia.rstrip('/')}/items/{item}", f"hn-{item}.json",
                         hn_algolia.detect, _hn_link)
    match = DISCOURSE_TOPIC.fullmatch(parts.path)
    if match:
        topic = match.group(1) or match.group(2)
        return _Site("discourse", "a Discourse", f"{_origin(url)}/t/{topic}.json", f"discourse-{host}-{topic}.json",
                     discourse.detect, lambda data: None)
    return None


async def _discourse(fetcher: _Fetcher, url: str, site: _Site) -> Fetched:
    """A topic's JSON when the site turns out to be Discourse (the path shape only suggests it), else the page."""
    try:
        response = await fetcher.get(site.api_url, JSON_ACCEPT, source=url)
    except (HttpStatusError, RobotsDisallowedError) as exc:
        log.info("%s: no Discourse topic JSON (%s); fetching the page", url, exc.reason)
        return await fetcher.page(url)
    if not site.detect(_json(response.body)):
        log.info("%s: %s is not Discourse topic JSON; fetching the page", url, site.api_url)
        return await fetcher.page(url)
    return Fetched(site.name, response.body, response.url)


def _reddit_link(data: object) -> str | None:
    """A link post's target on another site (reddit.detect has checked the shape)."""
    assert isinstance(data, list)
    post = data[0]["data"]["children"][0].get("data")
    if not isinstance(post, dict) or post.get("is_self") is not False or _text(post.get("selftext")):
        return None
    url = _text(post.get("url_overridden_by_dest")) or _text(post.get("url"))
    host = (urlsplit(url).hostname or "").lower()
    if host in ("reddit.com", "redd.it") or host.endswith((".reddit.com", ".redd.it")):
        return None  # a crosspost, or Reddit's own image and video hosting
    return url if _is_web_url(url) else None


def _hn_link(data: object) -> str | None:
    """A story's URL when the story has no text of its own."""
    if not isinstance(data, dict) or data.get("type") != "story" or _text(data.get("text")):
        return None
    url = _text(data.get("url"))
    return url if _is_web_url(url) else None


# ---- requests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Response:
    url: str
    body: bytes = field(repr=False)
    content_type: str  # "" when the server sent none


class _Fetcher:
    """One fetch_thread call's requests: one session, and robots.txt read once per origin."""

    def __init__(self, session: aiohttp.ClientSession, limits: FetchLimits, guard: _Guard):
        self.session, self.limits, self.guard = session, limits, guard
        self.robots: dict[str, RobotFileParser | None] = {}

    async def page(self, url: str) -> Fetched:
        response = await self.get(url, PAGE_ACCEPT)
        ctype = response.content_type
        ext = PAGE_TYPES.get(ctype) or (".txt" if ctype.startswith("text/") else None)
        ext = ext or (".xml" if ctype.endswith("+xml") else ".json" if ctype.endswith("+json") else None)
        if ext is None:
            raise FetchError(url, f"the server sent {ctype}, not a web page or a thread")
        return Fetched(_page_name(response.url, ext), response.body, response.url)

    async def linked(self, url: str) -> Fetched | None:
        """The linked article, best-effort: a failure is logged and gives None."""
        try:
            return await self.page(url)
        except FetchError as exc:
            log.warning("could not fetch the linked article %s: %s", url, exc.reason)
            return None

    async def get(self, url: str, accept: str, *, source: str | None = None, robots: bool = True,
                  cap: int | None = None) -> _Response:
        """GET `url`, following redirects by hand. `cap`: read at most that much and truncate there
        (robots.txt) instead of failing past max_bytes."""
        source = source or url
        seen = {url}
        for _ in range(self.limits.max_redirects + 1):
            self.guard.check_url(url, source)
            if robots and self.limits.respect_robots:
                await self._obey_robots(url, source)
            outcome = await self._exchange(url, accept, source, cap)
            if isinstance(outcome, _Response):
                return outcome
            url = outcome
            if url in seen:
                raise FetchError(source, f"redirect loop (back to {url})")
            seen.add(url)
        raise FetchError(source, f"too many redirects (more than {self.limits.max_redirects})")

    async def _exchange(self, url: str, accept: str, source: str, cap: int | None) -> _Response | str:
        """One request: the response, or the absolute URL a redirect points to."""
        where = _where(url, source)
        try:
            async with asyncio.timeout(self.limits.timeout):
                async with self.session.get(url, headers={"Accept": accept}, allow_redirects=False) as resp:
                    location = resp.headers.get("Location")
                    if resp.status in REDIRECT_STATUSES and location:
                        return urldefrag(urljoin(url, location))[0]
                    if not 200 <= resp.status < 300:
                        raise HttpStatusError(source, resp.status, where)
                    body = await _read_body(resp, cap or self.limits.max_bytes, cap is not None, source, where)
                    ctype = resp.content_type if "Content-Type" in resp.headers else ""
                    return _Response(url, body, ctype)
        except TimeoutError as exc:
            raise FetchError(source, f"timed out after {self.limits.timeout:g} s{where}") from exc
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, _Refusal):
                raise RefusedAddressError(source, f"{exc.os_error}{where}") from exc
            why = exc.os_error.strerror or str(exc.os_error) or type(exc.os_error).__name__
            raise FetchError(source, f"cannot connect to {urlsplit(url).netloc}{where}: {why}") from exc
        except aiohttp.ClientError as exc:
            raise FetchError(source, f"the connection failed{where}: {str(exc) or type(exc).__name__}") from exc

    async def _obey_robots(self, url: str, source: str) -> None:
        origin = _origin(url)
        if origin not in self.robots:
            self.robots[origin] = await self._read_robots(origin, url, source)
        rules = self.robots[origin]
        if rules is not None and not rules.can_fetch(self.limits.user_agent, url):
            raise RobotsDisallowedError(source, f"{origin}/robots.txt does not allow threadbot to fetch {url}")

    async def _read_robots(self, origin: str, url: str, source: str) -> RobotFileParser | None:
        """The origin's rules; None (everything allowed) when there are none or they cannot be read."""
        robots_url = f"{origin}/robots.txt"
        try:
            response = await self.get(robots_url, "text/plain", robots=False,
                                      cap=min(ROBOTS_MAX_BYTES, self.limits.max_bytes))
        except RefusedAddressError as exc:  # the host itself is refused: say so for the URL asked for
            raise RefusedAddressError(source, exc.reason + _where(url, source)) from exc
        except HttpStatusError as exc:
            if exc.status >= 500:  # RFC 9309 would assume "disallow all"; threadbot fetches and says so
                log.warning("%s answered HTTP %d; fetching as if allowed", robots_url, exc.status)
            return None  # 4xx: no robots.txt, everything is allowed
        except FetchError as exc:
            log.warning("%s is unreachable (%s); fetching as if allowed", robots_url, exc.reason)
            return None
        rules = RobotFileParser(robots_url)
        rules.parse(response.body.decode("utf-8", "replace").splitlines())
        return rules


async def _read_body(resp: aiohttp.ClientResponse, limit: int, truncate: bool, source: str, where: str) -> bytes:
    """The body, read in chunks and never past `limit` (decompressed bytes, whatever Content-Length says)."""
    too_large = f"the response is over the {limit / 1e6:.1f} MB limit{where}"
    if not truncate and resp.content_length is not None and resp.content_length > limit:
        raise FetchError(source, too_large)
    body = bytearray()
    async for chunk in resp.content.iter_chunked(CHUNK_BYTES):
        body += chunk
        if len(body) > limit:
            if truncate:
                return bytes(body[:limit])
            raise FetchError(source, too_large)  # leaving the `async with` drops the connection unread
    return bytes(body)


# ---- the private-address guard -----------------------------------------------------------------


class _Refusal(OSError):
    """Raised by the resolver inside the connector; becomes a RefusedAddressError."""


class _Guard:
    """allow_private, parsed once, and the check every request passes."""

    def __init__(self, allow_private: Iterable[str]):
        self.hosts: set[str] = set()
        self.networks: list[IPNetwork] = []
        for entry in allow_private:
            try:
                self.networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                self.hosts.add(entry.strip().lower().rstrip("."))

    def refusal(self, host: str, addresses: Iterable[str]) -> str | None:
        """Why `host`, resolving to `addresses`, may not be connected to; None when it may."""
        if host.lower().rstrip(".") in self.hosts:
            return None
        for text in addresses:
            address = _address(text)
            if address is None or (_is_private(address) and not any(address in net for net in self.networks)):
                shown = "" if text == host else f" ({text})"
                return f"{host}{shown} resolves to a private address; {PRIVATE_HINT}"
        return None

    def check_url(self, url: str, source: str) -> None:
        """The scheme and host of one hop; an IP literal is checked here (aiohttp does not resolve it)."""
        where = _where(url, source)
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            raise FetchError(source, f"not a valid URL{where}: {exc}") from exc
        if parts.scheme.lower() not in ("http", "https"):
            scheme = f"{parts.scheme}:" if parts.scheme else "a URL without a scheme"
            raise FetchError(source, f"only http and https URLs can be fetched, not {scheme}{where}")
        if not parts.hostname:
            raise FetchError(source, f"the URL names no host{where}")
        if _address(parts.hostname) is not None:
            reason = self.refusal(parts.hostname, [parts.hostname])
            if reason:
                raise RefusedAddressError(source, reason + where)


class _GuardedResolver(ThreadedResolver):
    """The connector's resolver (loop.getaddrinfo): refuses a host when ANY of its addresses is
    private, and otherwise hands the connector exactly the addresses it checked."""

    def __init__(self, guard: _Guard):
        super().__init__()
        self._guard = guard

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        hosts = await super().resolve(host, port, family)
        reason = self._guard.refusal(host, [h["host"] for h in hosts])
        if reason:
            raise _Refusal(reason)
        return hosts


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 zone ("%eth0") is no part of it
    except ValueError:
        return None


def _is_private(address: IPAddress) -> bool:
    """Private, loopback, link-local, multicast, reserved, unspecified, or otherwise not global."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 reaches 127.0.0.1
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
            or address.is_reserved or address.is_unspecified or not address.is_global)


# ---- small helpers -----------------------------------------------------------------------------


def _origin(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme.lower()}://{host}" + (f":{parts.port}" if parts.port else "")


def _where(url: str, source: str) -> str:
    return "" if url == source else f" (at {url})"


def _page_name(url: str, ext: str) -> str:
    """A file name from the page's host and last path segment: "example.com-my-post.html"."""
    parts = urlsplit(url)
    stem = re.sub(r"\.(?:s?html?|php\d?|aspx?|jsp|cgi)$", "", parts.path.rstrip("/").rpartition("/")[2], flags=re.I)
    label = re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(p for p in (parts.hostname, stem) if p)).strip("-.")
    return (label[:80] or "page") + ext


def _json(body: bytes) -> object:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


__all__ = ["FetchLimits", "SiteApis", "Fetched", "FetchError", "HttpStatusError", "RefusedAddressError",
           "RobotsDisallowedError", "fetch_thread"]
