"""Evidence bundles: WACZ files with every hash, a signature and RFC 3161 timestamps, a readable
report, and their offline verification."""
