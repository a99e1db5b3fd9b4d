"""Every page and endpoint of a safeguarding team's day, measured under gunicorn against the budgets of issue 12,
with the peer (django-helpdesk) and the raw SQL write limit measured in the same run.

Safekeep runs with production settings under gunicorn (2 sync workers, as scripts/run) on loopback, against the
PostgreSQL database in DATABASE_URL. Three people sign in for real, with their password and the code their
authenticator app shows now: the DSL of the establishment with the most concerns, the group head of its
organisation and the data protection officer. Each page is asked for by 1 and then 20 concurrent users (threads
sharing that person's session, as the peer's harness does): p50, p95, errors, response size and throughput. The
queries each request makes are counted in this process with the Django test client and CaptureQueriesContext,
in the same session.

Run (the database is kept; --build-small fills an empty one with the demo data and a few hundred concerns):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/safekeep_pages .venv/bin/python bench/pages.py --build-small
Options: --peer PATH (the django-helpdesk harness, default ../shared/peers/django-helpdesk from the repository),
--no-peer, --seconds, --requests-1, --requests-20, --out FILE (the markdown table, also printed).

The data must have been written with the keys this run uses: SECRET_KEY, SAFEKEEP_AUDIT_KEY and SAFEKEEP_FIELD_KEY
from the environment, or else the files a development or test run keeps in SAFEKEEP_VAR_DIR (default var/).
People sign in with --password (the demo password by default).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import requests

import live

DEMO_PASSWORD = "Safekeep-demo-2026"  # safekeep/demo/data.py
# The budgets of issue 12, section 2.
P95_MS = 300
MAX_KIB = 200
RECORD_QUERIES = 20
CSV_QUERIES = 10
RAW_SHARE = 0.3
PEER_TIMES = 10
KEYS = (("SECRET_KEY", "secret_key"), ("SAFEKEEP_AUDIT_KEY", "audit_key"), ("SAFEKEEP_FIELD_KEY", "field_key"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- The environment ---------------------------------------------------------------------------------------

def local_secret(var_dir: Path, name: str) -> str:
    """The key a development or test run keeps in its var directory (config/settings.py), made if missing."""
    path = var_dir / name
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(uuid.uuid4().hex + uuid.uuid4().hex)
        path.chmod(0o600)
    return path.read_text().strip()


def environment(database_url: str, posture: str) -> dict:
    """Production settings (or development, to build the demo), keyed as the data was written, loopback only."""
    key_dir = Path(os.environ.get("SAFEKEEP_VAR_DIR") or live.ROOT / "var")
    keys = {name: os.environ.get(name) or local_secret(key_dir, file) for name, file in KEYS}
    return dict(os.environ) | keys | {
        "SAFEKEEP_ENV": posture, "SAFEKEEP_DEBUG": "0", "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings", "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SAFEKEEP_SSL_REDIRECT": "0", "SAFEKEEP_VAR_DIR": tempfile.mkdtemp(prefix="safekeep-pages-"),
        "SAFEKEEP_LOG_LEVEL": "ERROR",
        # No mail server: alerts stay queued in the database (no worker runs), as in the fault run.
        "SMTP_PORT": str(live.free_port()),
    }


def manage(env: dict, *command: str) -> None:
    subprocess.run([live.PYTHON, "manage.py", *command], cwd=live.ROOT, env=env, check=True)


def build_small(count: int) -> None:
    """Run with development settings after demo_data: concerns at Manor Field School over 60 days, through the
    services as the people who would write them; every third one triaged, every fifth referred (a share)."""
    import django

    django.setup()
    from django.db import transaction

    from safekeep.accounts.models import User
    from safekeep.children.models import Child
    from safekeep.concerns import services as concerns
    from safekeep.core import clock
    from safekeep.establishments.models import Establishment
    from safekeep.referrals import services as referrals

    school = Establishment.objects.get(name="Manor Field School")
    staff, dsl = User.objects.get(email="staff@harbour.example"), User.objects.get(email="dsl@harbour.example")
    children = list(Child.objects.filter(enrolments__establishment=school).order_by("pk"))
    categories = [["neglect"], ["cce"], ["physical_abuse"], ["emotional_abuse"], ["neglect", "emotional_abuse"]]
    for n in range(count):
        child = children[n % len(children)]
        when = clock.now() - timedelta(days=60 * (count - n) / count, hours=3)
        with transaction.atomic():
            concern, created = concerns.concern_submit(
                actor=staff, establishment=school, occurred_at=when, idempotency_key=f"bench-small-{n}",
                children=[{"child": child, "role": "harmed", "categories": categories[n % len(categories)]}],
                narrative=f"Concern {n} for the benchmark: came in hungry and in the same clothes as last week.",
                childs_words="nobody was home last night" if n % 2 else "", disclosure=bool(n % 2))
            if not created:
                continue
            if n % 3 == 0:
                concerns.triage_record(actor=dsl, involved=concern.children_involved.get(), risk="medium",
                                       rationale="A pattern over weeks.", categories=categories[n % len(categories)],
                                       outcome="monitor")
            if n % 5 == 0:
                referrals.referral_record(
                    actor=dsl, establishment=school, child=child, agency="childrens_services",
                    contact=school.local_contacts.first(), made_at=when + timedelta(hours=1), how="phone",
                    what_shared="The concern and the chronology.", consent="given",
                    lawful_basis="public-task-safeguarding", secure_handling_agreed=True, concern=concern)
    print(f"{count} concerns recorded at {school.name}")


# --- Who signs in, and what they open ----------------------------------------------------------------------

@dataclass
class World:
    establishment_id: int
    establishment: str
    concerns_there: int
    concerns_in_all: int
    people: dict  # persona -> email
    concern_ids: list
    chronology_children: list
    entries_per_child: int
    record_children: list
    organisation_id: int


def find_world(emails: dict) -> World:
    """The establishment with the most concerns, its DSL, its organisation's group head and DPO, the concerns
    opened there most recently, children with a typical chronology (the median number of entries)."""
    from django.db.models import Count

    from safekeep.authz.models import RoleMembership
    from safekeep.authz.roles import Role
    from safekeep.children.models import Enrolment
    from safekeep.chronology.models import ChronologyEntry
    from safekeep.concerns.models import Concern
    from safekeep.establishments.models import Establishment

    busiest = Concern.objects.values("establishment").annotate(n=Count("id")).order_by("-n").first()
    if busiest is None:
        raise SystemExit("The database has no concerns: fill it first (--build-small, or bench/generate_group.py).")
    establishment = Establishment.objects.get(pk=busiest["establishment"])
    current = RoleMembership.objects.current().select_related("user")

    def holder(role, **scope):
        found = current.filter(role=role, **scope).order_by("pk").first()
        if found is None:
            raise SystemExit(f"No one holds the role {role} ({scope}).")
        return found.user.email

    people = {"dsl": emails.get("dsl") or holder(Role.DSL, establishment=establishment),
              "group_head": emails.get("group_head") or holder(Role.GROUP_HEAD,
                                                               organisation=establishment.organisation_id),
              "dpo": emails.get("dpo") or holder(Role.DPO, organisation=establishment.organisation_id),
              # The head of the busiest establishment, or of another in its organisation (issue 13: home pages).
              "head": emails.get("head") or (
                  holder(Role.HEAD, organisation=establishment.organisation_id)
                  if not current.filter(role=Role.HEAD, establishment=establishment).exists()
                  else holder(Role.HEAD, establishment=establishment))}
    counts = sorted(ChronologyEntry.objects.filter(establishment=establishment).values("child")
                    .annotate(n=Count("id")).values_list("n", "child"))
    median = counts[len(counts) // 2][0] if counts else 0
    typical = [child for _, child in sorted(counts, key=lambda row: (abs(row[0] - median), row[1]))[:20]]
    return World(
        establishment_id=establishment.pk, establishment=establishment.name, concerns_there=busiest["n"],
        concerns_in_all=Concern.objects.count(), people=people,
        concern_ids=list(Concern.objects.filter(establishment=establishment, about_adult=False)
                         .order_by("-pk").values_list("pk", flat=True)[:50]),
        chronology_children=typical, entries_per_child=median,
        record_children=list(Enrolment.objects.filter(establishment=establishment).order_by("pk")
                             .values_list("child_id", flat=True)[:50]),
        organisation_id=establishment.organisation_id)


def authenticator_for(email: str):
    """The person's authenticator app. A generated group's people have none: one is set up as the demo data
    does, before they sign in, so signing in asks for its code."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from safekeep.accounts.models import User

    found = Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).first()
    return found or TOTP.activate(User.objects.get(email=email), generate_totp_secret()).instance


