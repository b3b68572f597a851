"""The organiser: events and catalog admin, statistics, exports."""
