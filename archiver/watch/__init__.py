"""Watching sources: feeds, sitemaps and section fronts read on a schedule, every new article
captured, every article re-captured on an age-aware ladder, and every edit announced.

    durations   "90s", "15m", "3h", "2d": how the schedule is written
    urls        one article, one URL: fragments and tracking parameters left out
    fetch       reading a source over HTTP, through the network guard's policy, bounded
    sources     what a source serves (a feed, a sitemap, a section front) and the articles it lists
    ladder      when an article is checked again: by its time since it last changed
    state       what the watcher knows, kept in SQLite so that a killed watcher forgets nothing
    events      what happened to each article: events.jsonl, edits.atom, the webhook
    watcher     the loop: read sources, capture what is due, compare, record
"""
