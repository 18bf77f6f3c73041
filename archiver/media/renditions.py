"""Which rendition each replay client plays, so that a capture stores exactly those.

Both clients rewrite an archived HLS master playlist or DASH manifest at replay so that one
rendition is left (per DASH adaptation set). Their rules, as their code has them:
- pywb 2.x (pywb/rewrite/rewrite_hls.py, rewrite_dash.py): with `adaptive_max_resolution` in the
  record's `WARC-JSON-Metadata`, the largest resolution at or under it; without, the highest
  bandwidth at or under `adaptive_max_bandwidth` (default 10^9: simply the highest).
- wabac.js, ReplayWeb.page's engine (src/rewrite/rewriteVideo.ts): the same two fields when both
  are given, else at most 1280x720 (921600 pixels) and 2 Mbit/s for an archived response. HLS
  sorts by resolution (by bandwidth when there is no cap on resolution) and takes the largest at
  or under the cap, the smallest when none is; DASH keeps, per adaptation set, the largest
  resolution at or under the cap, or the highest bandwidth at or under the bandwidth cap for a
  representation with no resolution or one over the cap. A manifest with several periods is not
  rewritten (its parser expects one): its player then picks for itself.

The capture writes one cap into the master's or manifest's record (`replay_cap`): the best
rendition at or under `--media-max-height`, so that both clients play the same one, and stores
what each client picks under that cap (normally the same rendition).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from archiver.media.dash import AdaptationSet, Manifest, Representation
from archiver.media.hls import MasterPlaylist, Variant

PYWB_DEFAULT_MAX_BANDWIDTH = 1_000_000_000
WABAC_DEFAULT_MAX_RESOLUTION = 921_600  # 1280x720, for an archived (not live) response
WABAC_DEFAULT_MAX_BANDWIDTH = 2_000_000


@dataclass(frozen=True)
class ReplayCap:
    """What the record's WARC-JSON-Metadata tells both clients: at most this many pixels and bits."""

    max_resolution: int
    max_bandwidth: int

    def to_metadata(self) -> dict[str, int]:
        return {"adaptive_max_resolution": self.max_resolution, "adaptive_max_bandwidth": self.max_bandwidth}


def cap_for_hls(master: MasterPlaylist, max_height: int) -> ReplayCap | None:
    return _cap(master.variants, max_height, [])


def cap_for_dash(manifest: Manifest, max_height: int) -> ReplayCap | None:
    """As for HLS, over the video; the bandwidth cap also admits every audio and text track (pywb
    would drop an adaptation set whose every representation is over it)."""
    reps = manifest.representations
    return _cap([rep for rep in reps if rep.area], max_height, [rep.bandwidth for rep in reps if not rep.area])


def _cap(items: Sequence[Variant] | Sequence[Representation], max_height: int, others: list[int]) -> ReplayCap | None:
    """The cap that selects the best rendition at or under `max_height` (the smallest when all are
    taller); None when no rendition states its resolution (then the clients' own rules hold)."""
    with_size = [item for item in items if item.area]
    if not with_size:
        return None
    fitting = [item for item in with_size if item.height <= max_height]
    best = max(fitting, key=lambda item: item.area) if fitting else min(with_size, key=lambda item: item.area)
    bandwidth = max([item.bandwidth for item in items if item.area <= best.area] + others)
    return ReplayCap(best.area, max(bandwidth, 1))


# -- HLS ---------------------------------------------------------------------------------------


def pywb_hls(variants: Sequence[Variant], cap: ReplayCap | None) -> Variant | None:
    max_resolution = cap.max_resolution if cap else 0
    max_bandwidth = cap.max_bandwidth if cap else PYWB_DEFAULT_MAX_BANDWIDTH
    best: Variant | None = None
    best_resolution = best_bandwidth = 0
    for variant in variants:
        if max_resolution and variant.area:
            if best_resolution < variant.area <= max_resolution:
                best, best_resolution, best_bandwidth = variant, variant.area, variant.bandwidth
        elif best_bandwidth < variant.bandwidth <= max_bandwidth:
            best, best_resolution, best_bandwidth = variant, variant.area, variant.bandwidth
    return best


def wabac_hls(variants: Sequence[Variant], cap: ReplayCap | None) -> Variant | None:
    if not variants:
        return None
    max_resolution, max_bandwidth = _wabac_limits(cap)
    limit = max_resolution or max_bandwidth
    ranked = sorted(
        ((variant.area if max_resolution else variant.bandwidth, index) for index, variant in enumerate(variants)),
        key=lambda pair: pair[0],
    )
    chosen: int | None = None
    last_value: int | None = None
    for value, index in ranked:
        if value > limit:
            break
        if value != last_value:
            last_value, chosen = value, index
    return variants[ranked[0][1] if chosen is None else chosen]


# -- DASH --------------------------------------------------------------------------------------


def pywb_dash(manifest: Manifest, cap: ReplayCap | None) -> list[Representation]:
    max_resolution = cap.max_resolution if cap else 0
    max_bandwidth = cap.max_bandwidth if cap else PYWB_DEFAULT_MAX_BANDWIDTH
    chosen = []
    for adaptation in manifest.adaptation_sets:
        best: Representation | None = None
        best_resolution = best_bandwidth = 0
        for rep in adaptation.representations:
            if rep.area and max_resolution:
                if best_resolution < rep.area <= max_resolution:
                    best, best_resolution, best_bandwidth = rep, rep.area, rep.bandwidth
            elif best_bandwidth < rep.bandwidth <= max_bandwidth:
                best, best_resolution, best_bandwidth = rep, rep.area, rep.bandwidth
        if best is not None:
            chosen.append(best)
    return chosen


def wabac_dash(manifest: Manifest, cap: ReplayCap | None) -> list[Representation] | None:
    """Its picks; None when it leaves the manifest as it is (several periods): any may be played."""
    if len(manifest.periods) != 1:
        return None
    max_resolution, max_bandwidth = _wabac_limits(cap)
    return [
        rep
        for rep in (_wabac_pick(adaptation, max_resolution, max_bandwidth) for adaptation in manifest.periods[0])
        if rep
    ]


def _wabac_pick(adaptation: AdaptationSet, max_resolution: int, max_bandwidth: int) -> Representation | None:
    best: Representation | None = None
    best_resolution = best_bandwidth = 0
    for rep in adaptation.representations:
        if rep.area and max_resolution and rep.area <= max_resolution:
            if rep.area > best_resolution:
                best, best_resolution, best_bandwidth = rep, rep.area, rep.bandwidth
        elif best_bandwidth < rep.bandwidth <= max_bandwidth:
            best, best_resolution, best_bandwidth = rep, rep.area, rep.bandwidth
    return best


def _wabac_limits(cap: ReplayCap | None) -> tuple[int, int]:
    if cap and cap.max_resolution and cap.max_bandwidth:
        return cap.max_resolution, cap.max_bandwidth
    return WABAC_DEFAULT_MAX_RESOLUTION, WABAC_DEFAULT_MAX_BANDWIDTH
