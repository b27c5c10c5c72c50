"""Headless Chromium (Debian's package) driven by Playwright; screenshots go to
test-artifacts/web/ (git-ignored). The web app guide's two (docs/web/) are written when missing or
when BRAINTANK_README_SCREENSHOTS=1, so a test run does not rewrite tracked files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"
DOCS = ROOT / "docs" / "web"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("no chromium on PATH (scripts/install.sh installs Debian's package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 900, "height": 700})
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def screenshot(page, name: str, for_readme: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    readme_copy = DOCS / f"{name}.png"
    if for_readme and (not readme_copy.exists()
                       or os.environ.get("BRAINTANK_README_SCREENSHOTS") == "1"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, readme_copy)
    return target
