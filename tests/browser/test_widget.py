"""The web widget in a real browser (chromium), with the real coach behind it."""
from __future__ import annotations

import json
import re

import requests
from playwright.sync_api import expect

from tests.browser.conftest import AXE, LEFT_TITLE, SCREENSHOTS

SESSION_KEY = "trust-coach:session"
BOT = ".tcw-msg.tcw-bot"


def open_widget(page, url):
    page.goto(url + "/")
    launcher = page.locator(".tcw-launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".tcw-input")).to_be_focused()
    expect(page.locator(".tcw-status")).to_be_empty()  # connected and session confirmed
    return page


def say(page, text):
    before = page.locator(BOT).count()
    page.locator(".tcw-input").fill(text)
    page.locator(".tcw-input").press("Enter")
    expect(page.locator(BOT)).not_to_have_count(before)
    page.wait_for_timeout(400)  # the rest of the reply (several bot messages)
    return page


def session_id(page):
    return page.evaluate(f"sessionStorage.getItem({json.dumps(SESSION_KEY)})")


def test_greeting_gets_a_reply_and_a_quick_reply_button_sends_its_payload(page, demo):
    open_widget(page, demo)
    say(page, "hello")
    expect(page.locator(".tcw-msg.tcw-user").last).to_contain_text("hello")
    say(page, "what can you help me with?")
    button = page.locator(".tcw-reply", has_text="How do I apologise?")
    expect(button).to_be_visible()
    assert button.evaluate("b => b.tagName") == "BUTTON"
    title = button.inner_text()
    before = page.locator(BOT).count()
    button.click()
    expect(page.locator(".tcw-msg.tcw-user").last).to_contain_text(title)
    expect(page.locator(".tcw-msg.tcw-user").last).not_to_contain_text("/")
    expect(page.locator(BOT)).not_to_have_count(before)
    assert page.dialogs == []


def test_typing_indicator_shows_while_waiting(page, demo):
    open_widget(page, demo)
    shown = page.evaluate("""() => {
        const input = document.querySelector('.tcw-input');
        input.value = 'hi there';
        input.closest('form').requestSubmit();
        return !document.querySelector('.tcw-typing').hidden;
    }""")
    assert shown
    expect(page.locator(".tcw-typing")).to_be_hidden()


def test_safety_message_shows_resource_cards_with_tel_links(page, demo):
    open_widget(page, demo)
    say(page, "he hit me last night and i'm scared to go home")
    cards = page.locator(".tcw-card")
    expect(cards.first).to_be_visible()
    expect(page.locator('.tcw-card a[href^="tel:"]').first).to_be_visible()
    # data-locale="en-GB" went with the message: the UK's services and emergency number
    expect(page.locator('.tcw-card a[href="tel:08082000247"]').first).to_be_visible()
    expect(page.locator(".tcw-log")).to_contain_text("999")
    for href in page.locator(".tcw-card a").evaluate_all("as => as.map(a => a.href)"):
        assert re.match(r"^(tel:|sms:|https?://)", href), href
    # the answer buttons of "Are you safe right now?"
    expect(page.locator(".tcw-reply", has_text="Not sure")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desktop-safety.png"))
    page.set_viewport_size({"width": 375, "height": 740})
    page.wait_for_timeout(200)
    page.screenshot(path=str(SCREENSHOTS / "mobile-375-safety.png"))


def test_reload_keeps_the_conversation(page, demo):
    open_widget(page, demo)
    say(page, "he hit me last night and i'm scared to go home")
    before = session_id(page)
    assert re.fullmatch(r"[0-9a-f]{32}", before)
    page.reload()
    assert session_id(page) == before
    page.locator(".tcw-launcher").click()
    expect(page.locator(".tcw-log")).to_contain_text("Your conversation continues")
    expect(page.locator(".tcw-status")).to_be_empty()
    # the server still knows this conversation: coaching is paused until they say they are safe
    say(page, "how do i rebuild trust with her")
    expect(page.locator(".tcw-log")).to_contain_text("paus")


def test_quick_exit_button_leaves_and_clears_storage(page, demo, exit_url):
    open_widget(page, demo)
    old = session_id(page)
    page.evaluate("localStorage.setItem('trust-coach:probe', '1')")
    page.locator(".tcw-exit").click()
    page.wait_for_url(exit_url)
    assert page.title() == LEFT_TITLE
    page.goto(demo + "/")
    assert page.evaluate("localStorage.getItem('trust-coach:probe')") is None
    assert session_id(page) != old
    page.go_back()  # location.replace: the demo page is not in the history before the exit page
    page.go_back()
    assert "coach-widget" not in page.content()


def test_escape_twice_quickly_exits_and_once_does_nothing(page, demo, exit_url):
    open_widget(page, demo)
    page.keyboard.press("Escape")
    page.wait_for_timeout(1200)
    assert page.url.startswith(demo)
    old = session_id(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(exit_url)
    page.goto(demo + "/")
    assert session_id(page) != old


def test_shift_three_times_exits(page, demo, exit_url):
    page.goto(demo + "/")
    page.locator(".tcw-launcher").wait_for()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(exit_url)


def test_forget_starts_a_new_session(page, demo):
    open_widget(page, demo)
    say(page, "hello")
    old = session_id(page)
    page.locator(".tcw-forget").click()
    expect(page.locator(".tcw-msg.tcw-user")).to_have_count(0)
    expect(page.locator(BOT)).to_have_count(0)
    expect(page.locator(".tcw-log")).to_contain_text("forgotten")
    new = session_id(page)
    assert new and new != old
    say(page, "hello")
    expect(page.locator(BOT).first).to_be_visible()


def test_advice_shows_its_source_under_it(page, demo):
    open_widget(page, demo)
    say(page, "how do i word an apology so it doesnt sound fake")
    source = page.locator(BOT + " .tcw-source").last
    expect(source).to_be_visible()
    assert source.inner_text().startswith("Source: ")
    assert "Source:" not in page.locator(BOT).last.inner_text().replace(source.inner_text(), "")


def test_html_is_shown_as_text_and_never_run(page, demo):
    open_widget(page, demo)
    attack = "<img src=x onerror=alert(1)>"
    say(page, attack)
    user = page.locator(".tcw-msg.tcw-user").last
    assert attack in user.inner_text()
    assert page.locator(".tcw img").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []


def test_axe_finds_no_serious_or_critical_violations(page, demo):
    open_widget(page, demo)
    say(page, "he hit me last night and i'm scared to go home")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document.querySelector('[data-trust-coach]'),
            {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert bad == [], bad


def test_fits_320_px_and_200_percent_zoom(page, demo):
    page.set_viewport_size({"width": 320, "height": 640})
    open_widget(page, demo)
    say(page, "hello")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, width
    for selector in (".tcw-exit", ".tcw-input", ".tcw-send", ".tcw-forget"):
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320, (selector, box)
    # 200% zoom of a 640 px wide window is the same CSS width as 320 px; check text scaling too
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path=str(SCREENSHOTS / "mobile-320.png"))


def test_keyboard_only_open_send_and_close(page, demo):
    page.goto(demo + "/")
    page.locator(".tcw-launcher").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".tcw-input")).to_be_focused()
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    expect(page.locator(BOT).first).to_be_visible()
    page.locator(".tcw-close").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".tcw-panel")).to_be_hidden()
    expect(page.locator(".tcw-launcher")).to_be_focused()
    expect(page.locator(".tcw-launcher")).to_have_attribute("aria-expanded", "false")


