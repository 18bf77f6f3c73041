"""The names in an article's visible byline: marked bylines, author links and itemprops, without page furniture."""

from __future__ import annotations

from collections.abc import Collection

import pytest

from archiver.metadata.byline import byline_names
from archiver.metadata.structure import article_region, find_headline, parse_html

HEADLINE = "Council approves the budget after a long night"
BODY = (
    "<p>The council voted on Tuesday to approve the new budget after a long debate about schools, roads and the "
    "cost of heating the town's swimming pool through the winter.</p>"
    "<p>The opposition said the plan leaves too little for repairs to the bridges on the eastern side of town.</p>"
)


def names(html: str, not_names: Collection[str] = ()) -> list[tuple[str, str]]:
    tree = parse_html(html)
    assert tree is not None
    region = article_region(tree, find_headline(tree, [HEADLINE]))
    return byline_names(region, not_names)


def article(byline: str, after: str = "") -> str:
    return f"<html><body><main><article><h1>{HEADLINE}</h1>{byline}{BODY}{after}</article></main></body></html>"


def test_by_jane_doe_and_john_roe_names_both_in_order_without_by() -> None:
    page = article("<p class='byline'>By Jane Doe and John Roe</p>")
    assert names(page) == [("Jane Doe", "byline text"), ("John Roe", "byline text")]


def test_links_to_author_pages_name_the_authors() -> None:
    page = article(
        "<div class='byline'>By <a href='/authors/jane-doe'>Jane Doe</a> and <a href='/authors/john-roe'>John Roe</a>"
        "</div>"
    )
    assert names(page) == [("Jane Doe", "byline author link"), ("John Roe", "byline author link")]


def test_a_wordpress_author_vcard_names_the_author_and_leaves_out_the_date() -> None:
    page = (
        "<html><body><article class='post'><header class='entry-header'>"
        f"<h1 class='entry-title'>{HEADLINE}</h1><div class='entry-meta'>"
        "<span class='posted-on'><time class='entry-date published' datetime='2024-03-05T08:30:00+01:00'>"
        "March 5, 2024</time></span><span class='byline'> by <span class='author vcard'>"
        "<a class='url fn n' href='https://news.example/author/jane-doe/'>Jane Doe</a></span></span>"
        f"</div></header><div class='entry-content'>{BODY}</div></article></body></html>"
    )
    assert names(page) == [("Jane Doe", "byline author link")]


def test_itemprop_name_is_the_authors_name_and_the_job_title_beside_it_is_left_out() -> None:
    page = article(
        "<div itemprop='author' itemscope itemtype='https://schema.org/Person'>By <span itemprop='name'>Jane Doe</span>"
        ", Senior Political Correspondent</div>"
    )
    assert names(page) == [("Jane Doe", "byline [itemprop=name]")]


def test_each_itemprop_name_of_a_shared_byline_is_an_author() -> None:
    page = article(
        "<div class='byline'>By <span itemprop='author' itemscope itemtype='https://schema.org/Person'>"
        "<span itemprop='name'>Jane Doe</span></span> and <span itemprop='author' itemscope "
        "itemtype='https://schema.org/Person'><span itemprop='name'>John Roe</span></span></div>"
    )
    assert names(page) == [("Jane Doe", "byline [itemprop=name]"), ("John Roe", "byline [itemprop=name]")]


def test_a_rel_author_link_is_a_byline_without_a_byline_class() -> None:
    page = article("<p>By <a rel='author' href='/jane'>Jane Doe</a></p>")
    assert names(page) == [("Jane Doe", "byline author link")]


def test_an_address_element_holds_the_byline() -> None:
    assert names(article("<address>Jane Doe</address>")) == [("Jane Doe", "byline text")]


def test_a_german_byline_drops_von_and_splits_at_und() -> None:
    page = article("<p class='article-author'>Von Max Mustermann und Erika Musterfrau</p>")
    assert names(page) == [("Max Mustermann", "byline text"), ("Erika Musterfrau", "byline text")]


def test_a_french_byline_drops_par_and_splits_at_et() -> None:
    page = article("<p class='auteur'>Par Jeanne Dupont et Jean Martin</p>")
    assert names(page) == [("Jeanne Dupont", "byline text"), ("Jean Martin", "byline text")]


def test_words_by_and_an_ampersand_split_two_names() -> None:
    page = article("<p class='byline'>Words by Jane Doe &amp; John Roe</p>")
    assert names(page) == [("Jane Doe", "byline text"), ("John Roe", "byline text")]