def current_code(authenticator) -> str:
    """What the person's authenticator app shows now (as manage.py demo_totp), waiting for the next code if
    this one was used."""
    from safekeep.accounts.mfa import current_code as code_now

    now = code_now(authenticator)
    if now.already_used:
        time.sleep(now.seconds_left + 1)
        now = code_now(authenticator)
    return now.code


@dataclass
class Person:
    email: str
    cookie: str  # the session and CSRF cookies, as a browser sends them
    csrf: str  # a form's CSRF token
    session_key: str
    token: str = ""  # an API token, made on the security page


def sign_in(base: str, email: str, password: str) -> Person:
    """The sign-in pages as a browser uses them: password, then the code from the authenticator app.

    Production cookies are Secure, and this client talks plain HTTP to loopback, so it keeps them itself and
    sends them as a browser would over HTTPS."""
    from django.conf import settings

    authenticator = authenticator_for(email)
    jar = {}

    def ask(method, path, **fields):
        answer = requests.request(method, base + path, data=fields or None, allow_redirects=False, timeout=60,
                                  headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
        jar.update(answer.cookies.get_dict())
        return answer

    def post(path, page, **fields):
        answer = ask("POST", path, csrfmiddlewaretoken=CSRF.search(page).group(1), **fields)
        if answer.status_code != 302:
            raise SystemExit(f"Signing in {email}: {path} answered {answer.status_code}, not a redirect.")
        return answer.headers["Location"]

    second = post("/accounts/login/", ask("GET", "/accounts/login/").text, login=email, password=password)
    if post(second, ask("GET", second).text, code=current_code(authenticator)) != "/":
        raise SystemExit(f"Signing in {email}: the second step did not lead home.")
    ask("GET", "/").raise_for_status()
    form = ask("GET", "/concerns/new/").text
    return Person(email=email, session_key=jar[settings.SESSION_COOKIE_NAME], csrf=CSRF.search(form).group(1),
                  cookie="; ".join(f"{k}={v}" for k, v in jar.items()))


def make_api_token(base: str, person: Person) -> str:
    answer = requests.post(base + "/account/api-tokens/new/", data={"name": "pages benchmark",
                                                                    "csrfmiddlewaretoken": person.csrf},
                           headers={"Cookie": person.cookie}, timeout=60)
    answer.raise_for_status()
    return re.search(r'id="token-value" type="text" readonly value="([^"]+)"', answer.text).group(1)


# --- What is measured --------------------------------------------------------------------------------------

@dataclass
class Scenario:
    key: str
    title: str
    persona: str
    paths: list
    kind: str  # "page", "list", "record", "csv" or "api"
    method: str = "GET"
    expect: int = 200
    form: object = None  # n -> the form to send, for a recording
    _turn: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self):
        with self._lock:
            self._turn += 1
            n = self._turn
        return self.paths[n % len(self.paths)], (self.form(n) if self.form else None)


