"""Series of events: a visitor may meet the people of the other days of a series."""
