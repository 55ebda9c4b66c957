"""Report writers: JSONL records, text diffs, HTML pages, merged documents."""
