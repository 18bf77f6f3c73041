"""archiver: faithful, replayable, verifiable captures of news articles.

The data flows one way, and the modules follow it:

    browser, netguard       find and launch Chromium; keep public pages off private networks
    behaviours, network     make the page show everything a reader would see; when is it quiet
    recorder, largebody     the browser's HTTP exchanges as `Exchange` objects (large bodies streamed)
    normalize, warcwriter   WARC-ready requests and responses, written to rolling WARC/1.1 files
    screenshots, tls        viewport and full-page PNGs; the TLS connection the browser used
    capture                 one page: URL and options in, WARC files + manifest entry out
    extract                 what the article says about itself and who took its pictures
    manifest, run           the run's manifest.json; many pages into one output folder
    lint, qa, pywb          the WARC rules checked; replay in pywb, checked at two screen sizes
    bundle, verify          signed, timestamped WACZ evidence bundles, checked offline
    cli                     the command line, a thin layer over all of this
"""

__version__ = "0.1.0"
