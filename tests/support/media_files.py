"""Video and audio for the media capture tests, made once with Debian's ffmpeg into the cache folder.

The folder (`media_files()`) holds, all of it small test patterns (testsrc2 and sine), H.264 and AAC
as Chromium plays them, with a key frame every 2 s so that segments cut at 2 s exactly:

- clip.mp4: a progressive 640x360 video with sound, 8 s, moov first (faststart); poster.jpg and
  facade.jpg: stills for a <video poster> and a click-to-load facade.
- episode.m4a: a podcast, AAC only, 10 s.
- hls/: an HLS VOD set in fMP4 (each media playlist has its #EXT-X-MAP init segment): three video
  renditions (360p/, 720p/, 1080p/, video only), one audio rendition (audio/) in the group "aud",
  written by ffmpeg's hls muxer; WebVTT subtitles (subs/) in the group "subs" and master.m3u8,
  written here, since ffmpeg's hls muxer cannot write WebVTT next to fMP4 renditions (the mp4
  muxer refuses the subtitle stream). The master takes CODECS from the master ffmpeg wrote and
  BANDWIDTH (peak) and AVERAGE-BANDWIDTH from the segments' sizes.
- dash/: a DASH VOD set by ffmpeg's dash muxer (manifest.mpd, SegmentTemplate and SegmentTimeline):
  three video representations and one audio.
- COMMANDS.txt: the ffmpeg command lines that made them, as run in the folder.

The folder's name carries a short SHA-256 of those commands and of what is written here, so a
changed command makes a new folder. It is made in a scratch folder beside it and renamed into
place, under a lock: parallel test workers may ask for it at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shlex
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from archiver.cache import cache_dir

FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
SECONDS = 8  # of every video
PODCAST_SECONDS = 10
SEGMENT_SECONDS = 2
FPS = 25
GOP = str(FPS * SEGMENT_SECONDS)  # a key frame at every segment boundary, and nowhere else
# AAC comes in frames of 1024 samples: 8 s of sound ends in a 21 ms fifth segment, 7.96 s in four.
SEGMENTED_AUDIO_SECONDS = 7.96
AUDIO_GROUP = "aud"
SUBTITLE_GROUP = "subs"
LAYOUT = "1"  # of what this module writes itself (master, subtitles): part of the folder's key


@dataclass(frozen=True)
class Rendition:
    name: str  # its folder in hls/, e.g. "720p"
    width: int
    height: int
    bitrate: str  # ffmpeg's -b:v


RENDITIONS = (
    Rendition("360p", 640, 360, "200k"),
    Rendition("720p", 1280, 720, "400k"),
    Rendition("1080p", 1920, 1080, "800k"),
)
# One cue per 2-second segment of the subtitle playlist.
CUES = (
    "The harbour at dawn, before the boats go out.",
    "The inquiry into the port's accounts opens on Monday.",
    "Its first witness will be the port's former director.",
    "The hearings are expected to last three weeks.",
)


class MediaFixtureError(RuntimeError):
    """ffmpeg is missing, or could not make a fixture."""


def media_files() -> Path:
    """The folder holding the fixtures, made once (under a lock) with ffmpeg."""
    folder = cache_dir() / f"media-fixtures-{_key()}"
    if folder.is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be making it right now
        if folder.is_dir():
            return folder
        scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        try:
            scratch.chmod(0o755)  # mkdtemp's is 0700
            _generate(scratch)
            scratch.rename(folder)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return folder


def _x264(*bitrates: tuple[str, str]) -> list[str]:
    rates = [arg for option, rate in bitrates for arg in (option, rate)]
    return [
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
        *("-g", GOP, "-keyint_min", GOP, "-sc_threshold", "0"),
        *rates,
    ]


def _pattern(width: int, height: int, seconds: float = SECONDS) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={FPS}:duration={seconds}"]


def _tone(seconds: float, frequency: int = 440, extra: str = "") -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency={frequency}:sample_rate=48000:duration={seconds}{extra}"]


def _ladder() -> list[str]:
    """Inputs and filters for the renditions: one 1080p pattern scaled to each size."""
    top = RENDITIONS[-1]
    outs = "".join(f"[s{n}]" for n in range(len(RENDITIONS)))
    scales = ";".join(f"[s{n}]scale={r.width}:{r.height}[v{n}]" for n, r in enumerate(RENDITIONS))
    maps = [arg for n in range(len(RENDITIONS)) for arg in ("-map", f"[v{n}]")]
    return [
        *_pattern(top.width, top.height),
        *_tone(SEGMENTED_AUDIO_SECONDS),
        *("-filter_complex", f"[0:v]split={len(RENDITIONS)}{outs};{scales}"),
        *maps,
        *("-map", "1:a"),
        *_x264(*((f"-b:v:{n}", r.bitrate) for n, r in enumerate(RENDITIONS))),
        *("-c:a", "aac", "-b:a", "64k", "-ac", "2"),
    ]


@cache
def commands() -> tuple[tuple[str, ...], ...]:
    """The ffmpeg command lines, run in the fixture folder in this order."""
    start = (FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y")
    streams = " ".join(f"v:{n},agroup:{AUDIO_GROUP},name:{r.name}" for n, r in enumerate(RENDITIONS))
    audio = f"a:0,agroup:{AUDIO_GROUP},name:audio,default:yes,language:en"
    clip = RENDITIONS[0]
    return (
        (
            *start,
            *_pattern(clip.width, clip.height),
            *_tone(SECONDS),
            *_x264(("-b:v", "300k")),
            *("-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", "clip.mp4"),
        ),
        (*start, *_pattern(clip.width, clip.height, 1), "-frames:v", "1", "-q:v", "4", "poster.jpg"),
        (*start, *_pattern(clip.width, clip.height, 5), "-vf", "select=eq(n\\,100)", "-frames:v", "1", "facade.jpg"),
        (
            *start,
            *_tone(PODCAST_SECONDS, 220, ":beep_factor=4"),
            *("-c:a", "aac", "-b:a", "48k", "-ac", "1", "-movflags", "+faststart", "episode.m4a"),
        ),
        (
            *start,
            *_ladder(),
            *("-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod"),
            *("-hls_segment_type", "fmp4", "-hls_flags", "independent_segments"),
            *("-hls_fmp4_init_filename", "init-%v.mp4", "-hls_segment_filename", "hls/%v/seg-%03d.m4s"),
            *("-master_pl_name", "ffmpeg-master.m3u8", "-var_stream_map", f"{streams} {audio}"),
            "hls/%v/playlist.m3u8",
        ),
        (
            *start,
            *_ladder(),
            *("-f", "dash", "-seg_duration", str(SEGMENT_SECONDS), "-use_template", "1", "-use_timeline", "1"),
            *("-adaptation_sets", "id=0,streams=v id=1,streams=a", "dash/manifest.mpd"),
        ),
    )


def _key() -> str:
    recipe = json.dumps({"commands": commands(), "cues": CUES, "layout": LAYOUT}, sort_keys=True)
    return hashlib.sha256(recipe.encode()).hexdigest()[:12]


def _generate(folder: Path) -> None:
    if not Path(FFMPEG).is_file():
        raise MediaFixtureError(f"the media fixtures are made with {FFMPEG} (Debian: apt-get install ffmpeg)")
    (folder / "hls" / "subs").mkdir(parents=True)
    (folder / "dash").mkdir()
    for command in commands():
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True)
        if result.returncode != 0:
            raise MediaFixtureError(f"ffmpeg failed ({shlex.join(command)}): {result.stderr.strip()[-2000:]}")
    _write_subtitles(folder / "hls" / "subs")
    _write_master(folder / "hls")
    (folder / "hls" / "ffmpeg-master.m3u8").unlink()
    notes = [
        "# Run in this folder, in this order. Written afterwards by tests/support/media_files.py:",
        "# hls/subs/ (WebVTT segments and their playlist) and hls/master.m3u8 (from ffmpeg-master.m3u8,",
        "# which is then removed: CODECS and RESOLUTION from it, BANDWIDTH from the segments' sizes).",
    ]
    (folder / "COMMANDS.txt").write_text("\n".join([*notes, *(shlex.join(c) for c in commands())]) + "\n")


def _write_subtitles(folder: Path) -> None:
    playlist = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{SEGMENT_SECONDS}"]
    playlist += ["#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD"]
    for n, text in enumerate(CUES):
        start, end = n * SEGMENT_SECONDS, (n + 1) * SEGMENT_SECONDS
        # The cues' times are the media's own: time 0 is the fMP4 segments' time 0.
        cue = f"00:00:{start:02d}.000 --> 00:00:{end:02d}.000\n{text}\n"
        (folder / f"seg-{n:03d}.vtt").write_text(f"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n{cue}")
        playlist += [f"#EXTINF:{SEGMENT_SECONDS:.6f},", f"seg-{n:03d}.vtt"]
    (folder / "playlist.m3u8").write_text("\n".join([*playlist, "#EXT-X-ENDLIST"]) + "\n")


def _write_master(hls: Path) -> None:
    codecs = {uri: attributes.get("CODECS", "") for uri, attributes in _stream_infs(hls / "ffmpeg-master.m3u8")}
    audio_peak, audio_average = _bitrates(hls / "audio" / "playlist.m3u8")
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        f'#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="{AUDIO_GROUP}",NAME="English",LANGUAGE="en",DEFAULT=YES,'
        'AUTOSELECT=YES,CHANNELS="2",URI="audio/playlist.m3u8"',
        f'#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="{SUBTITLE_GROUP}",NAME="English",LANGUAGE="en",DEFAULT=YES,'
        'AUTOSELECT=YES,FORCED=NO,URI="subs/playlist.m3u8"',
    ]
    for rendition in RENDITIONS:
        uri = f"{rendition.name}/playlist.m3u8"
        peak, average = _bitrates(hls / uri)
        lines += [
            f"#EXT-X-STREAM-INF:BANDWIDTH={peak + audio_peak},AVERAGE-BANDWIDTH={average + audio_average},"
            f'RESOLUTION={rendition.width}x{rendition.height},FRAME-RATE={FPS:.3f},CODECS="{codecs[uri]}",'
            f'AUDIO="{AUDIO_GROUP}",SUBTITLES="{SUBTITLE_GROUP}"',
            uri,
        ]
    (hls / "master.m3u8").write_text("\n".join(lines) + "\n")


def _bitrates(playlist: Path) -> tuple[int, int]:
    """A media playlist's peak segment bit rate and its average one, in bits per second."""
    entries = _media_entries(playlist)
    rates = [(playlist.parent / uri).stat().st_size * 8 / seconds for uri, seconds in entries]
    total_bits = sum((playlist.parent / uri).stat().st_size * 8 for uri, _ in entries)
    return round(max(rates)), round(total_bits / sum(seconds for _, seconds in entries))


