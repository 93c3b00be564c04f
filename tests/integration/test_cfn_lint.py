"""The CloudFormation templates pass cfn-lint (issue 11, item 7); `make lint` runs it too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CFN_LINT = Path(sys.executable).with_name("cfn-lint")
TEMPLATES = sorted((ROOT / "deploy").glob("*.yaml"))


def lint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CFN_LINT), *map(str, paths)], capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_every_template_passes_cfn_lint():
    assert len(TEMPLATES) >= 2
    done = lint(*TEMPLATES)
    assert done.returncode == 0, done.stdout + done.stderr


def test_cfn_lint_catches_a_broken_template(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n"
        "    Properties:\n      BillingMode: SOMETIMES\n"
    )
    done = lint(broken)
    assert done.returncode != 0 and "SOMETIMES" in done.stdout