def recording(world: World, kind: str):
    """A concern as the recording page sends it; each with its own one-time key, as each page has."""
    yesterday = (time.gmtime(time.time() - 86400))
    day = time.strftime("%Y-%m-%d", yesterday)

    def form(n):
        child = world.record_children[n % len(world.record_children)]
        fields = {"key": uuid.uuid4().hex, "establishment": world.establishment_id, "child": [child],
                  f"role-{child}": "harmed", "occurred_date": day, "occurred_time": "13:15", "intent": "send"}
        if kind == "neglect":
            return fields | {f"categories-{child}": ["neglect"],
                             "narrative": "Came in hungry again and in the same clothes as on Monday."}
        return fields | {f"categories-{child}": ["cce"], "disclosure": "yes", "told_dsl_in_person": "yes",
                         "narrative": "Has a second phone and new trainers; older boys wait for him at the gate.",
                         "childs_words": "they said I owe them for the trainers",
                         "action_taken": "Listened, and told him I would pass it to the safeguarding lead."}
    return form


def scenarios(world: World) -> list[Scenario]:
    chronologies = [f"/chronology/{c}/" for c in world.chronology_children]
    concerns = [f"/concerns/{c}/" for c in world.concern_ids]
    return [
        Scenario("home", "home page (DSL)", "dsl", ["/"], "page"),
        # The home pages that count what needs each person now (issue 13, section 1).
        Scenario("home_head", "home page (head: with the clocks missed this term)", "head", ["/"], "page"),
        Scenario("home_group", "home page (group head: one row per establishment)", "group_head", ["/"], "page"),
        Scenario("home_group_sorted", "home page (group head, sorted by open concerns)", "group_head",
                 ["/?sort=-open"], "page"),
        Scenario("dsl_inbox", "DSL inbox", "dsl", ["/concerns/"], "list"),
        Scenario("group_inbox", "group head's inbox", "group_head", ["/concerns/"], "list"),
        Scenario("concern", f"concern page ({len(concerns)} rotated)", "dsl", concerns, "page"),
        Scenario("chronology", f"a child's chronology (~{world.entries_per_child} entries, "
                               f"{len(chronologies)} rotated)", "dsl", chronologies, "page"),
        Scenario("actions", "my actions (DSL)", "dsl", ["/actions/"], "list"),
        Scenario("sharing_csv", "sharing register CSV (DPO)", "dpo", ["/sharing/export.csv"], "csv"),
        Scenario("audit", "audit log, one action (DPO)", "dpo", ["/audit/?action=concern.view"], "list"),
        Scenario("api_inbox", "API inbox (DSL)", "dsl", ["/api/v1/concerns/inbox/"], "api"),
        Scenario("api_actions", "API actions (DSL)", "dsl", ["/api/v1/actions/"], "api"),
        Scenario("record_page", "the recording page (DSL)", "dsl", ["/concerns/new/"], "page"),
        # The trend pages (issue 13 section 2), from the summary tables (ADR 0011).
        Scenario("trends_group", "trends: concerns (group head)", "group_head", ["/trends/"], "page"),
        Scenario("trends_group_coc", "trends: child-on-child (group head)", "group_head", ["/trends/child-on-child/"],
                 "page"),
        Scenario("trends_group_clocks", "trends: the clocks (group head)", "group_head", ["/trends/clocks/"], "page"),
        Scenario("trends_group_csv", "trends CSV (group head)", "group_head", ["/trends/concerns.csv"], "csv"),
        Scenario("trends_dsl", "trends: concerns (DSL)", "dsl", ["/trends/"], "page"),
        Scenario("trends_dsl_exploitation", "trends: exploitation (DSL)", "dsl", ["/trends/exploitation/"], "page"),
        # Last, so the pages above are measured on the data as it was, before this run adds its concerns.
        Scenario("record_neglect", "record a concern (1 child, neglect)", "dsl", ["/concerns/new/"], "record",
                 method="POST", expect=302, form=recording(world, "neglect")),
        Scenario("record_cce", "record a concern (CCE + disclosure)", "dsl", ["/concerns/new/"], "record",
                 method="POST", expect=302, form=recording(world, "cce")),
    ]


