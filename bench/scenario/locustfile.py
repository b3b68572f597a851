"""A network day under load, for Locust (started by `python -m bench.scenario`, headless).

Who is simulated (one Locust user per person):

* visitors, arriving in steps: the start page, a shelf, two or three products, each put in
  the basket (and one switched to the other intent), then checkout — half on the kiosk
  form, half through the API with an Idempotency-Key (retried with the same key, as the
  kiosk app does) — then their phone opens the receipt and polls its live part every
  10 s, as the receipt page does. One in ten is someone from an earlier day of the
  series who only opens and polls their old receipt;
* per event three staff screens: the live view and the wall poll their fragments every 5 s
  with If-None-Match, the overlap page is reloaded every 30 s;
* an organiser downloading an export (CSV or XLSX, a random event) every minute.

The settings come from the JSON file named by POPUPSTORE_SCENARIO. Every request's time
is recorded with the step it fell in (after a settling period at the start of each step);
at the end the figures and the names of the visitors whose checkout was confirmed are
written to the file the settings name, so the runner can count them in the database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from locust import FastHttpUser, LoadTestShape, constant, events, task

CONFIG: dict[str, Any] = json.loads(Path(os.environ["POPUPSTORE_SCENARIO"]).read_text())
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CHECKOUT_KEY = re.compile(r'name="checkout_key"[^>]*value="([^"]*)"')
RECEIPT_PATH = re.compile(r"/r/([A-Za-z0-9_-]+)$")
RECEIPT_LINK = re.compile(r'href="/r/([A-Za-z0-9_-]+)"')
ORGANISATIONS = (
    "Breda",
    "Tilburg",
    "Utrecht",
    "Zwolle",
    "Den Haag",
    "Rotterdam",
    "Amsterdam",
    "Groningen",
    "Maastricht",
    "Woonstad Rotterdam",
    "Kredietbank Limburg",
    "UWV",
    "Humanitas",
)
EXPORT = "export (organiser)"


class Recorder:
    """Response times per step and request name, and the confirmed checkouts."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.times: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.failures: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.checked_out: list[str] = []
        self.checkout_attempts = 0

    def step_of(self, moment: float) -> int | None:
        elapsed = moment - self.started
        step, into = divmod(elapsed, CONFIG["step_seconds"])
        if into < CONFIG["settle_seconds"] or step >= len(CONFIG["steps"]):
            return None
        return int(step)

    def record(self, name: str, milliseconds: float, failed: bool) -> None:
        step = self.step_of(time.monotonic())
        if step is None:
            return
        self.times[step][name].append(milliseconds)
        if failed:
            self.failures[step][name] += 1

    def write(self) -> None:
        steps = []
        for index, users in enumerate(CONFIG["steps"]):
            measured = CONFIG["step_seconds"] - CONFIG["settle_seconds"]
            endpoints = {
                name: _figures(times, self.failures[index][name], measured)
                for name, times in sorted(self.times[index].items())
            }
            served = [t for name, ts in self.times[index].items() if name != EXPORT for t in ts]
            steps.append(
                {
                    "users": users,
                    "seconds": measured,
                    "endpoints": endpoints,
                    "all_but_export": _figures(
                        served,
                        sum(n for name, n in self.failures[index].items() if name != EXPORT),
                        measured,
                    ),
                    "failures": sum(self.failures[index].values()),
                }
            )
        Path(CONFIG["results"]).write_text(
            json.dumps(
                {
                    "steps": steps,
                    "checked_out": self.checked_out,
                    "checkout_attempts": self.checkout_attempts,
                }
            )
        )


def _percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _figures(times: list[float], failures: int, seconds: float) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "requests": len(ordered),
        "per_second": len(ordered) / seconds if seconds else 0.0,
        "failures": failures,
        "p50_ms": _percentile(ordered, 0.50),
        "p95_ms": _percentile(ordered, 0.95),
        "p99_ms": _percentile(ordered, 0.99),
    }


RECORDER = Recorder()


@events.test_start.add_listener
def _started(**_kwargs: Any) -> None:
    RECORDER.started = time.monotonic()


