"""No input gives a 5xx (issue 7 §2): a generated test beside the permission matrix.

For every rule in ``app.url_map`` and every method it accepts, as a signed-in team member, facilitator
and site administrator (CSRF off), hostile values go into every path parameter, every query argument
and every form field — one at a time, the rest of the request kept valid so that the hostile value
reaches as deep as it can:

- huge ids (2**63, 30 and 40 digits), negative, zero, non-ASCII digits, exponents, empty, whitespace,
  10,000 characters, lone surrogates (as UTF-8 surrogateescape and surrogatepass bytes), NUL, HTML;
- for date fields, partial dates (only the day, day and month), ``31/02/2026``, day 31 of month 2,
  one value for the three parts (``due_on=1``), too many parts, impossible years;
- wrong types: a field sent twice, a file where text is expected, a JSON body to a form;
- for the JSON API (with a bearer token): each property of the request body as every JSON type,
  a lone surrogate raw in the body text, bodies that are not objects or not JSON.

Nothing is listed by hand: the query arguments and form fields a view reads are recorded while it
runs (``request.args`` and ``request.form`` are replaced by dictionaries that remember every key
asked for), the valid values come from the ``<form>`` elements of every page visited (inputs, selects,
textareas; GOV.UK date inputs by their class), and the API's body properties from its OpenAPI
description. A new route, query argument or field is covered without touching this file.

The team member's and the facilitator's rules are fuzzed in shards, one test each, so that pytest-xdist
spreads them over its workers: the rules grouped by blueprint (the endpoint before its first dot), small
blueprints together, each actor's new blueprints falling into its shard for every blueprint not named
(``ACTOR_SHARDS``; ``test_the_shards_partition_the_rules`` checks that every rule is in exactly one shard).
Each shard goes through all of the actor's rules in the one order (pages first, sign-out and removals
last) on a fresh database: it fuzzes its own, and of every page of the other shards it sends the valid
request only and records the page's forms, at the point in the order where an unsharded run would, so
that every post starts from the same valid values whichever shard it is in.

Every response must be below 500; an HTML page that shows an error summary must have a title starting
"Error: ", and none may show WTForms' default messages ("Not a valid date value" …).
"""

import io
import json
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import delete
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, Rule
from werkzeug.utils import cached_property

from tests.conftest import IsolatedClient
from tests.test_permissions import Ids, url_for_endpoint
from tracker.accounts.models import LoginFailure
from tracker.api import services as api_services
from tracker.api.openapi import SCHEMAS
from tracker.extensions import db

# --- hostile values ------------------------------------------------------------------------------

SURROGATE_ESCAPE = "a\udcffb".encode("utf-8", "surrogateescape")  # b"a\xffb": not UTF-8 at all
SURROGATE_PASS = "a\udcffb".encode("utf-8", "surrogatepass")  # a lone surrogate's three bytes
BIG = "9223372036854775808"  # 2**63: one more than the largest 64-bit id

#: For a path segment (already as it goes on the wire, percent-encoded where needed).
PATH_INT = [BIG, "1" * 30, "1" * 40, "0", "-1", "%D9%A1", "%EF%BC%91", "a%FFb"]
PATH_STRING = ["%20", "a%FFb", "%ED%B3%BF", "%00", "x" * 2000]

#: For any query argument or form field (bytes go on the wire as they are).
TEXT = ["", "  \t\n ", "x" * 10_000, SURROGATE_PASS, "a\x00b"]
NUMBERS = [BIG, "1" * 30, "1" * 40, "-1", "1e3", "2.5", "1_000", "\u0661\u0662", "\uff11\uff12", "NaN"]
QUERY_NUMBERS = [BIG, "1" * 30, "1" * 40, "-1", "\u0661\u0662", SURROGATE_ESCAPE]
#: For the three parts of a GOV.UK date input (each a list of values for the one name).
DATES = [["", "", ""], ["1"], ["1", "", ""], ["1", "2", ""], ["", "2", "2026"], ["31", "2", "2026"], ["31/02/2026"],
         ["29", "2", "2025"], ["1", "13", "2026"], ["1", "1", "26"], [BIG, "1", "2026"], ["1", "2", "2026", "4"],
         ["\uff11", "2", "2026"], ["31", "12", "9999"]]

