"""Dashboard v2 in a real headless browser: the answer on screen, charts drawn in the
browser and fed new data only, chart hygiene, downloads, and a phone-size viewport."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

APP = "libyasim.dashboard.app"
PHONE = {"width": 390, "height": 844}


def open_run(page: Page, server, path: str = "") -> None:
    page.goto(f"{server.base_url}/{path}")
    if path == "":
        expect(page.locator(".libyasim-month")).to_have_text("Month: 2017-08", timeout=30_000)
        expect(page.locator("[data-name=map]")).to_have_attribute(
            "data-stamp", re.compile("^2017-08"), timeout=30_000
        )
    else:
        expect(page.get_by_text("Scenario").first).to_be_visible(timeout=30_000)


def boxes(page: Page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom, text: e.textContent}; })",
    )


def overlap(a: dict, b: dict) -> bool:
    return min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 0.5 and (
        min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > 0.5
    )


def test_a_finished_run_says_its_end_state_why_and_when(
    solara_server, solara_app, page_session: Page, screens
):
    with solara_app(APP):
        open_run(page_session, solara_server)
        expect(page_session.locator(".libyasim-question")).to_contain_text(
            "where does this run end?"
        )
        expect(page_session.locator(".libyasim-answer")).to_contain_text("if it stopped now")
        page_session.get_by_role("button", name="To end").click()
        expect(page_session.locator(".libyasim-month")).to_have_text(
            "Month: 2021-08", timeout=30_000
        )
        answer = page_session.locator(".libyasim-answer")
        expect(answer).to_contain_text("ends in")
        state = answer.locator(".libyasim-end-state")
        # the end state's definition on hover (the glossary)
        expect(state).to_have_attribute("title", re.compile(r"^[A-Z][a-z ]+: "))
        name = state.inner_text()
        why = page_session.locator(".libyasim-why")
        expect(why.locator(".libyasim-rule")).to_have_count(5)
        # the decisive rule is the end state the answer names
        expect(why.locator(".libyasim-rule-decisive")).to_contain_text(f"✔ {name}:")
        # the timeline holds ceasefires, offensives...: one mark per key event of the run
        timeline = page_session.locator("[data-name=timeline]")
        expect(timeline).to_have_attribute("data-stamp", re.compile("^2021-08"), timeout=20_000)
        title = timeline.locator(".libyasim-chart-title").inner_text()
        n = int(re.search(r"\((\d+)\)", title).group(1))
        assert n > 0
        expect(timeline.locator("svg g.mark-symbol path")).to_have_count(n)
        # ... also marked on the time series (dashed rules)
        rules = page_session.locator("[data-name=strength] svg g.mark-rule line")
        assert rules.count() >= 1
        page_session.screenshot(path=str(screens / "v2_run_finished.png"), full_page=True)


def test_step_sends_new_data_to_the_same_charts(solara_server, solara_app, page_session: Page):
    with solara_app(APP):
        open_run(page_session, solara_server)
        # tag the drawn SVGs: a chart rebuilt on Step would lose the tag
        page_session.eval_on_selector_all(
            ".libyasim-chart svg", "els => els.forEach(e => e.__kept = true)"
        )
        page_session.get_by_role("button", name="Step", exact=True).click()
        expect(page_session.locator("[data-name=strength]")).to_have_attribute(
            "data-stamp", re.compile("^2017-09"), timeout=20_000
        )
        kept = page_session.eval_on_selector_all(
            "[data-name=strength] svg, [data-name=map] svg", "els => els.map(e => !!e.__kept)"
        )
        assert kept and all(kept)
        # two months of data in the fighters chart now: a line, not a dot
        expect(
            page_session.locator("[data-name=strength] svg g.mark-line path").first
        ).to_have_attribute("d", re.compile(r"L"))


def test_chart_hygiene_labels_axes_names_panels(
    solara_server, solara_app, page_session: Page, screens
):
    with solara_app(APP):
        open_run(page_session, solara_server)
        page_session.get_by_role("button", name="Step", exact=True).click()
        expect(page_session.locator("[data-name=map]")).to_have_attribute(
            "data-stamp", re.compile("^2017-09"), timeout=20_000
        )
        # map labels: all there (Tripoli included), none colliding with another
        # (the last text layer of the map's marks; legends are not role-mark)
        labels = page_session.locator("[data-name=map] svg g.mark-text.role-mark").last
        labels = labels.locator("text").evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom, text: e.textContent}; })"
        )
        texts = [b["text"] for b in labels]
        assert "Tripoli" in texts and "Zawiya" in texts and len(texts) >= 14
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                assert not overlap(a, b), (a["text"], b["text"])
        # nor under a fighting ring
        rings = boxes(page_session, "[data-name=map] svg g.mark-symbol.role-mark path")
        for ring in rings:
            assert not any(overlap(ring, lab) for lab in labels)
        # calendar months on time axes, even at the first months
        ticks = page_session.locator("[data-name=strength] svg g.mark-text.role-axis-label text")
        first = ticks.first.text_content()
        assert re.fullmatch(r"[A-Z][a-z]{2} \d{4}", first), first
        # full faction names; a faction with no fighters is not an empty line but named
        legend = page_session.locator("[data-name=strength] svg g.role-legend")
        expect(legend).to_contain_text("Libyan National Army")
        expect(legend).not_to_contain_text("House of Representatives")
        expect(page_session.locator(".libyasim-not-shown").first).to_contain_text(
            "House of Representatives"
        )
        # shares compared on one 0-1 axis
        for name in ("territory", "legitimacy"):
            axis = page_session.locator(
                f"[data-name={name}] svg g.mark-text.role-axis-label text"
            ).all_text_contents()
            assert "0.0" in axis and "1.0" in axis
        # no Solara badge over the charts
        expect(page_session.get_by_text("This website runs on")).to_have_count(0)
        page_session.screenshot(path=str(screens / "v2_run_hygiene.png"), full_page=True)


def test_every_chart_and_table_downloads_png_and_csv(
    solara_server, solara_app, page_session: Page, tmp_path
):
    with solara_app(APP):
        open_run(page_session, solara_server)
        charts = page_session.locator(".libyasim-chart")
        names = [charts.nth(i).get_attribute("data-name") for i in range(charts.count())]
        assert {"map", "support", "strength", "territory", "timeline"} <= set(names)
        for i in range(charts.count()):
            expect(charts.nth(i).locator(".libyasim-png")).to_be_visible()
            expect(charts.nth(i).locator(".libyasim-csv")).to_be_visible()
        the_map = page_session.locator("[data-name=map]")
        with page_session.expect_download() as png:
            the_map.locator(".libyasim-png").click()
        path = tmp_path / "map.png"
        png.value.save_as(path)
        assert png.value.suggested_filename == "map.png"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with page_session.expect_download() as csv:
            page_session.locator("[data-name=strength] .libyasim-csv").click()
        lines = csv.value.path().read_text(encoding="utf-8").splitlines()
        assert lines[0] == "month,date,faction,value"
        assert any("Libyan National Army" in x for x in lines[1:])
        # the event table too
        with page_session.expect_download() as ev:
            page_session.locator(".libyasim-events").get_by_role("button", name="CSV").click()
        assert ev.value.suggested_filename.endswith("_events.csv")


def test_phone_viewport_drawer_and_full_width_charts(solara_server, solara_app, browser, screens):
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        with solara_app(APP):
            open_run(page, solara_server)
            # the controls wait in a drawer; the charts take the width
            step = page.get_by_role("button", name="Step", exact=True)
            expect(step).to_be_hidden()
            width = page.locator("[data-name=strength]").bounding_box()["width"]
            assert width >= 0.85 * PHONE["width"]
            map_box = page.locator("[data-name=map] svg").bounding_box()
            assert map_box["width"] >= 0.85 * PHONE["width"]
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
            page.screenshot(path=str(screens / "v2_phone_run.png"))
            page.get_by_role("button", name="Controls").click()
            expect(step).to_be_visible()
            page.screenshot(path=str(screens / "v2_phone_drawer.png"))
            step.click()
            expect(page.locator(".libyasim-month")).to_have_text("Month: 2017-09", timeout=20_000)
            page.get_by_role("button", name="Close").click()
            expect(step).to_be_hidden()
            # the event table scrolls sideways rather than wrapping a letter per line
            widths = [
                page.locator(".libyasim-event-table tbody tr").first.locator("td").nth(i)
                for i in range(3)
            ]
            assert widths[0].bounding_box()["width"] >= 50  # "2017-09" on one line
            assert widths[2].bounding_box()["width"] >= 200  # what happened, in words
    finally:
        context.close()


def test_ensemble_streams_probabilities_then_draws_its_charts(
    solara_server, solara_app, page_session: Page, screens
):
    with solara_app(APP):
        open_run(page_session, solara_server, "ensemble")
        expect(page_session.locator(".libyasim-question")).to_contain_text(
            "How likely is each end state"
        )
        runs = page_session.get_by_label("Runs per scenario")
        runs.fill("60")
        runs.press("Enter")
        page_session.wait_for_timeout(300)
        page_session.get_by_role("button", name="Run ensemble").click()
        # probabilities appear while runs are still coming in
        expect(page_session.locator(".libyasim-runs-done")).to_contain_text(
            "so far", timeout=60_000
        )
        expect(page_session.locator(".libyasim-probability").first).to_be_visible()
        expect(page_session.get_by_text(re.compile(r"^60 runs in"))).to_be_visible(timeout=120_000)
        expect(page_session.locator(".libyasim-answer")).to_contain_text(
            re.compile(r"Most likely [a-z ]+: \d+% \[\d+–\d+\] of 60 runs")
        )
        line = page_session.locator(".libyasim-probability").first
        expect(line).to_have_attribute("title", re.compile(r": "))
        expect(page_session.locator("[data-name=outcomes] svg g.mark-rect path")).not_to_have_count(
            0
        )
        expect(page_session.locator("[data-name=fan] svg g.mark-area path")).to_have_count(2)
        page_session.screenshot(path=str(screens / "v2_ensemble.png"), full_page=True)


def test_compare_bands_keep_distinct_colours(
    solara_server, solara_app, page_session: Page, screens
):
    with solara_app(APP):
        open_run(page_session, solara_server, "compare")
        runs = page_session.get_by_label("Runs per scenario")
        runs.fill("10")
        runs.press("Enter")
        page_session.wait_for_timeout(300)
        page_session.get_by_role("button", name="Run comparison").click()
        fan = page_session.locator("[data-name=fan]")
        expect(fan.locator("svg")).to_be_visible(timeout=120_000)
        expect(page_session.locator(".libyasim-answer")).to_contain_text("pts [")
        # no filled bands to blend; each scenario's lines in its own colour
        expect(fan.locator("svg g.mark-area path")).to_have_count(0)
        strokes = fan.locator("svg g.mark-line path").evaluate_all(
            "els => els.map(e => e.getAttribute('stroke'))"
        )
        assert len(set(strokes)) >= 2
        page_session.screenshot(path=str(screens / "v2_compare.png"), full_page=True)
