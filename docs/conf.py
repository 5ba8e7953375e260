"""Sphinx configuration for flask-tropo."""

from __future__ import annotations

import importlib.metadata

project = "flask-tropo"
copyright = "2026, the flask-tropo authors"
release = importlib.metadata.version("flask-tropo")
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "pallets_sphinx_themes",
]
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_preserve_defaults = True
nitpicky = False
intersphinx_mapping: dict[str, tuple[str, None]] = {}
suppress_warnings = ["config.cache"]

html_theme = "flask"
html_theme_options = {"index_sidebar_logo": False}
html_context = {
    "project_links": [],
}
html_sidebars = {
    "index": ["project.html", "localtoc.html", "searchbox.html"],
    "**": ["localtoc.html", "relations.html", "searchbox.html"],
}
html_title = f"flask-tropo {version}"
html_show_sourcelink = False
exclude_patterns = ["_build"]
