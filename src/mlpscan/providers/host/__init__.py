"""Linux hosts, scanned locally or over SSH with a fixed, read-only command list."""
