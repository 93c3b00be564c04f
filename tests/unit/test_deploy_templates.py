"""deploy/*.yaml: the CloudFormation templates grant what the code calls and nothing more.

The templates are loaded with a small CloudFormation-aware YAML loader and rendered for given
parameters by a tiny evaluator (Ref, Sub, GetAtt, If, Join, …), so assertions read the
values CloudFormation would see, not the template's spelling.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from dataclasses import fields
from pathlib import Path

import botocore.session
import pytest
import yaml
from botocore import xform_name

from services import inputs
from services.errors import InputError
from services.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TARGET_TEMPLATE = ROOT / "deploy" / "target-account.yaml"
STAGING_TEMPLATE = ROOT / "deploy" / "staging-account-role.yaml"
DASHBOARD_ACCOUNT = "123456789012"
STAGING_PARAMS = {
    "DashboardAccountId": DASHBOARD_ACCOUNT,
    "ExternalId": "ext-Z9+=,.@:/_-",
}
WITH_LAMBDA = {
    "DeployLambda": "true",
    "LambdaCodeS3Bucket": "b",
    "LambdaCodeS3Key": "k",
}
PSEUDO = {
    "AWS::AccountId": "999999999999",
    "AWS::NotificationARNs": [],
    "AWS::Partition": "aws",
    "AWS::Region": "eu-west-1",
    "AWS::StackId": "stack-id",
    "AWS::StackName": "drs-capacity",
    "AWS::URLSuffix": "amazonaws.com",
}
NO_VALUE = object()  # AWS::NoValue: the key or list item disappears


# -- loading --------------------------------------------------------------------------


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns `!Ref x` into {"Ref": "x"} and `!Fn y` into {"Fn::Fn": y}."""