#: For the properties of the API's JSON body.
JSON_VALUES = [None, True, 0, -1, 10**40, 1.5, 1e300, "", " ", "x" * 20_000, "a\udcffb", "a\x00b", "1e3", "-1",
               BIG, "1" * 40, "\u0661", "NaN", [], {}, ["1"], {"a": 1}]
#: Whole bodies for the API's writes, as text on the wire.
RAW_BODIES = ['{"note": "a\\udcffb", "value": "1"}', '{"source": "\\ud800"}', '{"a\\udcffb": 1}', "[]", '"x"',
              "1", "null", "{", "[" * 5000 + "]" * 5000, '{"value": 1e400}', '{"value": NaN}', "",
              '{"value": "1", "value": "2"}']

#: WTForms' own messages: never shown to anybody (GOV.UK wording instead).
WTFORMS_DEFAULTS = ("Not a valid", "This field is required", "Field must be", "Invalid input",
                    "Field cannot be longer", "Number must be", "Invalid email", "Invalid Choice",
                    "is not a valid choice")

# --- recording what a view reads ------------------------------------------------------------------

#: The keys the last request's view asked for, of its query string and of its form.
_read: dict[str, set[str]] = {"args": set(), "form": set()}


def _recording(kind: str):
    class Recording(ImmutableMultiDict):
        """A ``MultiDict`` that remembers every key a view (or its form) asks for."""

        def __contains__(self, key):
            _read[kind].add(key)
            return super().__contains__(key)

        def get(self, key, default=None, type=None):  # noqa: A002 - MultiDict's signature
            _read[kind].add(key)
            return super().get(key, default, type)

        def getlist(self, key, type=None):  # noqa: A002
            _read[kind].add(key)
            return super().getlist(key, type)

        def __getitem__(self, key):
            _read[kind].add(key)
            return super().__getitem__(key)

    return Recording


@pytest.fixture
def recording(app):
    """``request.args`` and ``request.form`` record what is read from them."""
    original = app.request_class
    args_class = _recording("args")

    class RecordingRequest(original):
        parameter_storage_class = _recording("form")  # the form (and the files)

        @cached_property
        def args(self):
            return args_class(original.args.fget(self).items(multi=True))

    app.request_class = RecordingRequest
    yield
    app.request_class = original


# --- forms on the pages ---------------------------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # text, number, date, choice, hidden, file, password, email
    values: list[str] = field(default_factory=list)


