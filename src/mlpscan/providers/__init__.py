"""Collectors: they talk to the outside world and record what they find, errors included."""
