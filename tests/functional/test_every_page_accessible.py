"""Every page a person can open, opened in Chromium as someone allowed to see it, checked with axe.

The list comes from url_policy.yaml, so a new page is checked without anyone remembering to add it.
"""

import pytest
from django.conf import settings
from django.test import Client

from safekeep.authz.policy import load_policy, rule_for_name
from safekeep.authz.roles import Role
from tests.functional.conftest import assert_accessible
from tests.integration.test_permission_matrix import PATTERNS, _expected, _fill, _values, equip
from tests.world import adopt_every_shipped_pack, build_world, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Not Safekeep's own pages: the Django admin (platform operators only) and JSON or file responses
# (a file download: tests/integration/test_attachments.py checks its headers).
NOT_PAGES = ("admin:", "api:", "healthz", "mfa_download_recovery_codes", "concerns:attachment_download",
             "sharing:export", "trends:concerns_csv", "trends:child_on_child_csv", "trends:exploitation_csv",
             "trends:clocks_csv", "governance:establishment_pdf", "governance:trust_pdf",
             "chronology:pdf_download")


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
    equip(world)
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


def test_a_long_filtered_chronology_with_errors_and_its_printout_pass_axe(page, live_server):
    """The chronology as a DSL sees it: entries of every type, key events, filters, a bad date, the printout."""
    from datetime import UTC, datetime

    from django.db import transaction

    from safekeep.concerns import services as concerns

    world = build_world()
    adopt_every_shipped_pack(world)
    child = world.children["here"]
    with transaction.atomic():
        concern, _ = concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
            children=[{"child": child, "role": "harmed", "categories": ["cce"]}], disclosure=True,
            occurred_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC), narrative="Seen with older youths",
            idempotency_key="axe-chronology")
        concerns.addendum_add(actor=world.personas[Role.STAFF], concern=concern, text="It was Tuesday.")
    client = Client()
    sign_in(client, world.personas[Role.DSL])
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    base = f"{live_server.url}/chronology/{child.pk}/"
    for query in ("", "?type=concern&category=cce&from=2026-01-01&to=2026-12-31&key=1", "?from=2026-02-30",
                  "?print=1&category=cce"):
        page.goto(base + query)
        assert_accessible(page)
    page.goto(base)
    page.get_by_role("button", name="Mark as key event").first.click()
    assert "Marked as a key event" in page.content()
    assert_accessible(page)