def test_inline_mode_renders_in_the_target_element(page, demo):
    page.goto(demo + "/inline.html")
    panel = page.locator("#coach .tcw-panel")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("role", "region")
    assert page.locator(".tcw-launcher").count() == 0
    say(page, "hello")


def test_unreachable_server_is_said_with_the_emergency_line(page, offline_demo):
    page.goto(offline_demo + "/")
    page.locator(".tcw-launcher").click()
    expect(page.locator(".tcw-status")).to_contain_text("Can't reach the coach")
    expect(page.locator(".tcw-emergency")).to_contain_text("local emergency number")
    expect(page.locator('.tcw-emergency a[href^="https://findahelpline.com"]')).to_be_visible()
    page.locator(".tcw-input").fill("hello")
    page.locator(".tcw-input").press("Enter")
    expect(page.locator(".tcw-msg.tcw-user.tcw-pending")).to_have_count(1)


def test_other_origins_are_refused_by_the_socket_io_channel(coach, demo):
    url = f"{coach.url}/socket.io/?EIO=4&transport=polling"
    assert requests.get(url, headers={"Origin": demo}, timeout=10).status_code == 200
    assert requests.get(url, headers={"Origin": "https://evil.example"}, timeout=10).status_code == 400


def test_a_rehearsal_runs_in_the_widget_with_buttons_for_the_scenario(page, demo):
    open_widget(page, demo)
    say(page, "help me practise what I'll say")
    button = page.locator(".tcw-reply", has_text="A colleague at work")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(BOT, has_text="Your colleague:").first).to_be_visible()
    say(page, "I took credit for your analysis in the meeting, and that was wrong of me.")
    expect(page.locator(BOT, has_text="What worked").first).to_be_visible()
    say(page, "stop")
    expect(page.locator(BOT, has_text="One thing to practise next").first).to_be_visible()
