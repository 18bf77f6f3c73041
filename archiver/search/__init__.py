"""Full-text search over stored captures: an SQLite FTS5 index kept in the output folder."""
