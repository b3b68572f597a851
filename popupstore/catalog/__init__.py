"""Products, themes, the YAML loader and the shop pages."""
