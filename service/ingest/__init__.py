"""Bringing newsroom material in: HTML pages and files (trafilatura), URLs fetched with a
timeout and a size cap, and the page lists of sitemaps and RSS/Atom feeds. Pure but for
`fetch`, which is the only network access, and only from the command line."""
