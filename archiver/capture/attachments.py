"""--media-attachments: each embedded player's video, downloaded by yt-dlp beside the page.

What the page's own player fetches replays only as well as the player's platform lets it (YouTube's
players break in replay again and again). As Scoop and brozzler do, the capture can also run yt-dlp
on each embedded player (a frame of another page that plays a video or audio, or a frame of a
known video platform) and keep what it gets as WARC `resource` records under their own URIs
(`urn:attachment:<file name>:<player URL>`): the file, its info JSON (formats, title, uploader) and
its subtitles. yt-dlp runs as its own process, through the network guard's proxy like the browser,
without the browser's cookies; bounded by what is left of --media-max-bytes and by
--media-max-seconds. The files are listed in the manifest's `media.items` as `attachment`.
"""

from __future__ import annotations

import asyncio
import mimetypes
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from archiver.browser.exchange import StoredBody, body_sha256
from archiver.errors import first_line

if TYPE_CHECKING:
    from archiver.capture.session import CaptureSession

MAX_ATTACHMENTS = 5  # players per page
PLATFORM_HOSTS = (
    "youtube.com", "youtube-nocookie.com", "youtu.be", "vimeo.com", "dailymotion.com", "twitch.tv",
    "facebook.com", "instagram.com", "tiktok.com", "x.com", "twitter.com", "brightcove.net", "jwplayer.com",
    "jwplatform.com", "streamable.com", "soundcloud.com", "spotify.com", "rumble.com",
)  # fmt: skip
ATTACHMENT_URN = "urn:attachment:"


@dataclass
class Attachment:
    player_url: str
    files: list[Path] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def uri(self, file: Path) -> str:
        return f"{ATTACHMENT_URN}{file.name}:{self.player_url}"

    def media_file(self) -> Path | None:
        """The video or audio itself (not its info JSON, subtitles or thumbnail)."""
        for file in self.files:
            kind = content_type(file)
            if kind.startswith(("video/", "audio/")):
                return file
        return None


def content_type(file: Path) -> str:
    if file.name.endswith(".info.json"):
        return "application/json"
    if file.suffix == ".vtt":
        return "text/vtt"
    guessed, _ = mimetypes.guess_type(file.name)
    return guessed or "application/octet-stream"


def yt_dlp_version() -> str | None:
    try:
        from yt_dlp.version import __version__  # the pinned one, as installed

        return str(__version__)
    except ImportError:
        return None


def players(session: CaptureSession) -> list[str]:
    """The embedded players: frames of other pages that play media, and frames of video platforms."""
    assert session.page is not None
    main = session.page.main_frame
    found = [e["frame_url"] for e in session.media.elements if not e.get("main_frame")]
    found += [frame.url for frame in session.page.frames if frame != main and _on_a_platform(frame.url)]
    return [url for url in dict.fromkeys(found) if url.startswith(("http://", "https://"))][:MAX_ATTACHMENTS]


def _on_a_platform(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == known or host.endswith("." + known) for known in PLATFORM_HOSTS)


def may_attach(session: CaptureSession) -> bool:
    return (
        session.options.media_attachments
        and session.working()
        and session.proxy is not None
        and session.page is not None
        and bool(players(session))
    )


async def attach_media(session: CaptureSession) -> None:
    """Run yt-dlp on each embedded player, within the bounds; what it got or why not is recorded."""
    deadline = time.monotonic() + session.options.media_max_seconds
    for number, url in enumerate(players(session)):
        attachment = Attachment(url)
        session.media.attachments.append(attachment)
        left = deadline - time.monotonic()
        room = session.options.media_max_bytes - sum(session.media.sizes.values())
        if left <= 1 or room <= 0:
            attachment.error = "not run: the --media-max-seconds or --media-max-bytes bound was reached"
            continue
        await _download(session, attachment, session.page_dir / ".attachments" / f"{number:02d}", left, room)


async def _download(session: CaptureSession, attachment: Attachment, folder: Path, seconds: float, room: int) -> None:
    assert session.proxy is not None
    folder.mkdir(parents=True, exist_ok=True)
    height = session.options.media_max_height
    command = [
        sys.executable, "-m", "yt_dlp", "--ignore-config", "--no-cache-dir", "--no-playlist", "--no-progress",
        "--no-mtime", "--no-part", "--write-info-json", "--write-subs", "--sub-langs", "all",
        "--format", f"best[height<=?{height}][ext=mp4]/best[height<=?{height}]/best",
        "--max-filesize", str(room), "--socket-timeout", "20",
        # socks5h: names are resolved by the proxy, where the network guard judges them
        "--proxy", session.proxy.address.replace("socks5://", "socks5h://"),
        "--user-agent", session.user_agent, "--referer", session.final_url(),
        "--output", str(folder / "%(id).60B.%(ext)s"), attachment.player_url,
    ]  # fmt: skip
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        attachment.error = f"yt-dlp did not finish within {seconds:.0f} s (--media-max-seconds)"
        stderr = b""
    attachment.seconds = round(time.monotonic() - started, 1)
    attachment.files = sorted(path for path in folder.iterdir() if path.is_file())
    if attachment.error is None and (process.returncode or attachment.media_file() is None):
        errors = [line for line in stderr.decode("utf-8", "replace").splitlines() if "ERROR" in line]
        attachment.error = first_line(errors[-1] if errors else f"yt-dlp stopped with status {process.returncode}")
    for file in attachment.files:
        session.media.sizes[attachment.uri(file)] = file.stat().st_size


def write_attachments(session: CaptureSession, concurrent_to: str | None) -> None:
    """Each file yt-dlp got, as a resource record under its own URI; then the staging folder goes."""
    for attachment in session.media.attachments:
        for file in attachment.files:
            session.writer.write_resource(attachment.uri(file), content_type(file), file, concurrent_to=concurrent_to)
    shutil.rmtree(session.page_dir / ".attachments", ignore_errors=True)


def attachment_items(session: CaptureSession) -> list[dict[str, Any]]:
    """The manifest's items for the attachments."""
    items = []
    for attachment in session.media.attachments:
        media = attachment.media_file()
        player = next((e for e in session.media.elements if e["frame_url"] == attachment.player_url), {})
        items.append(
            {
                "kind": "attachment",
                "url": attachment.player_url,
                "element": player.get("element"),
                "frame_url": attachment.player_url,
                "live": False,
                "tool": f"yt-dlp {yt_dlp_version()}",
                "files": [
                    {
                        "uri": attachment.uri(file),
                        "content_type": content_type(file),
                        "bytes": file.stat().st_size,
                        "sha256": body_sha256(StoredBody(file, file.stat().st_size, False)),
                    }
                    for file in attachment.files
                ],
                "bytes": sum(file.stat().st_size for file in attachment.files),
                "sha256": body_sha256(StoredBody(media, media.stat().st_size, False)) if media else None,
                "seconds": attachment.seconds,
                "complete": attachment.error is None and media is not None,
                "why_not": attachment.error,
            }
        )
    return items
