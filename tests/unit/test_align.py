"""rag.align: English turns with their Chinese originals, and a quote's Chinese sentences.

Hand-written transcripts of one day in both languages (the exchanges are modelled on real ones),
then the evidence one piece at a time (order, length, numbers, names, outlet), the shapes of
disagreement (a Chinese turn more, an English turn without counterpart, an English exchange the
Chinese keeps in one turn), pairing by date and kind, sentences; last, a few labelled days of the
real corpus (eval/align/turns.tsv).
"""

from __future__ import annotations

import csv
import dataclasses
import doctest
import importlib

import pytest

from rag.align import (
    THRESHOLD,
    TurnAlignment,
    align_corpus,
    align_sentences,
    align_sources,
    chinese_original,
    chinese_turn,
)
from rag.align.evidence import Day, length_llr, numbers_en, numbers_zh, pair_score, side
from rag.align.names import concepts_en, concepts_zh
from rag.align.sentences import zh_sentence_spans
from rag.records import Source, Turn
from rag.sources.files import parse_file
from tests.paths import CORPUS_EN, CORPUS_ZH, EVAL, corpus_or_skip


def make(name: str, lang: str, exchanges: list[tuple], *, date: str | None = "2019-05-06",
         kind: str = "conference") -> Source:
    """A transcript from ``(question, answer)`` pairs (question None: a statement), or
    ``(question, answer, outlet)``; the canonical text holds them as the pages do."""
    q_label, a_label = ("Q: ", "A: ") if lang == "en" else ("问：", "答：")
    canonical, turns = "", []
    for n, ex in enumerate(exchanges, 1):
        question, answer = ex[0], ex[1]
        outlet = ex[2] if len(ex) > 2 else None
        qs = qe = None
        if question:
            canonical += q_label
            qs = len(canonical)
            canonical += question
            qe = len(canonical)
            canonical += "\n\n" + a_label
        start = len(canonical)
        canonical += answer
        turns.append(Turn(f"{name}:{n}", f"{name}.html", n, "answer" if question else "statement", None, outlet,
                          question, qs, qe, start, len(canonical), answer))
        canonical += "\n\n"
    return Source(f"{name}.html", canonical, None, date, False, None, None, kind, tuple(turns), lang=lang)


# Five exchanges of one day, each in both languages.
EN = [
    (None, "At the invitation of State Councilor and Foreign Minister Wang Yi, Foreign Minister Ri Yong-ho of "
           "the DPRK will visit China from December 6 to 8."),
    ("President Xi Jinping just concluded his state visit to Panama. Can you give us more details?",
     "President Xi Jinping paid a state visit to Panama from December 2 to 3. The two sides signed 19 cooperation "
     "documents. China-Panama relations have entered a fast track of development."),
    ("Will the Chinese delegation go to Washington this week?",
     "As I just said, the Chinese delegation is preparing to travel to the US for consultations."),
    ("Forty-one people on board a Russian passenger plane were killed on Sunday. Do you have any comment?",
     "We have noted relevant reports. We are deeply saddened by the heavy casualties caused by the emergency "
     "landing and mourn the victims."),
    ("The US says it will raise tariffs on $200 billion of Chinese goods from 10% to 25%. What is your response?",
     "China's position is consistent and clear. Threats and pressure will not work. We hope the US will work "
     "with China to meet each other halfway on the basis of mutual respect."),
]
ZH = [
    (None, "应国务委员兼外交部长王毅邀请，朝鲜外务相李勇浩将于12月6日至8日对中国进行访问。"),
    ("习近平主席刚刚结束对巴拿马的国事访问。你能否介绍此访情况？",
     "12月2日至3日，习近平主席对巴拿马进行国事访问。双方签署了19项合作文件。中巴关系驶入了发展的快车道。"),
    ("中方是否还会于本周赴华盛顿磋商？", "我刚才已经说过了，中方团队正在准备赴美磋商。"),
    ("周日，一架俄罗斯客机紧急迫降时起火，造成41名乘客遇难。你对此有何评论？",
     "我们注意到有关报道，对俄罗斯客机紧急迫降造成重大人员伤亡深感痛心，对遇难者表示哀悼。"),
    ("美方称将对2000亿美元中国商品加征的关税税率从10%提高到25%。中方有何回应？",
     "中方的立场是一贯的、明确的。威胁和施压不会奏效。我们希望美方与中方相向而行，在相互尊重的基础上解决问题。"),
]


