"""The pure parts of search (graph.search): folding, tokens, pinyin, synonyms, how a query is
read, highlights and suggestions — no store."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from graph.search import Searcher, fold, highlight
from graph.search.pinyin import split_syllables, syllables_of
from graph.search.query import Field
from graph.search.text import index_text_of, tokens


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("人口資料", "人口资料"),  # traditional → simplified
        ("ＧＩＳ　数据", "gis 数据"),  # full-width → half-width, ideographic space
        ("API，接口。", "api 接口 "),  # case; Chinese and ASCII punctuation → spaces
        ("《人口》(2024)", " 人口  2024 "),
        ("İstanbul", "istanbul"),  # one character out for one in
    ],
)
def test_folding(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert len(fold(text)) == len(text)


def test_han_characters_are_tokens_and_other_runs_are_words() -> None:
    assert tokens("GDP数据２０２４年") == ["gdp", "数", "据", "2024", "年"]


def _tokens_one_by_one(folded: str) -> list[str]:
    """The definition: a character of category Lo alone, a run of any other up to a space."""
    out: list[str] = []
    run = ""
    for ch in folded:
        if ch != " " and unicodedata.category(ch) != "Lo":
            run += ch
            continue
        out += [run] if run else []
        run = ""
        out += [ch] if ch != " " else []
    return out + ([run] if run else [])


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40))
def test_text_is_cut_into_the_tokens_its_characters_make(text: str) -> None:
    assert tokens(text) == _tokens_one_by_one(fold(text))


def test_an_entrys_index_text() -> None:
    text = index_text_of("人口基礎信息（GDP）", "摘要")
    assert text.name == " 人 口 基 础 信 息 gdp "
    assert text.body == " 摘 要 "
    assert text.pinyin == " ren kou ji chu xin xi "  # a gap only between syllables
    assert text.initials == " r k j c x x "
    assert text.words == " 人口 基础 信息 gdp "
    # Runs of whole words: their pinyin, and initials of three letters or more.
    assert text.runs == (
        " ~renkou ~renkoujichu ~rkjc ~renkoujichuxinxi ~rkjcxx ~jichu ~jichuxinxi ~jcxx ~xinxi "
    )


def test_runs_spell_whole_words_only() -> None:
    runs = index_text_of("食品监督抽检信息", "").runs.split()
    assert "~jdcj" in runs  # 监督 抽检
    assert "~jdc" not in runs  # would end inside 抽检
    assert "~jdc" in index_text_of("机动车登记", "").runs.split()
    # A word of Latin letters or digits ends a run.
    assert "~hjrk" not in index_text_of("户籍2019人口", "").runs.split()


def test_a_learned_word_is_put_together_again_and_only_in_its_own_searcher() -> None:
    shipped = Searcher.shipped()
    learning = shipped.learning()
    learning.learn(["宗地统一编码", "宗地统一编码"])
    assert learning.learned == {"宗地统一编码"}
    assert learning.cut("宗地统一编码查询") == ["宗地统一编码", "查询"]
    assert shipped.cut("宗地统一编码查询") == ["宗", "地", "统一", "编码", "查询"]
    assert "宗地统一编码" in learning.suggestions("宗地统一编玛")


def test_the_shipped_syllables_are_every_syllable_pypinyin_gives() -> None:
    from graph.search.pinyin import _syllables, every_syllable

    assert _syllables() == every_syllable()


def test_pinyin() -> None:
    assert syllables_of("银行") == ["yin", "hang"]
    assert split_syllables("renkou") == ("ren", "kou")
    assert split_syllables("xian") == ("xian",)  # the longer syllable first
    assert split_syllables("gdp") is None


# Polyphones (行 xing/hang, 长 chang/zhang, 重 zhong/chong, 乐 le/yue, 朝 chao/zhao, 都 du/dou,
# 还 hai/huan, 会 hui/kuai, 藏 cang/zang), the words that read them one way, and a kana.
_READ_BY_CONTEXT = "银行行长重庆长寿区音乐会朝阳都会还款计划西藏人口基础信息企业登记了的地得の"


@given(st.text(alphabet=_READ_BY_CONTEXT, min_size=1, max_size=16))
def test_syllables_read_segment_by_segment_are_pypinyins_whole_reading(han: str) -> None:
    expected = lazy_pinyin(han, style=Style.NORMAL, errors=lambda chars: ["_"] * len(chars))
    assert syllables_of(han) == [s if s.isascii() and s.isalpha() else "_" for s in expected]


def test_polyphones_read_by_their_words() -> None:
    assert syllables_of("重庆银行行长") == ["chong", "qing", "yin", "hang", "hang", "zhang"]
    assert syllables_of("长寿音乐会") == ["chang", "shou", "yin", "yue", "hui"]


@pytest.fixture(scope="module")
def searcher() -> Searcher:
    return Searcher.shipped()


def test_words_of_a_query(searcher: Searcher) -> None:
    plan = searcher.read("人口的信息")
    assert plan is not None
    assert [g.typed for g in plan.groups] == [("人", "口"), ("信", "息")]  # 的 dropped


def test_quoted_text_is_one_phrase(searcher: Searcher) -> None:
    for text in ('"人口信息"', "“人口信息”", "「人口信息」"):
        plan = searcher.read(text)
        assert plan is not None
        assert [g.typed for g in plan.groups] == [("人", "口", "信", "息")]
        assert len(plan.groups[0].alternatives) == 1  # no synonyms inside quotes


def test_latin_words_are_read_as_pinyin_only_past_the_thresholds(searcher: Searcher) -> None:
    def fields(text: str) -> set[Field]:
        plan = searcher.read(text)
        assert plan is not None
        return {p.field for a in plan.groups[0].alternatives for p in a.phrases}

    assert fields("renkou") == {Field.TEXT, Field.PINYIN, Field.INITIALS}
    assert fields("rkjc") == {Field.TEXT, Field.INITIALS}
    assert fields("ren") == {Field.TEXT, Field.INITIALS}  # one syllable: not pinyin
    assert fields("rk") == {Field.TEXT}  # two letters: not initials
    assert fields("2024") == {Field.TEXT}


def test_synonyms_are_alternatives_and_a_term_of_words_is_all_of_them(
    searcher: Searcher,
) -> None:
    plan = searcher.read("营业执照")
    assert plan is not None
    alternatives = [[p.tokens for p in a.phrases] for a in plan.groups[0].alternatives]
    assert alternatives[0] == [("营", "业", "执", "照")]
    assert [("企", "业"), ("登", "记")] in alternatives


def test_nothing_to_look_for(searcher: Searcher) -> None:
    assert searcher.read("  ，。！ ") is None


def test_highlight_marks_the_characters_as_written(searcher: Searcher) -> None:
    plan = searcher.read("人口 資訊")  # 资讯 is a synonym of 信息
    assert plan is not None
    pieces = [(f.text, f.matched) for f in highlight("人口基礎信息", plan)]
    assert pieces == [("人口", True), ("基礎", False), ("信息", True)]


def test_suggestions_are_homophones_of_the_vocabulary(searcher: Searcher) -> None:
    assert "户籍 人口" in searcher.suggestions("户藉人口")
    assert searcher.suggestions("人口") == []
