"""Privacy by design: the public privacy page, retention dates and purging personal data."""
