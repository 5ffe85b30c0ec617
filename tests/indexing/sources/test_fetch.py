"""Fetching a thread from a URL, against local aiohttp servers only (a fixture fails any other DNS
lookup): real captures replayed (read in place, skipped when absent), redirects, size caps, timeouts,
the private-address guard, robots.txt and link posts."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import socket
import time
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from indexing.errors import ParseError
from indexing.sources import parse_bytes
from indexing.sources.fetch import (
    Fetched,
    FetchError,
    FetchLimits,
    HttpStatusError,
    RefusedAddressError,
    RobotsDisallowedError,
    SiteApis,
    _Guard,
    fetch_thread,
)
from tests.helpers import EVAL

FORMATS = EVAL / "dev" / "formats"
LOCAL = FetchLimits(allow_private=frozenset({"127.0.0.1"}))
PRIVATE_MESSAGE = "resolves to a private address; add it to [fetch] allow_private in the config to allow it"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def capture(name: str) -> bytes:
    path = FORMATS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in {FORMATS}")
    return path.read_bytes()


def send(data: bytes | str, content_type: str = "text/html", status: int = 200) -> Handler:
    body = data.encode() if isinstance(data, str) else data

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type, status=status)
    return handler


def redirect(location: str, status: int = 302) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": location})
    return handler


class Site:
    """A local server, its routes (path -> handler, may be added to once it runs: a page can then
    name the server's own URL) and every request it received (path and query, headers)."""

    def __init__(self, server: TestServer, routes: dict[str, Handler]):
        self.server, self.routes = server, routes
        self.seen: list[str] = []
        self.headers: list[dict[str, str]] = []

    def url(self, path: str = "/") -> str:
        return str(self.server.make_url(path))

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(request.path_qs)
        self.headers.append(dict(request.headers))
        handler = self.routes.get(request.path)
        if handler is None:
            hop = next((h for p, h in self.routes.items() if p.endswith("/*") and request.path.startswith(p[:-1])),
                       None)
            if hop is None:
                raise web.HTTPNotFound()
            handler = hop
        return await handler(request)


@pytest.fixture
async def serve():
    servers: list[TestServer] = []

    async def start(routes: dict[str, Handler], host: str = "127.0.0.1") -> Site:
        app = web.Application()
        server = TestServer(app, host=host)
        site = Site(server, dict(routes))
        app.router.add_get("/{tail:.*}", site.dispatch)
        await server.start_server()
        servers.append(server)
        return site

    yield start
    for server in servers:
        await server.close()


@pytest.fixture(autouse=True)
async def dns(monkeypatch) -> dict[str, list[str]]:
    """No network: only local names resolve, plus the made-up names a test adds (name -> addresses)."""
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo
    names: dict[str, list[str]] = {}

    async def local_only(host, port, *args, **kwargs):
        if host in names:
            return [info for address in names[host] for info in await real(address, port, *args, **kwargs)]
        if host in ("127.0.0.1", "127.0.0.2", "localhost", None):
            return await real(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"{host}: no network in these tests")

    monkeypatch.setattr(loop, "getaddrinfo", local_only)
    return names


def comment_count(name: str, data: bytes) -> int:
    return sum(len(t.comments) for t in parse_bytes(data, name))


def assert_one_line(exc: pytest.ExceptionInfo, url: str) -> None:
    assert isinstance(exc.value, ParseError)
    assert "\n" not in str(exc.value) and str(exc.value).startswith(url)


# ---- real captures -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["https://www.reddit.com/r/self/comments/1cebxh/my_wife_passed_away/",
                                 "https://old.reddit.com/r/self/comments/1cebxh/", "https://redd.it/1cebxh"])
async def test_a_reddit_post_is_fetched_as_its_json(serve, url):
    data = capture("reddit-self-postit-note-1cebxh.json")
    site = await serve({"/comments/1cebxh.json": send(data, "application/json")})
    f = await fetch_thread(url, LOCAL, SiteApis(reddit=site.url("")))
    assert f.name == "reddit-1cebxh.json" and f.data == data and f.linked_article is None
    assert f.url == site.url("/comments/1cebxh.json?raw_json=1&limit=500")
    assert site.seen == ["/robots.txt", "/comments/1cebxh.json?raw_json=1&limit=500"]
    assert comment_count(f.name, f.data) == comment_count("reddit-self-postit-note-1cebxh.json", data) > 100


