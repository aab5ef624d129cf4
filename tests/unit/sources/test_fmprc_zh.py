"""The Chinese pages of the older site (fmprc.gov.cn) and what all Chinese pages share: hand-written
fixture pages, Chinese labels, whitespace, dates, kinds, dispatch by layout. The real pages are
parsed by tests/integration/test_zh_corpus.py."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.errors import TranscriptError
from rag.records import Source
from rag.sources import labels
from rag.sources.files import page_layout, parse_file
from rag.sources.fmprc_zh import parse_html
from rag.sources.segment import Para, segment
from rag.sources.zh import clean_zh, page_kind, title_date
from tests.paths import HTML_FIXTURES
from tests.unit.sources.transcripts import assert_offsets


def _fixture(name: str) -> Source:
    path = HTML_FIXTURES / name
    src = parse_file(path, path.read_bytes())
    assert_offsets(src)
    return src


def _turns(src: Source) -> list[tuple]:
    return [(t.kind, t.outlet, t.spokesperson, t.question, t.text, t.after_conference) for t in src.turns]


def _page(title: str, body: str, published: str = "") -> str:
    time = f'<span id="News_Body_Time">{published}</span>' if published else ""
    return (f"<html><head><title>{title} — 中华人民共和国外交部</title></head><body>"
            f'<div id="News_Body_Title">{title}</div>{time}'
            f'<div id="News_Body_Txt_A" class="content">{body}</div></body></html>')


# ---------------------------------------------------------------------------
# Fixture pages


def test_question_answer_era_page() -> None:
    src = _fixture("zh_fmprc_qa.html")
    assert (src.title, src.date, src.date_inferred) == ("2017年6月5日外交部发言人陆慷主持例行记者会", "2017-06-05", False)
    assert (src.spokesperson, src.kind, src.lang, src.warnings) == ("Lu Kang", "conference", "zh", ())
    lk = "Lu Kang"
    assert _turns(src) == [
        # The source's line break between 关系 and 交换 is no space in Chinese.
        ("statement", None, lk, None, "应示例国外长邀请，王部长将于6月7日至9日访问示例国。双方将就双边关系交换意见。", False),
        ("answer", None, lk, "你能否介绍此访的具体安排？", "此访是今年首次此类访问。\n\n我们期待访问取得丰硕成果。", False),
        ("answer", None, lk, "其他国家是否会加入有关项目？", "有关项目对各方开放。", False),  # 追问: follow-up
        ("answer", None, lk, "示例城的报道是否属实？", "你指的是哪篇报道？", False),
        ("answer", None, lk, "今天上午发表的那篇。", "我没有看到，会后了解一下。", False),  # 记者: the reply
        # After the briefing the answer is reported ("陆慷表示，"); the full-width row of asterisks is
        # not a separator for the shared segmenter (English pages keep their parse), the *** row is.
        ("answer", None, lk, "示例国近日举行了大选。中方对此有何评论？", "中方尊重示例国人民的选择。\n\n＊＊＊＊＊＊", True),
        ("statement", None, lk, None, "因端午节放假，6月6日例行记者会暂停一次。", False),
    ]
    assert [t.line for t in src.turns] == [18, 21, 24, 26, 28, 31, 34]


def test_outlet_era_page() -> None:
    src = _fixture("zh_fmprc_outlet.html")
    zl = "Zhao Lijian"
    assert _turns(src) == [
        ("statement", None, zl, None, "外交部发言人赵立坚宣布：\n\n为帮助示例国应对疫情，中国政府决定向示例国派遣医疗专家组。", False),
        ("answer", "CCTV", zl, "示例国总统昨天表示感谢中方援助。你对此有何评论？", "中方愿同示例国加强合作。", False),
        ("answer", "Reuters", zl, "有报道称有关会议将推迟举行。中方能否证实？", "你说的是哪一个会议？", False),
        # "（记者：…）" inside the answer: the same journalist replies, the spokesperson goes on.
        ("answer", "Reuters", zl, "下月在示例城举行的那个会议。）", "目前我没有这方面的消息。", False),
        ("answer", "Bloomberg", zl, "关于供应链，中方有何考虑？", "我们将保持供应链稳定。", False),  # 彭博社 without 记者
        ("answer", None, zl, "中方是否会延长有关措施？", "请向主管部门询问。", False),  # 外国记者: no outlet
    ]


def test_remarks_page_is_dated_by_its_publication() -> None:
    src = _fixture("zh_fmprc_remarks.html")
    assert (src.title, src.kind, src.date, src.date_inferred) == ("外交部发言人耿爽就示例国举行大选答记者问", "remarks",
                                                                   "2019-03-04", False)
    assert (src.spokesperson, src.turns[0].question) == ("Geng Shuang", "示例国昨天举行大选。中方对此有何评论？")


def test_conference_without_title_date_uses_the_publication_date_as_inferred() -> None:
    src = parse_html(_page("外交部发言人华春莹主持例行记者会", "<p>问：有何评论？</p><p>答：没有。</p>", "2019-05-07 18:00"), "t1.html")
    assert (src.date, src.date_inferred, src.kind) == ("2019-05-07", True, "conference")
    assert src.warnings == ("no date in the title; the publication date is used",)
    src = parse_html(_page("外交部发言人华春莹5月6日答记者问", "<p>问：有何评论？</p><p>答：没有。</p>", "2019-05-07"), "t2.html")
    assert (src.date, src.date_inferred) == ("2019-05-06", True)  # a day without a year, near the publication
    src = parse_html(_page("外交部发言人答记者问", "<p>问：有何评论？</p><p>答：没有。</p>"), "t3.html")
    assert (src.date, src.spokesperson, src.warnings) == (None, None, ("no date in the title or the page",))


def test_announcement_names_its_spokesperson_in_the_text() -> None:
    body = "<p>　　外交部发言人耿爽宣布：</p><p>　　中国政府决定向示例国派遣医疗专家组。</p>"
    src = parse_html(_page("中国政府向示例国派遣医疗专家组", body, "2020-03-12"), "t4.html")
    assert (src.kind, src.spokesperson, src.date, src.date_inferred) == ("statement", "Geng Shuang", "2020-03-12", False)
    assert [t.kind for t in src.turns] == ["statement"]


@pytest.mark.parametrize(("title", "questions", "kind"), [
    ("2020年2月3日外交部发言人华春莹主持网上例行记者会", True, "conference"),
    ("外交部发言人陆慷就示例国大选答记者问", False, "remarks"),  # answered on enquiry, no question printed
    ("中方针对示例国限制措施采取反制措施", True, "remarks"),
    ("外交部发言人就示例国大选发表谈话", False, "statement"),
    ("外交部发言人宣布中方对示例人员实施制裁", False, "statement"),
])
def test_page_kind(title: str, questions: bool, kind: str) -> None:
    assert page_kind(title, questions) == kind


def test_title_date() -> None:
    assert title_date("2019年5月6日外交部发言人耿爽主持例行记者会") == "2019-05-06"
    assert title_date("2019年2月30日…") is None and title_date(None) is None


# ---------------------------------------------------------------------------
# Text, labels, segmenting


@pytest.mark.parametrize(("raw", "clean"), [
    ("　　答：我们注意到有关报道。 ", "答：我们注意到有关报道。"),  # indentation, trailing space
    ("我们注意到\n有关报道", "我们注意到有关报道"),  # a line break of the source between characters
    ("双方\r\n\t就“一带\n一路”", "双方就“一带一路”"),
    ("中方对此 有何评论", "中方对此 有何评论"),  # a space the page has stays one space
    ("精彩吉林\u3000相约世界", "精彩吉林 相约世界"),
    ("答：\xa0我刚才说过了。 1月31日，\u202f敦促", "答：我刚才说过了。1月31日，敦促"),  # next to punctuation
    ("出席G20\n峰会 和 Human  Rights\nWatch", "出席G20 峰会 和 Human Rights Watch"),  # Latin words keep a space
    ("加安全情报局 （CSIS） 2018年", "加安全情报局（CSIS）2018年"),
])
def test_chinese_whitespace(raw: str, clean: str) -> None:
    assert clean_zh(raw) == (clean, 0)


@pytest.mark.parametrize(("label", "expected"), [
    ("问", ("question", None)), ("答", ("answer", None)), ("一、问", ("question", None)),
    ("有记者问", ("question", None)), ("外国记者", ("question", None)), ("外国记者提问", ("question", None)),
    ("路透社记者", ("question", "Reuters")), ("路透社记者提问", ("question", "Reuters")),
    ("中新社记者问及", ("question", "China News Service")), ("《环球时报》记者", ("question", "Global Times")),
    ("彭博社", ("question", "Bloomberg")), ("总台华语环球节目中心记者", ("question", "CCTV")),
    ("北京广播电台记者", ("question", "Beijing Media Network")),
    ("追问", ("question", labels.FOLLOW_UP)), ("追问二", ("question", labels.FOLLOW_UP)),
    ("记者", ("question", None)), ("记者澄清", ("question", labels.FOLLOW_UP)),
    ("记者（点头）", ("question", None)), ("（记者", ("question", labels.FOLLOW_UP)),
    ("汪文斌", ("answer", "Wang Wenbin")), ("毛宁", ("answer", "Mao Ning")),
    ("首先向大家通报一组数字", None), ("我想强调两点", None), ("明天上午10", None),
])
def test_chinese_labels(label: str, expected: tuple | None) -> None:
    assert labels.classify(label) == expected


def test_journalist_replies() -> None:
    assert all(labels.is_journalist_label(x) for x in ("记者", "（记者", "记者澄清", "追问一", "路透社记者追问"))
    assert not any(labels.is_journalist_label(x) for x in ("问", "外国记者", "路透社记者"))
    # The spokesperson asked back; "记者：" answers it for the outlet that asked.
    src = _seg("法新社记者：有何评论？", "毛宁：你指的是哪篇报道？", "记者：今天的。", "毛宁：我没有看到。")
    assert [(t.outlet, t.question) for t in src.turns] == [("AFP", "有何评论？"), ("AFP", "今天的。")]


def test_english_labels_are_classified_as_before() -> None:
    assert [labels.classify(x) for x in ("Q", "A", "Answer", "Mao Ning", "Journalist", "CCTV", "Note")] == [
        ("question", None), ("answer", None), ("answer", None), ("answer", "Mao Ning"), ("question", None),
        ("question", "CCTV"), None]
    assert labels.is_journalist_label("Journalist") and not labels.is_journalist_label("CCTV")
    assert labels.after_marker("After the press conference, a journalist asked if he will visit.") == (0, True)


def _seg(*paras: str) -> Source:
    src = segment([Para(p, i + 1) for i, p in enumerate(paras)], source="t.html", preamble="statement")
    assert_offsets(src)
    return src


def test_after_conference_notes() -> None:
    src = _seg("会后，有记者问及：有何评论？", "耿爽表示，我们注意到了。", "会后有俄罗斯记者问及：还有吗？", "答：没有了。")
    assert [(t.question, t.text, t.spokesperson, t.after_conference) for t in src.turns] == [
        ("有何评论？", "我们注意到了。", "Geng Shuang", True), ("还有吗？", "没有了。", "Geng Shuang", True)]
    assert labels.after_marker("会后，王毅外长回答了记者提问。") is None  # a sentence, not a note
    # "X表示，" is an answer only right after such a note: elsewhere it quotes someone.
    src = _seg("问：王毅外长说了什么？", "答：这是他的讲话。", "秦刚表示，中方愿意合作。")
    assert len(src.turns) == 1 and src.turns[0].text == "这是他的讲话。\n\n秦刚表示，中方愿意合作。"


def test_name_label_after_an_unlabelled_question_opens_a_new_turn() -> None:
    src = _seg("法新社记者：第一个问题？", "汪文斌：第一个回答。", "二、第二个问题？", "汪文斌：第二个回答。")
    assert [(t.outlet, t.question, t.text) for t in src.turns] == [
        ("AFP", "第一个问题？", "第一个回答。"), (None, "二、第二个问题？", "第二个回答。")]
    # A new spokesperson introduced in the opening gets a statement of their own.
    src = _seg("华春莹：今天主持记者会的是我的新同事。", "赵立坚：谢谢！", "问：有何评论？", "答：没有。")
    assert [(t.kind, t.spokesperson) for t in src.turns[:2]] == [("statement", "Hua Chunying"), ("statement", "Zhao Lijian")]
    assert src.turns[2].question == "有何评论？"
    # English pages: a second name label inside an answer goes on with the same turn, as before.
    src = _seg("CCTV: First?", "Mao Ning: One.", "Is it so?", "Mao Ning: Two.")
    assert [(t.question, t.text) for t in src.turns] == [("First?", "One.\n\nIs it so?\n\nMao Ning: Two.")]


# ---------------------------------------------------------------------------
# Dispatch and errors


@pytest.mark.parametrize("path", sorted(HTML_FIXTURES.glob("*.html")), ids=lambda p: p.name)
def test_dispatch_by_content(path: Path) -> None:
    layout = page_layout(path.read_bytes())
    assert layout == ("mfa_zh" if path.name.startswith("zh_mfa") else "fmprc_zh" if path.name.startswith("zh_")
                      else "fmprc_en")
    src = parse_file(path, path.read_bytes())
    assert src.lang == ("zh" if layout.endswith("_zh") else "en")


def test_dispatch_ignores_the_file_name(tmp_path: Path) -> None:
    page = tmp_path / "Regular Press Conference.html"  # an English-looking name, a Chinese page
    page.write_bytes((HTML_FIXTURES / "zh_fmprc_remarks.html").read_bytes())
    assert parse_file(page, page.read_bytes()).lang == "zh"


@pytest.mark.parametrize(("body", "message"), [
    ('<div class="other"><p>问：有何评论？</p></div>', "no transcript body"),
    ('<div id="News_Body_Txt_A" class="content"><p>　　</p><p><img src="x.jpg"></p></div>', "no transcript text"),
])
def test_page_errors(body: str, message: str) -> None:
    page = f"<html><head><title>2019年5月6日外交部发言人耿爽主持例行记者会</title></head><body>{body}</body></html>"
    with pytest.raises(TranscriptError, match=message):
        parse_html(page, "t.html")


_ZH_LABELS = ["问", "答", "追问", "记者", "（记者", "一、问", "路透社记者", "彭博社", "汪文斌", "耿爽表示",
              "会后有记者问及", "我想强调两点", "Q", "Mao Ning"]
_ZH_TEXT = st.text(alphabet=st.sampled_from(list("中方注意到有关报道。？，　 \n“”ABC12")), max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_ZH_LABELS), st.sampled_from(["：", ":", "，"]), _ZH_TEXT), max_size=12))
def test_property_offsets_hold_for_chinese_pages(paras: list[tuple[str, str, str]]) -> None:
    body = "".join(f"<p>　　{html.escape(a + b + c)}</p>" for a, b, c in paras) + "<p>答：结束。</p>"
    src = parse_html(_page("2019年5月6日外交部发言人耿爽主持例行记者会", body), "t.html")
    assert_offsets(src)
    assert "\n\n\n" not in src.canonical and src.canonical == src.canonical.strip()
