"""The answers sent without reading first are checked without building the form (``respond.checked_values``):
for any posted data, exactly the answers the form accepts, as the same rows, and ``None`` wherever the form
would show an error. Property-based: hypothesis draws surveys of every kind of question and posts of valid,
invalid, blank, repeated and missing values."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tracker.surveys import respond
from tracker.surveys.models import QuestionKind

KINDS = list(QuestionKind)


@st.composite
def surveys(draw):
    asked = []
    for n in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(KINDS))
        choices = tuple(f"Option {i}" for i in range(draw(st.integers(2, 4)))) if kind in (
            QuestionKind.SINGLE, QuestionKind.MULTIPLE) else ()
        asked.append(respond.Asked(n + 1, kind, f"Question {n + 1}", "", draw(st.booleans()), choices,
                                   kind == QuestionKind.SCALE and draw(st.booleans())))
    return asked


#: What people (and people's tools) post: blanks, spaces, words, new lines, text just under and over the
#: limit, and (below) each question's own points, alone and padded.
ANYTHING = st.one_of(st.sampled_from(["", " ", "0", "10", "11", "-1", "1.0", "yes", "a\r\nb"]), st.text(max_size=8),
                     st.sampled_from(["x" * respond.MAX_TEXT, "y" * (respond.MAX_TEXT + 1),
                                      "z" * respond.MAX_TEXT + " "]))


def values_for(question):
    points = sorted(respond._points(question)) if question.kind != QuestionKind.TEXT else ["Fine", " Fine "]
    own = st.sampled_from(points)
    return st.one_of(own, own, own.map(lambda v: " " + v), own.map(lambda v: v + " "), own.map(lambda v: "0" + v),
                     st.sampled_from(["", " ", "\r\n"]),
                     ANYTHING)


@st.composite
def posts(draw, asked):
    pairs = []
    for question in asked:
        for _ in range(draw(st.integers(0, 3))):  # missing, once, or repeated
            pairs.append((respond.field_name(question), draw(values_for(question))))
    return MultiDict(draw(st.permutations(pairs)) if pairs else [])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_check_gives_what_the_form_gives(app, data):
    asked = data.draw(surveys())
    posted = data.draw(posts(asked))
    with app.test_request_context(method="POST"):
        form = respond.answer_form(asked, formdata=posted, meta={"csrf": False})
        expected = respond.answer_values(form, asked) if form.validate() else None
        assert respond.checked_values(posted, asked) == expected, (posted, form.errors)


def test_an_optional_choice_left_as_spaces_is_no_answer(app):
    """(Once a 500: the form accepts it, and its answer was read as a number.)"""
    likert = respond.Asked(1, QuestionKind.LIKERT, "The changes help", "", False, (), False)
    with app.test_request_context(method="POST"):
        form = respond.answer_form([likert], formdata=MultiDict([("q1", " ")]), meta={"csrf": False})
        assert form.validate() and respond.answer_values(form, [likert]) == []