class FormParser(HTMLParser):
    """The ``<form>`` elements of a page: action, method, and each field with the value it would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def _field(self, name: str, kind: str) -> FormField:
        fields = self._form["fields"]
        if name not in fields:
            fields[name] = FormField(name, kind)
        return fields[name]

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").upper(), "fields": {}}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset"):
                return
            if "govuk-date-input__input" in a.get("class", ""):
                self._field(name, "date").values.append(a.get("value", ""))
            elif kind in ("radio", "checkbox"):
                f = self._field(name, "choice")
                f.options = [*getattr(f, "options", []), a.get("value", "on")]
                if "checked" in a:
                    f.values.append(a.get("value", "on"))
            else:
                numeric = a.get("inputmode") == "numeric" or re.fullmatch(r"[0-9]+", a.get("value", ""))
                kind = {"text": "number" if numeric else "text"}.get(kind, kind)
                self._field(name, kind).values.append(a.get("value", ""))
        elif tag == "select":
            self._select = self._field(name, "choice")
            self._select.options = []
        elif tag == "textarea":
            self._textarea = self._field(name, "text")
            self._textarea.values.append("")

    def _option(self, a):
        self._select.options.append(a.get("value", ""))
        if "selected" in a:
            self._select.values = [a.get("value", "")]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            if not self._select.values and self._select.options:
                self._select.values = [self._select.options[0]]
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.values[-1] += data


def valid_values(f: FormField, emails: dict) -> list[str]:
    """What a person would send for the field: what the page holds, blanks filled in."""
    if f.kind == "date":
        values = f.values if len(f.values) == 3 and all(f.values) else ["1", "2", "2026"]
        return list(values)
    if f.kind == "choice":
        if f.values:
            return list(f.values)
        options = [o for o in getattr(f, "options", []) if o]
        return options[:1]
    value = f.values[0] if f.values else ""
    if value.strip():
        return [value]
    return {"email": [emails["outsider"]], "password": ["long-enough-password-1"],
            "number": ["1"], "file": []}.get(f.kind, ["Fuzz text"])


# --- sending -------------------------------------------------------------------------------------

_CONVERTER = re.compile(r"<(?:([^<>:]+)(?:\([^<>]*\))?:)?([^<>]+)>")


def build_path(rule, args: dict, override: tuple[str, str] | None = None) -> str:
    """The rule with its arguments (quoted); ``override`` puts a raw (already-encoded) segment in place."""

    def segment(match):
        name = match.group(2)
        if override and override[0] == name:
            return override[1]
        return quote(str(args[name]), safe="")

    return _CONVERTER.sub(segment, rule.rule)


def _encode(value) -> str:
    return quote(value if isinstance(value, bytes) else value.encode("utf-8"), safe="")


def encode_pairs(pairs) -> bytes:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs).encode("ascii")


@dataclass
class Outcome:
    label: str
    status: int


def permitted(response) -> bool:
    """Whether the request got past the permission checks (so its values reached the view's code)."""
    return response is not None and response.status_code not in (401, 403, 404, 405) and not (
        response.status_code == 302 and response.headers.get("Location", "").startswith("/sign-in"))


class Fuzzer:
    """Sends one actor's requests and collects every failure, so one run lists them all.

    The team member and the facilitator share the hostile values of a route both may use: the team
    member sends the even ones, the facilitator the odd ones (the facilitator all of them where a team
    member is refused), so that together they send every value once and the test stays short.
    """

    def __init__(self, app, client, actor: str, w: Ids, login, *, half: int | None = None, peer=None):
        self.app, self.client, self.actor, self.w, self.login = app, client, actor, w, login
        self.user = getattr(w.world, actor)
        self.failures: list[str] = []
        self.count = 0
        self.forms: dict[str, dict[str, FormField]] = {}  # action path → fields
        self.token = None
        self.half, self.peer, self.peer_token = half, peer, None
        self.signed_out = False

    def shared(self, probe, send_as_peer) -> bool:
        """Whether the other actor sends the other half of this route's values."""
        if self.half == 0:
            return permitted(probe)
        if self.half == 1:
            return permitted(send_as_peer())
        return False

    # the requests

    def send(self, label: str, method: str, path: str, query: list = (), *, form: list | None = None,
             files: dict | None = None, body: bytes | str | None = None, content_type: str | None = None,
             headers: dict | None = None, as_peer: bool = False):
        _read["args"].clear()
        _read["form"].clear()
        headers = dict(headers or {})
        token = self.peer_token if as_peer else self.token
        if path.startswith("/api/") and token:
            headers["Authorization"] = f"Bearer {token}"
        url = path + ("?" + encode_pairs(query).decode() if query else "")
        kwargs = {}
        if files is not None:
            kwargs["data"] = files
        elif form is not None:
            kwargs["data"] = encode_pairs(form)
            kwargs["content_type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            kwargs["data"] = body.encode("utf-8") if isinstance(body, str) else body
            kwargs["content_type"] = content_type or "application/json"
        self.count += 1
        try:
            client = self.peer if as_peer else self.client
            response = client.open(url, method=method, headers=headers, **kwargs)
        except Exception as error:  # noqa: BLE001 - a crash that escaped the app is a failure too
            self.failures.append(f"{label}: {method} {url[:200]} raised {error!r}"[:400])
            return None
        self.check(f"{label}: {method} {url[:200]}", response)
        if not as_peer and response.status_code == 302 and response.headers["Location"].startswith("/sign-in"):
            self.signed_out = True
        return response

    def check(self, label: str, response) -> None:
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{label} → {status}")
            return
        if response.mimetype != "text/html":
            return
        text = response.get_data(as_text=True)
        if "govuk-error-summary" in text:
            title = re.search(r"<title[^>]*>\s*(.*?)\s*</title>", text, re.S)
            if title is not None and not title.group(1).startswith("Error:"):
                self.failures.append(f"{label} → {status}: an error summary under the title {title.group(1)!r}")
        defaults = [d for d in WTFORMS_DEFAULTS if d in text]
        if defaults:
            self.failures.append(f"{label} → {status}: WTForms' default message {defaults}")

    def still_signed_in(self) -> None:
        """A fuzzed sign-out (or anything else) that ended the session: start a new one."""
        if self.signed_out:
            db.session.rollback()
            db.session.execute(delete(LoginFailure))  # the fuzzed sign-ins' failures would block it
            db.session.commit()
            self.login(self.client, self.user)
            self.signed_out = False

    # discovery

    def page(self, path: str, query: list, response) -> None:
        if response is None or response.mimetype != "text/html" or response.status_code >= 300:
            return
        parser = FormParser()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = urlsplit(form["action"]).path or path
            target = self.forms.setdefault(f"{form['method']} {action}", {})
            for name, f in form["fields"].items():
                target.setdefault(name, f)

    @staticmethod
    def read_keys(kind: str) -> set[str]:
        return {k for k in _read[kind] if k not in ("csrf_token", "_probe")}


def _valid_args(app, rule, w: Ids) -> tuple[dict, list]:
    """Valid path arguments (organisation B's objects) and the query string the matrix would use."""
    url = url_for_endpoint(app, rule.endpoint, w)
    adapter = app.url_map.bind("localhost")
    parts = urlsplit(url)
    method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    _endpoint, args = adapter.match(parts.path, method=method)
    query = [tuple(p.split("=", 1)) for p in parts.query.split("&") if p] if parts.query else []
    return args, query


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"}, key=lambda m: (m != "GET", m))


def fuzz_rule(fz: Fuzzer, rule, args: dict, query: list) -> None:
    w = fz.w
    path = build_path(rule, args)
    is_api = rule.endpoint.startswith("api.")
    for index, method in enumerate(_methods(rule)):
        label = f"{rule.endpoint} as {fz.actor}"
        fields = fz.forms.get(f"{method} {path}", {}) if method != "GET" else {}
        baseline = [(f.name, v) for f in fields.values() for v in valid_values(f, w.emails)]

        def send(label, q=query, form=None, p=path, method=method, baseline=baseline, **kw):
            if method == "GET":
                return fz.send(label, method, p, q, **kw)
            if is_api and "body" not in kw:
                kw["body"] = json.dumps({"value": "1"})
            elif form is None and "body" not in kw and "files" not in kw:
                form = [*baseline, ("_probe", "1")]  # never empty, so the form reads its fields
            return fz.send(label, method, p, q, form=form, **kw)

        # The probe: a valid request, recording what the view reads.
        probe = send(f"{label} (valid)")
        fz.page(path, query, probe)
        query_names = sorted({k for k, _v in query} | fz.read_keys("args")
                             | (set(fz.forms.get(f"GET {path}", {})) if method == "GET" else set()))
        form_names = sorted(set(fields) | fz.read_keys("form")) if method != "GET" else []
        if fz.shared(probe, lambda label=label: send(f"{label} (valid, as the team member)", as_peer=True)):
            def mine(values):
                return values[fz.half::2]
        else:
            def mine(values):
                return values

        # Path parameters (through the first method: the object is loaded before anything else).
        if index == 0:
            for name, converter in rule._converters.items():
                values = PATH_INT if isinstance(converter, IntegerConverter) else PATH_STRING
                for value in mine(values):
                    send(f"{label}, path <{name}>={value[:40]}", p=build_path(rule, args, (name, value)))

        # Query arguments.
        for name in query_names:
            others = [(k, v) for k, v in query if k != name]
            for value in mine([*TEXT, *QUERY_NUMBERS]):
                send(f"{label}, ?{name}={value[:40]!r}", q=[*others, (name, value)])
            send(f"{label}, ?{name} twice", q=[*others, (name, "1"), (name, "2")])

        if method == "GET" or is_api:
            continue
        # Form fields. Fields of one kind share the kind's values: each number field of a form takes its
        # turn of the numbers (all of them when it is the form's only one), so that every number is sent
        # to every form however many number fields it has.
        kinds = {name: (fields.get(name) or FormField(name, "number")).kind for name in form_names}
        numeric = [name for name in form_names if kinds[name] in ("number", "hidden")]
        turn = max(3, -(-len(NUMBERS) // max(len(numeric), 1)))
        for name in form_names:
            f = fields.get(name) or FormField(name, "number")
            others = [(k, v) for k, v in baseline if k != name]
            values = [[v] for v in TEXT]
            if f.kind in ("number", "hidden"):
                start = numeric.index(name) * turn
                values += [[NUMBERS[(start + i) % len(NUMBERS)]] for i in range(min(turn, len(NUMBERS)))]
            elif f.kind == "choice":  # compared with the choices: one number past any id is enough
                values += [[BIG], ["-1"]]
            if f.kind == "date":
                values += DATES
            values += [[], ["1", "2"]]  # left out; sent twice
            for value in mine(values):
                send(f"{label}, {name}={[v[:40] for v in value]!r}", form=[*others, *[(name, v) for v in value]])
        # Wrong types: files where text is expected, JSON to a form, bytes that are not UTF-8.
        if form_names:
            send(f"{label}, every field as a file", files={n: (io.BytesIO(b"x"), "x.txt") for n in form_names})
        send(f"{label}, a JSON object body", body=json.dumps(dict.fromkeys(form_names, 1) or {"x": 1}))
        send(f"{label}, a JSON list body", body="[1, 2]")
        send(f"{label}, a body that is not UTF-8", body=b"a=\xff\xfe&b",
             content_type="application/x-www-form-urlencoded")


def fuzz_api_body(fz: Fuzzer, rule, args: dict) -> None:
    """The API's writes: every body property of the OpenAPI description as every JSON type, and
    whole bodies that are not what they should be."""
    path = build_path(rule, args)
    schema = SCHEMAS["FigureInput"]
    baseline = {"value": "1", "note": "Fuzz", "source": "Fuzz"}
    label = f"{rule.endpoint} as {fz.actor}"
    for method in _methods(rule):
        valid = json.dumps(baseline)
        probe = fz.send(f"{label}, a valid body", method, path, body=valid)
        shared = fz.shared(probe, lambda method=method, valid=valid: fz.send(
            f"{label}, a valid body (as the team member)", method, path, body=valid, as_peer=True))
        step, first = (2, fz.half) if shared else (1, 0)
        for name in schema["properties"]:
            for value in JSON_VALUES[first::step]:
                body = json.dumps({**baseline, name: value})
                fz.send(f"{label}, body {name}={str(value)[:40]!r}", method, path, body=body)
        for body in RAW_BODIES[first::step]:
            fz.send(f"{label}, raw body {body[:40]!r}", method, path, body=body)
        fz.send(f"{label}, body not UTF-8", method, path, body=b'{"note": "\xff"}')
        fz.send(f"{label}, body as a form", method, path, body=b"value=1",
                content_type="application/x-www-form-urlencoded")


#: Each actor, the rules it fuzzes, and which half of the shared values it sends.
ACTOR_RULES = {
    # Team members and facilitators use every page; the site administrator's own pages are the accounts.
    "team_b": lambda rule: True,
    "facilitator": lambda rule: True,
    "admin": lambda rule: rule.endpoint.startswith("accounts."),
}
#: The team member sends the even values of a route both may use, the facilitator the odd ones.
HALVES = {"team_b": 0, "facilitator": 1}

#: Each actor's shards: each shard's blueprints, or ``None`` for every blueprint that none of the actor's
#: other shards names (a new blueprint goes there). Grouped so that an actor's shards take similar times
#: (measured with the times printed below, on SQLite: the facilitator's 7-10 s each, the team member's 4-9 s,
#: of which 1-2 s go to the other shards' pages): the blueprints with many routes alone, the small ones
#: together. The site administrator's few routes are one shard.
ACTOR_SHARDS: dict[str, dict[str, frozenset[str] | None]] = {
    "team_b": {
        "board": frozenset({"board"}),
        "assessments": frozenset({"assessments"}),
        "audits": frozenset({"audits"}),
        "surveys-insights-results": frozenset({"surveys", "insights", "results"}),
        "others": None,  # checkins, programmes, accounts, api, exchange, tokens, scheduler and any new one
    },
    "facilitator": {
        "board": frozenset({"board"}),
        "surveys": frozenset({"surveys"}),
        "checkins": frozenset({"checkins"}),
        "audits": frozenset({"audits"}),
        "assessments": frozenset({"assessments"}),
        "programmes-insights": frozenset({"programmes", "insights"}),
        "others": None,  # results, accounts, api, exchange, tokens, scheduler and any new one
    },
    "admin": {"all": None},
}


def blueprint(rule) -> str:
    return rule.endpoint.split(".", 1)[0]


def in_shard(actor: str, shard: str, rule) -> bool:
    """Whether the actor fuzzes ``rule`` in ``shard``: one that names its blueprint, or the one that takes
    every blueprint no other shard names."""
    shards = ACTOR_SHARDS[actor]
    if shards[shard] is not None:
        return blueprint(rule) in shards[shard]
    return not any(blueprints and blueprint(rule) in blueprints for blueprints in shards.values())


def actor_rules(app, actor: str) -> list:
    """The actor's rules in the order they are fuzzed: pages first (their forms give the valid values of
    the posts that follow), sign-out and removals last."""
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static" and ACTOR_RULES[actor](r)),
                  key=lambda r: ("GET" not in r.methods, "sign_out" in r.endpoint, "remove" in r.endpoint,
                                 r.endpoint))


@pytest.mark.parametrize(("actor", "shard"), [(actor, shard) for actor in ACTOR_RULES for shard in ACTOR_SHARDS[actor]])
def test_no_input_gives_a_server_error(app, world, login, recording, actor, shard):
    started, cpu = time.monotonic(), time.process_time()
    w = Ids(world)
    client = login(IsolatedClient(app, app.response_class, use_cookies=True), getattr(world, actor))
    half, peer = HALVES.get(actor), None
    if actor == "facilitator":
        peer = login(IsolatedClient(app, app.response_class, use_cookies=True), world.team_b)
    fz = Fuzzer(app, client, actor, w, login, half=half, peer=peer)
    _row, fz.token = api_services.create_token(getattr(world, actor), "Fuzz")
    _row, fz.peer_token = api_services.create_token(world.team_b, "Fuzz too")
    db.session.commit()
    routes = pages = visits = 0
    for rule in actor_rules(app, actor):
        own = in_shard(actor, shard, rule)
        if not own and "GET" not in rule.methods:
            continue
        args, query = _valid_args(app, rule, w)
        if own:
            fuzz_rule(fz, rule, args, query)
            if rule.endpoint.startswith("api.") and "PUT" in rule.methods:
                fuzz_api_body(fz, rule, args)
            routes += 1
        else:  # another shard's page: only its forms, for the posts of this shard
            before = fz.count
            path = build_path(rule, args)
            fz.page(path, query, fz.send(f"{rule.endpoint} as {actor} (valid, for its forms)", "GET", path, query))
            visits += fz.count - before
            pages += 1
        fz.still_signed_in()
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    fuzzed = fz.count - visits
    print(f"\n{actor} [{shard}]: {fuzzed} requests to {routes} routes, {visits} to other shards' {pages} pages, "
          f"in {elapsed:.1f} s ({cpu:.1f} s CPU), {len(fz.failures)} failures")
    assert fuzzed > routes > 0, "beyond a valid request to each of its routes, the shard sent hostile values"
    assert not fz.failures, f"{len(fz.failures)} failures:\n" + "\n".join(fz.failures[:300])


def test_the_shards_partition_the_rules(app):
    """Every rule an actor fuzzes is in exactly one of its shards (a new blueprint's in the shard for the
    blueprints not named), and no shard is empty."""
    for actor, shards in ACTOR_SHARDS.items():
        assert list(shards.values()).count(None) == 1, f"{actor}: one shard takes the blueprints not named"
        rules = actor_rules(app, actor)
        new = Rule("/a-new-page", endpoint="a_new_blueprint.page")
        for rule in [*rules, new]:
            homes = [shard for shard in shards if in_shard(actor, shard, rule)]
            assert len(homes) == 1, f"{actor}: {rule.endpoint} is in the shards {homes}"
        for shard in shards:
            assert any(in_shard(actor, shard, rule) for rule in rules), f"{actor}'s shard {shard} fuzzes nothing"


def test_a_new_route_is_fuzzed_without_changes_here(app):
    """The fuzzer reads the URL map: every rule but ``static`` is somebody's, every converter handled."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        assert any(select(rule) for select in ACTOR_RULES.values()), rule
        assert set(rule._converters) == {m.group(2) for m in _CONVERTER.finditer(rule.rule)}, rule.rule

