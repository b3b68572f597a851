"""Product proposals: visitors propose approaches, the organiser takes them into the catalog."""
