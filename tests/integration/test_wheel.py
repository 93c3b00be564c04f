"""Packaging (issue 11, item 6): the project builds a wheel that installs in a fresh
venv and runs `drs-capacity` (help, a demo command, serve) from there.

Offline: the wheel is built without build isolation (setuptools and wheel from the
project's venv); the fresh venv gets the wheel alone (--no-deps, --no-index) and finds
the dependencies on PYTHONPATH, pointed at the project venv's site-packages, which does
not hold the project itself. Nothing is imported from the source tree.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.integration.test_gunicorn import free_port

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".venv", ".git", "tests", "docs", "benchmarks", "build",
                              "*.egg-info", "__pycache__", ".*cache", ".hypothesis")  # fmt: skip


def run(argv, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, **kwargs)
    assert done.returncode == 0, (argv, done.stdout[-2000:], done.stderr[-3000:])
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin directory, environment) of a fresh venv holding only the wheel."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)  # the build writes into its source
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "--wheel-dir", str(work / "dist"), str(source)])  # fmt: skip
    (wheel,) = (work / "dist").glob("drs_capacity_dashboard-*.whl")
    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
         "install", "--quiet", "--no-deps", "--no-index", str(wheel)])  # fmt: skip
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "DRS_CAPACITY_"))}  # fmt: skip
    env |= {"PYTHONPATH": sysconfig.get_paths()["purelib"], "HOME": str(work),
            "AWS_EC2_METADATA_DISABLED": "true",
            "DRS_CAPACITY_REGIONS": "us-east-1,us-west-2"}  # fmt: skip
    return venv / "bin", env, wheel, work


def test_the_wheel_declares_its_dependencies_and_command(installed):
    *_, wheel, _ = installed
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(info).decode()
        points = archive.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert "drs-capacity = cli:main" in points
    for needed in ("dash", "boto3", "gunicorn", "pandas", "redis", "prometheus-client"):
        assert f"Requires-Dist: {needed}" in metadata
    assert "Requires-Dist: moto[dynamodb]" in metadata and 'extra == "demo"' in metadata
    for shipped in ("app.py", "cli.py", "lambda_handler.py", "scenarios/demo.json",
                    "services/simulator/__init__.py", "dashboard/assets/app.css",
                    "components/__init__.py"):  # fmt: skip
        assert shipped in names
    assert not [n for n in names if n.startswith(("tests/", "docs/"))]


def test_drs_capacity_help_runs_from_the_fresh_venv(installed):
    bin_dir, env, _, work = installed
    done = run([str(bin_dir / "drs-capacity"), "--help"], env=env, cwd=work)
    for command in ("targets", "staging", "capacity", "serve"):
        assert command in done.stdout
    where = run([str(bin_dir / "python"), "-c", "import services, cli; "
                 "print(services.__file__, cli.__file__)"], env=env, cwd=work)  # fmt: skip
    assert str(ROOT) not in where.stdout and str(work / "venv") in where.stdout


def test_a_demo_command_runs_from_the_fresh_venv(installed):
    bin_dir, env, _, work = installed
    argv = [
        str(bin_dir / "drs-capacity"),
        "--demo",
        "targets",
        "list",
        "--format",
        "json",
    ]
    done = run(argv, env=env, cwd=work)
    (target,) = json.loads(done.stdout)["targetAccounts"]
    demo = json.loads((ROOT / "scenarios" / "demo.json").read_text())["target"]
    assert target["accountId"] == demo["accountId"]


def test_drs_capacity_serve_answers_health_from_the_fresh_venv(installed):
    bin_dir, env, _, work = installed
    port = free_port()
    env = env | {"DRS_CAPACITY_BIND": f"127.0.0.1:{port}", "DRS_CAPACITY_WORKERS": "1"}
    process = subprocess.Popen(
        [str(bin_dir / "drs-capacity"), "serve", "--demo"], env=env, cwd=work,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read()[-3000:]
            try:
                url = f"http://127.0.0.1:{port}/api/health"
                with urllib.request.urlopen(url, timeout=2) as answer:
                    assert json.loads(answer.read())["status"] == "ok"
                break
            except OSError:
                assert time.monotonic() < deadline, "no answer within 60 s"
                time.sleep(0.2)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