def _short_tag(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict:
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    key = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    return {key: value}


CfnLoader.add_multi_constructor("!", _short_tag)


def load(path: Path) -> dict:
    return yaml.load(path.read_text(), Loader=CfnLoader)  # a SafeLoader: no objects


# -- rendering ------------------------------------------------------------------------


class Renderer:
    """The template as deployed with `params`: conditions decided, intrinsics evaluated.

    A resource's Ref renders as "ref:<Name>" and an attribute as "<Name>.<Attr>".
    """

    def __init__(self, template: dict, params: dict | None = None):
        self.template = template
        self.params = {}
        for name, spec in template.get("Parameters", {}).items():
            value = (params or {}).get(name, spec.get("Default"))
            assert value is not None, f"parameter {name} has no value"
            if spec["Type"] == "CommaDelimitedList":
                value = [] if value == "" else str(value).split(",")
            self.params[name] = value
        self.conditions = {
            name: self.value(expr)
            for name, expr in template.get("Conditions", {}).items()
        }

    def resources(self) -> dict:
        return {
            name: self.value(body)
            for name, body in self.template["Resources"].items()
            if self.conditions.get(body.get("Condition"), True)
        }

    def outputs(self) -> dict:
        return {
            name: self.value(body["Value"])
            for name, body in self.template.get("Outputs", {}).items()
            if self.conditions.get(body.get("Condition"), True)
        }

    def value(self, node):
        if isinstance(node, list):
            return [v for v in map(self.value, node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            [(key, arg)] = node.items()
            if key == "Ref" or key.startswith("Fn::") or key == "Condition":
                return self._intrinsic(key, arg)
        rendered = {k: self.value(v) for k, v in node.items()}
        return {k: v for k, v in rendered.items() if v is not NO_VALUE}

    def _intrinsic(self, key: str, arg):
        if key == "Ref":
            return self._ref(arg)
        if key == "Condition":
            return self.conditions[arg]
        if key == "Fn::GetAtt":
            return ".".join(arg)
        if key == "Fn::Sub":
            text, local = (arg, {}) if isinstance(arg, str) else arg
            local = {k: self.value(v) for k, v in local.items()}
            return _SUB_VAR.sub(lambda m: self._sub_var(m[1], local), text)
        if key == "Fn::If":
            name, when_true, when_false = arg
            return self.value(when_true if self.conditions[name] else when_false)
        args = self.value(arg)
        functions = {
            "Fn::Equals": lambda a: a[0] == a[1],
            "Fn::Not": lambda a: not a[0],
            "Fn::And": all,
            "Fn::Or": any,
            "Fn::Join": lambda a: a[0].join(a[1]),
            "Fn::Select": lambda a: a[1][int(a[0])],
            "Fn::Split": lambda a: a[1].split(a[0]),
        }
        return functions[key](args)

    def _ref(self, name: str):
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.params:
            return self.params[name]
        assert name in self.template["Resources"], f"Ref to undeclared {name}"
        return f"ref:{name}"

    def _sub_var(self, name: str, local: dict) -> str:
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in local:
            return str(local[name])
        if "." in name and not name.startswith("AWS::"):
            return name
        return str(self._ref(name))


_SUB_VAR = re.compile(r"\$\{([^}]+)\}")


def statements_of(resources: dict, role: str) -> list[dict]:
    """Every policy statement that reaches `role`: inline, attached and managed."""
    role_ref = f"ref:{role}"
    body = resources[role]["Properties"]
    documents = [p["PolicyDocument"] for p in body.get("Policies", [])]
    for arn in body.get("ManagedPolicyArns", []):
        assert arn.startswith("ref:"), f"{role}: AWS managed policy {arn} is not ours"
        documents.append(resources[arn[4:]]["Properties"]["PolicyDocument"])
    for resource in resources.values():
        policy = resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
        if policy and role_ref in resource["Properties"].get("Roles", []):
            documents.append(resource["Properties"]["PolicyDocument"])
    return [s for doc in documents for s in _listed(doc["Statement"])]


def actions_of(statements: list[dict]) -> set[str]:
    assert all(s["Effect"] == "Allow" and "NotAction" not in s for s in statements)
    return {a for s in statements for a in _listed(s["Action"])}


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _cfn_accepts(spec: dict, value: str) -> bool:
    """CloudFormation's String constraints: lengths, and a pattern matching the whole."""
    if len(value) < spec.get("MinLength", 0):
        return False
    if len(value) > spec.get("MaxLength", len(value)):
        return False
    return re.fullmatch(spec.get("AllowedPattern", ".*"), value) is not None


# -- references, both templates ---------------------------------------------------------


def _references(node, found: dict[str, set]) -> dict[str, set]:
    """Names used through Ref / Sub / GetAtt ("refs") and through conditions ("conds")."""
    if isinstance(node, list):
        for item in node:
            _references(item, found)
    elif isinstance(node, dict):
        for key, arg in node.items():
            if key == "Ref":
                found["refs"].add(arg)
            elif key == "Fn::GetAtt":
                found["refs"].add(arg[0])
            elif key == "Fn::Sub":
                text, local = (arg, {}) if isinstance(arg, str) else arg
                for name in _SUB_VAR.findall(text):
                    if not name.startswith("!") and name not in local:
                        base = name if name.startswith("AWS::") else name.split(".")[0]
                        found["refs"].add(base)
            elif key == "Fn::If":
                found["conds"].add(arg[0])
            elif key == "Condition" and isinstance(arg, str):
                found["conds"].add(arg)
            _references(arg, found)
    return found


def _uses(node) -> dict[str, set]:
    return _references(node, {"refs": set(), "conds": set()})


TEMPLATES = pytest.mark.parametrize(
    "path", [TARGET_TEMPLATE, STAGING_TEMPLATE], ids=lambda p: p.name
)


@TEMPLATES
def test_every_ref_points_to_a_declared_parameter_resource_or_pseudo_parameter(path):
    template = load(path)
    declared = (
        set(template.get("Parameters", {}))
        | set(template["Resources"])
        | set(PSEUDO)
        | {"AWS::NoValue"}
    )
    uses = _uses(template)
    assert uses["refs"] & set(template["Resources"])  # the walk does find references
    assert uses["refs"] <= declared, uses["refs"] - declared
    assert uses["conds"] <= set(template.get("Conditions", {}))


@TEMPLATES
def test_every_parameter_is_used(path):
    template = load(path)
    used = _uses({k: v for k, v in template.items() if k != "Parameters"})["refs"]
    assert set(template["Parameters"]) <= used, set(template["Parameters"]) - used


@TEMPLATES
def test_every_output_references_something_that_exists_under_its_condition(path):
    template = load(path)
    resources = template["Resources"]
    assert template["Outputs"]
    for name, output in template["Outputs"].items():
        refs = _uses(output["Value"])["refs"] - set(PSEUDO)
        assert refs, f"output {name} references nothing"
        for ref in refs:
            assert ref in resources or ref in template["Parameters"], (name, ref)
            needed = resources.get(ref, {}).get("Condition")
            assert needed in (None, output.get("Condition")), (name, ref, needed)


@TEMPLATES
def test_a_conditional_resource_is_referenced_only_under_its_condition(path):
    template = load(path)
    resources = template["Resources"]
    for name, body in resources.items():
        for ref in _uses(body.get("Properties", {}))["refs"] & set(resources):
            needed = resources[ref].get("Condition")
            assert needed in (None, body.get("Condition")), (name, ref)


@TEMPLATES
def test_no_output_reveals_a_no_echo_parameter(path):
    template = load(path)
    secret = {n for n, p in template["Parameters"].items() if p.get("NoEcho")}
    for output in template["Outputs"].values():
        assert not (_uses(output["Value"])["refs"] & secret)


# -- target account ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def target() -> dict:
    return load(TARGET_TEMPLATE)


def test_table_is_keyed_by_account_id_string_and_protected(target):
    table = Renderer(target).resources()["TargetAccountsTable"]
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "accountId", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [
        {"AttributeName": "accountId", "AttributeType": "S"}
    ]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


def test_table_name_defaults_to_the_products_default(target):
    assert target["Parameters"]["TableName"]["Default"] == Settings().table_name
    renamed = Renderer(target, {"TableName": "other"}).resources()
    assert renamed["TargetAccountsTable"]["Properties"]["TableName"] == "other"


def test_dashboard_dynamodb_access_is_scoped_to_the_table_and_never_deletes(target):
    resources = Renderer(target).resources()
    statements = statements_of(resources, "DashboardRole")
    dynamo = [s for s in statements if any(a.startswith("dynamodb:") for a in _listed(s["Action"]))]  # fmt: skip
    assert dynamo
    tables = {"TargetAccountsTable.Arn", "HistoryTable.Arn"}
    for statement in dynamo:
        assert set(_listed(statement["Resource"])) <= tables
        if _listed(statement["Resource"]) == ["HistoryTable.Arn"]:  # append and read
            assert set(_listed(statement["Action"])) <= {
                "dynamodb:Query", "dynamodb:PutItem"
            }  # fmt: skip
    actions = actions_of(statements)
    assert not {a for a in actions if "*" in a}
    assert not {a for a in actions if a.startswith("dynamodb:Delete")}


def _calls_in_code() -> set[str]:
    """IAM actions for the AWS calls the product makes outside demo mode."""
    tables = "".join(
        (ROOT / "services" / name).read_text() for name in ("store.py", "history.py")
    )
    table_calls = set(re.findall(r"self\._table\.(\w+)\(", tables))
    # the demo's synthetic history is the one batch write (HistoryStore.write_records,
    # reached only through backfill_once, which only services/demo_history.py calls)
    table_calls -= {"batch_writer"}
    dynamo = {"dynamodb:" + m.title().replace("_", "") for m in table_calls}
    code = "".join(p.read_text() for p in (ROOT / "services").glob("*.py"))
    clients = set().union(*(_model_calls(code, s) for s in CLIENT_SERVICES))
    # sts:GetCallerIdentity is the one call that needs no permission.
    return dynamo | clients - {"sts:GetCallerIdentity"}


CLIENT_SERVICES = ("drs", "sts", "service-quotas")  # botocore's names
IN_ACCOUNT_PREFIXES = ("drs", "servicequotas")  # called inside an assumed account


def _model_calls(code: str, service: str) -> set[str]:
    """The IAM action of every operation of `service` the code calls, directly
    (`.get_service_quota(`) or through a paginator (`get_paginator("describe_…")`, or
    the gateway's shared one: `paginator("drs", region, "describe_…")`)."""
    model = _BOTOCORE.get_service_model(service)
    called = set()
    for operation in model.operation_names:
        method = xform_name(operation)
        if re.search(rf'\.{method}\(|paginator\([^)]*"{method}"', code):
            called.add(f"{model.signing_name}:{operation}")  # signing name = IAM prefix
    return called


_BOTOCORE = botocore.session.get_session()


def test_the_calls_are_found_however_the_code_makes_them():
    code = 'c.get_paginator("describe_jobs")\nq.list_service_quotas(ServiceCode="drs")'
    assert _model_calls(code, "drs") == {"drs:DescribeJobs"}
    shared = 'aws.paginator("drs", region, "describe_launch_configuration_templates")'
    assert _model_calls(shared, "drs") == {"drs:DescribeLaunchConfigurationTemplates"}
    assert _model_calls(code, "service-quotas") == {"servicequotas:ListServiceQuotas"}
    assert _model_calls("q.get_aws_default_service_quota(", "service-quotas") == {
        "servicequotas:GetAWSDefaultServiceQuota"
    }


def test_dashboard_role_grants_exactly_the_calls_the_code_makes(target):
    needed = _calls_in_code()
    assert {
        "dynamodb:GetItem",
        "dynamodb:Scan",
        "drs:DescribeSourceServers",
        "servicequotas:GetServiceQuota",
        "servicequotas:GetAWSDefaultServiceQuota",
        "sts:AssumeRole",
    } <= needed
    statements = statements_of(Renderer(target).resources(), "DashboardRole")
    assert actions_of(statements) == needed


def test_dashboard_assumes_only_roles_named_like_the_staging_read_role(target):
    staging_default = load(STAGING_TEMPLATE)["Parameters"]["RoleName"]["Default"]
    assert target["Parameters"]["StagingRoleName"]["Default"] == staging_default
    for params, partition, name in (
        ({}, "aws", staging_default),
        ({"StagingRoleName": "OtherRead"}, "aws", "OtherRead"),
    ):
        statements = statements_of(
            Renderer(target, params).resources(), "DashboardRole"
        )
        assume = [s for s in statements if s["Action"] == "sts:AssumeRole"]
        assert [s["Resource"] for s in assume] == [
            f"arn:{partition}:iam::*:role/{name}"
        ]


@pytest.mark.parametrize(
    "service", ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"], ids=str
)
def test_dashboard_role_is_assumable_by_the_chosen_service_only(target, service):
    resources = Renderer(target, {"DashboardPrincipalService": service}).resources()
    trust = resources["DashboardRole"]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
        }
    ]
    assert ("DashboardInstanceProfile" in resources) == (service == "ec2.amazonaws.com")


def test_lambda_functions_exist_only_when_asked_for(target):
    without = Renderer(target).resources()
    assert not [r for r in without.values() if r["Type"].startswith("AWS::Lambda")]
    with_lambda = Renderer(target, WITH_LAMBDA).resources()
    functions = [
        r for r in with_lambda.values() if r["Type"] == "AWS::Lambda::Function"
    ]
    assert len(functions) == 3  # query, data management, scheduled collection
    for function in functions:
        assert function["Properties"]["Code"] == {"S3Bucket": "b", "S3Key": "k"}
        assert function["Properties"]["Runtime"] == "python3.11"


def test_lambda_code_is_required_before_anything_is_created(target):
    rule = target["Rules"]["LambdaCodeGiven"]
    assert rule["RuleCondition"] == {"Fn::Equals": [{"Ref": "DeployLambda"}, "true"]}
    asserted = _uses(rule["Assertions"])["refs"]
    assert asserted == {"LambdaCodeS3Bucket", "LambdaCodeS3Key"}


def _function_names(module: Path) -> set[str]:
    tree = ast.parse(module.read_text())
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_lambda_handlers_exist_and_the_query_function_serves_no_write(target):
    module = ROOT / "lambda_handler.py"
    resources = Renderer(target, WITH_LAMBDA).resources()
    handlers = {
        name: r["Properties"]["Handler"]
        for name, r in resources.items()
        if r["Type"] == "AWS::Lambda::Function"
    }
    assert {h.split(".")[0] for h in handlers.values()} == {"lambda_handler"}
    defined = _function_names(module)
    assert {h.split(".", 1)[1] for h in handlers.values()} <= defined
    assert handlers["QueryFunction"] == "lambda_handler.query_handler"

    import lambda_handler

    writes = {"add_target_account", "add_staging_account", "remove_staging_account"}
    assert not (lambda_handler.QUERY_OPERATIONS & writes)
    query = actions_of(statements_of(resources, "QueryFunctionRole"))
    data = actions_of(statements_of(resources, "DataManagementFunctionRole"))
    assert not {a for a in query if a in ("dynamodb:PutItem", "dynamodb:UpdateItem")}
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem"} <= data


def test_lambda_environment_configures_real_settings(target):
    resources = Renderer(target, WITH_LAMBDA).resources()
    settings_fields = {f.name for f in fields(Settings)}
    for name in ("QueryFunction", "DataManagementFunction", "CollectionFunction"):
        env = resources[name]["Properties"]["Environment"]["Variables"]
        assert env["DRS_CAPACITY_TABLE_NAME"] == "ref:TargetAccountsTable"
        assert env["DRS_CAPACITY_HOME_REGION"] == PSEUDO["AWS::Region"]
        for variable in env:
            prefix, _, field = variable.partition("DRS_CAPACITY_")
            assert prefix == "" and field.lower() in settings_fields, variable


@pytest.mark.parametrize(
    "function", ["QueryFunction", "DataManagementFunction", "CollectionFunction"]
)
def test_each_function_writes_only_to_its_own_log_group_with_retention(
    target, function
):
    resources = Renderer(target, {**WITH_LAMBDA, "LogRetentionDays": 90}).resources()
    props = resources[function]["Properties"]
    group = props["LoggingConfig"]["LogGroup"].removeprefix("ref:")
    assert resources[group]["Properties"]["RetentionInDays"] == 90
    role = props["Role"].removesuffix(".Arn")
    logs = [
        s for s in statements_of(resources, role) if "logs:PutLogEvents" in s["Action"]
    ]
    assert [s["Resource"] for s in logs] == [f"{group}.Arn"]
    assert "logs:CreateLogGroup" not in actions_of(statements_of(resources, role))


# -- unattended collection (issue 12, item 2) ------------------------------------------


def test_the_schedule_invokes_the_collection_function_every_five_minutes(target):
    from services.watch import DEFAULT_INTERVAL_MINUTES

    resources = Renderer(target, WITH_LAMBDA).resources()
    rule = resources["CollectionScheduleRule"]
    assert rule["Type"] == "AWS::Events::Rule"
    assert rule["Properties"]["ScheduleExpression"] == (
        f"rate({DEFAULT_INTERVAL_MINUTES} minutes)"  # as `cli.py watch` by default
    )
    assert rule["Properties"]["State"] == "ENABLED"
    assert rule["Properties"]["Targets"] == [
        {"Id": "collection", "Arn": "CollectionFunction.Arn"}
    ]
    permission = resources["CollectionInvokePermission"]["Properties"]
    assert permission == {
        "Action": "lambda:InvokeFunction", "FunctionName": "CollectionFunction.Arn",
        "Principal": "events.amazonaws.com", "SourceArn": "CollectionScheduleRule.Arn",
    }  # fmt: skip
    retries = resources["CollectionInvokeConfig"]["Properties"]
    assert retries["FunctionName"] == "ref:CollectionFunction"
    assert retries["MaximumRetryAttempts"] == 0  # the next scheduled pass replaces it


def test_the_collection_function_runs_the_handler_serving_the_schedule_alone(target):
    import lambda_handler

    function = Renderer(target, WITH_LAMBDA).resources()["CollectionFunction"]
    assert function["Properties"]["Handler"] == "lambda_handler.collection_handler"
    assert "collection_handler" in _function_names(ROOT / "lambda_handler.py")
    assert frozenset({"record_history"}) == lambda_handler.COLLECTION_OPERATIONS


@pytest.mark.parametrize(
    ("params", "expression", "state"),
    [({"CollectionSchedule": "cron(0 * * * ? *)"}, "cron(0 * * * ? *)", "ENABLED"),
     ({"CollectionScheduleState": "DISABLED"}, "rate(5 minutes)", "DISABLED")],
    ids=["hourly", "disabled"],
)  # fmt: skip
def test_the_schedule_can_be_changed_or_disabled(target, params, expression, state):
    rule = Renderer(target, {**WITH_LAMBDA, **params}).resources()[
        "CollectionScheduleRule"
    ]
    assert rule["Properties"]["ScheduleExpression"] == expression
    assert rule["Properties"]["State"] == state


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("rate(5 minutes)", True), ("rate(1 hour)", True), ("cron(0/5 * * * ? *)", True),
     ("", False), ("every 5 minutes", False), ("rate(5 minutes) ", False)],
)  # fmt: skip
def test_the_schedule_parameter_takes_rate_or_cron_expressions(target, value, accepted):
    spec = target["Parameters"]["CollectionSchedule"]
    assert _cfn_accepts(spec, value) is accepted
    assert set(target["Parameters"]["CollectionScheduleState"]["AllowedValues"]) == {
        "ENABLED", "DISABLED"
    }  # fmt: skip