def zh_ids(alignments: list[TurnAlignment]) -> list[str | None]:
    return [a.zh_turn_id for a in alignments]


@pytest.mark.parametrize("module", ["rag.align", "rag.align.names", "rag.align.evidence", "rag.align.dp",
                                    "rag.align.turns", "rag.align.sentences"])
def test_doctests(module: str) -> None:
    assert doctest.testmod(importlib.import_module(module)).failed == 0


# -- whole transcripts -----------------------------------------------------------------------------------

def test_same_turns_align_in_order_with_confidence() -> None:
    out = align_sources(make("e", "en", EN), make("z", "zh", ZH))
    assert zh_ids(out) == ["z:1", "z:2", "z:3", "z:4", "z:5"]
    assert [a.en_turn_id for a in out] == ["e:1", "e:2", "e:3", "e:4", "e:5"]
    assert all(a.confidence >= THRESHOLD and a.reason == "aligned" and a.zh_source == "z.html" for a in out)
    with pytest.raises(dataclasses.FrozenInstanceError):
        out[0].zh_turn_id = "z:2"  # type: ignore[misc]


def test_chinese_side_has_an_extra_turn() -> None:
    extra = ("美国务院发布报告，对中国宗教自由状况说三道四。你对此有何评论？",
             "美方这份报告无视事实，充满偏见。中国政府依法保护公民的宗教信仰自由，中国各族人民依法享有充分的宗教"
             "信仰自由，这是有目共睹的。我们敦促美方摒弃偏见，尊重事实，停止借宗教问题干涉中国内政，多做有利于"
             "中美互信与合作的事，而不是相反。")
    zh = make("z", "zh", [*ZH[:2], extra, *ZH[2:]])
    out = align_sources(make("e", "en", EN), zh)
    assert zh_ids(out) == ["z:1", "z:2", "z:4", "z:5", "z:6"]  # z:3 has no English counterpart


def test_english_turn_without_counterpart_says_why() -> None:
    out = align_sources(make("e", "en", EN), make("z", "zh", [ZH[0], ZH[2], ZH[3], ZH[4]]))
    assert zh_ids(out) == ["z:1", None, "z:2", "z:3", "z:4"]
    assert out[1].reason == "English turn has no counterpart (answer missing in Chinese)"
    assert out[1].confidence >= THRESHOLD  # sure that there is none


def test_english_exchange_the_chinese_keeps_in_one_turn() -> None:
    # 2019-03-26: the English page cuts "You said it was a confidential report... By whom? I don't know." in
    # three turns, the Chinese page keeps them in one answer.
    en = make("e", "en", [EN[1],
                          ("A confidential report says China sent North Korean workers home. How many are there?",
                           "You said it was a confidential report. How did you get to know its content?"),
                          ("It was leaked to reporters.", "By whom?"),
                          ("I don't know.", "China is committed to faithfully and strictly implementing Security "
                                            "Council resolutions on the DPRK and fulfilling its obligations."),
                          EN[3]])
    zh = make("z", "zh", [ZH[1],
                          ("根据机密文件，中国将境内部分朝鲜劳工遣送回国。目前在华朝鲜劳工人数是多少？",
                           "你说这是一份机密的文件，那你是从哪儿得到这种机密内容的？\n\n有人向记者透露了这份报告。\n\n"
                           "是谁透露的？\n\n我不知道。\n\n中方一贯认真、严格执行安理会涉朝决议，履行自身国际义务。"),
                          ZH[3]])
    assert zh_ids(align_sources(en, zh)) == ["z:1", "z:2", "z:2", "z:2", "z:3"]


