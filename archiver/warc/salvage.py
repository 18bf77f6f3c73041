"""What is left of a WARC file whose writer died: its complete records, and where they end.

Each record is its own gzip member: a record is complete when its member ends (gzip trailer read)
and holds exactly the WARC headers, the Content-Length bytes they announce, and CRLF CRLF. A file
is cut back to the end of its last complete record; nothing after it can be trusted.
"""

from __future__ import annotations

import zlib
from typing import IO

HEAD_BYTES = 1 << 16  # WARC headers of one record fit in this


def complete_length(fh: IO[bytes]) -> tuple[int, int]:
    """(bytes up to the end of the last complete record, number of complete records) of an open
    WARC.gz: each record is its own gzip member, and a record is complete when its member ends
    (gzip trailer read) and holds exactly the WARC headers, the Content-Length bytes they announce,
    and CRLF CRLF."""
    good_end, records = 0, 0
    while True:
        member = _gzip_member(fh, good_end)
        if member is None or not _whole_record(member[1], member[2]):
            return good_end, records
        good_end, records = member[0], records + 1


def _gzip_member(fh: IO[bytes], offset: int) -> tuple[int, bytes, int] | None:
    """(end offset, first bytes, decompressed size) of the gzip member at `offset`; None if cut short."""
    fh.seek(offset)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    consumed, size, head = 0, 0, b""
    while True:
        data = fh.read(1 << 16)
        if not data:
            return None
        try:
            out = inflater.decompress(data)
        except zlib.error:
            return None
        if len(head) < HEAD_BYTES:
            head += out[: HEAD_BYTES - len(head)]
        size += len(out)
        if inflater.eof:
            return offset + consumed + len(data) - len(inflater.unused_data), head, size
        consumed += len(data)


def _whole_record(head: bytes, size: int) -> bool:
    header_end = head.find(b"\r\n\r\n")
    if not head.startswith(b"WARC/") or header_end < 0:
        return False
    for line in head[:header_end].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return size == header_end + 4 + int(value.strip()) + 4
    return False


def gzip_problem(stream: IO[bytes], chunk: int = 1 << 20) -> str | None:
    """Why a WARC.gz stream is not a sequence of sound gzip members (a damaged CRC, a member cut
    short), or None. warcio reads past a member whose check fails; evidence must not."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    member_start, position, begun = 0, 0, False
    while data := stream.read(chunk):
        while data:
            try:
                inflater.decompress(data, chunk)  # the output is not kept: only its soundness matters
                while inflater.unconsumed_tail and not inflater.eof:
                    inflater.decompress(inflater.unconsumed_tail, chunk)
            except zlib.error as exc:
                return f"the gzip member at byte {member_start} is damaged ({exc})"
            begun = True
            if not inflater.eof:
                position += len(data)
                break
            used = len(data) - len(inflater.unused_data)
            position += used
            data = inflater.unused_data
            member_start, begun = position, False
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    if begun:
        return f"the file ends inside the gzip member at byte {member_start} (cut short)"
    return None
