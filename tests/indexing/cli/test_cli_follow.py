"""`threadbot follow` / `unfollow` against a local site whose thread grows (time is injected)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

T0 = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


@pytest.fixture
def site(tmp_path, thread_server):
    (tmp_path / "config.toml").write_text('[fetch]\nallow_private = ["127.0.0.1"]\n')
    return thread_server


def test_follow_check_prints_a_digest_update_once_and_unfollow_stops(run, site):
    code, out, err = run("follow", site.url, "--threshold", "2", now=T0)
    assert code == 0, err
    assert out.startswith("following Harbour fees rise") and "until 2030-05-02 12:00 UTC" in out
    assert "The council voted" in out  # the first digest, printed (and so recorded)
    code, out, _ = run("follow", "--list", now=T0)
    assert code == 0 and site.url in out and "next check 2030-05-01 12:15 UTC (every 15 min)" in out
    assert "2 comments, a digest update at 2 new" in out

    assert run("follow", "--check", now=T0) == (0, "", "")  # nothing due yet: silent, nothing fetched
    assert site.fetches == 1
    site.grow(3)
    code, out, err = run("follow", "--check", now=hours(1))
    assert code == 0 and err == ""
    assert "Harbour fees rise: 3 new comments since the last digest" in out
    assert run("follow", "--check", now=hours(2)) == (0, "", "")  # fetched, nothing new: nothing printed
    assert site.fetches == 3
    code, out, _ = run("follow", "--list", "--json", now=hours(2))
    [listed] = json.loads(out)
    assert listed["interval_seconds"] == 1800 and listed["comments"] == 5 and listed["title"] == "Harbour fees rise"

    code, out, _ = run("unfollow", site.url)
    assert code == 0 and out.startswith(f"stopped following {site.url}")
    assert run("follow", "--list")[1].startswith("not following any thread")
    site.grow(3)
    assert run("follow", "--check", now=hours(3)) == (0, "", "")
    assert site.fetches == 3
    code, _, err = run("unfollow", site.url)
    assert code == 2 and "not following" in err


def test_follow_ends_after_its_hours_and_below_the_threshold_stays_quiet(run, site):
    assert run("follow", site.url, "--hours", "1", now=T0)[0] == 0
    site.grow(1)  # below the default threshold (5): checked, nothing printed
    assert run("follow", "--check", now=hours(0.5)) == (0, "", "")
    code, out, err = run("follow", "--check", now=hours(1))
    assert code == 0 and out == "" and "its 1 hours are over" in err
    assert run("follow", "--list")[1].startswith("not following any thread")


def test_a_failed_check_is_reported_and_tried_again(run, site):
    assert run("follow", site.url, now=T0)[0] == 0
    site.status = 500
    code, out, err = run("follow", "--check", now=hours(1))
    assert code == 1 and out == ""
    assert "error: " in err and site.url in err and "trying again 2030-05-01 13:15 UTC" in err
    site.status = 200
    site.grow(5)
    code, out, _ = run("follow", "--check", now=hours(1.25))
    assert code == 0 and "5 new comments since the last digest" in out


def test_follow_needs_exactly_one_of_url_list_check(run):
    for args in ([], ["https://example.org/t", "--list"], ["--list", "--check"]):
        with pytest.raises(SystemExit) as exit_info:
            run("follow", *args)
        assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        run("follow", "https://example.org/t", "--hours", "200")
