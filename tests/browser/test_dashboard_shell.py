"""The dashboard's shell in a real browser: the view in the URL, evidence, edits
and hygiene (no request leaves 127.0.0.1), at desktop and phone size."""

from __future__ import annotations

import re
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
        expect(page_session).to_have_url(re.compile(r"/evidence\?scenario=paris_2017.yaml"))
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
        expect(page_session).to_have_url(re.compile(r"sponsors.italy.stance.lna=0.7"))
        # a reload lands on the same view
        page_session.reload()
        expect(_month(page_session)).to_have_text("Month: 2017-08", timeout=30_000)
        expect(page_session.get_by_text("levers: sponsors.italy.stance.lna = 0.7")).to_be_visible()
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
