"""Many pages into one output folder: seeds, the batch, its manifest.json, progress, and finding
what earlier runs in an output folder captured."""
