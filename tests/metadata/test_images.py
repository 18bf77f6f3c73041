"""The article's own images, with their captions and every credit found for them; page furniture left out."""

from __future__ import annotations

from typing import Any

from archiver.metadata.images import ArticleImage, article_images
from tests.support.jpeg_metadata import jpeg_with_exif, jpeg_with_iptc, plain_jpeg

BASE = "https://news.example/2024/03/05/council-budget/"
HEADLINE = "Council approves the budget"
BODY = (
    "<p>The council voted on Tuesday to approve the new budget after a long debate about schools, roads and the "
    "cost of heating the town's swimming pool through the winter.</p>"
    "<p>The opposition said the plan leaves too little for repairs to the bridges on the eastern side of town.</p>"
)
CRADLE_CAPTION = (
    "ARCHIVE – Israeli prime minister Benjamin Netanyahu meets President of Azerbaijan Ilham Aliyev in "
    "December 2016. (Photo Credit: Israeli Prime Minister Office)"
)
# The sample article (/work/shared/sample-article.txt) as The Cradle lays it out, its "Most Popular" box loaded.
CRADLE = f"""<!doctype html><html lang="en"><head>
<title>Azerbaijan to open embassy in Israel, arrests Iran-affiliated cell - The Cradle</title>
<meta property="og:image" content="/media/lead-1200.jpg"></head><body>
<header class="site"><a class="brand" href="/"><img src="/static/logo.png" alt="The Cradle"></a></header>
<main><article>
  <h1>Azerbaijan to open embassy in Israel, arrests Iran-affiliated cell</h1>
  <p class="byline">By News Desk - November 02 2022</p>
  <figure class="lead"><picture>
    <source type="image/webp" srcset="/media/lead-600.webp 600w, /media/lead-1200.webp 1200w">
    <img src="/media/lead-1200.jpg" srcset="/media/lead-600.jpg 600w, /media/lead-1200.jpg 1200w"
         alt="Benjamin Netanyahu and Ilham Aliyev">
  </picture><figcaption>{CRADLE_CAPTION}</figcaption></figure>
  <p>Azerbaijan officially announced its intentions to establish a diplomatic office in Israel, commemorating the
  30th anniversary of the economic-military relationship between both states.</p>
</article>
<aside class="popular" id="most-popular"><h2>Most Popular</h2><ol>
  <li><img loading="lazy" src="/media/popular-1.jpg" alt=""> <a href="#">Sample story one</a></li>
  <li><img loading="lazy" src="/media/popular-2.jpg" alt=""> <a href="#">Sample story two</a></li>
  <li><img loading="lazy" src="/media/popular-3.jpg" alt=""> <a href="#">Sample story three</a></li>
</ol></aside></main></body></html>"""
CRADLE_DATA: dict[str, list[Any]] = {"opengraph": [{"og:image": "/media/lead-1200.jpg"}], "json-ld": []}


def images_of(
    html: str, structured: dict[str, list[Any]] | None = None, files: dict[str, bytes] | None = None
) -> tuple[list[ArticleImage], int]:
    stored = files or {}
    return article_images(html, BASE, structured or {}, stored.get)


def page(*parts: str, before: str = "", after: str = "") -> str:
    return (
        f"<html><head><title>{HEADLINE} | Daily Planet</title></head><body>{before}"
        f"<main><article><h1>{HEADLINE}</h1>{''.join(parts)}</article>{after}</main></body></html>"
    )


def url(path: str) -> str:
    return "https://news.example" + path


def credits(image: ArticleImage) -> list[tuple[str, str]]:
    return [(c.value, c.source) for c in image.credits]


def test_the_archive_lead_photo_is_kept_with_its_photo_credit_and_the_most_popular_thumbnails_are_left_out() -> None:
    images, left_out = article_images(CRADLE, "https://thecradle.example/news/azerbaijan", CRADLE_DATA, lambda _: None)
    (lead,) = images
    assert lead.url == "https://thecradle.example/media/lead-1200.jpg"
    assert lead.caption == CRADLE_CAPTION
    assert lead.alt == "Benjamin Netanyahu and Ilham Aliyev"
    assert lead.is_lead is True and lead.archive_photo is True
    assert credits(lead) == [("Israeli Prime Minister Office", "caption (Photo Credit: ...)")]
    assert left_out == 4  # the site logo and the three "Most Popular" thumbnails


