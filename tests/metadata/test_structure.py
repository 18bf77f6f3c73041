"""The visible headline and the article's own region of the page, without navigation, asides and other stories."""

from __future__ import annotations

import pytest
from lxml.html import HtmlElement

from archiver.metadata.structure import (
    ArticleRegion,
    agreement,
    article_region,
    clean_text,
    find_headline,
    in_furniture,
    is_furniture,
    parse_html,
    title_variants,
)

HEADLINE = "Council approves the budget"
BODY = (
    "<p>The council voted on Tuesday to approve the new budget after a long debate about schools, roads and the "
    "cost of heating the town's swimming pool through the winter.</p>"
    "<p>The opposition said the plan leaves too little for repairs to the bridges on the eastern side of town.</p>"
)


def tree_of(html: str) -> HtmlElement:
    tree = parse_html(html)
    assert tree is not None
    return tree


def headline(html: str, titles: list[str] | None = None) -> tuple[str, str] | None:
    found = find_headline(tree_of(html), titles or [])
    return (found.text, found.source) if found else None


def region_of(html: str, titles: list[str] | None = None) -> tuple[HtmlElement, ArticleRegion]:
    tree = tree_of(html)
    return tree, article_region(tree, find_headline(tree, titles or []))


def by_id(tree: HtmlElement, name: str) -> HtmlElement:
    (element,) = tree.xpath(f"//*[@id='{name}']")
    return element


# -- parsing ----------------------------------------------------------------------------------


def test_a_source_in_a_picture_is_closed_so_the_figcaption_stays_in_its_figure() -> None:
    tree = tree_of(
        "<figure><picture><source type='image/webp' srcset='/a.webp'><img src='/a.jpg'></picture>"
        "<figcaption>The harbour at dawn.</figcaption></figure>"
    )
    (caption,) = tree.iter("figcaption")
    assert caption.getparent().tag == "figure"
    assert len(list(tree.iter("source"))[0]) == 0  # nothing nested inside the <source>


@pytest.mark.parametrize("html", ["", "   \n  "])
def test_an_empty_document_has_no_tree(html: str) -> None:
    assert parse_html(html) is None


def test_text_is_read_without_soft_hyphens_zero_width_characters_and_extra_spaces() -> None:
    assert clean_text("Haus\u00adhalt\u200b  der\n\tStadt\ufeff ") == "Haushalt der Stadt"


# -- the headline -----------------------------------------------------------------------------


def test_the_pages_one_h1_is_the_headline() -> None:
    assert headline(f"<html><body><article><h1>{HEADLINE}</h1>{BODY}</article></body></html>") == (HEADLINE, "h1")


def test_a_one_word_logo_h1_does_not_compete_with_the_articles_h1() -> None:
    page = (
        "<html><body><header><h1 class='logo'><a href='/'>Planet</a></h1></header>"
        f"<article><h1>{HEADLINE}</h1></article></body></html>"
    )
    assert headline(page) == (HEADLINE, "h1")


def test_among_several_h1s_the_one_the_page_title_agrees_with_is_the_headline() -> None:
    page = (
        "<html><body><header class='masthead'><h1 class='logo'><a href='/'>Daily Planet</a></h1></header>"
        f"<article><h1>{HEADLINE}</h1></article></body></html>"
    )
    assert headline(page, [HEADLINE]) == (HEADLINE, "h1")


def test_an_h1_in_the_navigation_is_not_the_headline_and_an_h2_the_title_agrees_with_is() -> None:
    page = f"<html><body><nav><h1>Site navigation menu</h1></nav><article><h2>{HEADLINE}</h2></article></body></html>"
    assert headline(page, [f"{HEADLINE} - Daily Planet"]) == (HEADLINE, "h2")


def test_a_plain_h2_the_titles_do_not_agree_with_is_not_the_headline() -> None:
    page = "<html><body><nav><h1>Site navigation menu</h1></nav><article><h2>Storm hits the coast</h2></article></body>"
    assert headline(page, [HEADLINE]) is None


def test_a_heading_in_a_related_box_is_not_the_headline_even_when_the_title_agrees() -> None:
    page = (
        "<html><body><article><h2>Council approves the budget for schools</h2></article>"
        f"<div class='related'><h2>{HEADLINE}</h2></div></body></html>"
    )
    assert headline(page, [HEADLINE]) == ("Council approves the budget for schools", "h2")


def test_an_itemprop_headline_outside_a_heading_is_the_headline_the_title_agrees_with() -> None:
    page = f"<html><body><article><div itemprop='headline'>{HEADLINE}</div></article></body></html>"
    assert headline(page, [HEADLINE]) == (HEADLINE, "div [itemprop=headline]")


def test_the_kicker_above_the_headline_is_not_part_of_it() -> None:
    page = f"<html><body><article><h1><span class='kicker'>Exclusive</span> {HEADLINE}</h1></article></body></html>"
    assert headline(page) == (HEADLINE, "h1")


