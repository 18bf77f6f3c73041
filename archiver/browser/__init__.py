"""The browser side: Chromium, and everything that watches or drives one page in it.

    launch        find Chromium and start it the way an archiving browser should run
    recorder      every HTTP exchange a browser context makes, as `exchange.Exchange` objects
    largebody     bodies too large for memory, streamed by the browser to disk and cut at a cap
    direct_fetch  a file the browser will not hand over (a download), loaded again and streamed
    network       when a page has gone quiet: the requests in flight
    netguard      what a capture may connect to (the policy), enforced by `guard_proxy`
    behaviours    make a page show everything a reader would see (scroll, settle, autofetch)
    screenshots   the viewport and the whole page
    tls           the TLS connection the page used, and its certificate chain
    pagejs        the JavaScript run in pages (`js/`), and a safe way to run it in a frame

Nothing here knows WARC, manifests or output folders: those come later in the flow.
"""
