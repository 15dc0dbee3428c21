"""Browser tests: a live server on the session's app, Chromium through pytest-playwright; every page checked.

Every page a test opens (``visit``) or checks (``axe``) gets axe-core (WCAG 2.2 A/AA and best practice) and
the checks axe does not make: no markup in the visible text, a legend in every fieldset, no sideways
scrolling at 320 and 1,280 px outside a scroll container, an "Error: " title with an error summary. A
full-page screenshot of each is saved at 1,280 and 375 px into ``tests/browser/screenshots/`` (ignored by
git), to be looked at.

Data is made with ``tests.factories`` inside the app context the autouse fixture in ``tests/conftest.py``
pushes; the factories commit, so the server thread (its own app context, its own session) sees it. The
same autouse fixture empties every table after each test. CSRF protection is switched on for these tests
(the autouse fixture switches it off again), so the forms' hidden tokens and htmx's ``X-CSRFToken``
header are exercised for real.
"""

import json
import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests import factories
from tests.browser.welsh import english_fragments, welsh_problems
from tracker.extensions import db

HERE = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
AXE_SOURCE = (HERE / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
#: Where each checked page's screenshots go (ignored by git); emptied when the session takes its first one.
SCREENSHOTS = HERE / "screenshots"
#: Widths the page must fit without scrolling sideways; widths it is photographed at.
FIT_WIDTHS = (320, 1280)
SCREENSHOT_WIDTHS = (1280, 375)

expect.set_options(timeout=10_000)  # generous: the suite also runs on busy CI machines


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser is marked ``browser`` (deselect them with ``-m "not browser"``)."""
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


# --- the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium); the browser tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " – browser tests are never skipped under CI", pytrace=False)
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"],
    }


def _cached(start_response):
    """Let the browser keep static files for the session instead of revalidating them on every page."""

    def _start_response(status, headers, exc_info=None):
        headers = [(k, v) for k, v in headers if k.lower() != "cache-control"] + [("Cache-Control", "max-age=3600")]
        return start_response(status, headers, exc_info)

    return _start_response


def _buffered(wsgi_app):
    """Read each response whole, and close it, before werkzeug writes it to the socket.

    When the browser drops a connection mid-response (a navigation that cancels a stylesheet's load),
    werkzeug's development server can skip closing the response, leaving a static file open: a
    ResourceWarning, which is an error under ``filterwarnings = error``. Static files are also sent
    with a max-age, which saves a handful of requests on every page.
    """

    def app(environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/static/"):
            start_response = _cached(start_response)
        iterable = wsgi_app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            if hasattr(iterable, "close"):
                iterable.close()

    return app


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app served on a free local port by a threaded werkzeug server."""
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, base_url):
    # The app's CSP (script-src 'self' 'nonce-…') blocks an injected inline script: bypass it so axe can run.
    return {**browser_context_args, "base_url": base_url, "bypass_csp": True, "locale": "en-GB",
            "timezone_id": "Europe/London", "viewport": {"width": 1440, "height": 1000}}


@pytest.fixture(autouse=True)
def _csrf_on(app):
    """Real CSRF checks in the browser (tests/conftest.py switches them off again after each test)."""
    app.config["WTF_CSRF_ENABLED"] = True


# --- axe -----------------------------------------------------------------------------------------


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']} – {violation['helpUrl']}")
        for node in violation["nodes"]:
            summary = " ".join(line.strip() for line in node.get("failureSummary", "").splitlines())
            lines.append(f"    {json.dumps(node['target'])}: {summary}")
    return "\n".join(lines)


def _axe_defined(page: Page) -> bool:
    return page.evaluate("() => typeof window.axe !== 'undefined'")


def run_axe(page: Page) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules, and best practice) on the page as it is now."""
    return _run_axe(_scripted(page))


def _run_axe(page: Page) -> list[dict]:
    if not _axe_defined(page):
        page.add_script_tag(content=AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS)
    return result["violations"]


#: One page with JavaScript on per browser, where copies of pages from contexts without JavaScript are checked.
_copy_pages: dict[int, Page] = {}


def _scripted(page: Page) -> Page:
    """The page itself, or, when JavaScript is off in its context (axe cannot run there), a copy of its DOM.

    The copy (its scripts removed, so it stays as a browser without JavaScript shows it; its stylesheets
    loaded from the live server through a ``<base>``) goes into a page with JavaScript on, at the same
    viewport size, where axe and the other checks run.
    """
    if _axe_defined(page):
        return page
    page.add_script_tag(content=AXE_SOURCE)
    if _axe_defined(page):
        return page
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S | re.I)
    html = re.sub(r"(<head[^>]*>)", lambda m: f'{m.group(1)}<base href="{page.url}">', html, count=1, flags=re.I)
    browser = page.context.browser
    copy = _copy_pages.get(id(browser))
    if copy is None or copy.is_closed():
        copy = browser.new_context(bypass_csp=True, viewport=page.viewport_size).new_page()
        _copy_pages[id(browser)] = copy
    copy.set_viewport_size(page.viewport_size)
    copy.set_content(html, wait_until="load")
    return copy


# --- what axe does not check ---------------------------------------------------------------------

#: A CSS-like name of an element, for the messages.
_WHERE = """(el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    return el.tagName.toLowerCase() + id + cls;
}"""

#: Problems on the page as it is, each as a sentence naming what is wrong and where.
_PAGE_PROBLEMS = """(where) => {
    const problems = [];
    // Every text node a person can be shown (in a closed details or a hidden tab too), not scripts or fields.
    const markup = /.{0,40}(<\\/?[a-zA-Z][^\\s>]*|&(?:lt|gt|amp|quot|#\\d+|#x[0-9a-fA-F]+);).{0,40}/;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: (node) =>
        node.parentElement.closest('script, style, template, textarea') ? NodeFilter.FILTER_REJECT
            : NodeFilter.FILTER_ACCEPT});
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const found = node.data.match(markup);
        if (found) problems.push(`markup in the text of ${where(node.parentElement)}: ${JSON.stringify(found[0])}`);
    }
    const shown = (el) => el.checkVisibility() ? el.innerText : el.textContent;
    document.querySelectorAll('fieldset').forEach((fieldset) => {
        const legend = fieldset.querySelector(':scope > legend');
        if (!legend || !shown(legend).trim()) problems.push('a fieldset without a legend: ' + where(fieldset)
            + ' (' + JSON.stringify(shown(fieldset).trim().replace(/\\s+/g, ' ').slice(0, 60)) + ')');
    });
    const summary = document.querySelector('.govuk-error-summary');
    if (summary && summary.offsetParent !== null && !document.title.startsWith('Error: ')) {
        problems.push('an error summary under a title without "Error: ": ' + JSON.stringify(document.title));
    }
    return problems;
}"""

#: Whether the page (or anything on it outside a scroll container) is wider than the viewport.
_OVERFLOW = """(where) => {
    const width = document.documentElement.clientWidth;
    const problems = [];
    if (document.documentElement.scrollWidth > width) {
        problems.push(`the page is ${document.documentElement.scrollWidth} px wide`);
    }
    // Inside a scroll (or clipping) container: one in its containing block chain. An absolutely positioned
    // element (a visually hidden text) is not clipped by an unpositioned container around it.
    const scrolls = (el) => {
        let style = getComputedStyle(el);
        if (style.position === 'fixed') return false;
        let absolute = style.position === 'absolute';
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
            style = getComputedStyle(up);
            if (absolute && style.position === 'static' && style.transform === 'none') continue;
            if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) return true;
            absolute = style.position === 'absolute' || style.position === 'fixed';
        }
        return false;
    };
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (!box.width || !box.height) continue;
        const left = box.left + window.scrollX, right = box.right + window.scrollX;
        if ((right > width + 1 || left < -1) && !scrolls(el)) out.push([el, left, right]);
    }
    // The innermost elements say where the problem is; their ancestors only stick out because of them.
    const innermost = out.filter(([el]) => !out.some(([other]) => other !== el && el.contains(other)));
    innermost.slice(0, 8).forEach(([el, left, right]) => {
        const text = JSON.stringify((el.innerText || el.textContent || '').trim().slice(0, 50));
        problems.push(`${where(el)} sticks out (${Math.round(left)} to ${Math.round(right)} px): ${text}`);
    });
    return problems;
}"""


def page_problems(page: Page) -> list[str]:
    """What is wrong with the page beyond axe's rules, at its current size and at the widths it must fit."""
    where = page.evaluate_handle(f"() => {_WHERE}")
    size = page.viewport_size
    try:
        problems = page.evaluate(_PAGE_PROBLEMS, where)
        for width in FIT_WIDTHS:
            page.set_viewport_size({"width": width, "height": size["height"]})
            problems += [f"at {width} px, {problem}" for problem in page.evaluate(_OVERFLOW, where)]
    finally:
        page.set_viewport_size(size)
        where.dispose()
    return problems


