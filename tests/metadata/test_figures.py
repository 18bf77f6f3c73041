"""The caption and the credits the markup states around one picture: <figure>, wp-caption, credit elements."""

from __future__ import annotations

from lxml.html import HtmlElement

from archiver.metadata.figures import caption_elements, caption_text, figure_of, markup_credits
from archiver.metadata.structure import parse_html


def picture(markup: str, img_id: str = "pic") -> tuple[HtmlElement, HtmlElement | None]:
    """The image with `img_id` in an article holding `markup`, and the element that captions it."""
    tree = parse_html(f"<html><body><article>{markup}</article></body></html>")
    assert tree is not None
    (img,) = tree.xpath(f"//img[@id='{img_id}']")
    return img, figure_of(img, tree.find(".//article"))


def described(markup: str) -> tuple[str | None, list[tuple[str, str, str | None]]]:
    """(caption, [(credit, source, the text it was read from)]) of the picture `pic` in `markup`."""
    img, figure = picture(markup)
    return caption_text(figure, img), [(c.value, c.source, c.text) for c in markup_credits(img, figure)]


# -- the figure and its caption ---------------------------------------------------------------


def test_a_wordpress_wp_caption_div_is_the_pictures_figure_and_its_caption_text_the_caption() -> None:
    img, figure = picture(
        "<div id='attachment_12' style='width: 760px' class='wp-caption aligncenter'>"
        "<img id='pic' class='size-large wp-image-12' src='/wp-content/uploads/2024/03/vote.jpg' alt=''>"
        "<p id='caption-attachment-12' class='wp-caption-text'>Members of parliament vote on Tuesday. "
        "(AP Photo/Jane Lens)</p></div>"
    )
    assert figure is not None and figure.get("id") == "attachment_12"
    assert caption_text(figure, img) == "Members of parliament vote on Tuesday. (AP Photo/Jane Lens)"
    assert markup_credits(img, figure) == []  # the credit is in the caption's wording, read by caption_credits


def test_a_block_with_a_caption_span_captions_a_picture_without_a_figure() -> None:
    img, figure = picture(
        "<div class='media' id='media'><img id='pic' src='/a.jpg'><span class='pb-caption'>The harbour at dawn.</span>"
        "</div>"
    )
    assert figure is not None and figure.get("id") == "media"
    assert caption_text(figure, img) == "The harbour at dawn."


def test_a_block_holding_two_pictures_is_not_the_caption_of_either() -> None:
    img, figure = picture(
        "<div class='media'><img id='pic' src='/a.jpg'><img src='/b.jpg'><span class='pb-caption'>Two views.</span>"
        "</div>"
    )
    assert figure is None
    assert caption_text(figure, img) is None


def test_a_lazy_images_noscript_copy_does_not_count_as_a_second_picture() -> None:
    img, figure = picture(
        "<div class='media' id='media'><img id='pic' src='data:image/gif;base64,R0lGOD' data-src='/a.jpg'>"
        "<noscript><img src='/a.jpg'></noscript><span class='pb-caption'>The harbour at dawn.</span></div>"
    )
    assert figure is not None and figure.get("id") == "media"


def test_a_figure_whose_caption_sits_beside_its_wrapper_widens_to_the_block_holding_both() -> None:
    img, figure = picture(
        "<div class='media-block' id='block'><div class='img-wrap'><figure><img id='pic' src='/a.jpg'></figure></div>"
        "<div class='caption'>Der Reichstag in Berlin. Foto: dpa</div></div>"
    )
    assert figure is not None and figure.get("id") == "block"
    assert caption_text(figure, img) == "Der Reichstag in Berlin. Foto: dpa"


def test_the_pictures_own_source_wrapper_is_not_a_credit_element() -> None:
    caption, credits = described(
        "<figure><span class='source'><img id='pic' src='/a.jpg'></span><figcaption>The harbour.</figcaption></figure>"
    )
    assert (caption, credits) == ("The harbour.", [])


def test_every_caption_element_of_a_figure_is_read_once_in_order() -> None:
    img, figure = picture(
        "<figure><img id='pic' src='/a.jpg'><div class='caption'>The harbour at dawn.</div>"
        "<figcaption>Photo: Jane Lens</figcaption></figure>"
    )
    assert figure is not None
    assert [e.tag for e in caption_elements(figure)] == ["div", "figcaption"]
    assert caption_text(figure, img) == "The harbour at dawn. Photo: Jane Lens"


def test_a_caption_repeated_inside_a_longer_caption_is_read_once() -> None:
    caption, _ = described(
        "<figure><img id='pic' src='/a.jpg'><p class='caption'>The harbour at dawn.</p>"
        "<figcaption>The harbour at dawn. Photo: Jane Lens</figcaption></figure>"
    )
    assert caption == "The harbour at dawn. Photo: Jane Lens"


