"""Shared fixtures: fake AWS credentials and an in-process (moto) DynamoDB table."""

from __future__ import annotations

import os

import boto3
import pytest
from moto import mock_aws

from services.store import AccountStore

TABLE_NAME = "drs-capacity-target-accounts"


@pytest.fixture
def aws_env(monkeypatch):
    """Fake credentials in us-east-1, so no test can reach a real AWS account."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    fake = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    for name, value in fake.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def dynamodb_table(aws_env):
    """The target-account table, created in moto's in-process DynamoDB."""
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        yield AccountStore.create_table(resource, TABLE_NAME)
