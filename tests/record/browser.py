"""Headless Chromium (Debian's `chromium` package) for the HTML record tests.

Installed with apt when missing and running as root (as the SSH tests do for openssh-server), and
purged again when the test process exits. Every request the browser would make beyond the page
itself goes to a dead proxy on loopback, and its background services are off: the page must work
offline, and test traffic stays on this machine.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
from pathlib import Path

PACKAGES = ("chromium", "fonts-noto-cjk")  # the fonts only make the screenshots legible
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-pings",
    "--proxy-server=http://127.0.0.1:9",
    "--enable-logging=stderr",
    "--v=0",
)
CONSOLE = re.compile(r":CONSOLE[:(]")


class BrowserUnavailable(RuntimeError):
    pass


def chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() != 0:
        raise BrowserUnavailable(
            "chromium is missing and not root: `apt-get install chromium` to run this test"
        )
    before = _installed()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
    ):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            raise BrowserUnavailable(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")
    added = sorted(_installed() - before)
    atexit.register(
        lambda: subprocess.run(
            ["apt-get", "purge", "-y", "-qq", *added], env=env, capture_output=True, check=False
        )
    )
    found = shutil.which("chromium")
    if not found:
        raise BrowserUnavailable("chromium installed but not on PATH")
    return found


def _installed() -> set[str]:
    listing = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\\n"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return {line.split()[0] for line in listing.splitlines() if line.endswith(" installed")}


def load(
    page: Path, profile: Path, screenshot: Path | None = None, fragment: str = ""
) -> tuple[str, list[str]]:
    """The DOM after the page's scripts ran, and the console messages; a screenshot when asked."""
    base = [chromium(), *FLAGS, f"--user-data-dir={profile}"]
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    done = subprocess.run(
        [*base, "--dump-dom", url], capture_output=True, text=True, timeout=180, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"chromium failed ({done.returncode}): {done.stderr[-800:]}")
    console = [line for line in done.stderr.splitlines() if CONSOLE.search(line)]
    if screenshot is not None:
        shot = subprocess.run(
            [*base, "--hide-scrollbars", "--window-size=1400,2600", f"--screenshot={screenshot}", url],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if shot.returncode != 0 or not screenshot.exists():
            raise AssertionError(f"chromium screenshot failed: {shot.stderr[-800:]}")
        console += [line for line in shot.stderr.splitlines() if CONSOLE.search(line)]
    return done.stdout, console