def test_every_rendition_of_a_picture_element_is_kept_beside_the_one_shown() -> None:
    images, _ = article_images(CRADLE, "https://thecradle.example/news/azerbaijan", CRADLE_DATA, lambda _: None)
    assert images[0].urls() == [
        "https://thecradle.example/media/lead-1200.jpg",
        "https://thecradle.example/media/lead-600.jpg",
        "https://thecradle.example/media/lead-600.webp",
        "https://thecradle.example/media/lead-1200.webp",
    ]


def test_a_wordpress_classic_caption_credits_the_photo() -> None:
    images, _ = images_of(
        page(
            BODY,
            "<div id='attachment_12' class='wp-caption aligncenter'><img class='wp-image-12' "
            "src='/wp-content/uploads/2024/03/vote.jpg' alt='MPs vote'><p class='wp-caption-text'>Members of "
            "parliament vote on Tuesday. (AP Photo/Jane Lens)</p></div>",
        )
    )
    (image,) = images
    assert image.caption == "Members of parliament vote on Tuesday. (AP Photo/Jane Lens)"
    assert credits(image) == [("AP Photo/Jane Lens", "caption AP Photo/...")]
    assert image.archive_photo is False


def test_a_credit_span_in_the_figcaption_is_kept_both_as_caption_wording_and_as_markup() -> None:
    images, _ = images_of(
        page(
            "<figure><img src='/img/reichstag.jpg'><figcaption>Der Reichstag in Berlin. "
            "<span class='credit'>Foto: dpa</span></figcaption></figure>",
            BODY,
        )
    )
    (image,) = images
    assert credits(image) == [("dpa", "caption Photo: ..."), ("dpa", "figure span .credit")]
    assert image.credits[1].text == "Foto: dpa"


def test_a_caption_that_states_no_credit_gives_the_image_no_credit() -> None:
    images, _ = images_of(
        page("<figure><img src='/img/harbour.jpg'><figcaption>A view of the harbour at dawn.</figcaption></figure>")
    )
    (image,) = images
    assert image.caption == "A view of the harbour at dawn."
    assert image.credits == [] and image.archive_photo is False


def test_a_lazy_image_is_found_at_its_data_src_and_its_noscript_copy_is_not_a_second_image() -> None:
    images, left_out = images_of(
        page(
            BODY,
            "<figure><img class='lazyload' src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' "
            "data-src='/img/council.jpg' data-srcset='/img/council-640.jpg 640w, /img/council-1280.jpg 1280w' "
            "alt='Councillors'>"
            "<noscript><img src='/img/council-1280.jpg' alt='Councillors'></noscript>"
            "<figcaption>Councillors debate the budget. (Photo: Jane Lens)</figcaption></figure>",
        )
    )
    (image,) = images
    assert image.url == url("/img/council.jpg")
    assert image.renditions == [url("/img/council-640.jpg"), url("/img/council-1280.jpg")]
    assert credits(image) == [("Jane Lens", "caption (Photo: ...)")]
    assert left_out == 0


def test_a_picture_shown_only_in_noscript_is_kept() -> None:
    images, _ = images_of(
        page(
            BODY,
            "<figure><noscript><img src='/img/town-hall.jpg'></noscript>"
            "<figcaption>Das Rathaus. Foto: dpa</figcaption></figure>",
        )
    )
    (image,) = images
    assert image.url == url("/img/town-hall.jpg")
    assert credits(image) == [("dpa", "caption Photo: ...")]


def test_a_lazy_placeholder_without_an_address_leaves_its_noscript_copy_as_the_picture() -> None:
    images, _ = images_of(
        page(
            BODY,
            "<figure><img class='lazy' src='data:image/gif;base64,R0lGOD'><noscript><img src='/img/real.jpg'>"
            "</noscript><figcaption>The harbour.</figcaption></figure>",
        )
    )
    assert [image.url for image in images] == [url("/img/real.jpg")]


def test_images_in_a_related_box_asides_and_the_footer_are_left_out_and_counted() -> None:
    images, left_out = images_of(
        page(
            BODY,
            "<figure><img src='/img/own.jpg'><figcaption>The council chamber.</figcaption></figure>",
            "<div class='related-stories'><h3>Related</h3><img src='/img/related.jpg'></div>",
            "<div class='share-buttons'><img src='/img/facebook.svg'></div>",
            before="<nav><img src='/img/menu.png'></nav>",
            after="<aside class='most-popular'><h2>Most Popular</h2><img src='/img/popular.jpg'></aside>"
            "<footer><img src='/img/footer-logo.png'></footer>",
        )
    )
    assert [image.url for image in images] == [url("/img/own.jpg")]
    assert left_out == 5


