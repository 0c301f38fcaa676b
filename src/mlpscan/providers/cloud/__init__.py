"""What the three cloud providers share: resource specs as data, a bounded concurrent runner,
retries, credentials plumbing and endpoint rules. Each provider adds only its API adapter."""