def test_no_schedule_and_no_collection_function_without_the_lambdas(target):
    resources = Renderer(target).resources()
    assert not [r for r in resources.values() if r["Type"].startswith("AWS::Events")]
    assert "CollectionFunction" not in resources


def test_the_collection_role_reads_appends_history_and_writes_no_account(target):
    resources = Renderer(target, WITH_LAMBDA).resources()
    statements = statements_of(resources, "CollectionFunctionRole")
    on_history = {
        a for s in statements if _listed(s["Resource"]) == ["HistoryTable.Arn"]
        for a in _listed(s["Action"])
    }  # fmt: skip
    assert on_history == {"dynamodb:Query", "dynamodb:PutItem"}
    on_accounts = {
        a for s in statements if "TargetAccountsTable.Arn" in _listed(s["Resource"])
        for a in _listed(s["Action"])
    }  # fmt: skip
    assert on_accounts == {"dynamodb:GetItem", "dynamodb:Scan"}
    assert "sts:AssumeRole" in actions_of(statements)  # it reads staging accounts


def test_target_outputs_name_the_table_and_the_role(target):
    outputs = Renderer(target).outputs()
    assert outputs["TableName"] == "ref:TargetAccountsTable"
    assert outputs["TableArn"] == "TargetAccountsTable.Arn"
    assert outputs["DashboardRoleArn"] == "DashboardRole.Arn"


