"""Take the README screenshots from a real `myomap serve --demo` in a temporary data folder.

Usage: .venv/bin/python scripts/screenshots.py [OUT_DIR]   (default docs/screenshots)
Needs Debian's Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _standing_photo(folder: Path) -> Path | None:
    """Frame 0 of the shared squat video (a woman standing, front view), if the fixtures are there."""
    video = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "tfjs_pose_squats.mp4"
    if not video.exists():
        return None
    import cv2

    ok, frame = cv2.VideoCapture(str(video)).read()
    if not ok:
        return None
    path = folder / "standing.jpg"
    cv2.imwrite(str(path), frame)
    return path


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tempfile.mkdtemp(prefix="myomap-shots-")
    env = {**os.environ, "MYOMAP_DATA_DIR": data, "MYOMAP_PASSWORD_HASH_PROFILE": "fast"}
    exe = Path(sys.executable).with_name("myomap")
    server = subprocess.Popen([str(exe), "serve", "--demo", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx2.get(base + "/sign-in", timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/sign-in")
            page.fill("input[name=email]", "therapist@demo.myomap.test")
            page.fill("input[name=password]", "myomap-demo")
            page.click("button[type=submit]")
            page.wait_for_url(base + "/")
            page.goto(base + "/clients")
            page.click("table a[href^='/clients/']")
            client_url = page.url
            drawing = page.locator("a[href^='/pain-drawings/']").first
            if drawing.count():
                drawing.click()
                page.screenshot(path=str(out / "pain-drawing.png"), full_page=True)
                page.click("text=Which trigger points?")
                page.wait_for_selector(".candidates")
                page.screenshot(path=str(out / "referral.png"), full_page=True)
            page.goto(client_url)
            page.screenshot(path=str(out / "client.png"), full_page=True)
            photo = _standing_photo(Path(data))
            if photo is not None:
                page.click("text=Postural assessment")
                page.locator("a[href$='/posture-assessments/new']").first.click()
                page.fill("input[name=height_cm]", "165")
                page.get_by_role("button", name=re.compile("Create")).click()
                page.locator("#photo-anterior").set_input_files(str(photo))
                with page.expect_navigation(timeout=60_000):
                    page.get_by_role("button", name=re.compile(r"Upload and analyse \(front")).click()
                page.locator(".posture-figure img").first.evaluate("i => i.decode()")  # the annotated photo
                page.screenshot(path=str(out / "posture.png"), full_page=True)
            page.goto(base + "/atlas/muscles/sternocleidomastoid")
            page.screenshot(path=str(out / "atlas-muscle.png"), full_page=True)
            page.goto(base + "/atlas?q=headache")
            page.screenshot(path=str(out / "atlas-search.png"))
            # The pain drawing form on a tablet (820x1180), as a therapist holds it.
            page.set_viewport_size({"width": 820, "height": 1180})
            page.goto(client_url + "/pain-drawings/new")
            page.wait_for_selector("html.chart-mode")
            page.screenshot(path=str(out / "tablet-pain-form.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
