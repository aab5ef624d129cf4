"""The Chinese pages of the newer site (www.mfa.gov.cn): both templates, meta tags, URLs, and the
``lang`` field through the index's JSON. The real pages: tests/integration/test_zh_corpus.py."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from rag.records import Source
from rag.sources import PARSER_VERSION
from rag.sources.files import parse_file, urls_for
from rag.sources.mfa_zh import parse_html
from rag.store import _source_from_dict
from tests.paths import HTML_FIXTURES
from tests.unit.sources.transcripts import assert_offsets


def _fixture(name: str, **kw) -> Source:
    path = HTML_FIXTURES / name
    src = parse_file(path, path.read_bytes(), **kw)
    assert_offsets(src)
    return src


def _turns(src: Source) -> list[tuple]:
    return [(t.kind, t.outlet, t.spokesperson, t.question, t.text, t.after_conference) for t in src.turns]


def test_older_template_with_meta_tags() -> None:
    src = _fixture("zh_mfa_old.html")
    # The title's day wins over PubDate (published the next morning).
    assert (src.title, src.date, src.date_inferred, src.kind) == ("2020年9月2日外交部发言人华春莹主持例行记者会",
                                                                   "2020-09-02", False, "conference")
    assert src.url is None  # the page's own Url names a staging host: not used
    hcy = "Hua Chunying"
    assert _turns(src) == [
        ("answer", "CCTV", hcy, "示例组织昨天发布了年度报告，称全球合作取得新进展。你对此有何评论？",
         "我们注意到有关报告。\n\n中方愿同各方一道，推动合作不断向前发展。", False),
        ("answer", "Macau Monthly", hcy, "有评论称此访是“外交突围”。请问中方对此有何评论？", "这种说法并不准确。", False),
    ]


def test_newer_template() -> None:
    src = _fixture("zh_mfa_new.html")
    # <title> says only "发言人表态" (the section): the ArticleTitle meta names the page.
    assert (src.title, src.date, src.spokesperson, src.lang) == ("2024年3月18日外交部发言人林剑主持例行记者会", "2024-03-18",
                                                                  "Lin Jian", "zh")
    assert src.url == "https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/202403/t20240318_9000002.shtml"
    lj = "Lin Jian"
    assert _turns(src) == [
        ("statement", None, "Mao Ning", None, "各位记者朋友，大家下午好！今天我要向大家介绍一位新同事。", False),
        ("statement", None, lj, None, "谢谢毛宁副司长！很高兴同大家见面。", False),
        ("answer", "CCTV", lj, "示例论坛昨天开幕。中方对论坛有何期待？", "中方期待论坛取得积极成果。", False),
        # An unlabelled question before "林剑：" is a turn of its own, its outlet unknown.
        ("answer", None, lj, "近期，示例国媒体较为关注双边贸易问题，中方能否介绍有关情况？", "双边贸易保持稳定增长。", False),
        ("answer", "AFP", lj, "示例国外长称将于下月访华。中方能否证实？", "如有消息，我们会及时发布。", False),
        ("answer", "China News Service", lj, "示例国昨天发生地震。中方是否将提供援助？",
         "中方对遇难者表示哀悼，愿根据示例国需要提供帮助。", True),
    ]


def test_statement_page() -> None:
    src = _fixture("zh_mfa_statement.html")
    # "&lt;br&gt;" written into the title is dropped; the keywords name the spokesperson.
    assert (src.title, src.kind, src.spokesperson) == ("外交部发言人就示例国与示例岛“建交”发表谈话", "statement", "Wang Wenbin")
    assert (src.date, src.date_inferred) == ("2021-12-10", False)
    assert _turns(src) == [("statement", None, "Wang Wenbin", None,
                            "世界上只有一个中国。中方对示例国的错误做法表示坚决反对。\n\n我们敦促示例国立即纠正错误。", False)]


def test_title_and_date_fallbacks() -> None:
    page = ('<html><head><title>发言人表态_中华人民共和国外交部</title></head><body><div class="news-title">'
            '<h1>外交部发言人毛宁答记者问</h1><p class="time"><span>2023-02-03 07:00</span></p></div>'
            '<div class="news-main"><div class="TRS_UEDITOR"><p>问：有何评论？</p><p>答：没有。</p></div></div></body></html>')
    src = parse_html(page, "t20230203_1.html")
    assert (src.title, src.date, src.spokesperson, src.kind, src.url) == ("外交部发言人毛宁答记者问", "2023-02-03", "Mao Ning",
                                                                          "remarks", None)


def test_pages_tsv_url_wins(tmp_path: Path) -> None:
    # The crawl's layout: mfa/pages.tsv lists zh/<file> with its public URL.
    (tmp_path / "zh").mkdir()
    page = tmp_path / "zh" / "t20200902_9000001.html"
    page.write_bytes((HTML_FIXTURES / "zh_mfa_old.html").read_bytes())
    public = "https://www.mfa.gov.cn/wjdt_674879/fyrbt_674889/202009/t20200902_9000001.shtml"
    (tmp_path / "pages.tsv").write_text(f"file\turl\tfetched_at\nzh/{page.name}\t{public}\t2024-04-28T11:41:25Z\n",
                                        encoding="utf-8")
    urls = urls_for([page])
    assert urls == {page.name: public}
    assert parse_file(page, page.read_bytes(), urls=urls).url == public


def test_lang_round_trips_through_the_index_json() -> None:
    src = _fixture("zh_mfa_new.html")
    back = _source_from_dict(json.loads(json.dumps(asdict(src), ensure_ascii=False)))
    assert back == src and back.lang == "zh"
    old = asdict(src)
    del old["lang"]  # an index written before the field existed reads as English
    assert _source_from_dict(old).lang == "en"


def test_parser_version() -> None:
    assert PARSER_VERSION == 5