# -- staging account ------------------------------------------------------------------


@pytest.fixture(scope="module")
def staging() -> dict:
    return load(STAGING_TEMPLATE)


def _trust(staging: dict, **params) -> list[dict]:
    resources = Renderer(staging, {**STAGING_PARAMS, **params}).resources()
    return resources["ReadRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]


def test_staging_role_trusts_only_the_dashboard_account_with_the_external_id(staging):
    [statement] = _trust(staging)
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{DASHBOARD_ACCOUNT}:root"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "StringEquals": {"sts:ExternalId": STAGING_PARAMS["ExternalId"]}
    }


def test_staging_trust_can_be_narrowed_to_named_dashboard_roles(staging):
    arns = [f"arn:aws:iam::{DASHBOARD_ACCOUNT}:role/a", f"arn:aws:iam::{DASHBOARD_ACCOUNT}:role/b"]  # fmt: skip
    [statement] = _trust(staging, AllowedPrincipalArns=",".join(arns))
    assert statement["Condition"]["ArnEquals"] == {"aws:PrincipalArn": arns}
    assert statement["Condition"]["StringEquals"] == {
        "sts:ExternalId": STAGING_PARAMS["ExternalId"]
    }


def test_staging_role_policy_allows_no_write_action(staging):
    resources = Renderer(staging, STAGING_PARAMS).resources()
    assert "ManagedPolicyArns" not in resources["ReadRole"]["Properties"]
    actions = actions_of(statements_of(resources, "ReadRole"))
    assert "drs:DescribeSourceServers" in actions  # what the dashboard needs
    reads = ("drs:Describe*", "drs:List*", "servicequotas:Get*", "servicequotas:List*")
    for action in actions:
        assert any(fnmatch.fnmatchcase(action, read) for read in reads), action


