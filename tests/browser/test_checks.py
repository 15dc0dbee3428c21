"""The checks every visited page goes through find what they are meant to find (and nothing on a sound page)."""

from tests.browser.conftest import page_problems

SOUND = """<!DOCTYPE html><html lang="en"><head><title>Error: Add a card</title>
<style>body { margin: 0; } .scroll { overflow-x: auto; position: relative; }</style></head><body>
<main><h1>Add a card</h1>
<div class="govuk-error-summary"><h2>There is a problem</h2></div>
<p>Fish &amp; chips &lt;3 – shown as the characters they are.</p>
<fieldset><legend>Priority</legend><input type="radio" id="p" name="p"><label for="p">High</label></fieldset>
<details><summary>More</summary><fieldset><legend>Owners</legend></fieldset></details>
<div class="scroll"><table style="width: 2000px"><tr><td>Wide<span style="position: absolute">hidden</span></td></tr>
</table></div>
<code>a-very-long-command-that-wraps-anywhere-rather-than-widening-the-page</code>
</main></body></html>"""

BROKEN = """<!DOCTYPE html><html lang="en"><head><title>Add a card</title>
<style>body { margin: 0; } .scroll { overflow-x: auto; }</style></head><body>
<main><h1>Add a card</h1>
<div class="govuk-error-summary"><h2>There is a problem</h2></div>
<p>&lt;p class="govuk-notification-banner__heading"&gt;Card moved&lt;/p&gt;</p>
<p>Tom &amp;amp; Jerry</p>
<fieldset><legend class="govuk-fieldset__legend--s"></legend><input type="radio" id="k" name="k"></fieldset>
<details><summary>More</summary><fieldset><input type="checkbox"></fieldset></details>
<div class="scroll"><table><tr><td>Cell<span id="escapee" style="position: absolute; left: 1500px">hidden</span>
</td></tr></table></div>
<div id="wide" style="width: 900px">A box wider than a phone</div>
</main></body></html>"""


def test_a_sound_page_has_no_problems(page):
    page.set_content(SOUND)
    assert page_problems(page) == []


def test_each_kind_of_problem_is_found(page):
    page.set_viewport_size({"width": 1000, "height": 700})
    page.set_content(BROKEN)
    problems = "\n".join(page_problems(page))
    assert 'markup in the text of p: "<p class=' in problems
    assert "&amp;" in problems  # double-escaped text
    assert problems.count("a fieldset without a legend") == 2  # one shown, one in a closed details
    assert 'an error summary under a title without "Error: ": "Add a card"' in problems
    assert "at 320 px, the page is" in problems and "div#wide sticks out" in problems
    # An absolutely positioned element escapes an unpositioned scroll box: the page scrolls at 1,280 too.
    assert "at 1280 px, span#escapee sticks out" in problems
    assert page.viewport_size == {"width": 1000, "height": 700}, "the viewport is restored"
