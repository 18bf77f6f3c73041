"""`archiver serve`: the review app over output folders (articles, timelines, diffs, search, replay)."""
