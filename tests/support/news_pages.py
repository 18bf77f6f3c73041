"""News pages in the styles of real CMSs, each with known metadata and known photo credits.

Served by the fixture site under /cms/<name>; images under /cms/img/<file>.
"""

from __future__ import annotations

import json

from tests.support.jpeg_metadata import jpeg_with_exif, jpeg_with_iptc, jpeg_with_xmp, plain_jpeg

IMAGES = {
    "wp-classic-lead.jpg": plain_jpeg((200, 40, 40)),
    "wp-classic-2.jpg": plain_jpeg((40, 200, 40)),
    "sidebar.jpg": plain_jpeg((90, 90, 90)),
    "block-300.jpg": plain_jpeg((10, 10, 120)),
    "block-1024.jpg": plain_jpeg((10, 10, 160)),
    "block-harbour.jpg": plain_jpeg((10, 120, 120)),
    "jsonld-lead.jpg": plain_jpeg((120, 120, 10)),
    "iptc.jpg": jpeg_with_iptc(
        (60, 60, 160), {(2, 110): "IPTC Credit Agency", (2, 80): "Ida Byline", (2, 116): "© 2024 IPTC Holder"}
    ),
    "xmp.jpg": jpeg_with_xmp((160, 60, 60), "XMP Credit House", "Xavier Creator", "XMP Rights Holder"),
    "exif.jpg": jpeg_with_exif((60, 160, 60), "Eve Artist", "EXIF Copyright Co"),
    "ap.jpg": plain_jpeg((1, 1, 1)),
    "reuters.jpg": plain_jpeg((2, 2, 2)),
    "getty.jpg": plain_jpeg((3, 3, 3)),
    "afp.jpg": plain_jpeg((4, 4, 4)),
    "first.jpg": plain_jpeg((5, 5, 5)),
    "second.jpg": plain_jpeg((6, 6, 6)),
    "nocredit.jpg": plain_jpeg((7, 7, 7)),
}


def _page(head: str, body: str, lang: str = "en") -> str:
    return f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


WP_CLASSIC = _page(
    """<title>Parliament votes on the budget | Classic Gazette</title>
<meta property="og:image" content="/cms/img/wp-classic-lead.jpg"><meta property="og:site_name" content="Classic Gazette">
<meta name="author" content="Ana Reporter">
<meta property="article:published_time" content="2024-03-05T08:30:00+01:00">
<meta property="article:modified_time" content="2024-03-05T12:15:00+01:00">
<meta property="article:section" content="Politics"><meta name="keywords" content="budget, parliament">
<link rel="canonical" href="https://classic.example/2024/03/05/budget-vote/">""",
    """<article class="post type-post"><h1 class="entry-title">Parliament votes on the budget</h1>
<div class="entry-content">
<div id="attachment_12" class="wp-caption aligncenter"><img src="/cms/img/wp-classic-lead.jpg" alt="The chamber" width="400" height="240">
<p class="wp-caption-text">Members of parliament vote on Tuesday. (AP Photo/Jane Lens)</p></div>
<p>The budget passed by a narrow margin after a long night of debate.</p>
<div class="wp-caption alignright"><img src="/cms/img/wp-classic-2.jpg" alt="" width="400" height="240">
<p class="wp-caption-text">FILE - The old chamber in 2019. REUTERS/Max Shutter/File Photo</p></div>
</div></article>
<aside class="widget-area"><div class="wp-caption"><img src="/cms/img/sidebar.jpg" width="200" height="120">
<p class="wp-caption-text">Advertisement (Photo: Sidebar Studio)</p></div></aside>""",
)

WP_BLOCK = _page(
    """<title>Fans celebrate the title</title>
<script type="application/ld+json">"""
    + json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Fans celebrate the title",
            "description": "Thousands gathered in the square overnight.",
            "author": [{"@type": "Person", "name": "Bo Writer"}, {"@type": "Person", "name": "Cy Editor"}],
            "datePublished": "2024-05-01T22:10:00Z",
            "dateModified": "2024-05-02T07:00:00Z",
            "inLanguage": "en-GB",
            "articleSection": "Sport",
            "keywords": ["football", "celebration"],
            "publisher": {"@type": "Organization", "name": "Block Times"},
        }
    )
    + "</script>",
    """<main><article><h1>Fans celebrate the title</h1>
<figure class="wp-block-image size-large"><img src="/cms/img/block-1024.jpg" alt="Crowd"
 srcset="/cms/img/block-300.jpg 300w, /cms/img/block-1024.jpg 1024w" sizes="(max-width: 1024px) 100vw, 1024px">
<figcaption class="wp-element-caption">Fans celebrate in the square. Lee Camera/Getty Images</figcaption></figure>
<p>The celebrations went on until dawn.</p>
<figure class="wp-block-image"><img src="/cms/img/block-harbour.jpg" alt="Harbour">
<figcaption class="wp-element-caption">The harbour at night<span class="image-credit">Photo: Night Owl Studio</span></figcaption></figure>
</article></main>""",
    lang="en-GB",
)