def test_a_german_dachzeile_and_its_hidden_colon_are_not_part_of_the_headline() -> None:
    page = (
        "<html><body><article><h1><span class='dachzeile'>Haushalt</span><span class='visually-hidden'>:</span> "
        "Rat beschließt den Etat</h1></article></body></html>"
    )
    assert headline(page) == ("Rat beschließt den Etat", "h1")


def test_the_title_part_of_a_split_heading_is_the_headline() -> None:
    page = (
        "<html><body><article><h1><span class='topline'>Haushalt</span>"
        "<span class='headline-title'>Rat beschließt den Etat</span></h1></article></body></html>"
    )
    assert headline(page) == ("Rat beschließt den Etat", "h1")


def test_words_hidden_from_sight_are_not_part_of_the_headline() -> None:
    page = "<html><body><article><h1>Council approves <span class='sr-only'>the new</span> budget</h1></article></body>"
    assert headline(page) == ("Council approves budget", "h1")


def test_a_page_without_a_heading_has_no_headline() -> None:
    assert headline(f"<html><body><div>{BODY}</div></body></html>", [HEADLINE]) is None


def test_a_page_title_is_also_tried_without_its_site_name() -> None:
    assert title_variants([f"{HEADLINE} | Daily Planet", None, "", HEADLINE]) == [
        f"{HEADLINE} | Daily Planet",
        HEADLINE,
        HEADLINE,
    ]


def test_agreement_is_the_share_of_the_headings_words_the_title_holds() -> None:
    assert agreement(HEADLINE, "Council approves budget - Daily Planet") == 0.75
    assert agreement(HEADLINE, HEADLINE.upper()) == 1.0
    assert agreement("", HEADLINE) == 0.0


# -- furniture --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<nav><a href='/'>Home</a></nav>",
        "<aside><p>Most Popular</p></aside>",
        "<footer><p>Contact</p></footer>",
        "<div role='complementary'><p>More</p></div>",
        "<div class='share-buttons'><a href='/share'>Share</a></div>",
        "<div class='social'><a href='/x'>X</a></div>",
        "<div class='ad-slot'></div>",
        "<div class='c-teaser'><a href='/x'>Other story</a></div>",
        "<section id='most-popular'><h2>Most Popular</h2></section>",
        "<div class='related-stories'><h3>Related</h3></div>",
        "<div class='outbrain-widget'></div>",
    ],
)
def test_navigation_asides_footers_ads_sharing_and_related_stories_are_furniture(html: str) -> None:
    assert is_furniture(tree_of(html)) is True


@pytest.mark.parametrize(
    "html",
    [
        "<div class='article-body'><p>Text</p></div>",
        "<div class='l-sidebar-fixed related'><h1>The story</h1></div>",  # a layout wrapper holding the headline
        "<main class='has-sidebar'><p>Text</p></main>",
        "<div class='is-below-header-ad'><p>Text</p></div>",  # "ad" only as a word of its own
        "<div class='article-body related-content'><p>Text</p></div>",
        "<div class='loaded'><p>Text</p></div>",
    ],
)
def test_the_articles_own_containers_and_layout_wrappers_are_not_furniture(html: str) -> None:
    assert is_furniture(tree_of(html)) is False


def test_an_element_is_in_furniture_only_below_the_element_it_is_asked_from() -> None:
    tree = tree_of("<div><aside><div id='box'><span id='inner'>x</span></div></aside></div>")
    assert in_furniture(by_id(tree, "inner")) is True
    assert in_furniture(by_id(tree, "inner"), stop=by_id(tree, "box")) is False


# -- the article's region ---------------------------------------------------------------------

PAGE = f"""<html><body>
<header class='site'><a class='brand' href='/'>Daily Planet</a></header>
<nav><a href='/politics'><img id='nav' src='/nav.png'></a></nav>
<div class='hero'><img id='hero' src='/lead.jpg'></div>
<div class='page'>
  <h1>{HEADLINE}</h1>
  <div class='byline'><img id='avatar' src='/jane.jpg'> By Jane Doe</div>
  <div class='article-body'>{BODY}
    <figure><img id='body' src='/council.jpg'><figcaption>Councillors debate.</figcaption></figure>
    <div class='related-stories'><img id='related' src='/other.jpg'></div>
  </div>
  <div class='comments'><img id='comments' src='/comment.jpg'></div>
</div>
<aside class='most-popular'><img id='popular' src='/popular.jpg'></aside>
<footer><img id='footer' src='/logo.png'></footer>
</body></html>"""


def test_the_body_after_the_headline_is_the_articles_region() -> None:
    _, region = region_of(PAGE, [HEADLINE])
    assert region.root.get("class") == "article-body"
    assert region.headline is not None and region.headline.text == HEADLINE