def test_the_next_article_appended_by_infinite_scroll_brings_no_images_or_credits() -> None:
    html = (
        f"<html><body><main><article><h1>{HEADLINE}</h1>{BODY}<figure><img src='/img/first.jpg'>"
        "<figcaption>The first (Photo: First Lens)</figcaption></figure></article>"
        f"<article><h2>The second article</h2>{BODY}<figure><img src='/img/second.jpg'>"
        "<figcaption>The second (Photo: Second Lens)</figcaption></figure></article></main></body></html>"
    )
    images, left_out = images_of(html)
    assert [(image.url, credits(image)) for image in images] == [
        (url("/img/first.jpg"), [("First Lens", "caption (Photo: ...)")])
    ]
    assert left_out == 1


def test_the_declared_lead_in_a_hero_block_above_the_headline_is_the_lead_image() -> None:
    html = (
        "<html><body><div class='hero'><img src='/img/lead.jpg' alt='The chamber'></div><div class='page'>"
        f"<h1>{HEADLINE}</h1><div class='article-body'>{BODY}<img src='/img/second.jpg'></div></div></body></html>"
    )
    images, _ = images_of(html, {"opengraph": [{"og:image": url("/img/lead.jpg")}]})
    assert [(image.url, image.is_lead) for image in images] == [
        (url("/img/lead.jpg"), True),
        (url("/img/second.jpg"), False),
    ]


def test_the_declared_lead_shown_outside_the_region_under_a_resized_address_is_still_the_lead() -> None:
    html = (
        "<html><body><div class='top-story'><img src='https://cdn.example/fit-in/800x450/uploads/2024/03/"
        f"council-vote-8f3a9c2e71d4.jpg?q=80'></div><div class='page'><h1>{HEADLINE}</h1>"
        f"<div class='article-body'>{BODY}</div></div></body></html>"
    )
    structured: dict[str, list[Any]] = {
        "opengraph": [{"og:image": url("/uploads/2024/03/council-vote-8f3a9c2e71d4.jpg")}]
    }
    images, left_out = images_of(html, structured)
    (image,) = images
    assert image.is_lead is True
    assert image.url == "https://cdn.example/fit-in/800x450/uploads/2024/03/council-vote-8f3a9c2e71d4.jpg?q=80"
    assert left_out == 0


def test_the_declared_lead_shown_in_a_related_box_is_not_the_articles_image() -> None:
    html = (
        f"<html><body><div class='page'><h1>{HEADLINE}</h1><div class='article-body'>{BODY}"
        "<img src='/img/second.jpg'></div></div><aside class='related'><img src='/img/lead.jpg'></aside></body></html>"
    )
    images, left_out = images_of(html, {"opengraph": [{"og:image": url("/img/lead.jpg")}]})
    assert [(image.url, image.is_lead) for image in images] == [(url("/img/second.jpg"), False)]
    assert left_out == 1


def test_without_a_declared_lead_a_captioned_first_picture_is_the_lead() -> None:
    images, _ = images_of(
        page(
            "<figure><img src='/img/a.jpg'><figcaption>The chamber.</figcaption></figure>",
            BODY,
            "<figure><img src='/img/b.jpg'><figcaption>The mayor.</figcaption></figure>",
        )
    )
    assert [image.is_lead for image in images] == [True, False]


def test_without_a_declared_lead_an_uncaptioned_first_picture_is_not_the_lead() -> None:
    images, _ = images_of(page(BODY, "<img src='/img/a.jpg'>"))
    assert [image.is_lead for image in images] == [False]


def test_a_picture_shown_twice_is_one_image() -> None:
    images, left_out = images_of(page("<img src='/img/a.jpg'>", BODY, "<img src='/img/a.jpg'>"))
    assert [image.url for image in images] == [url("/img/a.jpg")]
    assert left_out == 0


def test_json_ld_image_object_credits_are_attached_by_its_address() -> None:
    structured: dict[str, list[Any]] = {
        "json-ld": [
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": HEADLINE,
                "image": {
                    "@type": "ImageObject",
                    "url": "/img/lead.jpg",
                    "contentUrl": "/img/lead.jpg",
                    "creditText": "Jane Lens/AFP",
                    "copyrightHolder": {"@type": "Organization", "name": "AFP"},
                },
            },
            {"@type": "ImageObject", "contentUrl": url("/img/unshown.jpg"), "creditText": "Nobody Here"},
        ]
    }
    images, _ = images_of(page("<figure><img src='/img/lead.jpg'></figure>", BODY), structured)
    (image,) = images
    assert credits(image) == [  # stated under url and under contentUrl, kept once
        ("Jane Lens/AFP", "json-ld ImageObject.creditText"),
        ("AFP", "json-ld ImageObject.copyrightHolder"),
    ]


