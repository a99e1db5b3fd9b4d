"""Ctrl+C stops everything `scripts/run` started (issue 11, section 7).

Starts scripts/run as a terminal would (its own session, SIGINT at its default), with a var directory and
ports of its own, waits for the startup text, signs the demo DSL in with the code the second step shows,
then sends SIGINT to the script's process group, as Ctrl+C does. Prints how long it took to start and to
stop, the processes it had started, and any left afterwards; exits 1 if any is left, if the sign-in fails
or if a log file the startup text names is missing.

Run: .venv/bin/python bench/run_script_stops.py [--var DIR]   (a DIR kept from a run before starts faster)
About 20 seconds from nothing (migrations and demo data). Kept out of the test run: scripts/run runs
scripts/setup, which may install packages.
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY = "Stop everything with Ctrl+C."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_session(sid: int) -> list[str]:
    rows = subprocess.run(["ps", "-eo", "pid=,sid=,cmd="], capture_output=True, text=True).stdout.splitlines()
    return [row.strip() for row in rows if row.split()[1] == str(sid)]


def sign_in(base: str) -> bool:
    """The demo DSL signs in with the password and the code the second step shows (development only)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def post(path, fields, page):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(fields | {"csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(base + path, body, headers={"Referer": base + path})
        return opener.open(request)

    login = opener.open(base + "/accounts/login/").read().decode()
    second = post("/accounts/login/", {"login": "dsl@harbour.example", "password": "Safekeep-demo-2026"}, login)
    page = second.read().decode()
    shown = re.search(r'id="development-code".*?font-size-27">(\d{6})<', page, re.S)
    if not shown:
        return False
    done = post("/accounts/2fa/authenticate/", {"code": shown.group(1)}, page)
    return done.geturl().rstrip("/") == base and "Find a child" in done.read().decode()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", help="the var directory to use (kept); a new temporary one if not given")
    args = parser.parse_args()
    if args.var:
        return run(Path(args.var))
    var = Path(tempfile.mkdtemp(prefix="safekeep-run-"))
    try:
        return run(var)
    finally:
        shutil.rmtree(var, ignore_errors=True)


def run(var: Path) -> int:
    port, smtp = free_port(), free_port()
    env = os.environ | {"SAFEKEEP_VAR_DIR": str(var), "SAFEKEEP_PORT": str(port), "SMTP_PORT": str(smtp)}
    env.pop("SAFEKEEP_BASE_URL", None)
    output = var / "run-output.txt"
    var.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(output, "w") as out:
        script = subprocess.Popen([str(ROOT / "scripts" / "run")], cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                  preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    while READY not in output.read_text():
        if script.poll() is not None or time.monotonic() - started > 300:
            print(output.read_text()[-2000:])
            print("scripts/run did not start")
            return 1
        time.sleep(0.5)
    ready = time.monotonic() - started
    text = output.read_text()
    logs = re.findall(r"(\S+/log/\w+\.log)", text)
    try:
        signed_in = sign_in(f"http://127.0.0.1:{port}")
    except OSError as error:
        print(f"signing in failed: {error}")
        signed_in = False
    running = in_session(script.pid)
    stopping = time.monotonic()
    os.killpg(script.pid, signal.SIGINT)  # Ctrl+C: the terminal signals its foreground process group
    script.wait(timeout=60)
    stopped = time.monotonic() - stopping
    time.sleep(1)
    left = in_session(script.pid)
    missing = [log for log in dict.fromkeys(logs) if not Path(log).is_file()]
    print(f"started in {ready:.1f} s; {len(running)} processes running:")
    print("\n".join(f"  {row}" for row in running))
    print(f"signed in with the code on the page: {'yes' if signed_in else 'NO'}")
    print(f"log files named at startup: {len(set(logs))}, missing: {missing or 'none'}")
    print(f"Ctrl+C: the script exited ({script.returncode}) in {stopped:.1f} s; processes left: {len(left)}")
    print("\n".join(f"  {row}" for row in left))
    return 0 if signed_in and not left and logs and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