async def test_a_hacker_news_story_is_fetched_through_algolia_with_its_linked_article(serve):
    original = capture("hn-failed-pentest-18475438-algolia.json")
    item = json.loads(original)
    article = capture("wptavern-stackoverflow-jobs.html")
    routes: dict[str, Handler] = {"/article/story.html": send(article)}
    site = await serve(routes)
    item["url"] = site.url("/article/story.html")  # the capture links to the real site: point it here
    body = json.dumps(item).encode()
    site.routes["/api/items/18475438"] = send(body, "application/json")
    f = await fetch_thread("https://news.ycombinator.com/item?id=18475438", LOCAL,
                           SiteApis(hn_algolia=site.url("/api")))
    assert f.name == "hn-18475438.json" and f.data == body
    assert comment_count(f.name, f.data) == comment_count("hn-failed-pentest-18475438-algolia.json", original) > 100
    assert f.linked_article is not None and f.linked_article.name == "127.0.0.1-story.html"
    assert comment_count(f.linked_article.name, f.linked_article.data) > 0
    assert site.seen.count("/robots.txt") == 1  # read once per origin within one call


async def test_a_discourse_topic_is_fetched_as_its_json(serve):
    data = capture("discourse-cf-2108-page452.json")
    site = await serve({"/t/2108.json": send(data, "application/json")})
    f = await fetch_thread(site.url("/t/comments-on-the-boyfriends-introduction-to-feminism/2108"), LOCAL)
    assert f.name == "discourse-127.0.0.1-2108.json" and f.data == data
    assert f.url == site.url("/t/2108.json")
    assert comment_count(f.name, f.data) == comment_count("discourse-cf-2108-page452.json", data) > 0
    assert (await fetch_thread(site.url("/t/2108/17"), LOCAL)).data == data  # /t/ID/post_number


async def test_a_page_that_only_looks_like_discourse_is_fetched_as_the_page(serve):
    page = capture("blog-chriselle-productivity-apps.html")
    site = await serve({"/t/some-post/12": send(page), "/t/12.json": send("not json", "text/plain")})
    f = await fetch_thread(site.url("/t/some-post/12"), LOCAL)
    assert f.name == "127.0.0.1-12.html" and f.data == page
    site404 = await serve({"/t/other/13": send(page)})  # no JSON at all: HTTP 404
    assert (await fetch_thread(site404.url("/t/other/13"), LOCAL)).data == page


async def test_an_html_page_is_fetched_as_itself(serve):
    page = capture("blog-chriselle-productivity-apps.html")
    site = await serve({"/2016/01/productivity-apps/": send(page)})
    f = await fetch_thread(site.url("/2016/01/productivity-apps/"), LOCAL)
    assert f == Fetched("127.0.0.1-productivity-apps.html", page, site.url("/2016/01/productivity-apps/"))
    assert comment_count(f.name, f.data) == comment_count("blog-chriselle-productivity-apps.html", page) > 10
    assert site.headers[-1]["User-Agent"] == LOCAL.user_agent
    assert "gzip" in site.headers[-1]["Accept-Encoding"]


# ---- link posts --------------------------------------------------------------------------------