def test_order_places_a_turn_without_any_evidence_of_its_own() -> None:
    # "No, we are not." has no name, number or length to speak of: its neighbours place it.
    en = make("e", "en", [EN[1], ("Are you considering a travel alert for these two countries?", "No, we are not."),
                          EN[3]])
    zh = make("z", "zh", [ZH[1], ("中方是否考虑向中国公民发出旅行提醒？", "我们目前没有这方面的考虑。"), ZH[3]])
    out = align_sources(en, zh)
    assert zh_ids(out) == ["z:1", "z:2", "z:3"]
    assert out[1].confidence >= THRESHOLD


def test_pages_of_different_days_are_not_aligned() -> None:
    out = align_sources(make("e", "en", EN), make("z", "zh", ZH, date="2019-05-07"))
    assert zh_ids(out) == [None] * 5
    assert out[0].reason == "the Chinese page is of 2019-05-07, not 2019-05-06"


def test_unrelated_transcripts_give_no_guess() -> None:
    # Turn by turn, order and the prior that every turn has a counterpart would pair the second turns
    # (their lengths fit); the pages' own evidence does not carry it.
    zh = make("z", "zh", [("欧盟发布对华政策文件。中方有何评论？",
                           "中欧是全面战略伙伴。我们希望欧方客观看待中国发展，同中方一道推进务实合作，维护多边主义。"),
                          ("请介绍中非合作论坛筹备情况。", "论坛将于9月在北京举行，非洲国家领导人将出席。")])
    out = align_sources(make("e", "en", EN[1:3]), zh)
    assert zh_ids(out) == [None, None]
    assert out[0].reason == "the Chinese page of that day (z.html) does not match"


# -- the evidence ---------------------------------------------------------------------------------------------

def test_numbers_read_the_same_in_both_languages() -> None:
    assert numbers_en("$200 billion") == numbers_zh("2000亿美元") == [2e11]
    assert numbers_en("three million people") == numbers_zh("300万人") == [3e6]
    assert numbers_en("on May 6, 2019") == numbers_zh("2019年5月6日") == [5.0, 6.0, 2019.0]
    assert numbers_en("Forty-one people, 24,734 cases, 50.64%") == numbers_zh("41人，24734例，50.64%") \
        == [41.0, 50.64, 24734.0]
    # Names with digits and small number words are not figures.
    assert numbers_en("COVID-19, the G20, 5G and the one-China principle") == []


def test_names_read_the_same_in_both_languages() -> None:
    assert concepts_en("Burkina Faso cut ties with Taiwan") == concepts_zh("布基纳法索同台湾断交") \
        == {"Burkina Faso", "Taiwan"}
    assert concepts_en("the US and the DPRK") == concepts_zh("美朝") == {"US", "DPRK"}
    assert concepts_zh("2000亿美元") == set()  # 美元 is the dollar, not the US
    assert concepts_en("asked us about Hua Chunying", outlets=False) == concepts_zh("华春莹") == {"Hua Chunying"}


def test_length_ratio_is_evidence() -> None:
    assert length_llr(100, 170, "a") > 1  # a translation's length
    assert length_llr(100, 40, "a") == -20.0  # the English holds something the Chinese lacks
    assert length_llr(100, 600, "a") == -8.0  # the English may be a shortened translation: bounded


def test_shared_names_and_numbers_outweigh_lengths() -> None:
    en, zh = make("e", "en", EN), make("z", "zh", ZH)
    e, z = [side(t, "en") for t in en.turns], [side(t, "zh") for t in zh.turns]
    ctx = Day({t: 1.5 for s in (*e, *z) for t in s.a_tokens | s.q_tokens}, 0.4)
    assert pair_score(e[4], z[4], ctx) > 5 > pair_score(e[4], z[3], ctx)


