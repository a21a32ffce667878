"""Sphinx configuration for the sklearn_seq documentation."""

import sklearn_seq

project = "sklearn_seq"
author = "the sklearn_seq developers"
copyright = "2026, the sklearn_seq developers"
release = version = sklearn_seq.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
templates_path = ["_templates"]
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.md5", "auto_examples/*.json"]

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "doc_module": ("sklearn_seq",),
    "backreferences_dir": "auto_examples/backreferences",
}

intersphinx_mapping = {}

html_theme = "pydata_sphinx_theme"
html_title = "sklearn_seq"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_static_path = []
