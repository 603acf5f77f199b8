"""`make bench`: every benchmark, each printing ratios against a baseline run in this process."""

from __future__ import annotations

import os

from bench import (
    claim_get,
    copies,
    embedding,
    exports,
    extraction,
    factchecks,
    reports,
    scale,
    suggestions,
    webhooks,
    workspace,
)
from bench.common import bench_database_url


def main() -> None:
    extraction.main()
    print()
    embedding.main()
    print()
    claim_get.main(int(os.environ.get("BENCH_CLAIMS", "100000")))
    print()
    suggestions.main(bench_database_url())
    print()
    exports.main(bench_database_url())
    print()
    reports.main(bench_database_url())
    print()
    workspace.main(bench_database_url())
    print()
    scale.main(bench_database_url())
    print()
    webhooks.main(bench_database_url())
    print()
    copies.main(bench_database_url())
    print()
    factchecks.main(bench_database_url())


if __name__ == "__main__":
    main()
