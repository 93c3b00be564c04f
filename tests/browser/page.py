"""What every browser test does to the page: start it patiently, fill the Add form."""

from __future__ import annotations

from selenium.webdriver.support.ui import Select, WebDriverWait

from components import ids


def start(dash_duo, app, size=(1400, 1000)):
    dash_duo.start_server(app)
    # CI shares two cores with the rest of the suite: be patient, never sleep
    dash_duo._wait_timeout = 20
    dash_duo._wd_wait = WebDriverWait(dash_duo.driver, 20)
    dash_duo.driver.set_window_size(*size)


def fill_add_form(dash_duo, account_id, name, external_id):
    dash_duo.wait_for_element(f"#{ids.ADD_ACCOUNT_ID}").send_keys(account_id)
    dash_duo.find_element(f"#{ids.ADD_ACCOUNT_NAME}").send_keys(name)
    dash_duo.find_element(f"#{ids.ADD_ROLE_ARN}").send_keys(
        f"arn:aws:iam::{account_id}:role/DRSCapacityRead"
    )
    dash_duo.find_element(f"#{ids.ADD_EXTERNAL_ID}").send_keys(external_id)
    Select(dash_duo.find_element(f"#{ids.ADD_REGION}")).select_by_value("us-east-1")