_screenshots_emptied = False


def _empty_screenshots() -> None:
    """Remove the screenshots of earlier runs: every one when the suite runs in one process, and under
    pytest-xdist only those older than the run (``TRACKER_TEST_RUN_STARTED``, set by the controller before
    the workers start), so one worker does not remove another's."""
    started = float(os.environ.get("TRACKER_TEST_RUN_STARTED") or 0)
    if not os.environ.get("PYTEST_XDIST_WORKER") or not started:
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
        return
    for picture in SCREENSHOTS.glob("*.png"):
        try:
            if picture.stat().st_mtime < started:
                picture.unlink()
        except FileNotFoundError:  # the other worker removed it first
            pass


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "page"


def save_screenshots(page: Page, name: str, widths: tuple[int, ...] = SCREENSHOT_WIDTHS) -> None:
    """A full-page screenshot at each of ``widths``, as ``NAME-WIDTH.png``; the viewport is restored."""
    global _screenshots_emptied
    if not _screenshots_emptied:
        _empty_screenshots()
        _screenshots_emptied = True
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": size["height"]})
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True, animations="disabled",
                            caret="initial")
    finally:
        page.set_viewport_size(size)


#: Views already checked in this session: (path with numbers as "N", who is signed in, JavaScript on).
_checked_views: set[tuple] = set()


