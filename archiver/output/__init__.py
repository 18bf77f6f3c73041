"""The output folder: runs and their manifests, written and read back, and everything else that
lives there.

    stored        a stored run and its pages, checked as read: the one way to read a manifest
    manifest      the run's manifest.json, written after every page
    runs          finding the runs under some folders (unreadable manifests said, not crashed on)
    completed     which pages already have a complete capture (resume, skip)
    dedup_index   URL -> its latest original response, for revisits on re-capture
    locks         one run at a time per output folder; each run folder held while written
    interrupted   half-written WARCs of a killed run, cut and set aside in interrupted/
    staging       a queue worker's pages captured but not yet committed
    set_aside     captures no commit kept, moved to set-aside/ with a note
"""