def test_outlet_of_the_question_is_evidence() -> None:
    q_en, a_en = "Is there any update on the trade talks?", "I have nothing to offer at the moment."
    q_zh, a_zh = "中美经贸磋商有什么最新消息吗？", "目前我没有可以提供的消息。"
    en = side(make("e", "en", [(q_en, a_en, "Reuters")]).turns[0], "en")
    same = side(make("z", "zh", [(q_zh, a_zh, "Reuters")]).turns[0], "zh")
    other = side(make("z", "zh", [(q_zh, a_zh, "AFP")]).turns[0], "zh")
    family = side(make("z", "zh", [(q_zh, a_zh, "CNR")]).turns[0], "zh")
    ctx = Day({}, 0.4)
    assert pair_score(en, same, ctx) - pair_score(en, other, ctx) == pytest.approx(5.0)
    en_cctv = dataclasses.replace(en, outlet="CCTV")  # the pages swap CCTV and CNR: no evidence either way
    assert pair_score(en_cctv, family, ctx) == pair_score(dataclasses.replace(en, outlet=None), family, ctx)


# -- the corpus ------------------------------------------------------------------------------------------------

def test_align_corpus_pairs_pages_by_date_and_kind() -> None:
    remarks_en = make("re", "en", [EN[3]], kind="remarks")
    sources = {
        "e.html": make("e", "en", EN), "z.html": make("z", "zh", ZH),
        # a remarks page: the day's Chinese remarks pages are tried and the one that fits is taken
        "re.html": remarks_en, "rz1.html": make("rz1", "zh", [ZH[1]], kind="remarks"),
        "rz2.html": make("rz2", "zh", [ZH[3]], kind="remarks"),
        "lonely.html": make("lonely", "en", EN[:1], date="2019-05-09"),
        "undated.html": make("undated", "en", EN[:1], date=None),
    }
    out = align_corpus(sources)
    assert set(out) == {f"e:{n}" for n in range(1, 6)} | {"re:1", "lonely:1", "undated:1"}
    assert [out[f"e:{n}"].zh_turn_id for n in range(1, 6)] == [f"z:{n}" for n in range(1, 6)]
    assert (out["re:1"].zh_turn_id, out["re:1"].zh_source) == ("rz2:1", "rz2.html")
    assert out["lonely:1"].reason == "no Chinese conference page of 2019-05-09"
    assert out["undated:1"].reason == "the English page has no date"


# -- sentences --------------------------------------------------------------------------------------------------

EN_TURN = ("We have taken note of the report. The so-called Act seriously violates the basic norms governing "
           "international relations. It sends a seriously wrong signal to the separatist forces.\n\n"
           "Tibetan affairs are China's internal affairs. We urge the US to stop interfering. The facts are clear.")
ZH_TURN = ("我们看到了美国国务院的有关报告。\n\n首先，美方所谓“对等进入西藏法”严重违反国际关系基本准则，"
           "向“藏独”分裂势力发出严重错误信号；\n\n西藏事务纯属中国内政。我们敦促美方停止干涉。事实是清楚的。")


def test_zh_sentences_end_at_full_stops_semicolons_and_paragraphs() -> None:
    text = "中方坚决反对。美方应当：第一，停止干涉；第二，“不要”误判！\n\n谢谢"
    assert [text[s:e] for s, e in zh_sentence_spans(text)] == \
        ["中方坚决反对。", "美方应当：第一，停止干涉；", "第二，“不要”误判！", "谢谢"]


def test_quote_gets_its_chinese_sentence_verbatim() -> None:
    zh = make("z", "zh", [("美国国务院称中方阻止美外交官进藏。中方有何评论？", ZH_TURN)])
    turn = zh.turns[0]
    span = align_sentences("We urge the US to stop interfering.", turn.text, turn.start, en_turn_text=EN_TURN)
    assert span is not None and zh.canonical[span[0]:span[1]] == "我们敦促美方停止干涉。"
    # Two English sentences held by one Chinese sentence.
    span = align_sentences("It sends a seriously wrong signal to the separatist forces.", turn.text, turn.start,
                           en_turn_text=EN_TURN)
    assert span is not None and zh.canonical[span[0]:span[1]].startswith("首先，美方所谓")