def test_staging_role_grants_exactly_the_calls_made_inside_an_account(staging):
    needed = {a for a in _calls_in_code() if a.split(":")[0] in IN_ACCOUNT_PREFIXES}
    assert {"drs:DescribeSourceServers", "servicequotas:GetServiceQuota"} <= needed
    resources = Renderer(staging, STAGING_PARAMS).resources()
    assert actions_of(statements_of(resources, "ReadRole")) == needed


def test_staging_role_name_sessions_and_output(staging):
    props = Renderer(staging, STAGING_PARAMS).resources()["ReadRole"]["Properties"]
    assert props["RoleName"] == "DRSCapacityRead"
    assert props["Path"] == "/"
    assert props["MaxSessionDuration"] == 3600
    assert Renderer(staging, STAGING_PARAMS).outputs() == {"RoleArn": "ReadRole.Arn"}
    arn = f"arn:aws:iam::222222222222:role/{props['RoleName']}"
    assert inputs.role_arn(arn, "222222222222") == arn  # the product accepts the output


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("123456789012", True), ("12345678901", False), ("1234567890123", False),
     ("12345678901a", False), ("", False)],
)  # fmt: skip
def test_dashboard_account_id_is_twelve_digits(staging, value, accepted):
    assert _cfn_accepts(staging["Parameters"]["DashboardAccountId"], value) is accepted


