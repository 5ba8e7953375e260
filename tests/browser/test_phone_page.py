"""Whole calls played in headless Chromium through the phone page, by the
page's ``data-testid`` attributes, against the example app."""

from __future__ import annotations

from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select
from selenium.webdriver.support.ui import WebDriverWait

MENU = (
    "For sales, say sales or press 1. For support, say support or press 2."
    " For your account balance, say account or press 3."
)


class Page:
    """The phone page in the browser."""

    def __init__(self, driver: Chrome, url: str) -> None:
        self.driver = driver
        driver.get(url)
        self.wait_for(lambda: self.driver.find_elements(By.CSS_SELECTOR, "#graph svg"))

    def __getitem__(self, testid: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def wait_for(self, condition: object, seconds: float = 20) -> None:
        wait = WebDriverWait(
            self.driver, seconds, ignored_exceptions=[StaleElementReferenceException]
        )
        wait.until(lambda _: condition())  # type: ignore[operator]

    def heard(self) -> list[str]:
        # read in one go: the page replaces the items as the call goes on
        items = self.driver.execute_script(
            "return Array.from(document.querySelectorAll("
            "'[data-testid=transcript] li'), (li) => li.textContent);"
        )
        return [str(item) for item in items]

    def wait_heard(self, text: str) -> None:
        self.wait_for(lambda: text in self.heard())

    def keypad(self, keys: str) -> None:
        for key in keys:
            self.driver.find_element(
                By.XPATH, f'//div[@id="keypad"]/button[text()="{key}"]'
            ).click()

    def route(self, rule: str) -> None:
        Select(self["route"]).select_by_value(rule)


def test_a_whole_call_by_keypad_and_speech(
    browser: Chrome, phone_url: str, docs_static: Path
) -> None:
    page = Page(browser, phone_url)
    page.route("/ivr/voice")
    page["dial"].click()
    page.wait_heard(MENU)
    assert page.heard() == ["Welcome to the Acme support line.", MENU]
    assert "Waiting" in page["status"].text

    page.keypad("3")
    assert page["keys"].get_attribute("value") == "3"
    page["press"].click()
    page.wait_heard("Please say or enter your six digit account number.")
    assert page["keys"].get_attribute("value") == ""

    page["speech"].send_keys("one zero zero zero zero one")
    page["speak"].click()
    page.wait_heard("Please enter your four digit PIN.")

    page["keys"].send_keys("9999")  # typed, then pressed with Enter
    page["keys"].send_keys("\n")
    page.wait_heard("Sorry, that account number and PIN do not match.")
    page["speech"].send_keys("100001")
    page["speak"].click()
    page.wait_for(lambda: page.heard().count("Please enter your four digit PIN.") == 2)
    page.keypad("1234")
    page["press"].click()
    page.wait_for(lambda: "ended" in page["status"].text)

    assert page.heard()[-3:] == [
        "Hello Ada.",
        "Your balance is $1,234.56.",
        "Thank you for calling Acme. Goodbye.",
    ]
    assert page["status"].text == "Call ended: the app hung up."
    assert not page["press"].is_enabled() and not page["hangup"].is_enabled()
    # the graph marks where the call is, and where it went
    current = browser.find_element(By.CSS_SELECTOR, "#graph .tf-node.current")
    assert current.get_attribute("data-endpoint") == "ivr.pin_entered"
    taken = browser.find_elements(By.CSS_SELECTOR, "#graph .tf-edge.taken")
    assert {
        (e.get_attribute("data-from"), e.get_attribute("data-to")) for e in taken
    } >= {
        ("ivr.incoming_call", "ivr.menu_choice"),
        ("ivr.pin_entered", "ivr.account_entered"),
    }
    # the JSON exchanged: the session posted, and the app's last document
    exchanges = page["json"].find_elements(By.TAG_NAME, "details")
    assert len(exchanges) == 6
    assert '"session"' in exchanges[0].get_attribute("textContent")
    assert '"Hello Ada."' in exchanges[-1].get_attribute("textContent")
    browser.execute_script("window.scrollTo(0, 0)")
    docs_static.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(docs_static / "phone.png"))


def test_silence_then_hang_up(browser: Chrome, phone_url: str) -> None:
    page = Page(browser, phone_url)
    page.route("/ivr/voice")
    page["dial"].click()
    page.wait_heard(MENU)
    page["silence"].click()
    page.wait_heard("Sorry, I did not hear anything.")
    page["hangup"].click()
    page.wait_for(lambda: "ended" in page["status"].text)
    assert page["status"].text == "Call ended: the caller hung up."
    log = page["log"].text
    assert "> silence" in log and "> hangup" in log


def test_a_text_conversation(browser: Chrome, phone_url: str) -> None:
    page = Page(browser, phone_url)
    page.route("/ivr/sms")
    page.wait_for(lambda: "Explored /ivr/sms" in page["graph-summary"].text)
    page["first-text"].send_keys("HOURS")
    page["send-text"].click()
    page.wait_for(lambda: "ended" in page["status"].text)
    assert page.heard() == [
        "Acme support is open Monday to Friday, 8 AM to 6 PM Pacific time."
    ]


def test_a_refused_input_says_why(browser: Chrome, phone_url: str) -> None:
    page = Page(browser, phone_url)
    page["dial"].click()
    page.wait_heard(MENU)
    page["keys"].send_keys("12a")
    page["press"].click()
    page.wait_for(lambda: "Press keys 0-9" in page["status"].text)
    assert "error" in (page["status"].get_attribute("class") or "")
    assert page.heard() == ["Welcome to the Acme support line.", MENU]
