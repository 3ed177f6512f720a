"""The dashboard in a real headless browser: every page, stepping, levers, ensembles,
comparison, a broken upload, and two isolated sessions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

APP = "libyasim.dashboard.app"
PAGES = {
    "": "Run",
    "ensemble": "Ensemble",
    "compare": "Compare",
    "evidence": "Evidence",
    "edit": "Edit",
}


def open_page(page: Page, server, path: str = "") -> None:
    page.goto(f"{server.base_url}/{path}")
    expect(page.get_by_text("Scenario").first).to_be_visible(timeout=30_000)


def month(page: Page) -> str:
    return page.locator(".libyasim-month").inner_text()


@pytest.mark.parametrize("path", list(PAGES))
def test_each_page_loads(solara_server, solara_app, page_session: Page, screens, path):
    with solara_app(APP):
        open_page(page_session, solara_server, path)
        expect(page_session.get_by_role("tab", name=PAGES[path])).to_be_visible()
        if path == "":
            expect(page_session.locator(".libyasim-month")).to_have_text(
                "Month: 2017-08", timeout=30_000
            )
        if path == "evidence":
            expect(
                page_session.get_by_text(re.compile(r"\d+ parameters: \d+ backed by a source"))
            ).to_be_visible()
        page_session.wait_for_timeout(500)
        page_session.screenshot(
            path=str(screens / f"page_{PAGES[path].lower()}.png"), full_page=True
        )


def test_step_three_times_changes_month_and_map(
    solara_server, solara_app, page_session: Page, screens
):
    with solara_app(APP):
        open_page(page_session, solara_server)
        expect(page_session.locator(".libyasim-month")).to_have_text(
            "Month: 2017-08", timeout=30_000
        )
        the_map = page_session.locator("[data-name=map]")
        expect(the_map).to_have_attribute("data-stamp", re.compile("^2017-08"), timeout=30_000)
        expect(the_map.locator("svg")).to_be_visible()
        step = page_session.get_by_role("button", name="Step", exact=True)
        for m in ("2017-09", "2017-10", "2017-11"):
            step.click()
            expect(page_session.locator(".libyasim-month")).to_have_text(
                f"Month: {m}", timeout=20_000
            )
        # the map in the browser now draws November's data (the chart was not rebuilt)
        expect(the_map).to_have_attribute("data-stamp", re.compile("^2017-11"), timeout=20_000)
        expect(the_map.locator("svg text", has_text="2017-11")).to_have_count(0)
        expect(page_session.get_by_text("Who holds what, 2017-11")).to_be_visible()
        expect(page_session.locator(".libyasim-events")).to_contain_text("2017-1")
        page_session.screenshot(path=str(screens / "run_after_3_steps.png"), full_page=True)


def test_move_a_lever_and_apply(solara_server, solara_app, page_session: Page, screens):
    with solara_app(APP):
        open_page(page_session, solara_server)
        expect(page_session.locator(".libyasim-month")).to_have_text(
            "Month: 2017-08", timeout=30_000
        )
        page_session.get_by_role("button", name="Step", exact=True).click()
        expect(page_session.locator(".libyasim-month")).to_have_text(
            "Month: 2017-09", timeout=20_000
        )
        page_session.locator(".libyasim-lever-group", has_text="(france)").click()
        ct = page_session.locator(".libyasim-lever", has_text="interest: counter_terrorism")
        expect(ct.locator(".libyasim-lever-range")).to_contain_text("evidence [")
        ct.get_by_role("slider").focus()
        for _ in range(3):
            ct.get_by_role("slider").press("ArrowRight")
        expect(page_session.locator(".libyasim-pending")).to_contain_text("1 lever changed")
        expect(page_session.locator(".libyasim-apply")).to_be_in_viewport()
        page_session.locator(".libyasim-apply").click()
        # re-run with the lever, back at the month it was
        expect(
            page_session.get_by_text("sponsors.france.interests.counter_terrorism =")
        ).to_be_visible(timeout=20_000)
        expect(page_session.locator(".libyasim-month")).to_have_text("Month: 2017-09")
        expect(page_session.locator(".libyasim-pending")).to_have_text("the run is up to date")
        page_session.screenshot(path=str(screens / "run_after_lever_apply.png"), full_page=True)


def test_italy_engages_haftar_beyond_the_evidence(
    solara_server, solara_app, page_session: Page, screens
):
    """A typed value past the evidence range warns and runs; inside it, a lever that
    changes nothing says why."""
    with solara_app(APP):
        open_page(page_session, solara_server)
        expect(page_session.locator(".libyasim-month")).to_have_text(
            "Month: 2017-08", timeout=30_000
        )
        page_session.locator(".libyasim-lever-group", has_text="(italy)").click()
        lna = page_session.locator(".libyasim-lever", has_text="stance toward lna")
        expect(lna.locator(".libyasim-lever-range")).to_contain_text("evidence [-0.6, 0]")
        entry = lna.locator(".libyasim-lever-entry input")
        entry.fill("0")  # the top of the evidence range
        entry.press("Enter")
        expect(lna.locator(".libyasim-beyond")).to_have_count(0)
        page_session.locator(".libyasim-apply").click()
        expect(page_session.get_by_text("sponsors.italy.stance.lna = 0.0")).to_be_visible(
            timeout=30_000
        )
        page_session.get_by_role("button", name="To end", exact=True).click()
        note = page_session.locator(".libyasim-no-effect")
        expect(note).to_contain_text("change nothing over the whole run", timeout=30_000)
        expect(note).to_contain_text("Why: sponsors.italy.stance.lna:")
        lna = page_session.locator(".libyasim-lever", has_text="stance toward lna")
        entry = lna.locator(".libyasim-lever-entry input")
        entry.fill("0.5")  # Italy engages Haftar
        entry.press("Enter")
        expect(lna.locator(".libyasim-beyond")).to_contain_text(
            "beyond the evidence range [-0.6, 0]"
        )
        page_session.locator(".libyasim-apply").click()
        expect(page_session.get_by_text("sponsors.italy.stance.lna = 0.5")).to_be_visible(
            timeout=30_000
        )
        expect(page_session.locator(".libyasim-no-effect")).to_have_count(0)
        page_session.screenshot(path=str(screens / "run_italy_engages.png"), full_page=True)


def test_ensemble_of_20_shows_probabilities(solara_server, solara_app, page_session: Page, screens):
    with solara_app(APP):
        open_page(page_session, solara_server, "ensemble")
        page_session.get_by_role("button", name="Run ensemble").click()
        probs = page_session.locator(".libyasim-probability")
        expect(probs.first).to_be_visible(timeout=90_000)
        expect(page_session.locator(".libyasim-probabilities")).to_contain_text("%")
        # probabilities stream in while runs finish; then the whole ensemble's
        expect(page_session.get_by_text(re.compile(r"^20 runs in"))).to_be_visible(timeout=120_000)
        page_session.wait_for_timeout(500)
        page_session.screenshot(path=str(screens / "ensemble_20.png"), full_page=True)


def test_compare_two_scenarios(solara_server, solara_app, page_session: Page, screens):
    with solara_app(APP):
        open_page(page_session, solara_server, "compare")
        page_session.get_by_role("button", name="Run comparison").click()
        diffs = page_session.locator(".libyasim-differences")
        expect(diffs).to_be_visible(timeout=120_000)
        expect(diffs).to_contain_text("pts [", timeout=120_000)
        page_session.wait_for_timeout(500)
        page_session.screenshot(path=str(screens / "compare.png"), full_page=True)


def test_upload_a_broken_scenario_shows_its_error(
    solara_server, solara_app, page_session: Page, screens, tmp_path
):
    bad = tmp_path / "broken.yaml"
    bad.write_text("extends: baseline_2017.yaml\nid: broken\nmonths: -4\n", encoding="utf-8")
    with solara_app(APP):
        open_page(page_session, solara_server, "edit")
        page_session.locator("input[type=file]").set_input_files(str(bad))
        problems = page_session.locator(".libyasim-problems")
        expect(problems).to_contain_text("broken.yaml is not a valid scenario", timeout=20_000)
        expect(problems).to_contain_text("months: must be >= 1")
        page_session.screenshot(path=str(screens / "edit_upload_broken.png"), full_page=True)
        # the server keeps serving: the page still works
        page_session.get_by_role("tab", name="Evidence").click()
        expect(page_session.get_by_text(re.compile(r"\d+ parameters:"))).to_be_visible()


def test_two_sessions_are_isolated(solara_server, solara_app, page_session: Page, browser, screens):
    with solara_app(APP):
        open_page(page_session, solara_server)
        expect(page_session.locator(".libyasim-month")).to_have_text(
            "Month: 2017-08", timeout=30_000
        )
        step = page_session.get_by_role("button", name="Step", exact=True)
        step.click()
        step.click()
        expect(page_session.locator(".libyasim-month")).to_have_text(
            "Month: 2017-10", timeout=20_000
        )
        other = browser.new_context(viewport={"width": 1500, "height": 1000})
        try:
            page2 = other.new_page()
            open_page(page2, solara_server)
            expect(page2.locator(".libyasim-month")).to_have_text("Month: 2017-08", timeout=30_000)
            page2.get_by_role("button", name="Step", exact=True).click()
            expect(page2.locator(".libyasim-month")).to_have_text("Month: 2017-09", timeout=20_000)
            page2.screenshot(path=str(screens / "second_session.png"))
            # the first session did not move
            expect(page_session.locator(".libyasim-month")).to_have_text("Month: 2017-10")
        finally:
            other.close()
