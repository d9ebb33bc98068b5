"""A headless Chromium for the end-to-end tests: Debian's `chromium`, driven by Playwright.

Playwright's own browser download does not work on our machines, so it is never used: the tests
launch the system binary (`/usr/bin/chromium`, or `CHROMIUM_PATH`), which `scripts/ensure-browser`
installs before `make test`. When it is missing the tests skip with the reason on a developer's
machine, and fail under `CI=true`, so CI can never pass without having run them.
"""

import os
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's hosts, which this closed
# network refuses; --no-sandbox because the suite runs as root in CI.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous for a loaded 2-core CI machine; a healthy run needs well under a second per step.
TIMEOUT_MS = 20_000


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module (pytest tears it down before any other module's test runs)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        reason = (
            f"Chromium is missing at {CHROMIUM}: run ./scripts/ensure-browser (as root it runs "
            "'apt-get install chromium'), or set CHROMIUM_PATH"
        )
        if _in_ci():
            pytest.fail(f"{reason}. CI must run the end-to-end tests.", pytrace=False)
        pytest.skip(reason)
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio loop running in this thread (in a greenlet) while the
        # browser is open, so Django would refuse the tests' own ORM calls (fixtures, the transactional
        # flush). Nothing here is async; the app under test runs in the live server's thread, where the
        # check stays on. Scoped to this fixture, so no other module runs with it.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            # Each launch gets a new, empty temporary profile (user-data-dir), deleted on close.
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                yield chromium
            finally:
                chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """When a test that uses `page` fails, saves a screenshot of the page to a temporary folder and
    names the file in the failure report."""
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None:
        shot = Path(tempfile.mkdtemp(prefix="couples-e2e-")) / f"{item.name}.png"
        try:
            page.screenshot(path=str(shot), full_page=True)
            report.sections.append(("screenshot", f"{page.url} -> {shot}"))
        except Exception as exc:  # a crashed page must not hide the test's own failure
            report.sections.append(("screenshot", f"none: {exc}"))
    return report


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies, no storage)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()
