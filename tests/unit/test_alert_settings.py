"""Alert settings (issue 12, item 6): read from DRS_CAPACITY_ALERT_*, bad values refused
naming the variable, and a webhook URL never repeated in an error or a repr."""

from __future__ import annotations

import pytest

from services.settings import Settings

TOPIC = "arn:aws:sns:eu-west-1:123456789012:drs-capacity-alerts"
HOOK = "https://hooks.slack.com/services/T000/B000/s3cr3t"


def test_alert_settings_are_read_from_the_environment():
    settings = Settings.from_env({
        "DRS_CAPACITY_ALERT_SNS_TOPIC_ARN": TOPIC,
        "DRS_CAPACITY_ALERT_WEBHOOK_PARAMETER": "/drs/alerts/webhook",
        "DRS_CAPACITY_ALERT_REMINDER_SECONDS": "3600",
        "DRS_CAPACITY_ALERT_FORECAST_DAYS": "7",
        "DRS_CAPACITY_ALERT_FORECAST_LEVEL": "warning",
    })  # fmt: skip
    assert settings.alert_sns_topic_arn == TOPIC
    assert settings.alert_webhook_parameter == "/drs/alerts/webhook"
    assert settings.alert_reminder_seconds == 3600
    assert settings.alert_forecast_days == 7
    assert settings.alert_forecast_level == "WARNING"


def test_defaults_send_nothing_and_remind_every_six_hours():
    settings = Settings()
    assert not settings.alert_sns_topic_arn and not settings.alert_webhook_url
    assert settings.alert_reminder_seconds == 6 * 3600
    assert (settings.alert_forecast_days, settings.alert_forecast_level) == (
        14, "CRITICAL"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DRS_CAPACITY_ALERT_SNS_TOPIC_ARN", "arn:aws:sqs:eu-west-1:123456789012:q"),
        ("DRS_CAPACITY_ALERT_SNS_TOPIC_ARN", "my-topic"),
        ("DRS_CAPACITY_ALERT_WEBHOOK_URL", "http://hooks.example.com/s3cr3t"),
        ("DRS_CAPACITY_ALERT_WEBHOOK_URL", "ftp://hooks.example.com/s3cr3t"),
        ("DRS_CAPACITY_ALERT_WEBHOOK_PARAMETER", "no-leading-slash"),
        ("DRS_CAPACITY_ALERT_REMINDER_SECONDS", "-1"),
        ("DRS_CAPACITY_ALERT_REMINDER_SECONDS", "soon"),
        ("DRS_CAPACITY_ALERT_FORECAST_DAYS", "-3"),
        ("DRS_CAPACITY_ALERT_FORECAST_LEVEL", "INFO"),
    ],
)
def test_bad_alert_settings_are_refused_naming_the_variable(variable, value):
    with pytest.raises(ValueError) as refused:
        Settings.from_env({variable: value})
    assert variable in str(refused.value)
    assert "s3cr3t" not in str(refused.value)


def test_a_webhook_on_this_host_may_be_plain_http_and_the_url_stays_out_of_repr():
    local = Settings(alert_webhook_url="http://127.0.0.1:8080/hook/s3cr3t")
    assert local.alert_webhook_url.endswith("s3cr3t")
    assert "s3cr3t" not in repr(Settings(alert_webhook_url=HOOK))
