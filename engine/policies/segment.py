"""Chinese word segmentation (中文分词) for policy search, with jieba.

Documents are cut in jieba's search mode, which emits a long word and the
shorter dictionary words inside it (中小企业 → 中小 企业 小企业 中小企业), so a
query for either finds it. Queries are cut in precise mode; each query word
matches a document that has the word itself or all of its inner words (see
``Term``). HMM guessing of unknown words is off on both sides: an unknown word is
cut into the same characters wherever it occurs, so a query and a document agree.

jieba loads its dictionary once per process (about a second, cached by jieba
under the temporary directory) on first use, under a lock, without writing to
the console.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

import jieba

logger = logging.getLogger(__name__)

# Words of policy texts jieba's general dictionary lacks or cuts badly. A word is
# only added with its parts also being dictionary words, so that a query for a
# part still finds a document with the whole word.
POLICY_WORDS = (
    "稳岗",
    "稳岗返还",
    "专精特新",
    "营商",
    "营商环境",
    "社保",
    "社保补贴",
    "创业担保贷款",
    "入户",
    "积分入户",
    "个体工商户",
    "市场主体",
    "首贷",
    "技改",
    "高新技术企业",
    "政务服务",
    "一网通办",
    "公租房",
    "特困人员",
    "款项支付",
)

# Function words that say nothing about what a policy is about.
_STOP_TEXT = (
    "的 了 和 与 及 或 在 是 对 为 等 把 被 之 其 于 以 而 并 也 就 都 "
    "关于 有关 如何 怎么 怎样 什么 哪些 哪里 吗 呢 啊 吧 我 我们 你 您 "
    "请问 能否 是否 可以 一下"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())

# Words that only say "a policy about ...": every item here is one, so in a
# query they would only shut out documents that do not repeat the word.
QUERY_NOISE = frozenset({"政策", "相关"})

_WORD = re.compile(r"^\w+$")

_tokenizer = jieba.Tokenizer()
_lock = threading.Lock()
_ready = False


def _jieba() -> jieba.Tokenizer:
    """The process's tokenizer, its dictionary loaded and policy words added."""
    global _ready
    if _ready:
        return _tokenizer
    with _lock:
        if not _ready:
            jieba.setLogLevel(logging.WARNING)
            _tokenizer.initialize()
            for word in POLICY_WORDS:
                _tokenizer.add_word(word)
            _ready = True
            logger.info(
                "jieba dictionary loaded with %d policy words", len(POLICY_WORDS)
            )
    return _tokenizer


def _keep(token: str) -> str | None:
    """The token as indexed (lower case), or None for punctuation and stop words."""
    token = token.strip().lower()
    if not token or not _WORD.match(token) or token in STOP_WORDS:
        return None
    return token


def index_text(text: str) -> str:
    """``text`` as space-separated search-mode words, for the full-text index."""
    tokens = (_keep(token) for token in _jieba().cut_for_search(text, HMM=False))
    return " ".join(token for token in tokens if token)


@dataclass(frozen=True)
class Term:
    """One word of a query: it matches ``word``, or all of ``parts`` together.

    ``parts`` are dictionary words that, side by side, spell ``word``, e.g.
    中小企业 → (中小, 企业); a document cut differently around the word still
    matches through them. A word that no such words spell (促进法: 促进 + 法, and
    a single character is not in the word index) has no parts; a query of
    single characters only is matched character by character (see ``search``).
    """

    word: str
    parts: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        """Every word this term may match, for highlighting."""
        return (self.word, *self.parts)


def query_terms(query: str) -> list[Term]:
    """The terms of a query typed by a person, in order, without repeats."""
    terms: list[Term] = []
    seen: set[str] = set()
    for token in _jieba().cut(query, HMM=False):
        word = _keep(token)
        if word is None or word in seen or word in QUERY_NOISE:
            continue
        seen.add(word)
        terms.append(Term(word, _parts(word)))
    return terms


def _parts(word: str) -> tuple[str, ...]:
    if len(word) < 3:
        return ()
    inner = {
        token.lower()
        for token in _jieba().cut_for_search(word, HMM=False)
        if len(token) > 1 and token.lower() != word
    }
    placed = sorted((word.find(token), -len(token), token) for token in inner)
    parts: list[str] = []
    cursor = 0
    for start, _negative_length, token in placed:
        if start == cursor:
            parts.append(token)
            cursor = start + len(token)
    return tuple(parts) if cursor == len(word) else ()
