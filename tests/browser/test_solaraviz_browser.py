"""Mesa's own SolaraViz driving LibyaModel in a real browser: render, Step, Reset, Step
(Reset rebuilds the model from keyword arguments and a Mesa Scenario)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

APP = str(Path(__file__).with_name("solaraviz_app.py"))


def test_solaraviz_step_reset_step(solara_server, solara_app, page_session: Page, screens):
    with solara_app(APP):
        page_session.goto(solara_server.base_url)
        month = page_session.locator(".libyasim-month")
        expect(month).to_have_text("Month: 2017-08", timeout=30_000)
        expect(page_session.get_by_text("Time: 0.0")).to_be_visible()
        step = page_session.get_by_role("button", name="Step")
        step.click()
        expect(month).to_have_text("Month: 2017-09", timeout=20_000)
        # move the override slider, then Reset: a new model from Mesa's own arguments
        rate = page_session.locator(".v-input", has_text="engagement rate").get_by_role("slider")
        rate.focus()
        rate.press("ArrowLeft")
        expect(rate).to_have_attribute("aria-valuenow", "0.5")
        page_session.get_by_role("button", name="Reset").click()
        expect(page_session.get_by_text("Time: 0.0")).to_be_visible(timeout=20_000)
        expect(month).to_have_text("Month: 2017-08", timeout=20_000)
        step.click()
        expect(month).to_have_text("Month: 2017-09", timeout=20_000)
        expect(page_session.get_by_text("Time: 1.0")).to_be_visible()
        expect(page_session.get_by_text("Error")).to_have_count(0)
        page_session.screenshot(path=str(screens / "solaraviz_reset.png"), full_page=True)
        page_session.goto("about:blank")