def test_a_shorter_copy_of_the_caption_after_it_is_read_once() -> None:
    caption, _ = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>The harbour at dawn. Photo: Jane Lens</figcaption>"
        "<div class='caption caption--mobile'>The harbour at dawn.</div></figure>"
    )
    assert caption == "The harbour at dawn. Photo: Jane Lens"


def test_caption_elements_nested_in_a_caption_are_not_read_twice() -> None:
    img, figure = picture(
        "<figure><img id='pic' src='/a.jpg'><figcaption><span class='caption-text'>The harbour at dawn.</span>"
        "</figcaption></figure>"
    )
    assert figure is not None
    assert [e.tag for e in caption_elements(figure)] == ["figcaption"]
    assert caption_text(figure, img) == "The harbour at dawn."


def test_without_a_caption_element_the_images_data_caption_is_its_caption_before_its_title() -> None:
    img, figure = picture("<p><img id='pic' src='/a.jpg' data-caption='The harbour at dawn' title='Hover text'></p>")
    assert figure is None
    assert caption_text(figure, img) == "The harbour at dawn"


def test_without_a_caption_element_the_images_title_is_its_caption() -> None:
    caption, credits = described("<p><img id='pic' src='/a.jpg' title='The harbour at dawn'></p>")
    assert (caption, credits) == ("The harbour at dawn", [])


# -- credits in the markup --------------------------------------------------------------------


def test_a_credit_span_inside_the_figcaption_is_the_photos_credit_without_its_label() -> None:
    caption, credits = described(
        "<figure class='wp-block-image'><img id='pic' src='/a.jpg'><figcaption class='wp-element-caption'>"
        "The harbour at dawn. <span class='credit'>Photo: Jane Lens</span></figcaption></figure>"
    )
    assert caption == "The harbour at dawn. Photo: Jane Lens"
    assert credits == [("Jane Lens", "figure span .credit", "Photo: Jane Lens")]


def test_a_german_foto_credit_span_credits_the_agency() -> None:
    caption, credits = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>Der Reichstag in Berlin. <span class='credit'>Foto: dpa</span>"
        "</figcaption></figure>"
    )
    assert caption == "Der Reichstag in Berlin. Foto: dpa"
    assert credits == [("dpa", "figure span .credit", "Foto: dpa")]


def test_german_credit_classes_name_the_credit_element() -> None:
    _, credits = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>Das Rathaus. <span class='bildnachweis'>Bild: Stadt Köln</span>"
        "</figcaption></figure>"
    )
    assert credits == [("Stadt Köln", "figure span .bildnachweis", "Bild: Stadt Köln")]


def test_a_copyright_element_loses_its_copyright_sign() -> None:
    _, credits = described(
        "<div class='media-block'><figure><img id='pic' src='/a.jpg'></figure>"
        "<div class='caption'>The harbour at dawn. <span class='copyright'>© dpa</span></div></div>"
    )
    assert credits == [("dpa", "figure span .copyright", "© dpa")]


def test_a_cite_in_the_figcaption_is_a_credit() -> None:
    _, credits = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>The harbour at dawn. <cite>Jane Lens/Reuters</cite>"
        "</figcaption></figure>"
    )
    assert credits == [("Jane Lens/Reuters", "figure cite", "Jane Lens/Reuters")]


def test_small_print_in_the_figcaption_is_a_credit() -> None:
    _, credits = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>The harbour at dawn.<small>Jane Lens</small></figcaption>"
        "</figure>"
    )
    assert credits == [("Jane Lens", "figure figcaption small", "Jane Lens")]


def test_a_figures_footer_is_a_credit() -> None:
    caption, credits = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>The harbour at dawn.</figcaption><footer>© Jane Lens</footer>"
        "</figure>"
    )
    assert caption == "The harbour at dawn."
    assert credits == [("Jane Lens", "figure footer", "© Jane Lens")]


def test_a_source_line_in_a_chart_caption_is_a_credit() -> None:
    _, credits = described(
        "<figure><img id='pic' src='/chart.png'><figcaption><p>Unemployment since 2010.</p>"
        "<p class='source'>Source: Federal Statistical Office</p></figcaption></figure>"
    )
    assert credits == [("Federal Statistical Office", "figure p .source", "Source: Federal Statistical Office")]


def test_data_credit_attributes_of_the_image_and_the_figure_are_credits() -> None:
    _, credits = described(
        "<figure data-photo-credit='Jane Lens'><img id='pic' src='/a.jpg' data-credit='Jane Lens/AFP'></figure>"
    )
    assert credits == [
        ("Jane Lens/AFP", "img [data-credit]", "Jane Lens/AFP"),
        ("Jane Lens", "figure [data-photo-credit]", "Jane Lens"),
    ]


