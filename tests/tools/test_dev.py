"""``make dev`` (``python -m tools.dev``) stops on Ctrl-C with exit 0 and no traceback.

A terminal's Ctrl-C sends SIGINT to the whole foreground process group; the test starts
tools.dev in a session of its own and does the same. PostgreSQL is the test database
(``DATABASE_URL``), so the developer's embedded one in .flowchat is left alone; the web
client is left out (its port is fixed by its config)."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time

from tests.support import emulators
from tools import dev


def test_sigint_to_the_process_group_stops_everything_with_exit_0(tmp_path, database_url):
    config, ports = emulators.write_config(tmp_path, list(emulators.DEFAULT_PORTS))
    command = [sys.executable, "-m", "tools.dev", "--config", str(config), "--no-web"]
    process = subprocess.Popen(
        [*command, "--data-dir", str(tmp_path / "data")],
        cwd=emulators.ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        for line in process.stdout:
            lines.append(line)
            if "All emulators ready" in line:
                ready.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while not ready.wait(0.1):
            assert process.poll() is None and time.monotonic() < deadline, "".join(lines)
        os.killpg(process.pid, signal.SIGINT)
        stopping = time.monotonic()
        try:
            code = process.wait(90)  # above tools.dev's own STOP_SECONDS
        except subprocess.TimeoutExpired:
            code = None
        assert code == 0, f"{code} after {time.monotonic() - stopping:.1f} s:\n" + "".join(lines)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    reader.join(10)
    output = "".join(lines)
    assert "Shutting down emulators" in output
    assert "Traceback" not in output, output
    for port in ports.values():
        emulators.assert_not_listening(port)


def test_ctrl_c_of_make_dev_at_a_terminal_exits_0(tmp_path, database_url):
    """``make dev`` in a pseudo-terminal, stopped by typing Ctrl-C: the terminal sends
    SIGINT to its foreground process group. make itself exits 0 and prints no error."""
    config, ports = emulators.write_config(tmp_path, list(emulators.DEFAULT_PORTS))
    dev_args = f"--config {config} --no-web --data-dir {tmp_path / 'data'}"
    pid, terminal = pty.fork()
    if pid == 0:  # the child: make, with the pseudo-terminal as its controlling terminal
        os.chdir(emulators.ROOT)
        os.environ["DATABASE_URL"] = database_url
        os.execvp("make", ["make", "--no-print-directory", "dev", f"DEV_ARGS={dev_args}"])
    output = b""
    try:
        output = _read_until(terminal, b"All emulators ready", output, timeout=120)
        os.write(terminal, b"\x03")  # Ctrl-C
        output = _read_until(terminal, None, output, timeout=90)
        _, status = os.waitpid(pid, 0)
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(terminal)
    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "Shutting down emulators" in text
    assert "Traceback" not in text and "make: ***" not in text, text
    for port in ports.values():
        emulators.assert_not_listening(port)


def test_a_child_that_does_not_stop_is_killed_after_the_grace_period(monkeypatch, capsys):
    """A stop signal can be lost (a SIGINT landing in a destructor is swallowed there): make
    dev must still end. The other children get their signal and the whole grace period."""
    monkeypatch.setattr(dev, "STOP_SECONDS", 1.0)
    deaf = "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN)"
    polite = "import time"
    children = {}
    for name, setup in (("deaf child", deaf), ("polite child", polite)):
        code = f"{setup}; print('ready', flush=True); time.sleep(60)"
        child = dev._start([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline() == "ready\n"
        children[name] = (child, signal.SIGINT)

    codes = dev._stop_all(children)

    assert codes == {"deaf child": -signal.SIGKILL, "polite child": -signal.SIGINT}
    assert "the deaf child did not stop within 1 s; killed" in capsys.readouterr().err
    for child, _ in children.values():
        child.stdout.close()


def test_the_mirror_repair_is_pointed_at_every_emulator_never_production(tmp_path, monkeypatch):
    """The repair writes Firestore documents and Realtime Database revocations: both must go
    to this run's emulators, whatever project the developer's shell names."""
    config, ports = emulators.write_config(tmp_path, list(emulators.DEFAULT_PORTS))
    environments = []
    monkeypatch.setattr(dev, "_start", lambda _command, **options: environments.append(options))
    dev._reconcile_when_ready(config, {"GOOGLE_CLOUD_PROJECT": "someones-production"})

    env = environments[0]["env"]
    for variable, emulator in (
        ("FIRESTORE_EMULATOR_HOST", "firestore"),
        ("FIREBASE_DATABASE_EMULATOR_HOST", "database"),
        ("FIREBASE_AUTH_EMULATOR_HOST", "auth"),
    ):
        assert env[variable] == f"127.0.0.1:{ports[emulator]}"
    assert env["GOOGLE_CLOUD_PROJECT"] == env["GCLOUD_PROJECT"] == emulators.PROJECT


def _read_until(terminal: int, marker: bytes | None, output: bytes, timeout: float) -> bytes:
    """Reads the terminal until ``marker`` appears (or, with None, until it closes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], 0.5)
        if not ready:
            continue
        try:
            data = os.read(terminal, 65536)
        except OSError:  # the other side closed: everything on it has exited
            data = b""
        if not data:
            assert marker is None, output.decode(errors="replace")
            return output
        output += data
        if marker is not None and marker in output:
            return output
    raise AssertionError(f"timed out:\n{output.decode(errors='replace')}")