JSONLD_CREDIT = _page(
    """<title>Port expands its terminal</title><meta property="og:image" content="/cms/img/jsonld-lead.jpg">
<script type="application/ld+json">"""
    + json.dumps(
        {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "NewsArticle",
                    "@id": "#article",
                    "headline": "Port expands its terminal",
                    "datePublished": "2024-02-10T09:00:00+00:00",
                    "author": {"@type": "Person", "name": "Dee Journalist"},
                    "image": {"@id": "#primaryimage"},
                },
                {
                    "@type": "ImageObject",
                    "@id": "#primaryimage",
                    "contentUrl": "/cms/img/jsonld-lead.jpg",
                    "creditText": "Harbour Authority",
                    "copyrightHolder": {"@type": "Organization", "name": "Port Media Ltd"},
                    "creator": {"@type": "Person", "name": "Ola Photographer"},
                },
            ],
        }
    )
    + "</script>",
    """<article><h1>Port expands its terminal</h1>
<figure><img src="/cms/img/jsonld-lead.jpg" alt="Cranes at the port"><figcaption>Cranes at the new terminal.</figcaption></figure>
<p>The terminal will double the port's capacity.</p></article>""",
)

FILE_METADATA = _page(
    "<title>Credits in the files</title>",
    """<article><h1>Credits in the files</h1>
<figure><img src="/cms/img/iptc.jpg" alt="a"><figcaption>A picture credited only in its IPTC block.</figcaption></figure>
<figure><img src="/cms/img/xmp.jpg" alt="b"><figcaption>A picture credited only in its XMP packet.</figcaption></figure>
<figure><img src="/cms/img/exif.jpg" alt="c"><figcaption>A picture credited only in its EXIF fields.</figcaption></figure>
<p>Only the files know who took these.</p></article>""",
)

AGENCIES = _page(
    "<title>Agency pictures</title>",
    """<article><h1>Agency pictures</h1>
<figure><img src="/cms/img/ap.jpg"><figcaption>President speaks in the East Room. (AP Photo/Evan Vucci)</figcaption></figure>
<figure><img src="/cms/img/reuters.jpg"><figcaption>FILE PHOTO: A logo in Paris. REUTERS/Benoit Tessier/File Photo</figcaption></figure>
<figure><img src="/cms/img/getty.jpg"><figcaption>Fans cheer at the stadium. John Smith/Getty Images</figcaption></figure>
<figure><img src="/cms/img/afp.jpg"><figcaption>Protesters march. Jane Doe/AFP via Getty Images</figcaption></figure>
</article>""",
)

INFINITE = _page(
    '<title>The first article</title><meta name="author" content="First Author">',
    """<article class="story"><h1>The first article</h1>
<figure><img src="/cms/img/first.jpg"><figcaption>The first picture. (Photo: First Article Photographer)</figcaption></figure>
<p>The first article's text.</p></article>
<div style="height: 1500px"></div><div id="more"></div><div id="sentinel" style="height: 5px"></div>
<script>
  let loaded = false;
  new IntersectionObserver((entries) => {
    if (loaded || !entries.some((e) => e.isIntersecting)) return;
    loaded = true;
    fetch("/cms/api/next-article").then((r) => r.text()).then((html) => {
      document.getElementById("more").insertAdjacentHTML("beforeend", html);
    });
  }).observe(document.getElementById("sentinel"));
</script>""",
)

NEXT_ARTICLE = """<article class="story"><h1>The second article</h1>
<figure><img src="/cms/img/second.jpg"><figcaption>Another story's picture. (Photo: Second Article Photographer)</figcaption></figure>
<p>The second article's text.</p></article>"""

NO_CREDIT = _page(
    "<title>A quiet afternoon</title>",
    """<article><h1>A quiet afternoon</h1>
<figure><img src="/cms/img/nocredit.jpg" alt="A park"><figcaption>A quiet street in the old town.</figcaption></figure>
<p>Nothing happened, and nobody is credited.</p></article>""",
)

JS_EDITED = _page(
    "<title>Server headline</title>",
    """<article><h1>Server headline</h1><p>Text.</p></article>
<script>
  document.querySelector("h1").textContent = "Script headline";
  const ld = document.createElement("script");
  ld.type = "application/ld+json";
  ld.textContent = JSON.stringify({"@context": "https://schema.org", "@type": "NewsArticle",
                                   "dateModified": "2024-06-01T10:00:00Z"});
  document.head.appendChild(ld);
</script>""",
)

PAGES = {
    "wp-classic": WP_CLASSIC,
    "wp-block": WP_BLOCK,
    "jsonld-credit": JSONLD_CREDIT,
    "file-metadata": FILE_METADATA,
    "agencies": AGENCIES,
    "infinite": INFINITE,
    "no-credit": NO_CREDIT,
    "js-edited": JS_EDITED,
}