def test_a_copyright_holder_itemprop_of_an_image_object_is_a_credit() -> None:
    _, credits = described(
        "<figure itemscope itemtype='https://schema.org/ImageObject'><img id='pic' itemprop='contentUrl' src='/a.jpg'>"
        "<figcaption><span itemprop='caption'>The harbour.</span> <span itemprop='copyrightHolder'>Jane Lens</span>"
        "</figcaption></figure>"
    )
    assert credits == [("Jane Lens", "figure span [itemprop=copyrightHolder]", "Jane Lens")]


def test_a_credit_element_just_after_the_figure_is_the_pictures_credit() -> None:
    _, credits = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>The harbour at dawn.</figcaption></figure>"
        "<div class='photo-credit'>Image: Jane Lens/AFP</div>"
    )
    assert credits == [("Jane Lens/AFP", "after the figure div .credit", "Image: Jane Lens/AFP")]


def test_a_credit_element_beside_an_image_without_a_figure_is_its_credit() -> None:
    img, figure = picture("<img id='pic' src='/a.jpg'><span class='credit'>Jane Lens</span>")
    assert figure is None
    assert [(c.value, c.source) for c in markup_credits(img, figure)] == [
        ("Jane Lens", "beside the image span .credit")
    ]


def test_a_caption_with_no_credit_element_states_no_credit_in_the_markup() -> None:
    caption, credits = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>A view of the harbour at dawn.</figcaption></figure>"
    )
    assert (caption, credits) == ("A view of the harbour at dawn.", [])


def test_an_empty_credit_element_states_no_credit() -> None:
    _, credits = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>The harbour. <span class='credit'> </span></figcaption>"
        "</figure>"
    )
    assert credits == []


def test_a_credit_after_the_next_paragraph_belongs_to_what_follows_not_to_the_picture() -> None:
    _, credits = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>The harbour at dawn.</figcaption></figure>"
        "<p>The port authority says traffic has doubled since 2019.</p><span class='credit'>Other Lens</span>"
    )
    assert credits == []


def test_the_credit_of_the_next_figure_is_not_this_pictures() -> None:
    _, credits = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>The harbour.</figcaption></figure>"
        "<figure><img src='/b.jpg'><span class='credit'>Other Lens</span></figure>"
    )
    assert credits == []


def test_an_attribution_in_a_pull_quote_after_the_figure_is_not_a_photo_credit() -> None:
    _, credits = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>The harbour at dawn.</figcaption></figure>"
        "<div class='pullquote'>“We will rebuild.” <span class='credit'>The Mayor</span></div>"
    )
    assert credits == []


def test_the_articles_author_after_the_lead_figure_is_not_the_photos_credit() -> None:
    _, credits = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>The harbour at dawn.</figcaption></figure>"
        "<div class='author' itemprop='author'>Jane Doe</div>"
    )
    assert credits == []


def test_a_credit_elements_own_brackets_are_kept_and_those_around_it_dropped() -> None:
    _, found = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption><span>Trump plant einen Landeplatz.</span>"
        "<div class='contentcredit'>Foto: Graeme Sloan (Getty)</div><span class='credit'>(Jane Doe)</span>"
        "</figcaption></figure>"
    )
    assert [value for value, _, _ in found] == ["Graeme Sloan (Getty)", "Jane Doe"]


def test_the_article_header_around_a_picture_without_a_caption_is_not_its_figure() -> None:
    img, figure = picture(
        "<header><h1>Al menos 12 fallecidos</h1><p class='source'>La Vanguardia</p>"
        "<figure class='media_main'><img id='pic' src='/poster.jpg'></figure></header>"
    )
    assert figure is not None and figure.tag == "figure" and markup_credits(img, figure) == []


def test_a_small_or_cite_right_after_the_figure_is_its_credit() -> None:
    _, found = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption>The vote.</figcaption></figure><small>Jane Doe/AP</small>"
    )
    assert [(value, source) for value, source, _ in found] == [("Jane Doe/AP", "after the figure small")]


def test_a_short_copy_span_is_a_credit_and_a_long_one_is_the_caption() -> None:
    _, found = described(
        "<figure><img id='pic' src='/a.jpg'><figcaption><span class='text copy'>Ricarda Lang im Bundestag: Die frühere"
        " Vorsitzende kritisierte die Präsidentin scharf.</span> <span class='copy'>Niklas Treppner/dpa</span>"
        "</figcaption></figure>"
    )
    assert [value for value, _, _ in found] == ["Niklas Treppner/dpa"]