def test_a_news_agency_named_beside_the_reporter_is_kept() -> None:
    page = article("<p class='autor'>Von Max Mustermann, dpa</p>")
    assert names(page) == [("Max Mustermann", "byline text"), ("dpa", "byline text")]


def test_a_desk_name_is_a_byline() -> None:
    assert names(article("<p class='byline'>By News Desk</p>")) == [("News Desk", "byline text")]


def test_the_place_a_reporter_files_from_is_not_part_of_the_name() -> None:
    assert names(article("<p class='byline'>Associated Press in Valencia</p>")) == [("Associated Press", "byline text")]


def test_a_job_title_after_the_name_is_left_out() -> None:
    assert names(article("<p class='byline'>By Jane Doe, Political Editor</p>")) == [("Jane Doe", "byline text")]


def test_the_date_beside_the_name_is_left_out() -> None:
    page = article(
        "<div class='byline'><span>By Jane Doe</span> <time datetime='2024-03-05'>March 5, 2024</time></div>"
        "<p class='byline-date'>Updated 5 March 2024</p>"
    )
    assert names(page) == [("Jane Doe", "byline text")]


def test_an_email_address_beside_the_name_is_left_out() -> None:
    assert names(article("<p class='byline'>By Jane Doe | jane.doe@example.com</p>")) == [("Jane Doe", "byline text")]


def test_view_all_and_follow_links_to_the_authors_page_are_not_names() -> None:
    page = article(
        "<div class='byline'>By <a href='/authors/jane-doe'>Jane Doe</a> <a href='/authors/jane-doe'>View all posts</a>"
        " <a href='/authors/jane-doe'>Follow</a></div>"
    )
    assert names(page) == [("Jane Doe", "byline author link")]


def test_the_sites_own_name_beside_a_reporter_is_the_outlet_not_an_author() -> None:
    assert names(article("<p class='byline'>By Jane Doe, The Cradle</p>"), ["The Cradle"]) == [
        ("Jane Doe", "byline text")
    ]
    # alone, the site is who the byline says wrote it ("Par Les Echos", "Par Le Figaro et AFP")
    assert names(article("<p class='byline'>By THE CRADLE</p>"), ["The Cradle"]) == [("THE CRADLE", "byline text")]
    assert names(article("<p class='byline'>Par Le Figaro et AFP</p>"), ["Le Figaro"]) == [
        ("Le Figaro", "byline text"),
        ("AFP", "byline text"),
    ]


def test_an_outlet_name_ending_in_news_is_not_a_person() -> None:
    assert names(article("<p class='byline'>By Jane Doe, CBC News</p>")) == [("Jane Doe", "byline text")]


def test_share_buttons_beside_the_byline_are_not_authors() -> None:
    page = article(
        "<div class='article-meta'><span class='byline'>By <a href='/author/jane-doe/'>Jane Doe</a></span>"
        "<div class='share-buttons'><a href='https://www.facebook.com/sharer/sharer.php'>Facebook</a>"
        "<a href='https://twitter.com/intent/tweet'>Twitter</a><a href='mailto:?subject=Budget'>Email</a>"
        "<button>Share</button></div></div>"
    )
    assert names(page) == [("Jane Doe", "byline author link")]


def test_share_links_in_capitals_beside_a_text_byline_are_not_authors() -> None:
    page = article(
        "<div class='article-meta'><span class='byline'>By Jane Doe</span><div class='share-buttons'>"
        "<a href='https://wa.me/'>WhatsApp</a><a href='https://twitter.com/intent/tweet'>X</a>"
        "<a href='https://www.linkedin.com/shareArticle'>LinkedIn</a><a>Share on Facebook</a></div></div>"
    )
    assert names(page) == [("Jane Doe", "byline text")]


def test_the_authors_in_a_most_popular_box_beside_the_article_are_not_its_authors() -> None:
    page = (
        f"<html><body><main><article><h1>{HEADLINE}</h1>{BODY}</article>"
        "<aside class='most-popular'><h2>Most Popular</h2><ul><li><a href='/storm'>Storm hits the coast</a> "
        "<span class='author'>Peter Pan</span></li><li><a href='/authors/wendy-darling'>Wendy Darling</a></li></ul>"
        "</aside></main></body></html>"
    )
    assert names(page) == []


def test_an_author_link_in_the_navigation_is_not_an_author() -> None:
    page = (
        "<html><body><nav><a href='/authors/peter-pan'>Peter Pan</a></nav>"
        f"<div class='page'><h1>{HEADLINE}</h1><div class='article-body'>{BODY}</div></div></body></html>"
    )
    assert names(page) == []