def _view(page: Page) -> tuple:
    path = page.url.split("://", 1)[-1].partition("/")[2].partition("#")[0]
    who = page.evaluate("() => document.querySelector('.app-account-bar strong')?.textContent || ''")
    scripted = "js-enabled" in (page.locator("body").get_attribute("class") or "")
    return re.sub(r"\d+", "N", path), who, scripted


_screenshot_names: set[str] = set()


def _screenshot_name(view: tuple, what: str) -> str:
    path, who, scripted = view
    name = f"{_slug(what or path)}--{_slug(who) if who else 'signed-out'}"
    name += "" if scripted else "--no-js"
    base, n = name, 1
    while name in _screenshot_names:
        n += 1
        name = f"{base}--{n}"
    _screenshot_names.add(name)
    return name


def _check(page: Page, label: str, name: str, widths: tuple[int, ...] = SCREENSHOT_WIDTHS) -> None:
    """axe-core and ``page_problems`` on the page as it is now; its screenshots saved as ``name``."""
    checked = _scripted(page)
    violations = _run_axe(checked)
    if violations:
        print(f"axe: {len(violations)} violation(s) on {label}:\n{format_violations(violations)}")
    problems = page_problems(checked)
    save_screenshots(checked, name, widths)
    assert not violations, f"axe found violations on {label}:\n{format_violations(violations)}"
    assert not problems, f"problems on {label}:\n" + "\n".join(f"    {problem}" for problem in problems)


@pytest.fixture
def axe():
    """``axe(page, what)`` checks the page as it is now: axe-core finds no WCAG 2.2 A/AA or best-practice
    violations, and ``page_problems`` finds nothing; and saves its screenshots.

    With ``once=True`` (a page just opened, not changed by the test) a view already checked in this
    session (same path pattern, same person, JavaScript on or off) is not checked again. Returns the
    screenshots' name when the page was checked, ``None`` when it was skipped.
    """

    def _axe(page: Page, what: str = "", *, once: bool = False) -> str | None:
        label = what or page.url
        view = _view(page)
        if once and view in _checked_views:
            return None
        name = _screenshot_name(view, what)
        _check(page, label, name)
        if once:
            _checked_views.add(view)
            # A respondent's page is reached by a one-use link that sends the browser on (``page.goto``, not
            # ``visit``): it is checked in Welsh at the address it ended on, in the respondent's session.
            path = "/" + view[0]
            if WELSH_PASS and path.startswith("/s/"):
                check_welsh(page, page.url, 200, name)
        return name

    return _axe