@events.request.add_listener
def _request(name: str, response_time: float, exception: Any, **_kwargs: Any) -> None:
    RECORDER.record(name, response_time, exception is not None)


@events.quitting.add_listener
def _quitting(**_kwargs: Any) -> None:
    RECORDER.write()


class DayRamp(LoadTestShape):
    """Steps of simulated people (the staff screens and the organiser included), each held
    for `step_seconds`; then the test ends."""

    def tick(self) -> tuple[int, float] | None:
        step = int(self.get_run_time() // CONFIG["step_seconds"])
        if step >= len(CONFIG["steps"]):
            return None
        return int(CONFIG["steps"][step]), float(CONFIG["spawn_rate"])


def think(low: float = 2.0, high: float = 6.0) -> None:
    time.sleep(random.uniform(low, high))


def csrf_token(text: str) -> str:
    found = CSRF.search(text)
    return found.group(1) if found else ""


class Visitor(FastHttpUser):
    weight = 1
    # What the receipt page's script does once the visitor has their receipt.
    wait_time = constant(10)
    token: str | None = None
    etag: str | None = None

    def on_start(self) -> None:
        past = CONFIG["past_tokens"]
        if past and random.random() < 0.1:
            self.token = random.choice(past)
            self.client.get(f"/r/{self.token}", name="/r/[token] (receipt page)")
            return
        self.shop()

    def shop(self) -> None:
        self.client.get("/", name="/ (start page)")
        think()
        theme = random.choice(CONFIG["themes"])
        self.client.get(f"/producten?thema={theme}", name="/producten?thema= (shelf)")
        think()
        chosen = random.sample(CONFIG["products"], random.randint(2, 3))
        intents: dict[str, str] = {}
        for slug in chosen:
            page = self.client.get(f"/product/{slug}", name="/product/[slug]")
            think(1, 4)
            intents[slug] = random.choice(("want", "have"))
            self.put(slug, intents[slug], csrf_token(page.text), "add")
        # Changes their mind about one of them.
        switched = chosen[0]
        intents[switched] = "have" if intents[switched] == "want" else "want"
        page = self.client.get(f"/product/{switched}", name="/product/[slug]")
        self.put(switched, intents[switched], csrf_token(page.text), "switch")
        think()
        name = f"Bezoeker {uuid.uuid4().hex[:12]}"
        RECORDER.checkout_attempts += 1
        if random.random() < 0.5:
            token = self.check_out_on_the_kiosk(name)
        else:
            token = self.check_out_through_the_api(name, intents)
        if token is None:
            return
        RECORDER.checked_out.append(name)
        self.token = token
        # Their phone scans the QR code and keeps the receipt open.
        self.client.get(f"/r/{token}", name="/r/[token] (receipt page)")

    def put(self, slug: str, intent: str, csrf: str, what: str) -> None:
        self.client.post(
            f"/mandje/{slug}",
            data={"csrf_token": csrf, "intent": intent, "next": f"/product/{slug}"},
            name=f"POST /mandje/[slug] ({what})",
            allow_redirects=False,
        )
        # The browser follows the redirect: the product page with "in your basket".
        self.client.get(f"/product/{slug}", name="/product/[slug] (after the basket)")

    def check_out_on_the_kiosk(self, name: str) -> str | None:
        form = self.client.get("/afrekenen", name="/afrekenen (form)")
        key = CHECKOUT_KEY.search(form.text)
        fields = {
            "csrf_token": csrf_token(form.text),
            "checkout_key": key.group(1) if key else "",
            "name": name,
            "organisation": random.choice(ORGANISATIONS),
            "organisation_type": "",
            "role": "",
            "email": "",
        }
        if random.random() < 0.6:
            fields["share_contact"] = "y"
        think(5, 15)  # typing
        with self.client.post(
            "/afrekenen",
            data=fields,
            name="POST /afrekenen (kiosk checkout)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            location = answer.headers.get("Location", "")
            # A phone (no kiosk cookie, as here) lands on its own receipt; the booth tablet
            # on /kassabon.
            own = RECEIPT_PATH.search(location)
            if answer.status_code != 302 or not (own or location.endswith("/kassabon")):
                answer.failure(f"checkout gave {answer.status_code}")
                return None
        if own:
            return own.group(1)
        receipt = self.client.get("/kassabon", name="/kassabon (receipt)")
        found = RECEIPT_LINK.search(receipt.text)
        return found.group(1) if found else None

    def check_out_through_the_api(self, name: str, intents: dict[str, str]) -> str | None:
        body = {
            "items": [{"product": slug, "intent": intent} for slug, intent in intents.items()],
            "visitor": {
                "name": name,
                "organisation": random.choice(ORGANISATIONS),
                "share_contact": random.random() < 0.6,
            },
        }
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        think(5, 15)
        for attempt in range(3):
            with self.client.post(
                f"/api/v1/events/{CONFIG['active_event']}/checkouts",
                json=body,
                headers=headers,
                name="POST /api/v1/events/[slug]/checkouts",
                catch_response=True,
            ) as answer:
                if answer.status_code == 201:
                    return str(answer.json()["token"])
                answer.failure(f"checkout gave {answer.status_code} (attempt {attempt + 1})")
            time.sleep(2)
        return None

    @task
    def poll_receipt(self) -> None:
        if self.token is None:
            return
        headers = {"X-Requested-With": "fetch"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        with self.client.get(
            f"/r/{self.token}/partners",
            headers=headers,
            name="/r/[token]/partners (poll)",
            catch_response=True,
        ) as answer:
            if answer.status_code == 200:
                self.etag = answer.headers.get("ETag")
                answer.success()
            elif answer.status_code == 304:
                answer.success()
            else:
                answer.failure(f"poll gave {answer.status_code}")


SCREEN_NUMBERS = itertools.count()


class StaffScreen(FastHttpUser):
    """A facilitator's screen of one event, logged in with an account of its own."""

    abstract = True
    page = ""
    wait_time = constant(5)

    def on_start(self) -> None:
        number = next(SCREEN_NUMBERS)
        self.event = CONFIG["events"][number % len(CONFIG["events"])]
        username, password = CONFIG["staff"][number % len(CONFIG["staff"])]
        form = self.client.get("/login", name="/login")
        self.client.post(
            "/login",
            data={"csrf_token": csrf_token(form.text), "username": username, "password": password},
            name="POST /login",
            allow_redirects=False,
        )
        self.client.get(self.page.format(event=self.event), name=self.page)
        self.etag: str | None = None

    def poll(self, fragment: str) -> None:
        headers = {"X-Requested-With": "fetch"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        with self.client.get(
            fragment.format(event=self.event), headers=headers, name=fragment, catch_response=True
        ) as answer:
            if answer.status_code == 200:
                self.etag = answer.headers.get("ETag")
                answer.success()
            elif answer.status_code == 304:
                answer.success()
            else:
                answer.failure(f"poll gave {answer.status_code}")


class LiveView(StaffScreen):
    fixed_count = len(CONFIG["events"])
    page = "/facilitator/evenement/{event}"

    @task
    def refresh(self) -> None:
        self.poll("/facilitator/evenement/{event}/live")


class Wall(StaffScreen):
    fixed_count = len(CONFIG["events"])
    page = "/facilitator/evenement/{event}/wand"

    @task
    def refresh(self) -> None:
        self.poll("/facilitator/evenement/{event}/wand/live")


class Overlap(StaffScreen):
    fixed_count = len(CONFIG["events"])
    page = "/facilitator/evenement/{event}/overlap"
    wait_time = constant(30)

    @task
    def reload(self) -> None:
        self.client.get(self.page.format(event=self.event), name=self.page)


class Organiser(FastHttpUser):
    fixed_count = 1
    wait_time = constant(60)

    @task
    def export(self) -> None:
        event = random.choice(CONFIG["events"])
        kind = random.choice(("csv", "xlsx"))
        self.client.get(
            f"/api/v1/events/{event}/export?format={kind}",
            headers={"Authorization": f"Bearer {CONFIG['organiser_token']}"},
            name=EXPORT,
        )
