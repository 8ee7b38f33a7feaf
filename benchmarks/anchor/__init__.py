"""The anchors the benchmarks compare against: stock Wagtail models, configured as documented."""
