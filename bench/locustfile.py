"""A school day's mix at Manor Field School, for bench/load.sh: staff record concerns and read what they
recorded; deputy DSLs work the inbox, open concerns, read chronologies and actions, and find children.

Each simulated person signs in for real, with their password and then the code their authenticator app
would show (TOTP, computed from the secret bench/load_people.py enrolled), and comes from an address of
their own on loopback (127.0.1.N), as each device in a school would.
  SAFEKEEP_LOAD_PEOPLE=people.csv locust -f bench/locustfile.py --headless -u 50 -r 5 --run-time 60s \\
    --host http://127.0.0.1:8765
"""

import base64
import csv
import hashlib
import hmac
import itertools
import os
import random
import re
import struct
import time
import uuid

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter

DEMO_PASSWORD = "Safekeep-demo-2026"
CONCERN_LINK = re.compile(r'href="/concerns/(\d+)/"')
ACTION_LINK = re.compile(r'href="/actions/(\d+)/"')
HIDDEN = re.compile(r'<input type="hidden" name="(csrfmiddlewaretoken|key)" value="([^"]+)"')
WORRIES = ["Came in hungry again and asked for food at break", "Said he does not want to go home tonight",
           "Bruise on her forearm, said she fell", "Talking about an older friend who gives him money",
           "Fell asleep in lessons and has missed PE kit all week"]


def _people():
    with open(os.environ["SAFEKEEP_LOAD_PEOPLE"], newline="") as people:
        rows = list(csv.reader(people))
    establishment = rows[0][1]
    children = [tuple(child.split(":", 1)) for child in rows[0][2:]]
    return establishment, children, rows[1:]


ESTABLISHMENT, CHILDREN, PEOPLE = _people()
# Each simulated person is a different account of the right role (a code works once, so two simulated
# people sharing an account would refuse each other's sign-in).
_accounts = {role: itertools.cycle([person for person in PEOPLE if person[2] == role]) for role in ("staff", "deputy_dsl")}
_next_address = itertools.count()


def totp(secret: str, at: float) -> str:
    """RFC 6238, as an authenticator app computes it (SHA-1, 6 digits, 30 s)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class FromAddress(HTTPAdapter):
    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def hidden(page: str) -> dict:
    return dict(HIDDEN.findall(page))


class Person(HttpUser):
    wait_time = between(2, 8)
    abstract = True
    role = ""

    def on_start(self):
        number = next(_next_address)
        self.email, self.secret, _ = next(_accounts[self.role])
        self.client.mount("http://", FromAddress(f"127.0.{1 + number // 250}.{1 + number % 250}"))
        login = self.client.get("/accounts/login/", name="sign in: page").text
        self.client.post("/accounts/login/", name="sign in: password",
                         data={**hidden(login), "login": self.email, "password": DEMO_PASSWORD})
        code_page = self.client.get("/accounts/2fa/authenticate/", name="sign in: code page").text
        with self.client.post("/accounts/2fa/authenticate/", name="sign in: code", catch_response=True,
                              data={**hidden(code_page), "code": totp(self.secret, time.time())}) as signed:
            if "/accounts/" in signed.url:
                signed.failure("still on a sign-in page after the code")

    def child(self):
        return random.choice(CHILDREN)


class Staff(Person):
    weight = 4
    role = "staff"

    @task(1)
    def record_a_concern(self):
        child_id, _ = self.child()
        page = self.client.get(f"/concerns/new/?child={child_id}", name="record: page").text
        with self.client.post("/concerns/new/", name="record: send", catch_response=True, allow_redirects=False,
                              data={**hidden(page), "establishment": ESTABLISHMENT, "child": child_id,
                                    f"role-{child_id}": "harmed", "occurred_date": time.strftime("%Y-%m-%d"),
                                    "narrative": random.choice(WORRIES), "about_adult": "no", "intent": "send",
                                    "key": hidden(page).get("key", uuid.uuid4().hex)}) as sent:
            if sent.status_code != 302:
                sent.failure(f"the concern was not sent ({sent.status_code})")

    @task(3)
    def my_concerns(self):
        self.client.get("/concerns/", name="inbox (staff)")

    @task(1)
    def find_a_child(self):
        self.search()

    def search(self):
        page = self.client.get("/children/", name="search: page").text
        self.client.post("/children/", name="search", data={**hidden(page), "q": self.child()[1][:3]})


class DeputyDsl(Person):
    weight = 1
    role = "deputy_dsl"

    @task(4)
    def inbox(self):
        page = self.client.get("/concerns/", name="inbox (DSL)").text
        self.concerns = CONCERN_LINK.findall(page) or getattr(self, "concerns", [])

    @task(4)
    def concern(self):
        if getattr(self, "concerns", None):
            self.client.get(f"/concerns/{random.choice(self.concerns)}/", name="concern")

    @task(2)
    def chronology(self):
        self.client.get(f"/chronology/{self.child()[0]}/", name="chronology")

    @task(2)
    def actions(self):
        self.client.get("/actions/", name="my actions")

    @task(1)
    def find_a_child(self):
        Staff.search(self)


@events.quitting.add_listener
def _errors_are_figures(environment, **kwargs):
    # Failed requests are reported in the figures (bench/load.sh); the run itself fails only if nothing ran.
    environment.process_exit_code = 0 if environment.stats.total.num_requests else 1