def reddit_link_post(url: str) -> bytes:
    post = {"id": "abc123", "title": "Council approves the new bridge", "is_self": False, "url": url,
            "selftext": "", "author": "poster", "subreddit": "news", "created_utc": 1700000000,
            "permalink": "/r/news/comments/abc123/council_approves_the_new_bridge/"}
    comments = [{"kind": "t1", "data": {"id": "c1", "author": "alice", "body": "About time they built it.",
                                        "parent_id": "t3_abc123", "replies": ""}}]
    return json.dumps([{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": post}]}},
                       {"kind": "Listing", "data": {"children": comments}}]).encode()


ARTICLE = ("<!doctype html><html><head><title>Bridge approved</title></head><body><article>"
           "<h1>Council approves the new bridge</h1>"
           + "".join(f"<p>Paragraph {i} of the article says the council voted for the bridge after a long"
                     f" debate about its cost and its route across the river.</p>" for i in range(6))
           + "</article></body></html>")


async def test_a_reddit_link_post_fetches_its_linked_article(serve):
    site = await serve({"/news/bridge": send(ARTICLE)})
    site.routes["/comments/abc123.json"] = send(reddit_link_post(site.url("/news/bridge")), "application/json")
    f = await fetch_thread("https://www.reddit.com/r/news/comments/abc123/council/", LOCAL,
                           SiteApis(reddit=site.url("")))
    [thread] = parse_bytes(f.data, f.name)
    assert [c.author for c in thread.comments] == ["alice"]
    assert f.linked_article == Fetched("127.0.0.1-bridge.html", ARTICLE.encode(), site.url("/news/bridge"))
    [article] = parse_bytes(f.linked_article.data, f.linked_article.name)
    assert any("voted for the bridge" in p for p in article.paragraphs)


async def test_a_linked_article_that_fails_only_logs(serve, caplog):
    site = await serve({})
    site.routes["/comments/abc123.json"] = send(reddit_link_post(site.url("/gone")), "application/json")
    with caplog.at_level(logging.WARNING, logger="indexing.sources.fetch"):
        f = await fetch_thread("https://redd.it/abc123", LOCAL, SiteApis(reddit=site.url("")))
    assert f.linked_article is None and f.name == "reddit-abc123.json"
    assert "linked article" in caplog.text and "HTTP 404" in caplog.text


async def test_a_reddit_self_post_or_an_image_post_fetches_nothing_more(serve):
    site = await serve({})
    site.routes["/comments/abc123.json"] = send(reddit_link_post("https://i.redd.it/x.jpg"), "application/json")
    f = await fetch_thread("https://redd.it/abc123", LOCAL, SiteApis(reddit=site.url("")))
    assert f.linked_article is None and site.seen == ["/robots.txt", "/comments/abc123.json?raw_json=1&limit=500"]


async def test_a_known_site_answering_something_else_is_a_clear_error(serve):
    site = await serve({"/comments/abc123.json": send("<html>blocked</html>")})
    with pytest.raises(FetchError, match="did not return a Reddit thread JSON") as exc:
        await fetch_thread("https://redd.it/abc123", LOCAL, SiteApis(reddit=site.url("")))
    assert_one_line(exc, "https://redd.it/abc123")


# ---- redirects, size, time, status -------------------------------------------------------------


async def test_redirects_are_followed_and_loops_refused(serve):
    site = await serve({"/old": redirect("/new", 301), "/new": send(ARTICLE), "/a": redirect("/b"),
                        "/b": redirect("/a#here")})
    assert (await fetch_thread(site.url("/old"), LOCAL)).url == site.url("/new")
    with pytest.raises(FetchError, match="redirect loop") as exc:
        await fetch_thread(site.url("/a"), LOCAL)
    assert_one_line(exc, site.url("/a"))


async def test_too_many_redirects(serve):
    async def onward(request: web.Request) -> web.Response:
        return web.Response(status=307, headers={"Location": f"/hop/{int(request.path.rpartition('/')[2]) + 1}"})
    site = await serve({"/hop/*": onward})
    with pytest.raises(FetchError, match=r"too many redirects \(more than 3\)"):
        await fetch_thread(site.url("/hop/0"), FetchLimits(max_redirects=3, allow_private=LOCAL.allow_private))
    assert [p for p in site.seen if p.startswith("/hop/")] == ["/hop/0", "/hop/1", "/hop/2", "/hop/3"]


def huge_body(sent: list[int], declare_length: bool) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        if declare_length:
            resp.content_length = 50 * 1024 * 1024
        await resp.prepare(request)
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        try:
            for _ in range(800):  # 50 MB
                await resp.write(chunk)
                sent[0] += len(chunk)
        except (ConnectionError, RuntimeError):
            pass  # the client hung up, as it should
        return resp
    return handler


@pytest.mark.parametrize("declare_length", [False, True], ids=["streamed", "content-length"])
async def test_a_50_mb_body_fails_fast_without_being_read(serve, declare_length):
    sent = [0]
    site = await serve({"/big": huge_body(sent, declare_length)})
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"over the 1\.0 MB limit") as exc:
        await fetch_thread(site.url("/big"), FetchLimits(max_bytes=1_000_000, allow_private=LOCAL.allow_private))
    assert time.monotonic() - started < 5
    assert sent[0] < 25 * 1024 * 1024  # stopped near the cap (plus socket buffers), not at 50 MB
    assert_one_line(exc, site.url("/big"))


async def test_a_slow_server_times_out(serve):
    async def stall(request: web.Request) -> web.Response:
        await asyncio.sleep(10)
        return web.Response(text="late")

    async def drip(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        for _ in range(100):  # headers at once, then a byte every 0.1 s: the whole exchange is timed
            await resp.write(b"x")
            await asyncio.sleep(0.1)
        return resp
    site = await serve({"/stall": stall, "/drip": drip})
    limits = FetchLimits(timeout=0.5, allow_private=LOCAL.allow_private, respect_robots=False)
    for path in ("/stall", "/drip"):
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"timed out after 0\.5 s") as exc:
            await fetch_thread(site.url(path), limits)
        assert time.monotonic() - started < 3
        assert_one_line(exc, site.url(path))