@pytest.mark.parametrize(
    "value",
    ["ab", "x", "", "ext-222", "A+=,.@:/_-z9", "has space", "ext\n", "é-ext",
     "x" * 1224, "x" * 1225, "a*b", "a;b"],
)  # fmt: skip
def test_external_id_constraint_matches_the_products_validation(staging, value):
    spec = staging["Parameters"]["ExternalId"]
    assert spec["NoEcho"] is True
    try:
        product = inputs.external_id(value) == value
    except InputError:
        product = False
    assert _cfn_accepts(spec, value) is product


def test_history_table_has_its_keys_ttl_recovery_and_encryption(target):
    table = Renderer(target).resources()["HistoryTable"]
    props = table["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": "targetAccountId", "KeyType": "HASH"},
        {"AttributeName": "at", "KeyType": "RANGE"},
    ]
    assert props["TimeToLiveSpecification"] == {
        "AttributeName": "expiresAt", "Enabled": True
    }  # fmt: skip
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert target["Parameters"]["HistoryTableName"]["Default"] == (
        Settings().history_table_name
    )


def test_the_one_batch_write_is_the_demos_backfill():
    """What _calls_in_code leaves out is reached only from the demo's history."""
    callers = {
        path.name
        for path in (ROOT / "services").glob("*.py")
        if "backfill_once(" in path.read_text() and path.name != "history.py"
    }
    assert callers == {"demo_history.py"}
    history = (ROOT / "services" / "history.py").read_text()
    assert history.count("batch_writer(") == 1
    assert history.count("self.write_records(") == 1  # inside backfill_once