# Reading the playlists and the manifest, for the tests' expectations.

_ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


def _attributes(line: str) -> dict[str, str]:
    return {name: value.strip('"') for name, value in _ATTRIBUTE.findall(line.partition(":")[2])}


def _stream_infs(master: Path) -> list[tuple[str, dict[str, str]]]:
    """(URI, attributes) of each #EXT-X-STREAM-INF of a master playlist."""
    lines = [line.strip() for line in master.read_text().splitlines() if line.strip()]
    return [(lines[n + 1], _attributes(line)) for n, line in enumerate(lines) if line.startswith("#EXT-X-STREAM-INF:")]


def _media_entries(playlist: Path) -> list[tuple[str, float]]:
    """(URI, seconds) of each segment of a media playlist."""
    entries, seconds = [], 0.0
    for line in (line.strip() for line in playlist.read_text().splitlines()):
        if line.startswith("#EXTINF:"):
            seconds = float(line[len("#EXTINF:") :].split(",")[0])
        elif line and not line.startswith("#"):
            entries.append((line, seconds))
    return entries


@dataclass(frozen=True)
class HlsVariant:
    """One #EXT-X-STREAM-INF of hls/master.m3u8."""

    uri: str  # relative to hls/: "720p/playlist.m3u8"
    bandwidth: int
    resolution: str  # "1280x720"
    codecs: str


