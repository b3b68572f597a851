"""Facilitators hide spam and abuse: checkouts and agreements, logged and undoable."""
