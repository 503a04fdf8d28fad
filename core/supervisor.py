"""Keeps a few child processes running, for `manage.py runstack`: a child that exits is started
again after a back-off (1 s, doubling up to 30 s, back to 1 s once it has run for a minute), and
stop() (Ctrl-C, SIGTERM or SIGHUP, see handle_signals) stops them all. Plain Python, no Django, so tests
can supervise a tiny command of their own.

Each child runs in its own process group, and the whole group is ended, not just the child:
runserver's reloader and Celery's pool are processes of their own, and one left behind by a
crashed parent would keep the port or the queue from the restarted one."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

POLL_SECONDS = 0.2


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Supervisor:
    def __init__(
        self,
        commands: dict[str, list[str]],
        *,
        say: Callable[[str], None] = _say,
        first_backoff: float = 1.0,
        max_backoff: float = 30.0,
        stable_after: float = 60.0,
    ):
        self.commands = commands
        self.say = say
        self.first_backoff, self.max_backoff, self.stable_after = first_backoff, max_backoff, stable_after
        self.children: dict[str, subprocess.Popen] = {}
        self.stopping = False
        self._started_at: dict[str, float] = {}
        self._backoff = dict.fromkeys(commands, first_backoff)
        self._restart_at: dict[str, float] = {}

    def handle_signals(self) -> None:
        """Stop on Ctrl-C, SIGTERM and SIGHUP (the terminal closed). A plain flag, safe to set
        inside a signal handler."""
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda signum, frame: self.stop())

    def stop(self) -> None:
        self.stopping = True

    def run(self) -> None:
        """Start every child, keep them running until stop(), then stop them all."""
        # The children are in sessions of their own, so nothing ends them with this process:
        # stop them however the loop ends, an exception included.
        try:
            for name in self.commands:
                self._start(name)
            while not self.stopping:
                time.sleep(POLL_SECONDS)
                for name in self.commands:
                    if not self.stopping:
                        self._look_after(name, time.monotonic())
        finally:
            self._stop_all()

    def _start(self, name: str) -> None:
        self.children[name] = subprocess.Popen(self.commands[name], start_new_session=True)  # noqa: S603
        self._started_at[name] = time.monotonic()
        self.say(f"{name} started (pid {self.children[name].pid}).")

    def _look_after(self, name: str, now: float) -> None:
        if name in self._restart_at:
            if now >= self._restart_at[name]:
                del self._restart_at[name]
                self._start(name)
            return
        code = self.children[name].poll()
        if code is None:
            return
        _signal_group(self.children[name], signal.SIGTERM)  # whatever it left behind
        if now - self._started_at[name] >= self.stable_after:
            self._backoff[name] = self.first_backoff  # it had been fine for a while: a new failure
        wait = self._backoff[name]
        self._backoff[name] = min(wait * 2, self.max_backoff)
        self._restart_at[name] = now + wait
        self.say(f"{name} exited with code {code}; restarting it in {wait:g} s.")

    def _stop_all(self) -> None:
        # The child first, so it shuts down in order (Celery's warm shutdown stops its own pool),
        # then whatever of its group is left.
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in self.children.values():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()
            _signal_group(child, signal.SIGTERM)
        self.say("Stopped.")


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    """Signal the child's process group (its id is the child's pid), if anything of it is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)