#: The Welsh pass runs once, on SQLite: a page's language does not depend on the database.
WELSH_PASS = not os.environ.get("TEST_DATABASE_URL")
#: Seconds spent in the Welsh pass, and the pages it checked (said at the end of the run).
_welsh_time = [0.0, 0]


def check_welsh(page: Page, path: str, status: int, name: str) -> None:
    """Open ``path`` again in Welsh (a new page of the same context, ``Accept-Language: cy``: the people the
    tests sign in have no language of their own and no language cookie) and check it: the same status, axe
    and ``page_problems``, ``lang="cy"`` and no English UI string (``welsh_problems``)."""
    started = time.monotonic()
    welsh = page.context.new_page()
    try:
        welsh.set_viewport_size(page.viewport_size)
        # Chromium sends the context's locale ("en-GB") as Accept-Language on navigations, whatever extra
        # headers say (only subresources get those): the page's own requests get the header by a route.
        welsh.route(lambda url: "/static/" not in url,
                    lambda route, request: route.continue_(headers={**request.headers, "accept-language": "cy"}))
        response = welsh.goto(path)
        assert response is not None and response.status == status, f"{path} in Welsh: {response and response.status}"
        _check(welsh, f"{path} in Welsh", f"{name}--cy", widths=(1280,))
        problems = welsh_problems(welsh)
        assert not problems, f"{path} in Welsh:\n" + "\n".join(f"    {problem}" for problem in problems)
    finally:
        welsh.close()
        _welsh_time[0] += time.monotonic() - started
        _welsh_time[1] += 1


def pytest_terminal_summary(terminalreporter):
    if _welsh_time[1]:
        terminalreporter.write_line(f"Welsh pass: {_welsh_time[1]} page(s) in {_welsh_time[0]:.0f} s")


@pytest.fixture
def visit(axe):
    """``visit(page, path)`` opens a page, checks it answered ``status``, and checks it with ``axe`` (once per
    view); a view checked for the first time is then opened and checked in Welsh too (``check_welsh``)."""

    def _visit(page: Page, path: str, *, status: int = 200):
        response = page.goto(path)
        assert response is not None and response.status == status, f"{path}: {response and response.status}"
        name = axe(page, path, once=True)
        respondent = page.url.split("://", 1)[-1].partition("/")[2].startswith("s/")  # axe did it in Welsh
        if name is not None and WELSH_PASS and not respondent:
            check_welsh(page, path, status, name)
        return response

    return _visit


@pytest.fixture(scope="session", autouse=True)
def _english_fragments():
    """The catalogue's English fragments, read once per session (before the first page is opened)."""
    if WELSH_PASS:
        english_fragments()


# --- people and sessions -------------------------------------------------------------------------


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the sign-in page"
    return match.group(1)


@pytest.fixture
def sign_in(base_url):
    """``sign_in(context, user)`` signs a browser context in by posting the sign-in form over HTTP.

    (The sign-in form itself is driven through the browser in test_pages.py.)
    """

    def _sign_in(context, user, password=factories.PASSWORD):
        page = context.request.get(f"{base_url}/sign-in")
        token = _token(page.text())
        response = context.request.post(f"{base_url}/sign-in", form={
            "csrf_token": token, "email": user.email, "password": password, "next": ""}, max_redirects=0)
        assert response.status == 302, response.text()[:500]
        return context

    return _sign_in


@pytest.fixture
def fresh(app):
    """``fresh(obj)`` re-reads an object from the database (what the server wrote, not the identity map)."""

    def _fresh(obj):
        db.session.rollback()
        db.session.expire_all()
        return db.session.get(type(obj), obj.id)

    return _fresh