def count_queries(scenario: Scenario, person: Person) -> dict:
    """The queries one request makes, in this process, in the same session: one warm-up, then one counted.
    A streamed answer is read to its end inside the count."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers = {}
    if scenario.kind == "api":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {person.token}"
    else:
        client.cookies[settings.SESSION_COOKIE_NAME] = person.session_key

    def ask():
        path, form = scenario.next()
        answer = client.post(path, form, **headers) if scenario.method == "POST" else client.get(path, **headers)
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
        return answer, body

    ask()
    with CaptureQueriesContext(connection) as queries:
        answer, body = ask()
    result = {"status": answer.status_code, "queries": len(queries), "streamed": answer.streaming,
              "in_process_kib": len(body) / 1024}
    if scenario.kind == "record" and answer.status_code == 302:
        from safekeep.actions.models import Action

        concern_id = int(urlsplit(answer["Location"]).path.rstrip("/").rsplit("/", 1)[1])  # /concerns/<id>/?sent=1
        result["actions"] = Action.objects.filter(concern_id=concern_id).count()
    return result


def percentile(ordered: list, share: float):
    """Nearest rank."""
    if not ordered:
        return None
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def load(base: str, scenario: Scenario, person: Person, users: int, most: int, seconds: float) -> dict:
    """`users` threads send requests until `most` have been sent or `seconds` have passed, whichever first."""
    lock = threading.Lock()
    sent, times, sizes, errors, samples = [0], [], [], [0], []
    deadline = time.monotonic() + seconds
    headers = ({"Authorization": f"Bearer {person.token}"} if scenario.kind == "api"
               else {"Cookie": person.cookie, "X-CSRFToken": person.csrf})

    def user():
        with requests.Session() as http:
            while True:
                with lock:
                    if sent[0] >= most or time.monotonic() >= deadline:
                        return
                    sent[0] += 1
                path, form = scenario.next()
                if form:
                    form = form | {"csrfmiddlewaretoken": person.csrf}
                started = time.perf_counter()
                try:
                    answer = http.request(scenario.method, base + path, data=form, headers=headers,
                                          allow_redirects=False, timeout=60)
                    took, size, problem = time.perf_counter() - started, len(answer.content), (
                        None if answer.status_code == scenario.expect else f"HTTP {answer.status_code}")
                except requests.RequestException as error:
                    took, size, problem = time.perf_counter() - started, 0, type(error).__name__
                with lock:
                    if problem:
                        errors[0] += 1
                        if len(samples) < 3:
                            samples.append(f"{problem} after {took:.1f} s")
                    else:
                        times.append(took)
                        sizes.append(size)

    started = time.perf_counter()
    threads = [threading.Thread(target=user, daemon=True) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 90)
    wall = time.perf_counter() - started
    times.sort()
    return {"users": users, "ok": len(times), "errors": errors[0], "samples": samples,
            "p50_ms": percentile(times, 0.5) and percentile(times, 0.5) * 1000,
            "p95_ms": percentile(times, 0.95) and percentile(times, 0.95) * 1000,
            "kib": max(sizes) / 1024 if sizes else None, "rps": len(times) / wall if wall else 0.0}


def measure_safekeep(env: dict, options) -> dict:
    os.environ.update(env)
    import django

    django.setup()
    world = find_world({"dsl": options.dsl, "group_head": options.group_head, "dpo": options.dpo,
                        "head": options.head})
    print(f"Safekeep: {world.concerns_in_all:,} concerns; {world.establishment} has {world.concerns_there:,}; "
          f"signing in {', '.join(world.people.values())}", flush=True)
    server = live.Gunicorn(env, workers=2)
    rows, load_before, began = [], os.getloadavg()[0], time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        people = {persona: sign_in(server.url, email, options.password) for persona, email in world.people.items()}
        people["dsl"].token = make_api_token(server.url, people["dsl"])
        for scenario in scenarios(world):
            person = people[scenario.persona]
            row = {"key": scenario.key, "title": scenario.title, "kind": scenario.kind}
            row |= count_queries(scenario, person)
            load(server.url, scenario, person, 1, 3, 60)  # warm-up: each worker's first answer, not counted
            row["runs"] = [load(server.url, scenario, person, 1, options.requests_1, options.seconds),
                           load(server.url, scenario, person, 20, options.requests_20, options.seconds)]
            rows.append(row)
            one, twenty = row["runs"]
            print(f"  {scenario.title:55} {row['queries']:>4} queries  1 user: p50 {ms(one['p50_ms'])} "
                  f"p95 {ms(one['p95_ms'])} ms  20 users: p50 {ms(twenty['p50_ms'])} p95 {ms(twenty['p95_ms'])} ms "
                  f"{twenty['rps']:.1f}/s  errors {one['errors']}+{twenty['errors']} {one['samples'] + twenty['samples']}",
                  flush=True)
    finally:
        server.stop()
    timeouts = (Path(env["SAFEKEEP_VAR_DIR"]) / "gunicorn.log").read_text().count("WORKER TIMEOUT")
    # The machine may be shared: its load says how far the figures are its own.
    return {"world": world.__dict__, "rows": rows, "worker_timeouts": timeouts,
            "load": [load_before, os.getloadavg()[0]], "began": began}


# --- The raw write limit and the peer ----------------------------------------------------------------------

def raw_write_limit(database_url: str, tool: Path, seconds: float) -> dict | None:
    """raw_write_limit.py with 1 and 20 clients, in a scratch database beside Safekeep's on the same server."""
    scratch = urlsplit(database_url)._replace(path="/safekeep_raw_write_limit").geturl()
    admin = urlsplit(database_url)._replace(path="/postgres").geturl()
    psql = ["psql", admin, "-q", "-c"]
    subprocess.run([*psql, "DROP DATABASE IF EXISTS safekeep_raw_write_limit"], check=True)
    subprocess.run([*psql, "CREATE DATABASE safekeep_raw_write_limit"], check=True)
    rates = {}
    try:
        for clients in (1, 20):
            done = subprocess.run([live.PYTHON, str(tool), scratch, str(clients), str(seconds)],
                                  capture_output=True, text=True)
            found = re.search(r"rate=([\d.]+)/s", done.stdout)
            if not found:
                print(f"  the raw write limit failed: {done.stderr.strip()[-500:]}", flush=True)
                return None
            print(f"  {done.stdout.strip()}", flush=True)
            rates[clients] = float(found.group(1))
    finally:
        subprocess.run([*psql, "DROP DATABASE IF EXISTS safekeep_raw_write_limit"], check=True)
    return rates


