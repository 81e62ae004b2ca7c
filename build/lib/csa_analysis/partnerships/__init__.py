"""The partnership landscape: register, overlaps, meeting load, hub-and-spoke scenario."""
