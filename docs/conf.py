"""Sphinx configuration for the sklearn_seq documentation."""

import os
import re
from pathlib import Path

from sphinx.util import logging

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
exclude_patterns = [
    "_build",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.md5",
    "auto_examples/*.json",
]


def _gallery_pattern() -> str:
    """Which examples the build runs: all, or with ``SKLEARN_SEQ_GALLERY=figures``
    only those whose figures the pages embed (CI, whose tests already run every
    example, builds the docs that way to run each example once)."""
    if os.environ.get("SKLEARN_SEQ_GALLERY") != "figures":
        return r"/plot_"
    pages = Path(__file__).parent.rglob("*.rst")
    embedded = {
        name
        for page in pages
        if "_build" not in page.parts and "auto_examples" not in page.parts
        for name in re.findall(r"sphx_glr_(plot_\w+?)_\d{3}\.png", page.read_text())
    }
    return rf"/({'|'.join(sorted(embedded))})\.py$" if embedded else r"^$"


sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": _gallery_pattern(),
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "doc_module": ("sklearn_seq",),
    "backreferences_dir": "auto_examples/backreferences",
}

# Links to the projects these docs build on, resolved offline: the builds (CI's
# included) cannot reach those sites, so each project's inventory is a small file in
# _inventories/ (Sphinx inventory format 1, plain text) listing the objects these docs
# reference, with their public pages.
intersphinx_mapping = {
    "sklearn": ("https://scikit-learn.org/stable/", "_inventories/sklearn.txt"),
    "torch": ("https://docs.pytorch.org/docs/stable/", "_inventories/torch.txt"),
    "skorch": ("https://skorch.readthedocs.io/en/stable/", "_inventories/skorch.txt"),
    "gensim": ("https://radimrehurek.com/gensim/", "_inventories/gensim.txt"),
}
# A Python reference into one of those projects that its file does not list fails the
# build; other unresolved Python references stay plain text, as before.
nitpicky = True
nitpick_ignore_regex = [(r"py:.*", rf"(?!({'|'.join(intersphinx_mapping)})\.).*")]

html_theme = "pydata_sphinx_theme"
html_title = "sklearn_seq"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_static_path = []


def _unlisted_reference(app, domain, node):
    """Say which inventory file lacks an object these docs reference."""
    if domain is None or domain.name != "py":
        return None
    target = node["reftarget"]
    logging.getLogger(__name__).warning(
        "%s is not in docs/_inventories/%s.txt: add it there with its public page",
        target,
        target.split(".")[0],
        location=node,
        type="ref",
    )
    return True


def setup(app):
    app.connect("warn-missing-reference", _unlisted_reference)
