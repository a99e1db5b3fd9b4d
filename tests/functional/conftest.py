"""Browser tests: Debian's Chromium through Playwright (never a downloaded browser), and axe-core."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

AXE = Axe(axe_script=(Path(__file__).parent / "vendor" / "axe.min.js").read_text())
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]
# How long expect waits for the page to show what a person would see. CI runs two browsers beside two test
# workers on two cores, where a queued htmx answer (the recording page's Find, Find, Remove) can take longer
# than Playwright's 5 s default; a wrong page still fails, only later.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_FLAGS,
            "headless": True}


def assert_accessible(page):
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                  for v in results.response["violations"]]
    assert violations == [], f"{page.url}: {violations}"


def tab_to(page, element_id: str, most: int = 120) -> None:
    """Press Tab until the element has the focus, as a keyboard user would; fail if it never does."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")
