"""What a reporter must not miss on the page: undated quotes, procedural lines, warnings, dates the
archive does not cover, one name per outlet, internal names behind "Details" (issue 15)."""

from __future__ import annotations

import dataclasses

from rag.answer import answer_question, build_answer, to_json
from rag.cite import citation_line_for
from rag.filters import make_filters
from rag.quoting import Quote, statements_first
from rag.ui.cards import UNDATED_FLAG, render_answer
from rag.ui.facts import corpus_facts, header_html
from tests.unit.ui.answers import make_answer, make_retriever, make_source

UNDATED_TEXT = ("CCTV: What about the Global South?\n"
                "Mao Ning: First paragraph of the answer. China is a natural member of the Global South. More.\n")


def test_undated_citation_is_flagged_on_card_and_in_copied_line():
    src = make_source(UNDATED_TEXT, "u.txt", date=None)
    answer = make_answer(src)
    c = answer.citations[0]
    assert c.date is None
    line = citation_line_for(c)
    assert line.endswith("(Date not established — check before publishing.)")
    html, md = render_answer(answer)
    assert UNDATED_FLAG in html and "Date unknown" not in html
    assert "Date not established — check before publishing" in md


def test_internal_names_are_behind_details_and_local_transcripts_say_so():
    answer = make_answer(make_source(name="000_internal.txt", url=None))
    html, _ = render_answer(answer)
    details = html.index('<details class="ss-details">')
    assert html.index("000_internal.txt") > details  # the file name appears only inside "Details"
    assert "characters" not in html[:details]
    assert "Local transcript" in html


def test_procedural_quotes_come_after_statements_and_are_marked():
    text = ("Regular Press Conference on July 26, 2023\n"
            "AFP: Will the minister visit Xanadu for the pandas talks?\n"
            "Mao Ning: I would like to refer you to the competent authorities for the pandas talks.\n"
            "CCTV: What is China's position on the pandas talks?\n"
            "Mao Ning: China supports the pandas talks and hopes they produce results for both sides.\n")
    src = make_source(text, "p.txt")
    result = make_retriever(src).search("pandas talks", k=5)
    hits = {h.turn.n: h for h in result.hits}
    quotes = []
    for n in (1, 2):  # the referral's turn ranked first
        t = hits[n].turn
        quotes.append(Quote(0, t.start, t.end, src.canonical[t.start:t.end], hits[n]))
    ordered = statements_first(quotes)
    assert [q.procedural for q in ordered] == [None, "referral"]
    assert ordered[0].text.startswith("China supports")
    a = build_answer(result, [dataclasses.replace(q, n=i) for i, q in enumerate(ordered, 1)], True)
    assert [c["procedural"] for c in to_json(a)["citations"]] == [None, "referral"]
    html, _ = render_answer(a)
    assert html.count("Procedural line (referral)") == 1
    assert html.index("China supports") < html.index("I would like to refer you")


def test_archive_note_and_warnings_are_said():
    r = make_retriever(make_source())
    a = answer_question(r, "What did China say about the Global South in 2022?")
    assert not a.found and a.text.startswith("Not in the archive: there are no transcripts from 2022.")
    assert "26 July 2023" in a.text
    out = to_json(a)
    assert out["coverage"]["missing"] == "2022" and out["citations"] == []
    w = answer_question(r, "Global South in January 2020", filters=make_filters("2023-01-01", "2023-12-31"))
    assert "January 2020" in w.warnings[0]
    assert list(w.warnings[1:]) == ["Of 2023, the archive covers 26 July 2023 only: statements from the rest "
                              "of that time are not in it."]
    html, _ = render_answer(w)
    assert 'class="ss-warn"' in html and "January 2020" in html


def test_outlet_choices_are_canonical_with_counts_and_header_states_periods():
    a = make_source()
    b = dataclasses.replace(make_source(name="b.txt", date="2023-12-01"),
                            turns=tuple(dataclasses.replace(t, outlet="Agence France-Presse")
                                        for t in make_source().turns))
    r = make_retriever(a, b)
    facts = corpus_facts(r.index)
    assert ("AFP (3)", "AFP") in facts["outlets"]  # 1 in a, 2 in b (listed as Agence France-Presse)
    assert [v for _, v in facts["outlets"]].count("AFP") == 1
    html = header_html(facts, None, "index")
    assert "26 July 2023; 1 December 2023" in html and 'class="ss-chart"' in html


def test_outlet_filter_over_a_period_without_outlet_labels_says_so():
    unlabelled = ("Regular Press Conference on March 4, 2019\nQ: What about the Global South?\n"
                  "Geng Shuang: China is a natural member of the Global South.\n")
    r = make_retriever(make_source(), make_source(unlabelled, "q.txt"))
    a = answer_question(r, "Global South", filters=make_filters("2019-01-01", "2019-12-31", None, "Reuters"))
    assert not a.found and a.outlet_labels == 0
    assert "do not record which outlet asked" in a.warnings[0] and "4 March 2019 only" in a.warnings[1]
    assert "26 July 2023" in a.warnings[0]  # the first transcript that names outlets
    assert "see the warning" in a.text


def test_outlet_filter_over_a_period_labelled_only_in_part_says_so():
    """A reporter's QA: `--outlet Reuters` over the whole archive said "Not found" without telling that the older
    pages name no outlet, so earlier questions by Reuters could not match."""
    unlabelled = ("Regular Press Conference on March 4, 2019\nQ: What about the Global South?\n"
                  "Geng Shuang: China is a natural member of the Global South.\n")
    r = make_retriever(make_source(), make_source(unlabelled, "q.txt"))
    a = answer_question(r, "Global South", filters=make_filters(None, None, None, "Reuters"))
    assert any(w.startswith("The transcripts record which outlet asked a question only from 26 July 2023: earlier "
                            "questions by Reuters cannot match") for w in a.warnings)
    since = answer_question(r, "Global South", filters=make_filters("2023-01-01", None, None, "Reuters"))
    assert not any("record which outlet" in w for w in since.warnings)  # the period searched is labelled throughout


def test_an_asking_outlet_over_a_period_labelled_in_part_says_the_earlier_answers_are_not_its():
    """A QA reader: "What did they tell Reuters about Hong Kong in August 2019?" quoted answers to unnamed
    journalists with no word that the pages of that time name no outlet."""
    unlabelled = ("Regular Press Conference on March 4, 2019\nQ: What about the Global South?\n"
                  "Geng Shuang: China is a natural member of the Global South.\n")
    r = make_retriever(make_source(), make_source(unlabelled, "q.txt"))
    a = answer_question(r, "What did they tell Reuters about the Global South?")
    assert "earlier answers cannot be tied to Reuters and are ranked by their topic alone." in " ".join(a.warnings)
    later = answer_question(r, "What did they tell Reuters about the Global South in 2023?")
    assert not any("cannot be tied" in w for w in later.warnings)
