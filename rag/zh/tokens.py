"""Chinese text to search tokens, and whether a question is Chinese.

Two tokenisers, compared in the Chinese evaluation (``eval/zh``):

* ``"jieba"``: the words of ``jieba``'s search mode (a word and its dictionary sub-words, so 外交部发言人
  also matches 发言人); stop words and punctuation dropped, Latin words lower-cased.
* ``"bigram"``: every pair of adjacent Chinese characters, plus Latin words and numbers: needs no
  dictionary, the usual baseline for Chinese retrieval.

    >>> zh_tokens("中方对美国对台军售有何回应？")
    ['美国', '对台', '军售']
    >>> zh_tokens("美国对台军售", "bigram")
    ['美国', '国对', '对台', '台军', '军售']
    >>> is_chinese("中方对美国对台军售有何回应？"), is_chinese("What about Taiwan 台湾?")
    (True, False)
"""

from __future__ import annotations

import logging
import re

from ..errors import MissingDependency, QueryError

TOKENIZERS = ("jieba", "bigram", "mixed")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# Function words and question framing that every question and answer holds: they carry no topic.
_STOP = frozenset("""
的 了 是 在 和 与 及 对 就 也 都 而 并 将 把 被 从 向 于 以 之 其 这 那 此 该 有 无 不 没有 为 为了 由 等 着 过 吗 呢 吧 啊
请问 问 答 记者 发言人 外交部 中方 对此 有何 何 什么 怎么 如何 怎样 是否 能否 可否 进一步 介绍 评论 回应 看法 表示 说 称 认为
据报道 报道 年 月 日 我们 你们 他们 我 你 他 她 它 一个 一些 这些 那些 以及 或 或者 但 但是 如果 因为 所以 已经 还 又 再 更 最 很
看待 怎么看 评价 表态 态度 立场 外交 回应 有关 相关 方面 情况 问题 一事 此事 这件 事 吗 么 谈谈 说说 是不是 会不会
""".split())
_WORD = re.compile(r"[A-Za-z]+|\d+(?:\.\d+)?|[\u3400-\u9fff\uf900-\ufaff]+")
_jieba = None


def is_chinese(text: str) -> bool:
    """Whether ``text`` is written in Chinese: more Chinese characters than Latin letters."""
    return len(_CJK.findall(text)) > len(_LATIN.findall(text))


def _load_jieba():  # noqa: ANN202
    global _jieba
    if _jieba is None:
        try:
            import jieba
        except ImportError:
            raise MissingDependency("Chinese search needs jieba: pip install jieba (or `make install`)") from None
        jieba.setLogLevel(logging.WARNING)  # its dictionary-loading banner is not our output
        jieba.initialize()
        _jieba = jieba
    return _jieba


def zh_tokens(text: str, tokenizer: str = "jieba") -> list[str]:
    """Search tokens of ``text`` (see the module docstring)."""
    if tokenizer == "bigram":
        out: list[str] = []
        for w in _WORD.findall(text):
            if _CJK.match(w):
                out.extend(w[i:i + 2] for i in range(max(len(w) - 1, 1)))
            else:
                out.append(w.lower())
        return out
    if tokenizer == "mixed":  # both: words for precision, bigrams for words the dictionary cuts differently
        return zh_tokens(text, "jieba") + ["~" + b for b in zh_tokens(text, "bigram") if _CJK.match(b)]
    if tokenizer != "jieba":
        raise QueryError(f"unknown Chinese tokenizer {tokenizer!r}; use one of {', '.join(TOKENIZERS)}")
    words = _load_jieba().lcut_for_search(text)
    return [w.lower() for w in words if _WORD.fullmatch(w) and w not in _STOP]
