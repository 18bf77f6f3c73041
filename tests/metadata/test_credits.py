"""Photo credits from caption wording, schema.org ImageObjects, and the IPTC/XMP/EXIF of the image file itself."""

from __future__ import annotations

import pytest

from archiver.metadata.credits import (
    Credit,
    caption_credits,
    closing_credit,
    file_credits,
    is_archive_photo,
    schema_image_credits,
)
from tests.support.jpeg_metadata import jpeg_with_exif, jpeg_with_iptc, jpeg_with_xmp, plain_jpeg

# The lead photo caption of /work/shared/sample-article.txt (The Cradle), word for word.
CRADLE_CAPTION = (
    "ARCHIVE – Israeli prime minister Benjamin Netanyahu meets President of Azerbaijan Ilham Aliyev in "
    "December 2016. (Photo Credit: Israeli Prime Minister Office)"
)


def pairs(credits: list[Credit]) -> list[tuple[str, str]]:
    return [(credit.value, credit.source) for credit in credits]


# -- captions ---------------------------------------------------------------------------------


def test_a_photo_credit_in_parentheses_is_the_credit_of_the_archive_photo() -> None:
    (credit,) = caption_credits(CRADLE_CAPTION)
    assert credit == Credit("Israeli Prime Minister Office", "caption (Photo Credit: ...)", text=CRADLE_CAPTION)
    assert is_archive_photo(CRADLE_CAPTION) is True


def test_a_german_foto_label_credits_the_agency() -> None:
    assert pairs(caption_credits("Demonstranten vor dem Reichstag in Berlin. Foto: dpa")) == [
        ("dpa", "caption Photo: ...")
    ]
    assert pairs(caption_credits("Demonstranten vor dem Reichstag in Berlin. (Foto: dpa)")) == [
        ("dpa", "caption (Photo: ...)")
    ]


@pytest.mark.parametrize(
    ("caption", "value", "source"),
    [
        ("Rescue teams at work. (Image credit: NASA)", "NASA", "caption (Image credit: ...)"),
        ("Das Rathaus (Foto Max Mustermann)", "Max Mustermann", "caption (Photo ...)"),
        ("The stadium at night. © 2024 Max Mustermann", "Max Mustermann", "caption © ..."),
        ("Members of parliament vote on Tuesday. (AP Photo/Jane Lens)", "AP Photo/Jane Lens", "caption AP Photo/..."),
        (
            "FILE PHOTO: A trader works on the floor. REUTERS/Brendan McDermid/File Photo",
            "REUTERS/Brendan McDermid",
            "caption REUTERS/...",
        ),
        ("The mayor at City Hall. Photo by Jane Lens", "Jane Lens", "caption Photo by ..."),
        (
            "Soldiers in Kyiv on Monday. (Photo by Jane Doe/Anadolu via Getty Images)",
            "Jane Doe/Anadolu via Getty Images",
            "caption Photo by ...",
        ),
        ("Fans at the match. Photograph: Tom Jenkins/The Guardian", "Tom Jenkins/The Guardian", "caption Photo: ..."),
        ("The court building in Karlsruhe. Foto: Uli Deck/dpa", "Uli Deck/dpa", "caption Photo: ..."),
        ("Das Rathaus. Bild: Stadt Köln", "Stadt Köln", "caption Photo: ..."),
        ("Ein Blaulicht. Symbolfoto: Pixabay", "Pixabay", "caption Photo: ..."),
        ("The stadium at night. Credit: Ana Lens", "Ana Lens", "caption Credit: ..."),
        (
            "Protesters gather in Baghdad [Ahmad Al-Rubaye/AFP via Getty Images]",
            "Ahmad Al-Rubaye/AFP via Getty Images",
            "caption [... via ...]",
        ),
        (
            "President Biden speaks in Delaware. John Smith/Getty Images",
            "John Smith/Getty Images",
            "caption .../agency",
        ),
        ("A woman votes in Paris on Sunday. LUDOVIC MARIN/AFP", "LUDOVIC MARIN/AFP", "caption .../agency"),
        ("The rocket lifts off (NASA/Bill Ingalls)", "NASA/Bill Ingalls", "caption (Name/Outlet)"),
        ("The Prime Minister at Downing Street (PA)", "PA", "caption (agency)"),
        ("Rescue teams search the rubble | Reuters", "Reuters", "caption | credit"),
        ("Jane Lens/The Gazette", "Jane Lens/The Gazette", "caption Name/Outlet"),
        (
            "The skyline at dusk. Jane Lens for The New York Times",
            "Jane Lens for The New York Times",
            "caption ... for The Outlet",
        ),
    ],
)
def test_each_caption_convention_yields_its_credit_named_by_the_pattern_that_read_it(
    caption: str, value: str, source: str
) -> None:
    assert pairs(caption_credits(caption)) == [(value, source)]


