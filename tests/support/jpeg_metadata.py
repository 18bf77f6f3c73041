"""JPEG files carrying a photo credit only in IPTC-IIM, only in XMP, or only in EXIF, made here.

Pillow reads IPTC but cannot write it, so the APP13 and APP1 segments are built by hand.
"""

from __future__ import annotations

import io
import struct

from PIL import Image


def _plain_jpeg(color: tuple[int, int, int], exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 240), color).save(out, "JPEG", exif=exif.tobytes() if exif else b"")
    return out.getvalue()


def _insert_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    assert jpeg[:2] == b"\xff\xd8"
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def _dataset(record: int, number: int, value: bytes) -> bytes:
    return b"\x1c" + bytes([record, number]) + struct.pack(">H", len(value)) + value


def jpeg_with_iptc(color: tuple[int, int, int], fields: dict[tuple[int, int], str]) -> bytes:
    """IPTC-IIM in a Photoshop APP13 segment (resource 0x0404), UTF-8 declared by dataset 1:90."""
    iptc = _dataset(1, 90, b"\x1b%G") + b"".join(_dataset(r, n, v.encode("utf-8")) for (r, n), v in fields.items())
    if len(iptc) % 2:
        iptc += b"\x00"
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    return _insert_segment(_plain_jpeg(color), 0xED, b"Photoshop 3.0\x00" + resource)


def jpeg_with_xmp(color: tuple[int, int, int], credit: str, creator: str, rights: str) -> bytes:
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" photoshop:Credit="{credit}">
<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>
<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{rights}</rdf:li></rdf:Alt></dc:rights>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>""".encode()
    return _insert_segment(_plain_jpeg(color), 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + packet)


def jpeg_with_exif(color: tuple[int, int, int], artist: str, copyright: str) -> bytes:
    exif = Image.Exif()
    exif[0x013B] = artist
    exif[0x8298] = copyright
    return _plain_jpeg(color, exif)


def plain_jpeg(color: tuple[int, int, int]) -> bytes:
    return _plain_jpeg(color)