def test_credits_in_the_stored_image_files_are_read_for_each_image_with_the_address_they_came_from() -> None:
    files = {
        url("/img/lead.jpg"): jpeg_with_iptc((200, 10, 10), {(2, 110): "AFP", (2, 80): "Jane Lens"}),
        url("/img/second-1280.jpg"): jpeg_with_exif((10, 200, 10), "Eve Artist", "EXIF Copyright Co"),
        url("/img/third.jpg"): plain_jpeg((10, 10, 200)),
    }
    images, _ = images_of(
        page(
            "<img src='/img/lead.jpg'>",
            BODY,
            "<img src='/img/second.jpg' srcset='/img/second-640.jpg 640w, /img/second-1280.jpg 1280w'>",
            "<img src='/img/third.jpg'>",
        ),
        files=files,
    )
    found = {image.url: [(c.value, c.source, c.origin) for c in image.credits] for image in images}
    assert found == {
        url("/img/lead.jpg"): [
            ("AFP", "iptc 2:110 Credit", url("/img/lead.jpg")),
            ("Jane Lens", "iptc 2:80 By-line", url("/img/lead.jpg")),
        ],
        url("/img/second.jpg"): [
            ("Eve Artist", "exif Artist", url("/img/second-1280.jpg")),
            ("EXIF Copyright Co", "exif Copyright", url("/img/second-1280.jpg")),
        ],
        url("/img/third.jpg"): [],
    }


def test_caption_markup_schema_and_file_credits_are_all_kept_each_with_its_source() -> None:
    structured: dict[str, list[Any]] = {
        "json-ld": [{"@type": "ImageObject", "contentUrl": "/img/a.jpg", "creditText": "Jane Lens"}]
    }
    files = {url("/img/a.jpg"): jpeg_with_iptc((1, 2, 3), {(2, 110): "Daily Planet"})}
    images, _ = images_of(
        page(
            "<figure><img src='/img/a.jpg'><figcaption>The chamber. <span class='credit'>Photo: Jane Lens</span>"
            "</figcaption></figure>",
            BODY,
        ),
        structured,
        files,
    )
    assert credits(images[0]) == [
        ("Jane Lens", "caption Photo: ..."),
        ("Jane Lens", "figure span .credit"),
        ("Jane Lens", "json-ld ImageObject.creditText"),
        ("Daily Planet", "iptc 2:110 Credit"),
    ]


def test_an_image_written_out_says_which_of_its_addresses_were_captured() -> None:
    images, _ = images_of(
        page(
            "<figure><img src='/img/a.jpg' srcset='/img/a-640.jpg 640w' alt='The chamber'>"
            "<figcaption>The chamber. (Photo: Jane Lens)</figcaption></figure>",
            BODY,
        )
    )
    assert images[0].to_dict(lambda address: address == url("/img/a.jpg")) == {
        "url": url("/img/a.jpg"),
        "captured": True,
        "renditions": [{"url": url("/img/a-640.jpg"), "captured": False}],
        "alt": "The chamber",
        "caption": "The chamber. (Photo: Jane Lens)",
        "is_lead": True,
        "archive_photo": False,
        "credits": [
            {"value": "Jane Lens", "source": "caption (Photo: ...)", "text": "The chamber. (Photo: Jane Lens)"}
        ],
        "in": "rendered",
    }


def test_an_empty_document_has_no_images() -> None:
    assert images_of("") == ([], 0)


def test_the_credit_in_the_next_pictures_block_is_not_given_to_this_one() -> None:
    html = page(
        "<div class='newsitem-image'><img src='/img/lead.jpg'><div class='info'><span class='caption'>The court"
        "</span> <span class='credit'>mbl.is/Atli</span></div></div>",
        "<div class='image'><img src='/img/second.jpg'><div class='info'><span class='caption'>The hall</span> "
        "<span class='credit'>Ljósmynd/Aðsend</span></div></div>",
        BODY,
    )
    images, _ = images_of(html)
    assert [credits(image) for image in images] == [
        [("mbl.is/Atli", "figure span .credit")],
        [("Ljósmynd/Aðsend", "figure span .credit")],
    ]