def run_peer(harness: Path, tickets: int) -> dict | None:
    """The harness's own run_all.sh (setup, load, bench, then its cluster is removed), for the list and the
    dashboard; its figures are read from the JSON it saves under $PEER_HOME/results."""
    home = Path(os.environ.get("PEER_HOME") or Path.home() / ".cache" / "peer-helpdesk")
    began = time.time()
    log = Path(tempfile.mkdtemp(prefix="safekeep-peer-")) / "run_all.log"
    with log.open("w") as out:
        done = subprocess.run(["./run_all.sh", str(tickets)], cwd=harness, stdout=out, stderr=subprocess.STDOUT,
                              env=os.environ | {"PEER_SCENARIOS": "list_html,list_data,dashboard"})
    found = [p for p in (home / "results").glob("run-*/bench-*.json") if p.stat().st_mtime >= began]
    if done.returncode or not found:
        print(f"  the peer's run failed (exit {done.returncode}); its output is in {log}", flush=True)
        return None
    rows = json.loads(max(found, key=lambda p: p.stat().st_mtime).read_text())["rows"]
    at = {(r["scenario"], r["concurrency"]): r for r in rows}

    def both(users):  # a person sees the list after the page and its data call: one list costs both
        html, data = at[("list_html", users)]["rps"], at[("list_data", users)]["rps"]
        return 1 / (1 / html + 1 / data)
    peer = {"tickets": tickets, "list_rps": {n: both(n) for n in (1, 20)},
            "dashboard_rps": {n: at[("dashboard", n)]["rps"] for n in (1, 20)},
            "rows": [{k: r[k] for k in ("page", "concurrency", "p50_ms", "p95_ms", "rps", "errors", "queries")}
                     for r in rows]}
    print(f"  peer at {tickets:,} tickets, 20 users: list {peer['list_rps'][20]:.1f}/s, "
          f"dashboard {peer['dashboard_rps'][20]:.1f}/s", flush=True)
    return peer


