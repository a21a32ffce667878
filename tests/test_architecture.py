"""The layout the architecture page describes, read from the code itself."""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "sklearn_seq"
PAGE = Path(__file__).parents[1] / "docs" / "architecture.rst"
MODULES = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py"))

# modules past about 450 lines, each with the one concept that needs the room
LONG_MODULES = {
    "_base.py": "the hook contract: parameters, declarations, every hook with its default",
    "forecaster.py": "an estimator: its numpydoc docstring and explicit __init__",
    "word2vec.py": "an estimator: its numpydoc docstring and explicit __init__",
    "persistence.py": "one file format: what is written and what is read, side by side",
}
# the core serves every estimator alike: none of these may appear in it
CORE = [
    *("_base.py", "_warm_start.py", "_validation.py", "_sequences.py", "_fitted.py"),
    *("_training.py", "_inference.py", "_runtime.py"),
]
ESTIMATOR_NAMES = {
    *("RNNForecaster", "SequenceClassifier", "SequenceGenerator", "Word2VecTransformer"),
    *("_float64_inference", "_stratified_split", "_vector_input", "_word_ids"),
    *("freeze_embeddings", "class_weight", "class_weights_", "classes_", "y_mean_"),
    *("target_kind_", "calibration_errors_", "calibration_fraction", "season_length_"),
    *("vocabulary_hash_", "embedding_shape_", "random_crop", "teacher_forcing"),
    *("n_past_covariates", "n_future_covariates", "scaling"),
}
# where np.isfinite may run: user data is tested in _validation only
FINITE_ELSEWHERE = {
    "_validation.py": "user input",
    "_fitted.py": "fitted attributes read from a file",
    "_base.py": "network weights read from a file",
    "_training.py": "the training loss",
    "_targets.py": "class weights computed from y",
}


def tree(module):
    return ast.parse((PACKAGE / module).read_text())


def test_the_page_names_every_module_and_only_modules_that_exist():
    text = PAGE.read_text()
    named = set(re.findall(r"(?<![\w/.])((?:datasets/)?_{0,2}[a-z][a-z0-9_]*\.py)\b", text))
    named = {name for name in named if not name.startswith("test_")}
    assert named - set(MODULES) == set(), "the page names modules that do not exist"
    unnamed = [m for m in MODULES if m not in named and m != "datasets/__init__.py"]
    assert unnamed == [], "modules the architecture page does not name"


@pytest.mark.parametrize("module", MODULES)
def test_modules_stay_one_concept_long(module):
    lines = len((PACKAGE / module).read_text().splitlines())
    if module not in LONG_MODULES:
        assert lines <= 470, f"{module} has {lines} lines"


@pytest.mark.parametrize("module", MODULES)
def test_functions_stay_under_sixty_lines_of_code(module):
    for node in ast.walk(tree(module)):
        if isinstance(node, ast.FunctionDef) and node.name != "__init__":
            body = node.body
            docstring = isinstance(body[0], ast.Expr) and isinstance(
                getattr(body[0], "value", None), ast.Constant
            )
            start = body[1].lineno if docstring and len(body) > 1 else body[0].lineno
            assert node.end_lineno - start + 1 <= 60, f"{module}: {node.name}"


@pytest.mark.parametrize("module", CORE)
def test_the_core_names_no_estimator(module):
    found = set()
    for node in ast.walk(tree(module)):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
    assert found & ESTIMATOR_NAMES == set()


@pytest.mark.parametrize("module", MODULES)
def test_user_data_is_tested_for_finiteness_in_one_place(module):
    calls = [
        node
        for node in ast.walk(tree(module))
        if isinstance(node, ast.Attribute) and node.attr == "isfinite"
    ]
    if module not in FINITE_ELSEWHERE:
        assert calls == [], f"{module} tests finiteness itself; use _validation"


def test_the_checks_above_would_catch_what_they_look_for():
    """The readers are not blind: a flag in the core and an isfinite call show."""
    flagged = ast.parse("if self._float64_inference: x = np.isfinite(v)")
    names = {n.attr for n in ast.walk(flagged) if isinstance(n, ast.Attribute)}
    assert "_float64_inference" in names & ESTIMATOR_NAMES and "isfinite" in names