def test_the_byline_of_a_teaser_for_another_story_is_not_an_author() -> None:
    page = (
        f"<html><body><main><article><h1>{HEADLINE}</h1>{BODY}</article>"
        "<article class='card'><h2>Storm hits the coast</h2><p class='byline'>By Peter Pan</p></article>"
        "</main></body></html>"
    )
    assert names(page) == []


def test_a_teaser_nested_in_the_article_brings_no_author() -> None:
    teaser = "<article class='card'><h3>Storm hits the coast</h3><p class='byline'>By Peter Pan</p></article>"
    assert names(article("", after=teaser)) == []
    assert names(article("<p class='byline'>By Jane Doe</p>", after=teaser)) == [("Jane Doe", "byline text")]


def test_an_author_bio_box_is_not_a_byline() -> None:
    bio = "<div class='author-bio'><p>Peter Pan is a reporter covering City Hall.</p></div>"
    assert names(article("", after=bio)) == []


def test_a_photo_credit_line_under_the_byline_names_no_author() -> None:
    page = article("<p class='byline'>By Jane Doe</p><p class='byline'>Photos by John Roe</p>")
    assert names(page) == [("Jane Doe", "byline text")]


def test_the_byline_above_the_body_wins_over_an_author_box_below_it() -> None:
    page = article("<p class='byline'>By Jane Doe</p>", after="<p class='author'>Ann Poe</p>")
    assert names(page) == [("Jane Doe", "byline text")]


def test_a_byline_below_the_body_counts_when_there_is_none_above() -> None:
    assert names(article("", after="<p class='author'>Ann Poe</p>")) == [("Ann Poe", "byline text")]


def test_a_name_stated_twice_above_the_body_is_named_once_as_first_found() -> None:
    page = article(
        "<div class='byline'>By <a href='/authors/jane-doe'>Jane Doe</a></div>"
        "<figure><img src='/img/a.jpg' alt=''></figure><span class='author'>JANE DOE</span>"
    )
    assert names(page) == [("Jane Doe", "byline author link")]


def test_a_byline_in_a_side_column_of_the_article_element_is_read() -> None:
    page = (
        f"<html><body><main><article><header><h1>{HEADLINE}</h1></header><div class='layout'>"
        f"<div class='meta-column'><div class='author-name'>Jane Doe</div></div>"
        f"<div class='article-body'>{BODY}{BODY}</div></div></article></main></body></html>"
    )
    assert names(page) == [("Jane Doe", "byline text")]


def test_an_article_without_a_byline_names_nobody() -> None:
    assert names(article("")) == []


def test_a_korean_byline_drops_the_reporters_title_and_the_count_of_others() -> None:
    assert names(article("<p class='byline'>박준석 기자 외 1명</p>")) == [("박준석", "byline text")]


def test_a_chinese_byline_splits_at_the_ideographic_comma_and_drops_reporter() -> None:
    page = article("<p class='author'>记者 张三、李四</p>")
    assert names(page) == [("张三", "byline text"), ("李四", "byline text")]


def test_a_japanese_reporter_title_after_the_name_is_left_out() -> None:
    assert names(article("<p class='author'>田中一郎記者</p>")) == [("田中一郎", "byline text")]


def test_cyrillic_names_are_names_and_split_at_i() -> None:
    page = article("<p class='author'>Иван Петров и Анна Смирнова</p>")
    assert names(page) == [("Иван Петров", "byline text"), ("Анна Смирнова", "byline text")]


def test_an_arabic_byline_drops_biqalam() -> None:
    assert names(article("<p class='author'>بقلم محمد علي</p>")) == [("محمد علي", "byline text")]


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Por Ana García y Luis Pérez", ["Ana García", "Luis Pérez"]),
        ("Av Kari Nordmann og Ola Nordmann", ["Kari Nordmann", "Ola Nordmann"]),
        ("Av Anna Svensson och Erik Berg", ["Anna Svensson", "Erik Berg"]),
        ("Di Mario Rossi e Anna Bianchi", ["Mario Rossi", "Anna Bianchi"]),
        ("Door Jan Jansen en Piet de Vries", ["Jan Jansen", "Piet de Vries"]),
    ],
)
def test_lists_of_names_split_in_the_bylines_language(byline: str, expected: list[str]) -> None:
    assert [name for name, _ in names(article(f"<p class='byline'>{byline}</p>"))] == expected