def test_the_region_runs_from_the_headline_to_the_end_of_the_body_with_a_hero_above_it() -> None:
    tree, region = region_of(PAGE, [HEADLINE])
    inside = {name: region.contains(by_id(tree, name)) for name in ("hero", "avatar", "body")}
    assert inside == {"hero": True, "avatar": True, "body": True}


def test_navigation_related_stories_comments_asides_and_footers_are_outside_the_region() -> None:
    tree, region = region_of(PAGE, [HEADLINE])
    outside = {name: region.contains(by_id(tree, name)) for name in ("nav", "related", "comments", "popular", "footer")}
    assert outside == {"nav": False, "related": False, "comments": False, "popular": False, "footer": False}


def test_the_article_element_around_the_headline_is_the_region_and_other_stories_are_not_in_it() -> None:
    page = f"""<html><body><main>
    <article><h1>{HEADLINE}</h1>{BODY}<img id='own' src='/own.jpg'>
      <article class='teaser'><h3>Storm hits the coast</h3><img id='teaser' src='/teaser.jpg'></article>
    </article>
    <article><h2>The next story, appended by infinite scroll</h2>{BODY}<img id='next' src='/next.jpg'></article>
    </main></body></html>"""
    tree, region = region_of(page, [HEADLINE])
    assert region.root.tag == "article" and region.root.find("h1") is not None
    assert [region.contains(by_id(tree, name)) for name in ("own", "teaser", "next")] == [True, False, False]


def test_without_a_headline_the_body_with_the_most_text_is_the_region() -> None:
    page = f"""<html><body><div class='teaser'><p>Short teaser.</p></div>
    <div class='entry-content' id='long'>{BODY}{BODY}</div><div class='post-content'>{BODY}</div></body></html>"""
    tree, region = region_of(page)
    assert region.headline is None
    assert region.root is by_id(tree, "long")


def test_without_a_headline_or_a_body_the_main_element_is_the_region() -> None:
    tree, region = region_of("<html><body><nav><p>Menu</p></nav><main id='main'><p>Text</p></main></body></html>")
    assert region.root is by_id(tree, "main")


def shown(page: str, title: str) -> str | None:
    """The headline found on `page` whose stated title is `title`."""
    tree = parse_html(page)
    assert tree is not None
    found = find_headline(tree, [title])
    return found.text if found else None


def test_a_french_space_before_the_colon_is_kept_as_the_page_writes_it() -> None:
    page = "<html><body><article><h1>Guerre en Ukraine\xa0: la Russie affirme avoir gagné</h1></article></body></html>"
    assert headline(page) == ("Guerre en Ukraine : la Russie affirme avoir gagné", "h1")


def test_a_quote_dash_that_opens_the_headline_is_part_of_it() -> None:
    page = "<html><body><article><h1>- Angsten <span class='tm116'>vil øke</span></h1></article></body></html>"
    assert headline(page) == ("- Angsten vil øke", "h1")


def test_two_pieces_of_a_headline_are_two_words_apart() -> None:
    page = "<html><body><article><h1><span>Samastipur police caught 2:</span>theft solved</h1></article></body></html>"
    assert headline(page) == ("Samastipur police caught 2: theft solved", "h1")


def test_a_short_line_on_its_own_above_a_longer_one_is_a_kicker() -> None:
    page = (
        "<html><body><article><h2><span class='block font-bold'>Kollaps der Silicon Valley Bank</span> "
        "<span class='text-7xl'><span>US-Notenbank räumt Versäumnisse bei Aufsicht ein</span></span></h2>"
        "</article></body></html>"
    )
    assert (
        shown(page, "US-Notenbank räumt Versäumnisse bei Aufsicht ein")
        == "US-Notenbank räumt Versäumnisse bei Aufsicht ein"
    )


def test_a_title_marked_by_a_data_attribute_is_the_headline_without_its_kicker() -> None:
    page = (
        "<html><body><article><h2 class='title'><div><span class='titleheader'>Umbau des Weissen Hauses</span>"
        "<span aria-hidden='true'> – </span></div><span data-testid='content-title'>Trump plant einen Landeplatz"
        "</span></h2></article></body></html>"
    )
    assert shown(page, "Umbau des Weissen Hauses – Trump plant einen Landeplatz") == "Trump plant einen Landeplatz"


def test_a_breadcrumbs_h1_is_not_the_headline() -> None:
    page = (
        "<html><body><h1 class='breadcrumb__headline'>Donald Trump: Warum Kritik so ineffektiv ist</h1>"
        "<article><h2><span class='title__kicker'>Meinung</span> <span class='title__headline'>Warum Kritik an "
        "Trumps Charakter verpufft</span></h2></article></body></html>"
    )
    assert shown(page, "Warum Kritik an Trumps Charakter verpufft") == "Warum Kritik an Trumps Charakter verpufft"