@pytest.mark.parametrize(
    "caption",
    [
        "A view of the harbour at dawn.",
        "A man walks past a mural by artist John Doe in New York.",
        "Photographer John Doe poses in his studio.",
        "Photo of the day: sunrise over the Alps",
        "John Doe, left, and Jane Roe in Paris on Friday.",
        "The minister (left) and her aide arrive at the summit.",
        "Pictured: John Doe at the event",
        "A file photo of the building",
    ],
)
def test_a_captions_descriptive_sentence_is_not_a_credit_when_no_credit_is_stated(caption: str) -> None:
    assert caption_credits(caption) == []


@pytest.mark.parametrize("caption", [None, ""])
def test_no_caption_states_no_credit(caption: str | None) -> None:
    assert caption_credits(caption) == []


def test_where_two_patterns_read_the_same_words_the_earlier_one_wins_and_the_credit_is_kept_once() -> None:
    # "(Photo: ...)", ".../agency" and "(Name/Outlet)" all read "Jane Lens/AFP" here.
    assert pairs(caption_credits("Fans in the stadium. (Photo: Jane Lens/AFP)")) == [
        ("Jane Lens/AFP", "caption (Photo: ...)")
    ]


def test_two_different_credits_in_one_caption_are_both_kept_each_with_its_own_pattern() -> None:
    assert pairs(caption_credits("Fans in the stadium. (Photo: Jane Lens) © Daily Planet")) == [
        ("Jane Lens", "caption (Photo: ...)"),
        ("Daily Planet", "caption © ..."),
    ]


def test_a_credit_glued_to_the_sentence_before_it_is_still_read() -> None:
    assert pairs(caption_credits("The harbour at dawn.Photo: Jane Lens")) == [("Jane Lens", "caption Photo: ...")]


def test_the_credit_keeps_the_caption_it_was_read_from_as_a_reader_sees_it() -> None:
    (credit,) = caption_credits("The har\u00adbour\n at   dawn. (Photo: Jane\u200b Lens)")
    assert credit.value == "Jane Lens"
    assert credit.text == "The harbour at dawn. (Photo: Jane Lens)"


def test_an_ap_file_marker_is_not_part_of_the_credit_but_marks_an_archive_photo() -> None:
    caption = "FILE - A man walks past the Capitol. (AP Photo/Evan Vucci, File)"
    assert pairs(caption_credits(caption)) == [("AP Photo/Evan Vucci", "caption AP Photo/...")]
    assert is_archive_photo(caption) is True


@pytest.mark.parametrize(
    "caption",
    [
        "ARCHIVE – Netanyahu meets Aliyev in December 2016.",
        "ARCHIVE—Netanyahu meets Aliyev in December 2016.",
        "FILE PHOTO: A trader works on the floor of the exchange.",
        "FILE: The plant in 2019.",
        "Students at the University of Oxford (file photo)",
        "A trader works on the floor. REUTERS/Brendan McDermid/File Photo",
    ],
)
def test_archive_and_file_markers_mark_an_archive_photo(caption: str) -> None:
    assert is_archive_photo(caption) is True


@pytest.mark.parametrize(
    "caption",
    [
        "Archive footage shows the plant in 2019.",
        "Profile - A portrait of the mayor.",
        "Files from the ministry were leaked.",
        "Members of parliament vote on Tuesday. (AP Photo/Jane Lens)",
        None,
        "",
    ],
)
def test_a_caption_without_an_archive_marker_is_not_an_archive_photo(caption: str | None) -> None:
    assert is_archive_photo(caption) is False


# -- schema.org ImageObject -------------------------------------------------------------------


def test_every_credit_property_of_an_image_object_is_kept_with_its_property_name() -> None:
    node = {
        "@type": "ImageObject",
        "url": "https://news.example/img/lead.jpg",
        "caption": "Councillors debate the budget.",
        "creditText": "Jane  Lens/AFP",
        "copyrightNotice": "© AFP 2024",
        "copyrightHolder": {"@type": "Organization", "name": "AFP"},
        "creator": [{"@type": "Person", "name": "Jane Lens"}, "John Roe"],
        "author": "",
    }
    assert pairs(schema_image_credits(node)) == [
        ("Jane Lens/AFP", "json-ld ImageObject.creditText"),
        ("© AFP 2024", "json-ld ImageObject.copyrightNotice"),
        ("AFP", "json-ld ImageObject.copyrightHolder"),
        ("Jane Lens", "json-ld ImageObject.creator"),
        ("John Roe", "json-ld ImageObject.creator"),
    ]