# --- The table ---------------------------------------------------------------------------------------------

def ms(value) -> str:
    return "-" if value is None else f"{value:,.0f}"


def mark(met: bool) -> str:
    return "met" if met else "**not met**"


def table(safekeep: dict, raw: dict | None, peer: dict | None, options) -> str:
    world = safekeep["world"]
    lines = [f"Safekeep at {world['concerns_in_all']:,} concerns ({world['establishment']}: "
             f"{world['concerns_there']:,}), gunicorn 2 sync workers, {os.cpu_count()} cores, "
             f"from {safekeep['began']}; "
             f"{options.requests_1} requests or {options.seconds:g} s at 1 user, "
             f"{options.requests_20} or {options.seconds:g} s at 20. gunicorn worker timeouts: "
             f"{safekeep['worker_timeouts']}. Load average (1 min) {safekeep['load'][0]:.1f} at the start, "
             f"{safekeep['load'][1]:.1f} at the end.", "",
             "| page | queries | KiB | 1 user p50 / p95 ms | 20 users p50 / p95 ms | 20 users /s | errors "
             "(1 + 20) | budgets |", "|---|--:|--:|--:|--:|--:|--:|---|"]
    verdicts = []
    for row in safekeep["rows"]:
        one, twenty = row["runs"]
        kib = max(k for k in (one["kib"], twenty["kib"], row["in_process_kib"]) if k is not None)
        checks = []
        if row["kind"] not in ("csv", "record"):
            checks.append((f"p95 <= {P95_MS} ms", one["p95_ms"] is not None and one["p95_ms"] <= P95_MS))
            checks.append((f"<= {MAX_KIB} KiB", kib <= MAX_KIB))
        if row["kind"] == "record":
            checks.append((f"<= {RECORD_QUERIES} queries", row["queries"] <= RECORD_QUERIES))
            if raw:
                share = twenty["rps"] / raw[20]
                checks.append((f"{share:.3f} of raw >= {RAW_SHARE}", share >= RAW_SHARE))
        if row["kind"] == "csv":
            checks.append(("streamed", row["streamed"]))
            checks.append((f"<= {CSV_QUERIES} queries", row["queries"] <= CSV_QUERIES))
        if row["kind"] in ("list", "api") and peer:
            times = twenty["rps"] / max(peer["list_rps"][20], peer["dashboard_rps"][20])
            checks.append((f"{times:.1f}x peer >= {PEER_TIMES}x", times >= PEER_TIMES))
        checks.append(("0 errors", one["errors"] + twenty["errors"] == 0 and row["status"] == (
            302 if row["kind"] == "record" else 200)))
        verdicts += [met for _, met in checks]
        title = row["title"] + (f", {row['actions']} action{'s' * (row['actions'] != 1)}" if "actions" in row else "")
        lines.append(f"| {title} | {row['queries']} | {kib:,.1f} | {ms(one['p50_ms'])} / {ms(one['p95_ms'])} | "
                     f"{ms(twenty['p50_ms'])} / {ms(twenty['p95_ms'])} | {twenty['rps']:.1f} | "
                     f"{one['errors']} + {twenty['errors']} | "
                     + "; ".join(f"{name}: {mark(met)}" for name, met in checks) + " |")
    lines.append("")
    record = {r["title"]: r["runs"] for r in safekeep["rows"] if r["kind"] == "record"}
    if raw:
        lines.append(f"Raw write limit (`raw_write_limit.py`, same server): {raw[1]:,.0f} concerns/s with 1 client, "
                     f"{raw[20]:,.0f}/s with 20.")
        for title, runs in record.items():
            lines.append(f"- {title}: {runs[0]['rps']:.1f}/s at 1 user ({runs[0]['rps'] / raw[1]:.3f} of raw), "
                         f"{runs[1]['rps']:.1f}/s at 20 ({runs[1]['rps'] / raw[20]:.3f} of raw).")
    if peer:
        lines.append(f"Peer (django-helpdesk, {peer['tickets']:,} tickets, same run), 20 users: the list (page and "
                     f"its data call) {peer['list_rps'][20]:.1f}/s, the dashboard {peer['dashboard_rps'][20]:.1f}/s.")
        for row in safekeep["rows"]:
            if row["kind"] in ("list", "api"):
                rps = row["runs"][1]["rps"]
                lines.append(f"- {row['title']}: {rps / peer['list_rps'][20]:.1f}x the peer's list, "
                             f"{rps / peer['dashboard_rps'][20]:.1f}x its dashboard.")
    lines += ["", f"Budgets met: {sum(verdicts)} of {len(verdicts)}."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-small", action="store_true",
                        help="migrate and fill the database with the demo data and --small-concerns concerns")
    parser.add_argument("--small-concerns", type=int, default=300)
    parser.add_argument("--fill-small", type=int, help=argparse.SUPPRESS)  # the build's own process
    parser.add_argument("--peer", type=Path, default=live.ROOT.parent / "shared" / "peers" / "django-helpdesk")
    parser.add_argument("--peer-tickets", type=int, default=30000)
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--raw-tool", type=Path, default=live.ROOT.parent / "shared" / "tools" / "raw_write_limit.py")
    parser.add_argument("--raw-seconds", type=float, default=10)
    parser.add_argument("--no-raw", action="store_true")
    parser.add_argument("--seconds", type=float, default=30, help="time budget for each page and number of users")
    parser.add_argument("--requests-1", type=int, default=60)
    parser.add_argument("--requests-20", type=int, default=400)
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--dsl", help="email of the DSL to sign in (default: of the establishment with most concerns)")
    parser.add_argument("--group-head")
    parser.add_argument("--dpo")
    parser.add_argument("--head", help="email of a head to sign in (default: the head of that establishment)")
    parser.add_argument("--out", type=Path, help="write the markdown table here too")
    options = parser.parse_args()
    if options.fill_small:
        return build_small(options.fill_small)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database to measure.")
    for wanted, path in ((not options.no_peer, options.peer / "run_all.sh"), (not options.no_raw, options.raw_tool)):
        if wanted and not path.exists():
            raise SystemExit(f"{path} is not there: give its place (--peer, --raw-tool), or --no-peer / --no-raw.")
    production = environment(database_url, "production")
    if options.build_small:
        development = environment(database_url, "development")
        for command in (["migrate", "--no-input", "-v0"], ["createcachetable"], ["demo_data"]):
            manage(development, *command)
        subprocess.run([live.PYTHON, __file__, "--fill-small", str(options.small_concerns)], env=development,
                       check=True)
    else:
        manage(production, "migrate", "--no-input", "-v0")
        manage(production, "createcachetable")
    manage(production, "collectstatic", "--no-input", "-v0")

    safekeep = measure_safekeep(production, options)
    kept = Path(tempfile.mkdtemp(prefix="safekeep-pages-")) / "safekeep.json"
    kept.write_text(json.dumps(safekeep, indent=1))  # kept whatever happens to the raw limit and the peer
    print(f"Safekeep's figures: {kept}", flush=True)
    raw = None if options.no_raw else raw_write_limit(database_url, options.raw_tool, options.raw_seconds)
    peer = None if options.no_peer else run_peer(options.peer, options.peer_tickets)
    text = table(safekeep, raw, peer, options)
    print()
    print(text)
    if options.out:
        options.out.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
