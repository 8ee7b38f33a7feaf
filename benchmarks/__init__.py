"""Performance benchmarks against their anchors (DESIGN.md §7). Run them with `make bench`."""