async def test_an_error_status_is_a_one_line_error(serve):
    site = await serve({"/moved": redirect("/missing"), "/no-location": send(b"", status=302)})
    with pytest.raises(HttpStatusError, match=r": HTTP 404$") as exc:
        await fetch_thread(site.url("/missing"), LOCAL)
    assert exc.value.status == 404
    assert_one_line(exc, site.url("/missing"))
    with pytest.raises(HttpStatusError, match=r"HTTP 404 \(at .*/missing\)"):
        await fetch_thread(site.url("/moved"), LOCAL)
    with pytest.raises(HttpStatusError, match="HTTP 302"):
        await fetch_thread(site.url("/no-location"), LOCAL)


async def test_gzip_is_decoded_and_what_is_no_page_is_refused(serve):
    async def zipped(request: web.Request) -> web.Response:
        return web.Response(body=gzip.compress(ARTICLE.encode()),
                            headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    site = await serve({"/zipped": zipped, "/logo.png": send(b"\x89PNG....", "image/png")})
    assert (await fetch_thread(site.url("/zipped"), LOCAL)).data == ARTICLE.encode()
    with pytest.raises(FetchError, match="sent image/png, not a web page"):
        await fetch_thread(site.url("/logo.png"), LOCAL)


@pytest.mark.parametrize("url", ["ftp://example.com/thread", "file:///etc/passwd", "example.com/thread",
                                 "javascript:alert(1)", "http:///nohost", "http://example.com:99999/"])
async def test_only_http_and_https_urls(url):
    with pytest.raises(FetchError) as exc:
        await fetch_thread(url)
    assert_one_line(exc, url)


async def test_a_redirect_to_another_scheme_is_refused(serve):
    site = await serve({"/go": redirect("file:///etc/passwd")})
    with pytest.raises(FetchError, match="only http and https URLs can be fetched, not file:"):
        await fetch_thread(site.url("/go"), LOCAL)


async def test_a_connection_failure_is_a_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the fetch: nothing listens there
    with pytest.raises(FetchError, match="cannot connect to 127.0.0.1") as exc:
        await fetch_thread(f"http://127.0.0.1:{port}/", LOCAL)
    assert_one_line(exc, f"http://127.0.0.1:{port}/")


async def test_an_unknown_host_is_a_clear_error():
    with pytest.raises(FetchError, match="cannot connect to nowhere.invalid"):
        await fetch_thread("https://nowhere.invalid/page", FetchLimits(respect_robots=False))


# ---- the private-address guard -----------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_private_address_is_refused_before_any_connection(serve, host):
    site = await serve({"/": send(ARTICLE)})
    url = site.url("/").replace("127.0.0.1", host)
    with pytest.raises(RefusedAddressError, match=PRIVATE_MESSAGE.replace("[", r"\[").replace("]", r"\]")) as exc:
        await fetch_thread(url)
    assert_one_line(exc, url)
    assert site.seen == []  # not even robots.txt


async def test_a_redirect_from_an_allowed_host_to_a_private_address_is_refused(serve, dns):
    try:
        private = await serve({"/secret": send("secret")}, host="127.0.0.2")
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    dns["internal.test"] = ["127.0.0.2"]
    targets = {"/to-literal": private.url("/secret"), "/to-name": private.url("/secret").replace(
        "127.0.0.2", "internal.test"), "/to-metadata": "http://169.254.169.254/latest/meta-data/"}
    site = await serve({path: redirect(target) for path, target in targets.items()})
    for path in targets:
        with pytest.raises(RefusedAddressError, match="resolves to a private address") as exc:
            await fetch_thread(site.url(path), LOCAL)
        assert_one_line(exc, site.url(path))
    assert private.seen == []


async def test_the_connection_goes_to_the_address_that_was_checked(serve, dns, monkeypatch):
    site = await serve({"/page": send(ARTICLE)})
    dns["forum.test"] = ["127.0.0.1"]
    dns["mixed.test"] = ["127.0.0.1", "10.1.2.3"]
    loop = asyncio.get_running_loop()
    lookups: list[str] = []
    counted = loop.getaddrinfo

    async def counting(host, *args, **kwargs):
        lookups.append(host)
        return await counted(host, *args, **kwargs)
    monkeypatch.setattr(loop, "getaddrinfo", counting)
    limits = FetchLimits(allow_private=frozenset({"127.0.0.1"}), respect_robots=False)
    f = await fetch_thread(site.url("/page").replace("127.0.0.1", "forum.test"), limits)
    assert f.data == ARTICLE.encode() and lookups == ["forum.test"]  # one lookup: checked and used
    with pytest.raises(RefusedAddressError, match=r"mixed.test \(10.1.2.3\) resolves to a private address"):
        await fetch_thread(site.url("/page").replace("127.0.0.1", "mixed.test"), limits)  # ANY address counts


async def test_allow_private_takes_host_names_and_networks(serve, dns):
    site = await serve({"/page": send(ARTICLE)})
    dns["wiki.internal"] = ["127.0.0.1"]
    by_name = FetchLimits(allow_private=frozenset({"wiki.internal"}), respect_robots=False)
    assert (await fetch_thread(site.url("/page").replace("127.0.0.1", "wiki.internal"), by_name)).data
    by_network = FetchLimits(allow_private=frozenset({"127.0.0.0/8"}))
    assert (await fetch_thread(site.url("/page"), by_network)).data


@pytest.mark.parametrize("address", ["10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254",
                                     "0.0.0.0", "224.0.0.1", "240.0.0.1", "100.64.0.1", "::1", "::", "fe80::1",
                                     "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "fe80::1%eth0"])
def test_private_addresses_are_refused(address):
    assert _Guard(frozenset()).refusal("host.test", [address])
    assert _Guard(frozenset()).refusal("host.test", ["93.184.216.34", address])


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert _Guard(frozenset()).refusal("host.test", [address]) is None
    assert _Guard(frozenset({"10.0.0.0/8"})).refusal("host.test", [address, "10.9.9.9"]) is None


# ---- robots.txt --------------------------------------------------------------------------------


async def test_robots_txt_is_obeyed(serve):
    rules = "User-agent: *\nAllow: /\n\nUser-agent: threadbot\nDisallow: /private\n"
    site = await serve({"/robots.txt": send(rules, "text/plain"), "/private/thread": send(ARTICLE),
                        "/public": send(ARTICLE), "/go": redirect("/private/thread")})
    with pytest.raises(RobotsDisallowedError, match="robots.txt does not allow threadbot") as exc:
        await fetch_thread(site.url("/private/thread"), LOCAL)
    assert_one_line(exc, site.url("/private/thread"))
    with pytest.raises(RobotsDisallowedError):  # a redirect hop is checked too
        await fetch_thread(site.url("/go"), LOCAL)
    assert "/private/thread" not in site.seen
    assert (await fetch_thread(site.url("/public"), LOCAL)).data == ARTICLE.encode()
    ignoring = FetchLimits(allow_private=LOCAL.allow_private, respect_robots=False)
    assert (await fetch_thread(site.url("/private/thread"), ignoring)).data == ARTICLE.encode()
    assert site.seen[-1] == "/private/thread" and site.seen.count("/robots.txt") == 3  # once per call


async def test_robots_txt_missing_or_broken_allows_with_a_warning(serve, caplog):
    site = await serve({"/page": send(ARTICLE)})
    assert (await fetch_thread(site.url("/page"), LOCAL)).data  # 404: allowed, silently
    broken = await serve({"/robots.txt": send("oops", status=503), "/page": send(ARTICLE)})
    with caplog.at_level(logging.WARNING, logger="indexing.sources.fetch"):
        assert (await fetch_thread(broken.url("/page"), LOCAL)).data
    assert "robots.txt answered HTTP 503" in caplog.text


async def test_a_site_that_disallows_every_robot_refuses_its_json_too(serve):
    """Reddit's robots.txt has been "User-agent: * / Disallow: /" since mid 2024: with
    respect_robots on, a Reddit URL is refused, naming robots.txt."""
    data = capture("reddit-self-postit-note-1cebxh.json")
    site = await serve({"/robots.txt": send("User-agent: *\nDisallow: /\n", "text/plain"),
                        "/comments/1cebxh.json": send(data, "application/json")})
    with pytest.raises(RobotsDisallowedError, match="robots.txt does not allow threadbot") as exc:
        await fetch_thread("https://redd.it/1cebxh", LOCAL, SiteApis(reddit=site.url("")))
    assert_one_line(exc, "https://redd.it/1cebxh")
    assert site.seen == ["/robots.txt"]
