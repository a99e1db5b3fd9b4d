"""Every page a person can open, opened in Chromium as someone allowed to see it, checked with axe.

The list comes from url_policy.yaml, so a new page is checked without anyone remembering to add it.
"""

import pytest
from django.conf import settings
from django.test import Client

from safekeep.authz.policy import load_policy, rule_for_name
from safekeep.authz.roles import Role
from tests.functional.conftest import assert_accessible
from tests.integration.test_permission_matrix import PATTERNS, _expected, _fill, _values
from tests.world import build_world, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Not Safekeep's own pages: the Django admin (platform operators only) and JSON or file responses.
NOT_PAGES = ("admin:", "api:", "healthz", "mfa_download_recovery_codes")


def _page_urls(world):
    seen, pages = set(), []
    for name, route in PATTERNS:
        rule = rule_for_name(name)
        if name.startswith(NOT_PAGES) or "GET" not in rule.methods or name in seen:
            continue
        seen.add(name)
        role = next((r for r in Role if _expected(rule, "GET", r, "here", False)), None)
        if role is None:
            continue  # nobody may open it (e.g. email management, handled by administrators)
        persona = world.personas[role]
        pages.append((name, persona, _fill(route, _values(world, rule, "here", persona))))
    return pages


def test_every_page_passes_axe(page, live_server):
    world = build_world()
    failures, checked = [], 0
    for name, persona, path in _page_urls(world):
        client = Client()
        sign_in(client, persona)
        page.context.clear_cookies()
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                   "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                                   "url": live_server.url}])
        response = page.goto(live_server.url + path)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        try:
            assert_accessible(page)
            checked += 1
        except AssertionError as problem:
            failures.append(f"{name}: {problem}")
    print(f"axe checked {checked} pages")
    assert failures == []
    assert checked >= len([n for n in load_policy() if not n.startswith(NOT_PAGES)]) // 2
