"""Text from links, file names and set names stays text in the browser, nothing is fetched from
another host, and uploads say what happened — in headless Chromium against the running studio."""

import urllib.parse

import pytest

import schedules
from studio import compare, design, presets

pytestmark = pytest.mark.browser

LINK_TEXT = "[sign in](https://example.com)"
FILE_LINK_TEXT = "[sign in](www.example.com)"  # a file name holds no slash
IMAGE_TEXT = "![x](http://127.0.0.1:9/x.png)"
FORMULA_TEXT = "$x^2$ **bold**"
# What a Markdown or HTML renderer would have made of the texts above.
PRODUCED = (
    'a[href*="example.com"], img[src*="x.png"], img[src="x"], .katex, strong, '
    '[data-testid="stMain"] svg a, [data-testid="stMain"] em'
)


def new_page(context, server, path="", width=1280, height=900):
    """A new user (a new Streamlit session) at ``path``, with every request's host recorded."""
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.requested_hosts = set()
    page.on("request", lambda request: page.requested_hosts.add(urllib.parse.urlsplit(request.url).netloc))
    page.goto(f"{server}/{path}")
    page.get_by_role("heading").first.wait_for(timeout=60_000)
    return page


def produced_markup(page) -> list[str]:
    """Outer HTML of any link, image, formula, bold or italic inside the page's main area."""
    return page.locator(f'[data-testid="stMain"] :is({PRODUCED})').evaluate_all("els => els.map(e => e.outerHTML)")


def shown_text(locator) -> str:
    """What a reader sees: the inner text without the invisible joiners that keep URLs unlinked."""
    return locator.inner_text().replace("\u2060", "")


def only_own_host(page, server) -> None:
    own = urllib.parse.urlsplit(server).netloc
    assert page.requested_hosts <= {own}, page.requested_hosts - {own}


@pytest.mark.parametrize(
    "params",
    [
        {"kind": LINK_TEXT, "steps_per_epoch": "10"},
        {"kind": "cosine", "base_lr": IMAGE_TEXT, "total_epochs": "10", "steps_per_epoch": "10"},
        {"kind": FORMULA_TEXT, "steps_per_epoch": "10"},
    ],
    ids=["link", "image", "formula"],
)
def test_a_crafted_link_is_echoed_as_plain_text(context, server, params):
    page = new_page(context, server, "?" + urllib.parse.urlencode(params))
    warning = page.locator('[data-testid="stAlert"]').filter(has_text="could not be read")
    warning.wait_for(timeout=60_000)
    crafted = next(value for value in params.values() if value not in ("cosine", "10"))
    assert crafted in shown_text(warning)
    page.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
    assert produced_markup(page) == []
    only_own_host(page, server)
    page.close()


def test_a_crafted_file_name_is_shown_as_text_and_the_next_upload_clears_its_error(context, server, tmp_path):
    page = new_page(context, server)
    page.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
    crafted = tmp_path / f"{FILE_LINK_TEXT} {FORMULA_TEXT}.json"
    crafted.write_bytes(b"{not json")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(crafted))
    error = page.locator('[data-testid="stAlertContentError"]')
    error.wait_for(timeout=20_000)
    assert f"Could not import {crafted.name}: document: is not valid JSON" in shown_text(error)
    assert produced_markup(page) == []

    good = tmp_path / "good.json"
    good.write_text(schedules.dumps(presets.preset("1cycle")))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(good))
    page.get_by_text("Imported good.json").wait_for(timeout=20_000)
    assert error.count() == 0  # the rejected file's error is gone
    assert page.locator('[data-testid="stFileUploaderFile"]').count() == 0  # and no file lingers in the uploader
    only_own_host(page, server)
    page.close()


def test_crafted_set_names_stay_text_in_labels_tables_and_charts(context, server, tmp_path):
    names = [f"**b** {LINK_TEXT}", '$x^2$ <img src=x onerror="alert(1)">']
    crafted = tmp_path / "set.json"
    crafted.write_text(
        compare.dump_set(
            [
                compare.Named(name, presets.preset(preset))
                for name, preset in zip(names, list(presets.PRESETS)[:2], strict=True)
            ]
        )
    )
    page = new_page(context, server, "compare")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(crafted))
    page.locator('[data-testid="stExpander"]').nth(1).filter(has_text="$x^2$").wait_for(timeout=20_000)
    page.wait_for_function(
        "(names) => { const texts = [...document.querySelectorAll('.js-plotly-plot .legendtext')]"
        ".map(t => t.textContent); return names.every(n => texts.includes(n)); }",
        arg=names,
    )
    labels = [
        label.replace("\u2060", "") for label in page.locator('[data-testid="stExpander"] summary').all_inner_texts()
    ]
    assert all(any(f"{name} — " in label for label in labels) for name in names), labels
    assert shown_text(page.locator('[data-testid="stTable"]').first).count(names[1]) == 1
    assert produced_markup(page) == []
    only_own_host(page, server)
    page.close()


def test_one_exported_schedule_joins_the_comparison(context, server, tmp_path):
    exported = tmp_path / "my design.json"
    exported.write_text(schedules.dumps(schedules.from_config(design.document(design.DEFAULTS))))
    page = new_page(context, server, "compare")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(exported))
    page.get_by_text("my design — Cosine decay").wait_for(timeout=20_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot')[0].querySelectorAll('.scatterlayer .trace').length === 3"
    )
    page.close()


def test_the_page_icon_comes_from_the_studio_itself(context, server):
    page = new_page(context, server)
    page.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
    page.wait_for_function("() => document.querySelector('link[rel~=\"icon\"]')")
    icon = page.evaluate("() => document.querySelector('link[rel~=\"icon\"]').href")
    assert urllib.parse.urlsplit(icon).netloc == urllib.parse.urlsplit(server).netloc, icon
    page.reload()
    page.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
    only_own_host(page, server)
    page.close()


def test_an_invalid_setting_shows_its_sentence_above_the_chart_at_phone_width(context, server):
    page = new_page(context, server, "", width=390, height=844)
    page.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
    chart = page.locator(".js-plotly-plot").first
    assert chart.bounding_box()["y"] < page.get_by_role("slider", name="Base learning rate").bounding_box()["y"]
    handle = page.get_by_role("slider", name="Warm-up epochs")
    handle.focus()
    handle.press("End")
    error = page.locator('[data-testid="stAlertContentError"]')
    error.wait_for(timeout=20_000)
    assert "must not exceed total_epochs" in error.inner_text()
    assert error.bounding_box()["y"] < chart.bounding_box()["y"]
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot .gtitle').textContent.includes('last valid schedule')"
    )
    page.close()


def test_the_share_link_carries_the_view(context, server):
    page = new_page(context, server)
    page.wait_for_selector(".js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
    page.get_by_text("Overlay step decay").click()
    page.wait_for_function("() => location.search.includes('studio.overlay=true')")
    other = new_page(context, server, "?" + urllib.parse.urlsplit(page.url).query)
    other.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length === 1")
    assert other.locator(".js-plotly-plot .legendtext").all_text_contents() == ["Cosine decay", "Step-decay baseline"]
    page.close()
    other.close()
