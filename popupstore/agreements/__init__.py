"""The "samenwerkingsbon": two visitors record what they will do together."""
