"""archiver: faithful, replayable, verifiable captures of news articles.

The data flows one way, and the modules follow it:

    browser      find and launch Chromium
    behaviours   make the page show everything a reader would see
    recorder     turn the browser's HTTP exchanges into `Exchange` objects
    normalize    turn an `Exchange` into WARC-ready request/response parts
    warcwriter   write WARC/1.1 files (rolling, `.open` while written)
    screenshots  viewport and full-page PNGs
    tls          the TLS connection and certificate chain the browser used
    capture      one page: URL and options in, WARC files + manifest entry out
    manifest     the run's manifest.json, with checksums of every file
    run          many pages into one output folder
    lint         the WARC normalization rules, checked
"""

__version__ = "0.1.0"
