"""Value objects shared by every layer: periods, issues, place names."""