def test_no_sentence_span_when_unsure() -> None:
    kw = {"zh_turn_text": ZH_TURN, "zh_turn_start": 0, "en_turn_text": EN_TURN}
    assert align_sentences("We urge the US to stop interfering.", ZH_TURN, 0) is None  # no English turn
    assert align_sentences("A sentence from elsewhere.", **kw) is None
    three = "Tibetan affairs are China's internal affairs. We urge the US to stop interfering. The facts are clear."
    assert align_sentences(three, **kw) is None  # more than two sentences: the caller shows the whole answer
    twice = EN_TURN.replace("We urge", "The facts are clear. We urge")
    assert align_sentences("The facts are clear.", ZH_TURN, 0, en_turn_text=twice) is None  # which one?
    # Placed by its offset, the last one is found.
    span = align_sentences("The facts are clear.", ZH_TURN, 0, en_turn_text=twice,
                           en_quote_start=twice.rindex("The facts are clear."))
    assert span is not None and ZH_TURN[span[0]:span[1]] == "事实是清楚的。"


def test_chinese_original_of_a_citation() -> None:
    en, zh = make("e", "en", [EN[1]]), make("z", "zh", [ZH[1]])
    zh = dataclasses.replace(zh, url="https://www.fmprc.gov.cn/web/z.shtml")
    sources = {"e.html": en, "z.html": zh}
    a = align_corpus(sources)["e:1"]
    assert chinese_turn(a, sources) == zh.turns[0]
    text = en.turns[0].text
    quote = "The two sides signed 19 cooperation documents."
    got = chinese_original(a, sources, quote, text, en_quote_start=text.index(quote))
    assert got == {"lang": "zh", "quote": "双方签署了19项合作文件。", "source": "z.html",
                   "url": "https://www.fmprc.gov.cn/web/z.shtml", "start": got["start"], "end": got["end"]}
    assert zh.canonical[got["start"]:got["end"]] == got["quote"]
    # The whole answer as quote (three sentences): the whole Chinese answer.
    whole = chinese_original(a, sources, text, text, en_quote_start=0)
    assert whole is not None and whole["quote"] == zh.turns[0].text == zh.canonical[whole["start"]:whole["end"]]
    # No counterpart: no original, never a guess.
    assert chinese_original(None, sources, quote, text) is None
    assert chinese_original(TurnAlignment("e:1", None, None, 1.0, "no"), sources, quote, text) is None


# -- the real corpus: a few labelled days ---------------------------------------------------------------------

DAYS = ("2019-03-26", "2019-07-15", "2020-02-24", "2020-04-03")


def test_labelled_days_of_the_shared_corpus() -> None:
    corpus_or_skip(CORPUS_EN, CORPUS_ZH)
    with (EVAL / "align" / "turns.tsv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["date"] in DAYS]
    stems = {r["en_turn_id"].split(":")[0] for r in rows} | {r["zh_turn_id"].split(":")[0] for r in rows
                                                               if r["zh_turn_id"] != "none"}
    sources = {}
    for folder in (CORPUS_EN, CORPUS_ZH):
        for stem in stems:
            path = folder / f"{stem}.html"
            if path.exists():
                sources[path.name] = parse_file(path, path.read_bytes())
    out = align_corpus(sources)
    wrong = [(r["en_turn_id"], r["zh_turn_id"], out[r["en_turn_id"]].zh_turn_id) for r in rows
             if out[r["en_turn_id"]].zh_turn_id not in (None, None if r["zh_turn_id"] == "none" else r["zh_turn_id"])]
    assert not wrong
    aligned = sum(out[r["en_turn_id"]].zh_turn_id is not None for r in rows)
    assert aligned >= len(rows) - 5  # 2019-07-15 turns 5-8 and 2020-02-24 turn 1 are left unaligned, with reasons
