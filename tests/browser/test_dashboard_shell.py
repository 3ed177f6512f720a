"""The dashboard's shell in a real browser: the view in the URL, evidence, edits
and hygiene (no request leaves 127.0.0.1), at desktop and phone size."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

APP = "libyasim.dashboard.app"
PHONE = {"width": 390, "height": 844}


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _month(page: Page):
    return page.locator(".libyasim-month")


def test_the_view_survives_a_reload_and_travels_with_the_tabs(
    solara_server, solara_app, page_session: Page, screens
):
    with solara_app(APP):
        link = (
            f"{solara_server.base_url}/?scenario=paris_2017.yaml&seed=7"
            "&sponsors.italy.stance.lna=0.5"
        )
        page_session.goto(link)
        expect(_month(page_session)).to_have_text("Month: 2017-08", timeout=30_000)
        expect(page_session.get_by_text("levers: sponsors.italy.stance.lna = 0.5")).to_be_visible()
        expect(page_session.get_by_label("Seed")).to_have_value("7")
        expect(page_session.locator(".libyasim-picker")).to_contain_text("paris_2017.yaml")
        # another page keeps the view in its address
        page_session.get_by_role("tab", name="Evidence").click()
        expect(page_session).to_have_url(
            re.compile(r"/evidence\?scenario=paris_2017.yaml"), timeout=30_000
        )
        assert _query(page_session)["sponsors.italy.stance.lna"] == ["0.5"]
        # apply another lever on the Run page: the address follows
        page_session.get_by_role("tab", name="Run").click()
        expect(page_session).to_have_url(re.compile(r"/\?scenario=paris_2017"), timeout=30_000)
        # the group holding an applied lever opens by itself
        expect(page_session.locator(".libyasim-lever-group", has_text="(italy)")).to_contain_text(
            "▾ Italy (italy) · 1 changed", timeout=30_000
        )
        expect(
            page_session.locator(".libyasim-lever", has_text="stance toward lna")
        ).to_be_visible()
        lna = page_session.locator(".libyasim-lever", has_text="stance toward lna")
        entry = lna.locator(".libyasim-lever-entry input")
        entry.fill("0.7")
        entry.press("Enter")
        page_session.locator(".libyasim-apply").click()
        expect(page_session).to_have_url(
            re.compile(r"sponsors.italy.stance.lna=0.7"), timeout=30_000
        )
        # a reload lands on the same view
        page_session.reload()
        expect(_month(page_session)).to_have_text("Month: 2017-08", timeout=30_000)
        expect(page_session.get_by_text("levers: sponsors.italy.stance.lna = 0.7")).to_be_visible(
            timeout=30_000
        )
        expect(page_session.get_by_label("Seed")).to_have_value("7")
        page_session.screenshot(path=str(screens / "url_reloaded.png"), full_page=True)


def test_a_shared_link_opens_on_a_phone(solara_server, solara_app, browser, screens):
    with solara_app(APP):
        ctx = browser.new_context(viewport=PHONE)
        try:
            page = ctx.new_page()
            page.goto(
                f"{solara_server.base_url}/evidence?scenario=italy_engages_haftar.yaml"
                "&locator=seed:p5s2"
            )
            expect(page.locator(".libyasim-picker")).to_contain_text(
                "italy_engages_haftar.yaml", timeout=30_000
            )
            expect(page.get_by_role("tab", name="Evidence")).to_have_attribute(
                "aria-selected", "true"
            )
            page.screenshot(path=str(screens / "phone_evidence_link.png"), full_page=True)
        finally:
            ctx.close()


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PAGES = ["", "ensemble", "compare", "evidence", "edit"]


@pytest.fixture
def outbound(monkeypatch):
    """Every connection the server process (this one) tries beyond loopback, refused."""
    import socket

    tried: list[str] = []
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(address, tuple) and host not in LOOPBACK:
            tried.append(f"connect {host}")
            raise OSError("the dashboard tests refuse connections beyond loopback")
        return real_connect(self, address)

    def getaddrinfo(host, *a, **k):
        if host not in LOOPBACK and host is not None:
            tried.append(f"resolve {host}")
            raise socket.gaierror("the dashboard tests resolve no outside name")
        return real_getaddrinfo(host, *a, **k)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return tried


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_no_request_leaves_the_machine_on_any_page(
    solara_server, solara_app, browser, outbound, screens, viewport
):
    """Browser requests all go to the dashboard; every front-end asset (mermaid and
    KaTeX included) is served from the local cache, so the server fetches nothing."""
    with solara_app(APP):
        ctx = browser.new_context(viewport=viewport or {"width": 1440, "height": 900})
        requests: list[str] = []
        missing: list[str] = []
        console: list[str] = []
        try:
            page = ctx.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on(
                "response",
                lambda r: missing.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.on("console", lambda m: console.append(m.text))
            for path in PAGES:
                page.goto(f"{solara_server.base_url}/{path}")
                expect(page.get_by_role("tab", selected=True).first).to_be_visible(timeout=30_000)
                page.wait_for_load_state("networkidle")
            page.screenshot(path=str(screens / f"hygiene_{viewport and 'phone'}.png"))
        finally:
            ctx.close()
    hosts = {urlparse(u).hostname for u in requests if urlparse(u).scheme in ("http", "https")}
    assert hosts <= LOOPBACK, hosts
    assert any("/mermaid@" in u for u in requests)  # the Markdown loads it on every page
    assert not missing, missing
    assert not outbound, outbound
    assert not [c for c in console if "cookie" in c.lower()], console


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_locator_scrolls_to_its_sentence_highlighted(
    solara_server, solara_app, browser, screens, viewport
):
    with solara_app(APP):
        ctx = browser.new_context(
            viewport=viewport or {"width": 1440, "height": 900}, accept_downloads=True
        )
        try:
            page = ctx.new_page()
            page.goto(f"{solara_server.base_url}/evidence")
            expect(page.locator(".libyasim-count")).to_be_visible(timeout=30_000)
            # sort by value, largest first: the populations lead
            page.locator(".libyasim-sort", has_text="value").click()
            page.locator(".libyasim-sort", has_text="value").click()
            expect(page.locator(".libyasim-sort", has_text="value")).to_contain_text("▼")
            first = page.locator("tr.libyasim-param").first
            expect(first.locator(".libyasim-unit")).to_have_text("people")
            # export what is shown
            with page.expect_download() as dl:
                page.get_by_text(re.compile(r"Download these \d+ rows")).click()
            text = Path(dl.value.path()).read_text(encoding="utf-8")
            assert text.startswith("parameter,value,unit,range_low,range_high,evidence")
            # the source kind: a locator link, then its sentence in the source view
            page.get_by_role("button", name="source", exact=True).click()
            links = page.locator(".libyasim-locator")
            expect(links.first).to_be_visible()
            texts = [t.strip() for t in links.all_inner_texts()]
            last = max(texts, key=lambda t: [int(x) for x in re.findall(r"\d+", t)])
            locator = last  # late in the document: far down the source view
            links.nth(texts.index(last)).click()
            anchor = page.locator(f"#src-{locator.replace(':', '-')}")
            expect(anchor).to_have_class(re.compile("selected"))
            expect(anchor).to_be_in_viewport(timeout=10_000)
            expect(page.locator(".libyasim-citation").first).to_contain_text(
                "Citation: “Analysis of European policy toward Haftar"
            )
            # it scrolled down to it: the top of the source view is out of sight
            expect(page.locator("#src-seed-p1s1")).not_to_be_in_viewport()
            expect(page).to_have_url(re.compile(f"locator={locator}"))
            page.screenshot(path=str(screens / f"evidence_locator_{viewport and 'phone'}.png"))
        finally:
            ctx.close()


def test_edit_use_download_and_upload_errors(solara_server, solara_app, browser, screens, tmp_path):
    from libyasim.scenario import load_scenario

    with solara_app(APP):
        ctx = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
        try:
            page = ctx.new_page()
            page.goto(f"{solara_server.base_url}/edit?scenario=paris_2017.yaml")
            date = page.get_by_label("date (YYYY-MM)").first
            expect(date).to_be_visible(timeout=30_000)
            date.fill("2018-02")
            expect(page.locator(".libyasim-variant-ok")).to_contain_text(
                "Valid variant of paris_2017.yaml: paris_2017_edited.yaml"
            )
            expect(page.locator(".libyasim-save-where")).to_contain_text(
                "it extends paris_2017.yaml, so save it in the same folder as that file"
            )
            # the main download needs no other file
            with page.expect_download() as dl:
                page.get_by_text("Download paris_2017_edited.yaml").click()
            saved = tmp_path / "paris_2017_edited.yaml"
            dl.value.save_as(saved)
            assert load_scenario(saved).id == "paris_2017_edited"
            page.locator(".libyasim-use-variant").click()
            expect(page.locator(".libyasim-now-using")).to_contain_text(
                "Now using edit: paris_2017_edited.yaml (a variant of paris_2017.yaml"
            )
            expect(page.get_by_label("id", exact=True)).to_have_value("paris_2017_edited")
            expect(page.get_by_label("date (YYYY-MM)").first).to_have_value("2018-02")
            expect(page).to_have_url(re.compile(r"scenario=edit"))
            page.screenshot(path=str(screens / "edit_now_using.png"), full_page=True)
            # an upload's errors name the user's file and count its own events
            bad = tmp_path / "mine.yaml"
            bad.write_text(
                "extends: baseline_2017.yaml\nid: mine\ntitle: Mine\nevents:\n"
                "  - type: election\n    date: 2018-13\n",
                encoding="utf-8",
            )
            page.locator("input[type=file]").set_input_files(str(bad))
            problems = page.locator(".libyasim-problems")
            expect(problems).to_contain_text("mine.yaml:6 events[0].date: must be a month")
            assert "/scenarios/" not in problems.inner_text()
            # the other pages use the variant
            page.get_by_role("tab", name="Run").click()
            expect(page.locator(".libyasim-now-using")).to_contain_text(
                "Now using edit: paris_2017_edited.yaml", timeout=30_000
            )
        finally:
            ctx.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.parametrize(
    "command, sig",
    [
        ("libyasim", "SIGTERM"),
        ("libyasim", "SIGINT"),
        ("solara", "SIGTERM"),  # the server signalled directly (solara run, a service manager)
        ("solara", "SIGKILL"),
    ],
)
def test_ensemble_workers_end_with_the_server(browser, command, sig):
    """With an ensemble running in worker processes, the signal ends the server and
    every worker, the fork server and the resource tracker with it; and the server
    printed no cookie warning."""
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    import psutil

    port = _free_port()
    venv_bin = Path(sys.executable).parent
    cmd = (
        [str(venv_bin / "libyasim"), "dashboard", "--port", str(port)]
        if command == "libyasim"
        else [
            str(venv_bin / "solara"),
            "run",
            APP,
            "--port",
            str(port),
            "--production",
            "--no-open",
        ]
    )
    env = {**os.environ, "LIBYASIM_DASHBOARD_WORKERS": "2", "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "0"}
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    family: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        ctx = browser.new_context()
        try:
            page = ctx.new_page()
            page.goto(f"http://127.0.0.1:{port}/ensemble")
            page.get_by_role("button", name="Run ensemble").click(timeout=60_000)
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                family = psutil.Process(proc.pid).children(recursive=True)
                workers = [p for p in family if "forkserver" in " ".join(p.cmdline())]
                if len(workers) >= 3:  # the fork server and two workers
                    break
                time.sleep(0.5)
            assert len(workers) >= 3, [p.cmdline() for p in family]
            family = psutil.Process(proc.pid).children(recursive=True)
            proc.send_signal(getattr(signal, sig))
            _gone, alive = psutil.wait_procs(family, timeout=30)
            left = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
            assert not left, [p.cmdline()[-1][:80] for p in left]
        finally:
            ctx.close()
        _out, err = proc.communicate(timeout=30)
        if command == "libyasim":
            assert proc.returncode == 128 + getattr(signal, sig)
            assert "Traceback" not in err
        # served as 127.0.0.1, Solara warned about its cookie on every page load
        assert "samesite" not in err.lower()
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in family:  # never leave a process behind, even when the test fails
            with contextlib.suppress(psutil.Error):
                p.kill()


def test_levers_on_a_phone(solara_server, solara_app, browser, screens):
    """At 390x844: a lever's value, ranges and typed entry fit, the warning shows past
    the evidence, and Apply stays in view while the levers scroll."""
    with solara_app(APP):
        ctx = browser.new_context(viewport=PHONE)
        try:
            page = ctx.new_page()
            page.goto(f"{solara_server.base_url}/")
            expect(_month(page)).to_have_text("Month: 2017-08", timeout=30_000)
            toggle = page.locator(".libyasim-drawer-toggle")
            if toggle.count() and toggle.first.is_visible():  # controls in a drawer
                toggle.first.click()
            page.locator(".libyasim-lever-group", has_text="(italy)").click()
            lna = page.locator(".libyasim-lever", has_text="stance toward lna")
            lna.scroll_into_view_if_needed()
            box = lna.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
            expect(lna.locator(".libyasim-lever-range")).to_contain_text("evidence [-0.6, 0]")
            entry = lna.locator(".libyasim-lever-entry input")
            entry.fill("0.5")
            entry.press("Enter")
            expect(lna.locator(".libyasim-beyond")).to_contain_text("beyond the evidence range")
            apply = page.locator(".libyasim-apply")
            expect(apply).to_be_in_viewport()  # sticky: no scrolling back up to find it
            page.screenshot(path=str(screens / "phone_levers.png"))
            apply.click()
            expect(page.get_by_text("levers: sponsors.italy.stance.lna = 0.5")).to_be_attached(
                timeout=30_000
            )
            expect(page).to_have_url(re.compile(r"sponsors.italy.stance.lna=0.5"))
        finally:
            ctx.close()