def hls_variants() -> list[HlsVariant]:
    """The master playlist's video renditions, lowest first."""
    return [
        HlsVariant(uri, int(a["BANDWIDTH"]), a["RESOLUTION"], a["CODECS"])
        for uri, a in _stream_infs(media_files() / "hls" / "master.m3u8")
    ]


def hls_renditions() -> dict[str, str]:
    """The master playlist's #EXT-X-MEDIA renditions: TYPE ("AUDIO", "SUBTITLES") -> URI relative to hls/."""
    master = (media_files() / "hls" / "master.m3u8").read_text().splitlines()
    media = [_attributes(line) for line in master if line.startswith("#EXT-X-MEDIA:")]
    return {a["TYPE"]: a["URI"] for a in media}


def hls_segments() -> dict[str, list[str]]:
    """Each media playlist the master names (relative to hls/) -> its segments (relative to hls/),
    without the #EXT-X-MAP init segment."""
    hls = media_files() / "hls"
    playlists = [variant.uri for variant in hls_variants()] + list(hls_renditions().values())
    return {p: [str(Path(p).parent / uri) for uri, _ in _media_entries(hls / p)] for p in playlists}


def hls_segment_counts() -> dict[str, int]:
    """Each media playlist (relative to hls/) -> how many segments it lists."""
    return {playlist: len(segments) for playlist, segments in hls_segments().items()}