@pytest.mark.parametrize(
    "furniture",
    ["Publié le", "Mehr Infos", "CEST", "Whats App", "Order Reprints", "Google Scholar", "Most Popular Today"],
)
def test_page_furniture_beside_a_byline_is_no_author(furniture: str) -> None:
    page = article(f"<div class='byline'><span>By Jane Doe</span> <span>{furniture}</span></div>")
    assert names(page) == [("Jane Doe", "byline text")]


def test_the_outlet_a_writer_wrote_for_and_a_desk_sign_are_not_part_of_the_name() -> None:
    assert names(article("<p class='byline'>By Dolores Chang For Dailymail.Com</p>")) == [
        ("Dolores Chang", "byline text")
    ]
    assert names(article("<p class='author'>Elena Oberholzer (obe)</p>")) == [("Elena Oberholzer", "byline text")]


def test_a_chinese_article_credits_its_reporters_in_its_own_last_paragraph() -> None:
    body = (
        "<div class='text'><p>这是一篇很长的新闻报道的第一段，讲述了论坛的召开和与会者的讨论内容以及各方的观点。</p>"
        "<p>参加论坛的研究员表示期待各国年轻一代航天人才进一步加强交流与合作。（记者宋晨、田中全）</p>"
        "<p>【版权声明：本文相关权益归本网所有。未经授权，不得转载、摘编等。】</p></div>"
    )
    page = f"<html><body><main><h1>{HEADLINE}</h1>{body}</main></body></html>"
    assert names(page) == [("宋晨", "text byline"), ("田中全", "text byline")]


def test_a_japanese_dateline_bracket_names_the_reporter_without_the_place() -> None:
    body = (
        "<div class='text'><p>【ソウル＝小池和樹】韓国の尹大統領は３日夜、非常戒厳を宣布した。国会は直ちに解除を求める決議を可決した。</p>"
        "<p>詳細は続報で伝える。</p></div>"
    )
    page = f"<html><body><main><h1>{HEADLINE}</h1>{body}</main></body></html>"
    assert names(page) == [("小池和樹", "text byline")]


def test_a_byline_with_a_slash_before_the_staff_title_names_both_reporters() -> None:
    page = article("<p class='byline'>By Takeo Maeda and Tatsuya Tanoue / Yomiuri Shimbun Staff Writers</p>")
    assert names(page) == [("Takeo Maeda", "byline text"), ("Tatsuya Tanoue", "byline text")]


def test_a_plain_byline_under_the_headline_names_the_author() -> None:
    page = article("<p><span>Par </span><span>Jeanne Dupont</span></p>")
    assert names(page) == [("Jeanne Dupont", "byline text (plain)")]


def test_an_agency_given_as_the_source_under_the_headline_is_the_author() -> None:
    assert names(article("<small data-testid='article-source'>Bron: BELGA</small>")) == [("BELGA", "agency line")]
    assert names(article("<div class='name'>AFP, MANILA</div>")) == [("AFP", "agency line")]


def test_a_bold_signature_under_the_last_paragraph_names_the_author() -> None:
    page = article("", after="<p style='text-align:right'><strong>Lê Phương</strong></p>")
    assert names(page) == [("Lê Phương", "signature")]


def test_a_photographers_name_in_a_figure_is_no_byline() -> None:
    page = article(
        "<p class='authors'>Alberto Órfão</p>",
        after="<figure><img src='/a.jpg'><figcaption>Albares <span class='author'>EFE/ J.J. Guillén</span></figcaption></figure>",
    )
    assert names(page) == [("Alberto Órfão", "byline text")]


def test_tags_and_tools_in_a_byline_block_are_no_authors() -> None:
    page = article(
        "<div class='meta'><span class='author'>松岡大地</span><ul class='tags'><li><a href='/ch/world'>国際</a></li>"
        "<li><a href='/ch/news'>速報</a></li></ul></div>"
        "<div class='byline_action'><a href='/toireporter/author-jane-doe.cms'>Jane Doe</a>"
        "<div><span>AA</span><div><button>+</button>Text Size</div></div></div>"
    )
    assert names(page) == [("松岡大地", "byline text"), ("Jane Doe", "byline text")]


def test_a_desk_named_as_the_author_is_kept() -> None:
    assert names(article("<footer class='footer-author'>Our Foreign Staff</footer>")) == [
        ("Our Foreign Staff", "byline text")
    ]


def test_a_section_label_in_capitals_beside_the_byline_is_no_author() -> None:
    page = article("<div class='byline'><span>POLITICS</span> <span>By Jane Doe</span> <span>AFP</span></div>")
    assert names(page) == [("Jane Doe", "byline text"), ("AFP", "byline text")]
