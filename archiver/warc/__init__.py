"""recorded exchanges → WARC: normalize each exchange, write WARC/1.1 files, check them (lint),
read responses back, and salvage what a killed run left half-written."""
