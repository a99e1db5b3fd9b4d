"""A throwaway Safekeep as it runs in production, for the fault and fuzz runs: its own PostgreSQL cluster (so
restarting it troubles no other database), gunicorn with production settings, on loopback only.

Import this module before Django is set up: it points the environment at the throwaway cluster.
"""

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresCluster:
    """initdb, start, restart (immediate, as a crash would) and remove. Run as the postgres user when root."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="safekeep-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.dir, "postgres")

    def _run(self, *command):
        subprocess.run([*self._as, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self):
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.dir / "log"), "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on", "start")

    def crash_and_restart(self):
        """Stop at once, without a checkpoint (as a power cut would), then start: recovery replays the WAL."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.start()

    def stop(self):
        subprocess.run([*self._as, "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, name="safekeep_bench") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


def production_environment(database_url: str) -> dict:
    """Production settings (SAFEKEEP_ENV=production), keys made for this run, plain HTTP on loopback."""
    var = tempfile.mkdtemp(prefix="safekeep-var-")
    atexit.register(shutil.rmtree, var, ignore_errors=True)
    values = {
        "SAFEKEEP_ENV": "production", "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secrets.token_urlsafe(50), "SAFEKEEP_AUDIT_KEY": secrets.token_urlsafe(50),
        "SAFEKEEP_FIELD_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "SAFEKEEP_SSL_REDIRECT": "0", "SAFEKEEP_VAR_DIR": var, "SAFEKEEP_LOG_LEVEL": "ERROR",
        # No mail server: alerts stay queued in the database, which is what the fault run counts.
        "SMTP_PORT": str(free_port()),
    }
    os.environ.update(values)
    return dict(os.environ)


def create_database(cluster: PostgresCluster, env: dict) -> None:
    subprocess.run([*cluster._as, "createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
                    "safekeep_bench"], check=True)
    for command in (["migrate", "--no-input", "-v0"], ["createcachetable"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)


class Gunicorn:
    def __init__(self, env: dict, workers: int = 3):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The server's own log (a killed worker, a request during an outage) is kept out of the figures.
        self.log = open(Path(env["SAFEKEEP_VAR_DIR"]) / "gunicorn.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [GUNICORN, "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "30",
             "--graceful-timeout", "5", "--log-level", "warning"], cwd=ROOT, env=env,
            stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_until_up()

    def wait_until_up(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not come up")

    def workers(self) -> list[int]:
        """The worker processes of this gunicorn (the master's children), read from /proc."""
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    children.append(int(entry.name))
        return children

    def kill_a_worker(self, choose) -> int | None:
        workers = self.workers()
        if not workers:
            return None
        victim = choose(workers)
        os.kill(victim, signal.SIGKILL)
        return victim

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
