"""Take the user guide's screenshots from a running demo (`make run`).

    .venv/bin/python docs/screenshots.py [--base URL] [--out DIR] [--viewport-only]
        [--height PX] PATH=NAME ...

Signs in as the demo head of the NPM, postpones the second factor (demo mode only) and
saves one PNG per page: the whole page, or with `--viewport-only` just the first screen
(for pages too long to read in a guide).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/user/img")
    parser.add_argument("--email", default="head@demo.habeas.test")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument(
        "--viewport-only", action="store_true", help="capture the first screen, not the page"
    )
    parser.add_argument(
        "pages", nargs="+", help="PATH=NAME, e.g. /places/=places-list or /places/?q=x=search"
    )
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("HABEAS_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": options.width, "height": options.height})
        page.goto(options.base + "/accounts/login/")
        page.fill("input[name=username]", options.email)
        page.fill("input[name=password]", "habeas-demo-2026")
        page.click("button[type=submit]")
        if "/accounts/enrol/" in page.url:
            page.click("button[name=postpone], button:has-text('Postpone')")
        for item in options.pages:
            path, name = item.rsplit("=", 1)  # a path may hold "=" in its query
            page.goto(options.base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"{name}.png"), full_page=not options.viewport_only)
            print(f"{path} -> {out / (name + '.png')}")  # noqa: T201
        browser.close()


if __name__ == "__main__":
    main()
