"""Near-duplicate ("syndicated copy") detection: shingles, LSH band keys, exact verification."""
