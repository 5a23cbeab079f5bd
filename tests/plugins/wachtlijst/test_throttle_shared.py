"""The public pages' throttle is shared by every worker process (counted in the database) and
counts the client address from proxy headers only when the app trusts a proxy (ProxyFix)."""
from __future__ import annotations

import pytest

from core.app import create_app
from tests.conftest import make_config


@pytest.fixture
def status_url(org):
    return f"/o/{org.slug}/wachtlijst/status/geraden-token"


def _second_worker(app, session, tmp_path, database_url, **extra):
    """Another app instance (as another gunicorn worker would build) on the same database."""
    other = create_app(make_config(database_url, tmp_path, WACHTLIJST_PUBLIC_RATE=3, **extra),
                       plugins=["planning", "wachtlijst"])
    other.extensions["koepel_db"].bind_to(session.get_bind())
    return other


def test_two_workers_share_one_count(app, session, org, status_url, tmp_path, database_url):
    app.config["WACHTLIJST_PUBLIC_RATE"] = 3
    other = _second_worker(app, session, tmp_path, database_url)
    first, second = app.test_client(), other.test_client()
    # guessed tokens answer 404, and still count
    assert [first.get(status_url).status_code for _ in range(2)] == [404, 404]
    assert second.get(status_url).status_code == 404
    assert second.get(status_url).status_code == 429  # the fourth request in the minute, whichever worker
    assert first.get(status_url).status_code == 429


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(app, org, status_url):
    app.config["WACHTLIJST_PUBLIC_RATE"] = 2
    client = app.test_client()
    answers = [client.get(status_url, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(3)]
    assert answers == [404, 404, 429]  # a forged header does not buy a fresh count


def test_a_trusted_proxy_gives_each_client_its_own_count(app, session, org, status_url, tmp_path, database_url):
    behind_proxy = _second_worker(app, session, tmp_path, database_url, KOEPEL_TRUSTED_PROXIES=1)
    behind_proxy.config["WACHTLIJST_PUBLIC_RATE"] = 2
    client = behind_proxy.test_client()
    one = [client.get(status_url, headers={"X-Forwarded-For": "198.51.100.7"}).status_code for _ in range(3)]
    other = client.get(status_url, headers={"X-Forwarded-For": "198.51.100.8"}).status_code
    assert one == [404, 404, 429] and other == 404