def test_an_image_objects_source_names_the_syntax_it_came_from() -> None:
    node = {"creator": {"@type": "Person", "name": "Jane Lens"}}
    assert pairs(schema_image_credits(node, kind="microdata ImageObject")) == [
        ("Jane Lens", "microdata ImageObject.creator")
    ]


def test_an_image_object_with_only_a_caption_states_no_credit() -> None:
    assert schema_image_credits({"@type": "ImageObject", "caption": "Photo: the harbour at dawn"}) == []


# -- the image file ---------------------------------------------------------------------------


def test_iptc_credit_byline_copyright_and_source_are_read_from_the_file_with_its_address() -> None:
    data = jpeg_with_iptc(
        (200, 30, 30),
        {(2, 110): "dpa", (2, 80): "Kay Nietfeld", (2, 116): "© 2024 dpa", (2, 115): "dpa-Zentralbild"},
    )
    found = file_credits(data, origin="https://news.example/img/reichstag.jpg")
    assert pairs(found) == [
        ("dpa", "iptc 2:110 Credit"),
        ("Kay Nietfeld", "iptc 2:80 By-line"),
        ("© 2024 dpa", "iptc 2:116 Copyright Notice"),
        ("dpa-Zentralbild", "iptc 2:115 Source"),
    ]
    assert {credit.origin for credit in found} == {"https://news.example/img/reichstag.jpg"}


def test_an_iptc_caption_is_not_a_credit_and_utf8_names_keep_their_accents() -> None:
    data = jpeg_with_iptc((10, 10, 10), {(2, 120): "Der Reichstag in Berlin", (2, 80): "Jürgen Müller"})
    assert pairs(file_credits(data)) == [("Jürgen Müller", "iptc 2:80 By-line")]


def test_xmp_credit_creator_and_rights_are_read_from_the_file() -> None:
    data = jpeg_with_xmp((30, 200, 30), "XMP Credit House", "Xavier Creator", "XMP Rights Holder")
    assert sorted(pairs(file_credits(data))) == [
        ("XMP Credit House", "xmp photoshop:Credit"),
        ("XMP Rights Holder", "xmp dc:rights"),
        ("Xavier Creator", "xmp dc:creator"),
    ]


def test_exif_artist_and_copyright_are_read_from_the_file() -> None:
    data = jpeg_with_exif((30, 30, 200), "Eve Artist", "EXIF Copyright Co")
    assert pairs(file_credits(data)) == [("Eve Artist", "exif Artist"), ("EXIF Copyright Co", "exif Copyright")]


def test_an_empty_exif_field_is_no_credit() -> None:
    assert pairs(file_credits(jpeg_with_exif((30, 30, 200), "Eve Artist", ""))) == [("Eve Artist", "exif Artist")]


def test_a_file_without_metadata_credits_nobody() -> None:
    assert file_credits(plain_jpeg((90, 90, 90))) == []


@pytest.mark.parametrize("data", [b"", b"<!doctype html><title>404 Not Found</title>"])
def test_bytes_that_are_no_image_credit_nobody(data: bytes) -> None:
    assert file_credits(data, origin="https://news.example/img/missing.jpg") == []


def test_a_credit_leaves_out_what_is_not_known_when_written_out() -> None:
    assert Credit("Jane Lens", "figure span .credit").to_dict() == {
        "value": "Jane Lens",
        "source": "figure span .credit",
    }
    assert Credit("AFP", "iptc 2:110 Credit", origin="https://news.example/a.jpg").to_dict() == {
        "value": "AFP",
        "source": "iptc 2:110 Credit",
        "origin": "https://news.example/a.jpg",
    }


# -- captions in many languages (the corpus's pages, shortened) ---------------------------------


