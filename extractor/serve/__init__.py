"""Serving the evidence database with Datasette: the plugin, its templates, `extract serve`."""
