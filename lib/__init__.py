"""Literature-review explorer: readers, deduplication, coding and the project file."""