@pytest.mark.parametrize(
    ("caption", "value"),
    [
        ("Анвар Ибрагим принял рассказ Путина Фото: Дмитрий Азаров, Коммерсантъ", "Дмитрий Азаров, Коммерсантъ"),
        ("Y bác sĩ nội soi cho bệnh nhân. Ảnh: Bệnh viện cung cấp", "Bệnh viện cung cấp"),
        ("IGI menyelenggarakan Wisuda ke-XV(Dok.IGI )", "Dok.IGI"),
        ("이재명 대통령 당선인 모습. [사진 출처 = 이재명 더불어민주당 캠프]", "이재명 더불어민주당 캠프"),
        ("지지자들에게 인사하고 있다. [사진 = 김혜진 기자]", "김혜진 기자"),
        ("정견 발표에서 인사하고 있다. 뉴스1", "뉴스1"),
        ("移送のため警視庁を出る岩本絹子容疑者＝13日、東京・霞ケ関で（潟沼義樹撮影）", "潟沼義樹"),
        ("母島で通話試験を行う吉田孝太技官（警視庁提供）", "警視庁"),
        ("３日、ソウルの国会前で警備に当たる警察官ら＝ＡＰ", "ＡＰ"),
        ("日本代表の（左から）西田、小野寺、石川（Ｃ）共同通信社", "共同通信社"),
        ("Povilas Aleksandravičius / J. Stacevičiaus / LRT nuotr.", "J. Stacevičiaus / LRT nuotr"),
        ("El ministro de Exteriores de Portugal, Paulo Rangel. EFE/ J.J. Guillén", "EFE/ J.J. Guillén"),
        ("Un grupo de palestinos busca supervivientes en Jabalia. EFE/EPA/HAITHAM IMAD", "EFE/EPA/HAITHAM IMAD"),
        (
            "Agentes de la policía italiana en Gjadër, el 11 de octubre. Florion Goga (REUTERS)",
            "Florion Goga (REUTERS)",
        ),
        ("Der Hafen musste mehrmals repariert werden. AP", "AP"),
        (
            "Fahrzeuge der Armee bei Rafah. Aufnahme vom 3. Juli. Ohad Zwigenberg / Pool via Reuters",
            "Ohad Zwigenberg / Pool via Reuters",
        ),
        ("Cientos de personas en Madrid (España). Gustavo Valiente / Europa Press", "Gustavo Valiente / Europa Press"),
        ("Arnaldo Báez intenta marcharse de un defensor. (Edu Luque)", "Edu Luque"),
        ("Trump plant einen Landeplatz. Foto: Graeme Sloan (Getty)", "Graeme Sloan (Getty)"),
        ("Fotoğraf : Didem Mente/AA", "Didem Mente/AA"),
        ("Privat", "Privat"),
    ],
)
def test_a_caption_credit_in_its_own_language(caption: str, value: str) -> None:
    assert [credit.value for credit in caption_credits(caption)] == [value]


@pytest.mark.parametrize(
    "caption",
    [
        "Netanyahu durante una conferencia de prensa en Jerusalén, 21 de mayo de 2025. (Jerusalén)",  # a place
        "Kryžius, asociatyvi nuotr.",  # "an illustrative photo"
        "The mayor with her staff (left) at City Hall.",
        "Tous droits réservés",
        "© RIPRODUZIONE RISERVATA",
        "Die Bilder zeigen den Hafen vor der Küste.",
    ],
)
def test_a_caption_that_names_nobody_as_its_photographer_gives_no_credit(caption: str) -> None:
    assert caption_credits(caption) == []


def test_only_labelled_credits_are_read_from_an_alt_text() -> None:
    assert [c.value for c in caption_credits("An astronaut on the moon (Credit: Nasa)", labelled_only=True)] == ["Nasa"]
    assert caption_credits("Fans at the match, AP", labelled_only=True) == []


def test_a_closing_line_credits_the_photos_of_the_whole_article() -> None:
    credit = closing_credit("Fotoğraf, AA tarafından servis edilmiştir.")
    assert credit is not None and (credit.value, credit.source) == ("AA", "closing line")
    credit = closing_credit("Imagen | Ana López, Luis Gil y Marta Ruiz")
    assert credit is not None and credit.value == "Ana López, Luis Gil y Marta Ruiz"
    assert closing_credit("The photographs of the exhibition can be seen until May.") is None


def test_placeholders_and_rights_notices_in_an_image_object_are_no_credit() -> None:
    node = {"@type": "ImageObject", "author": "STR", "copyrightNotice": "All rights reserved", "creditText": "KCNA/AFP"}
    assert [c.value for c in schema_image_credits(node)] == ["KCNA/AFP"]


@pytest.mark.parametrize(
    ("caption", "value"),
    [
        ("参观者在展厅内参观。记者 张三 摄", "张三"),
        ("论坛现场。李四供图", "李四"),
        ("The senator leaves the chamber. Jane Doe via Getty Images", "Jane Doe via Getty Images"),
        ("O presidente durante o discurso. Reprodução/TV Globo", "Reprodução/TV Globo"),
        ("Image source, Getty Images", "Getty Images"),
    ],
)
def test_credits_without_a_colon_that_newsrooms_write(caption: str, value: str) -> None:
    assert [credit.value for credit in caption_credits(caption)] == [value]


def test_a_labelled_description_of_the_picture_is_not_its_credit() -> None:
    assert caption_credits("Photo: Protesters gather in front of the parliament on Tuesday evening") == []
    assert [c.value for c in caption_credits("Foto: Cedida por la Plataforma de San Isidro")] == [
        "Cedida por la Plataforma de San Isidro"
    ]
