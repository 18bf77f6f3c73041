"""Streaming media as data: HLS playlists and DASH manifests parsed into renditions and segments, and
which rendition each replay client (pywb, ReplayWeb.page) will ask for, so that a capture stores it.

Pure functions of the manifests' text: no browser, no network. The capture (archiver.capture.media)
fetches what these say a viewer needs.
"""
