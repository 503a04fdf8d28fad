"""`make run`: runstack's supervisor, with tiny commands of its own instead of the whole stack,
its static files without DEBUG, and the addresses it uses."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.test import Client

from config.settings import BASE_DIR
from core.management.commands.runstack import collect_static
from core.supervisor import Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
CRASHER = [sys.executable, "-c", "raise SystemExit(3)"]


def wait_for(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def is_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def supervise():
    """Run a Supervisor in a thread; stop it and wait for it at the end of the test."""
    started = []

    def start(commands, **options):
        said = []
        supervisor = Supervisor(commands, say=said.append, **options)
        thread = threading.Thread(target=supervisor.run, daemon=True)
        thread.start()
        started.append((supervisor, thread))
        assert wait_for(lambda: len(supervisor.children) == len(commands))
        return supervisor, said

    yield start
    for supervisor, thread in started:
        supervisor.stop()
        thread.join(timeout=20)


def test_a_killed_child_is_restarted_and_the_console_says_so(supervise):
    supervisor, said = supervise({"worker": SLEEPER, "web": SLEEPER}, first_backoff=0.1)
    killed, untouched = supervisor.children["worker"], supervisor.children["web"]
    killed.kill()
    assert wait_for(lambda: supervisor.children["worker"] is not killed)
    restarted = supervisor.children["worker"]
    assert restarted.poll() is None
    assert supervisor.children["web"] is untouched and untouched.poll() is None
    assert f"worker exited with code {-signal.SIGKILL}; restarting it in 0.1 s." in said
    assert f"worker started (pid {restarted.pid})." in said


def test_restarts_back_off(supervise):
    supervisor, said = supervise({"beat": CRASHER}, first_backoff=0.05, max_backoff=0.2)
    assert wait_for(lambda: len([line for line in said if "exited" in line]) >= 4)
    supervisor.stop()
    waits = [line.split(" in ")[1] for line in said if "exited" in line][:4]
    assert waits == ["0.05 s.", "0.1 s.", "0.2 s.", "0.2 s."]


def test_stop_ends_every_child_and_restarts_none(supervise):
    supervisor, said = supervise({"web": SLEEPER, "worker": SLEEPER})
    children = list(supervisor.children.values())
    supervisor.stop()
    assert wait_for(lambda: said and said[-1] == "Stopped.")
    assert all(child.poll() is not None for child in children)
    assert not any("restarting" in line for line in said)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGHUP])
def test_ctrl_c_or_a_closed_terminal_stops_the_supervisor_and_its_children(settings, signum):
    script = (
        "import sys; from core.supervisor import Supervisor; "
        f"supervisor = Supervisor({{'sleeper': {SLEEPER!r}}}); supervisor.handle_signals(); supervisor.run()"
    )
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", script], stderr=subprocess.PIPE, text=True, cwd=settings.BASE_DIR
    )
    first = process.stderr.readline()
    assert first.startswith("sleeper started (pid ")
    child_pid = int(first.split("pid ")[1].rstrip(").\n"))
    process.send_signal(signum)
    assert process.wait(timeout=20) == 0
    assert process.stderr.read().strip() == "Stopped."
    assert is_gone(child_pid)


def test_an_error_in_the_supervisor_still_stops_its_children(monkeypatch):
    supervisor = Supervisor({"web": SLEEPER, "worker": SLEEPER}, say=lambda message: None)

    def fail(name, now):
        raise RuntimeError("a bug in the loop")

    monkeypatch.setattr(supervisor, "_look_after", fail)
    with pytest.raises(RuntimeError, match="a bug in the loop"):
        supervisor.run()
    assert len(supervisor.children) == 2
    assert all(child.poll() is not None for child in supervisor.children.values())


def test_without_debug_runstack_serves_static_files(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    collect_static()
    browser = Client()  # a fresh handler, so WhiteNoise reads the collected files
    page = browser.get("/accounts/login/")
    assert page.status_code == 200
    stylesheet = page.text.split('rel="stylesheet" href="')[1].split('"')[0]
    assert stylesheet.startswith("/static/css/printfront.") and stylesheet.endswith(".css")
    response = browser.get(stylesheet)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


def run_python(code, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "SANDBOX_URL", "REDIS_URL")}
    shown = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        env={**environment, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(BASE_DIR), **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=env.get("VAR_DIR", BASE_DIR),
    )
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


SHOW_ADDRESSES = """
import json, django
django.setup()
from django.conf import settings
from core.management.commands.runstack import Command
command = Command()
processes = command.processes(command.create_parser("manage.py", "runstack").parse_args([]).addrport)
print(json.dumps([settings.SITE_URL, settings.SANDBOX_URL, processes["web"][-1], processes["sandbox"][-1]]))
"""


def test_one_port_setting_moves_web_site_url_and_sandbox_together():
    shown = json.loads(run_python(SHOW_ADDRESSES, DEBUG="True", PORT="8123"))
    assert shown == ["http://127.0.0.1:8123", "http://127.0.0.1:8223", "127.0.0.1:8123", "8223"]
    default = json.loads(run_python(SHOW_ADDRESSES, DEBUG="True"))
    assert default == ["http://127.0.0.1:8000", "http://127.0.0.1:8100", "127.0.0.1:8000", "8100"]


def test_the_embedded_brokers_control_folder_is_under_var_dir(tmp_path):
    # `celery inspect` binds a reply queue, which writes kombu's exchange table; run from
    # tmp_path, so a folder relative to the working directory would show there.
    inspect = "from config.celery import app; app.control.inspect(timeout=0.1).ping()"
    run_python(f"import django; django.setup(); {inspect}", VAR_DIR=str(tmp_path))
    assert list((tmp_path / "broker" / "control").glob("*.exchange"))
    assert not (tmp_path / "control").exists()


def test_what_a_crashed_child_left_behind_is_ended_before_the_restart(supervise, tmp_path):
    # Like runserver's reloader: the supervised process runs the real work in a process of its own.
    pid_file = tmp_path / "inner.pid"
    parent = (
        "import subprocess, sys; "
        f"inner = subprocess.Popen({SLEEPER!r}); "
        f"open({str(pid_file)!r}, 'w').write(str(inner.pid)); inner.wait()"
    )
    supervisor, _ = supervise({"web": [sys.executable, "-c", parent]}, first_backoff=0.1)
    assert wait_for(lambda: pid_file.exists() and pid_file.read_text())
    inner_pid = int(pid_file.read_text())
    first = supervisor.children["web"]
    first.kill()
    assert wait_for(lambda: supervisor.children["web"] is not first)
    assert wait_for(lambda: is_gone(inner_pid))