def hls_init_segments() -> dict[str, str]:
    """Each media playlist with an #EXT-X-MAP (relative to hls/) -> its init segment (relative to hls/)."""
    found = {}
    for playlist in hls_segments():
        for line in (media_files() / "hls" / playlist).read_text().splitlines():
            if line.startswith("#EXT-X-MAP:"):
                found[playlist] = str(Path(playlist).parent / _attributes(line)["URI"])
    return found


_MPD = "{urn:mpeg:dash:schema:mpd:2011}"
_TEMPLATE_FIELD = re.compile(r"\$(RepresentationID|Number|Bandwidth|Time)(%0(\d+)d)?\$")


@dataclass(frozen=True)
class DashRepresentation:
    id: str
    mime_type: str  # "video/mp4", "audio/mp4"
    bandwidth: int
    width: int | None
    height: int | None
    initialization: str  # file name in dash/
    segments: tuple[str, ...]  # file names in dash/, in order


def dash_representations() -> list[DashRepresentation]:
    """The manifest's representations, with their segments expanded from the SegmentTemplate."""
    root = ET.parse(media_files() / "dash" / "manifest.mpd").getroot()
    return [_representation(r) for r in root.iter(f"{_MPD}Representation")]


def dash_segment_counts() -> dict[str, int]:
    """Each representation's id -> how many media segments the manifest lists for it."""
    return {r.id: len(r.segments) for r in dash_representations()}


def _representation(element: ET.Element) -> DashRepresentation:
    template = element.find(f"{_MPD}SegmentTemplate")
    assert template is not None, "ffmpeg's dash muxer writes a SegmentTemplate in each Representation"
    number, time, names = int(template.get("startNumber", "1")), 0, []
    for s in template.iter(f"{_MPD}S"):
        time = int(s.get("t", time))
        for _ in range(int(s.get("r", "0")) + 1):
            names.append(_expand(template.get("media", ""), element, number, time))
            number, time = number + 1, time + int(s.get("d", "0"))
    width, height = element.get("width"), element.get("height")
    return DashRepresentation(
        id=element.get("id", ""),
        mime_type=element.get("mimeType", ""),
        bandwidth=int(element.get("bandwidth", "0")),
        width=int(width) if width else None,
        height=int(height) if height else None,
        initialization=_expand(template.get("initialization", ""), element, number, time),
        segments=tuple(names),
    )


def _expand(template: str, representation: ET.Element, number: int, time: int) -> str:
    values = {"RepresentationID": representation.get("id", ""), "Bandwidth": representation.get("bandwidth", "")}
    values |= {"Number": str(number), "Time": str(time)}

    def field(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        return value.zfill(int(match.group(3))) if match.group(3) else value

    return _TEMPLATE_FIELD.sub(field, template)
