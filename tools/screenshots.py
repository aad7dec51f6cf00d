"""Screenshots of the main pages, in English and Chinese, on a desktop and on a phone.

Run against a server holding the demo company (`make demo` serves one on port 8000):

    .venv/bin/python tools/screenshots.py [--url http://127.0.0.1:8000] [--out docs/screenshots]

Drives Debian's Chromium (/usr/bin/chromium, or $ATTAIN_CHROMIUM) through Playwright,
signs in with the demo logins (password ``demo``) and writes one PNG per page, language
and screen: the visible window only (not the whole scroll height), reduced to a
256-colour palette so that each stays small (≤ 200 KB) for the repository.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

CHROMIUM = os.environ.get("ATTAIN_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LIMIT = 200_000  # bytes per image


@dataclass(frozen=True)
class Shot:
    name: str
    login: str
    path: str  # a path, or "first:<css>" to follow the first link matching <css> on home
    phone: bool = False
    open_menu: bool = False
    languages: tuple[str, ...] = ("en", "zh")


SHOTS = [
    Shot("performance", "rep", "/performance/"),
    Shot("explanation", "rep", "first:#components a[href*='explain']"),
    Shot("team", "manager", "/performance/team/"),
    Shot("dashboard", "exec", "/performance/dashboard/"),
    Shot("target-plan", "ops", "first-plan"),
    Shot("customer", "rep", "first-customer"),
    Shot("pipeline", "manager", "/crm/pipeline/"),
    Shot("payouts", "finance", "/pay/payouts/"),
    Shot("integrity", "ops", "/integrity/"),
    Shot("review", "manager", "first-review"),
    Shot("phone-performance", "rep", "/performance/", phone=True, languages=("zh", "en")),
    Shot("phone-customers", "rep", "/crm/customers/", phone=True, languages=("zh",)),
    Shot("phone-menu", "manager", "/", phone=True, open_menu=True, languages=("zh",)),
]
LANGUAGES = {"en": "en-US", "zh": "zh-CN"}


def resolve(page: Page, base: str, path: str) -> str:
    if path == "first-plan":
        page.goto(f"{base}/targets/")
        return page.locator("table a[href^='/targets/']").first.get_attribute("href") or "/"
    if path == "first-customer":
        page.goto(f"{base}/crm/customers/")
        return page.locator("table a[href^='/crm/customers/']").first.get_attribute("href") or "/"
    if path == "first-review":
        page.goto(f"{base}/reviews/")
        return page.locator("#reviews a").first.get_attribute("href") or "/reviews/"
    if path.startswith("first:"):
        page.goto(f"{base}/performance/")
        return page.locator(path[len("first:") :]).first.get_attribute("href") or "/"
    return path


def small_png(raw: bytes) -> bytes:
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = args.url.rstrip("/")
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for shot in SHOTS:
            for language in shot.languages:
                context = browser.new_context(
                    locale=LANGUAGES[language], viewport=PHONE if shot.phone else DESKTOP
                )
                page = context.new_page()
                page.goto(f"{base}/login/")
                page.fill("input[name=username]", shot.login)
                page.fill("input[name=password]", "demo")
                page.click("button[type=submit].primary")
                page.wait_for_url(f"{base}/")
                page.goto(base + resolve(page, base, shot.path))
                page.wait_for_load_state("networkidle")
                if shot.open_menu:
                    page.click("[data-menu-toggle]")
                data = small_png(page.screenshot())
                name = f"{shot.name}.{language}.png"
                (out / name).write_bytes(data)
                written.append((name, len(data)))
                context.close()
        browser.close()
    for name, size in written:
        flag = "" if size <= LIMIT else "  (over the limit)"
        print(f"{name:32} {size / 1000:6.0f} KB{flag}")
    return 0 if all(size <= LIMIT for _name, size in written) else 1


if __name__ == "__main__":
    sys.exit(main())