def test_a_caption_pattern_that_reads_only_the_end_of_a_credit_element_is_no_second_credit() -> None:
    html = page(
        "<figure><img src='/img/fire.jpg'><figcaption><span class='caption_text'>A firefighter at work</span> "
        "<span class='caption_author'>@Plan_INFOCA via X / Reuters</span></figcaption></figure>",
        BODY,
    )
    (image,), _ = images_of(html)
    assert [value for value, _ in credits(image)] == ["@Plan_INFOCA via X / Reuters"]


def test_a_labelled_line_and_an_agency_overlay_beside_a_picture_are_its_credits() -> None:
    html = page(
        "<div class='article--image'><picture><img src='/img/lead.jpg'></picture>"
        "<p class='article--media--lead'>Talks in Islamabad</p><p>Foto: REUTERS/Nathan Howard</p></div>",
        BODY,
        "<div class='wrap'><div><picture><img src='/img/second.jpg'></picture></div>"
        "<div class='absolute bottom-2'>Anadolu Ajansı</div></div>",
    )
    images, _ = images_of(html)
    assert [[value for value, _ in credits(image)] for image in images] == [
        ["REUTERS/Nathan Howard"],
        ["Anadolu Ajansı"],
    ]


def test_a_credit_stated_by_label_in_the_alt_text_is_kept_and_an_image_alt_is_not_one() -> None:
    html = page(
        "<p><img src='/img/moon.jpg' alt='Buzz Aldrin on the moon (Credit: Nasa)'></p>",
        "<p><img src='/img/nasa.jpg' alt='Image: US-SPACE-AEROSPACE-NASA'></p>",
        BODY,
    )
    images, _ = images_of(html)
    assert [credits(image) for image in images] == [[("Nasa", "img [alt] Credit: ...")], []]


def test_a_closing_line_credits_every_photo_of_the_article_that_states_none() -> None:
    html = page(
        "<figure><img src='/img/one.jpg'></figure>",
        BODY,
        "<figure><img src='/img/two.jpg'><figcaption>The hills. Foto: Jane Doe</figcaption></figure>",
        "<div class='text'><p>The fires went on through the night in the hills above the town and the coast.</p>"
        "<p>Fotoğraf, AA tarafından servis edilmiştir.</p></div>",
    )
    images, _ = images_of(html)
    assert [[value for value, _ in credits(image)] for image in images] == [["AA"], ["Jane Doe"]]


def test_a_lazy_loaders_own_attribute_gives_the_pictures_address() -> None:
    html = page(
        "<div class='carousel'><picture><img src='data:image/svg+xml;base64,AAAA' "
        "data-flickity-lazyload='https://dims.example/resize/?url=assets%2Fab12cd34ef56ab12cd34ef56' "
        "data-flickity-lazyload-srcset='https://dims.example/resize/600/?url=assets%2Fab12cd34ef56ab12cd34ef56 600w'>"
        "</picture></div>",
        BODY,
    )
    (image,), _ = images_of(html)
    assert "ab12cd34ef56ab12cd34ef56" in image.url and image.renditions


def test_a_picture_a_script_replaced_in_the_dom_is_kept_from_the_servers_document() -> None:
    figure = "<figure><img src='{src}'><figcaption>The vote. Foto: Jane Doe/dpa</figcaption></figure>"
    served = page(figure.format(src="/img/vote-1234567890ab.jpg"), BODY)
    rendered, _ = images_of(page(figure.format(src="/public-image/default_image.png"), BODY))
    read: list[str] = []
    (kept,), _ = article_images(served, BASE, {}, lambda address: read.append(address) or None, besides=rendered)
    assert kept.url == url("/img/vote-1234567890ab.jpg") and kept.shown_in == "original"
    assert credits(kept) == [("Jane Doe/dpa", "caption Photo: ...")]
    # the server's pictures the DOM shows are neither listed again nor their files read twice
    shown, _ = images_of(served)
    read.clear()
    assert article_images(served, BASE, {}, lambda address: read.append(address) or None, besides=shown) == ([], 0)
    assert read == []


def test_a_lightbox_caption_attribute_states_a_credit_by_its_label() -> None:
    html = page(
        "<figure><img src='/img/a.jpg' data-caption='Der Rhein bei Köln. Quellenangabe: Max Muster/dpa'>"
        "<figcaption>Der Rhein bei Köln.</figcaption></figure>",
        BODY,
    )
    (image,), _ = images_of(html)
    assert ("Max Muster/dpa", "img [data-caption] Photo: ...") in credits(image)
