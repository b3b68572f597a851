"""Events and the active event."""
