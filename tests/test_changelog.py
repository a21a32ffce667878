"""Every behaviour change since the last release is in ``docs/changelog.rst``.

``tests/data/releases/<version>.json`` holds, for each released version, every
public estimator's ``get_params()`` defaults and fingerprints of the pinned
predictions (the recorded values in ``tests/test_pinned.py``, and the files in
``tests/data``). These snapshots are never edited: each one's differences from
the one before must be listed in its own version's changelog section, so an
edited snapshot shows up as an unlisted change there.

The code's differences from the newest snapshot must be listed in the section
above that snapshot's, the version being prepared (``Version X (unreleased)``):
a changed or added default by an item naming ``Estimator(param)`` with its old
and new value, each an rst literal in double backquotes (1e-3, "diff"), and a
pinned value recorded anew by an entry naming the pin (the test function or
the file). To release that version: drop ``(unreleased)`` from its heading and
run ``python tests/test_changelog.py record``, which writes its snapshot.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest

import sklearn_seq

ROOT = Path(__file__).resolve().parents[1]
CHANGELOG = ROOT / "docs" / "changelog.rst"
RELEASES = ROOT / "tests" / "data" / "releases"
PINNED_TESTS = ROOT / "tests" / "test_pinned.py"
PINNED_FILES = ROOT / "tests" / "data"

HEADING = re.compile(r"^Version (\d+)\.(\d+)\.(\d+)( \(unreleased\))?$")


# --- the snapshot of the code as it is --------------------------------------------------
def current_defaults() -> dict[str, dict]:
    """Every public estimator's ``get_params()`` defaults, as plain JSON data."""
    estimators = {
        name: obj
        for name in sklearn_seq.__all__
        if isinstance(obj := getattr(sklearn_seq, name), type)
        and hasattr(obj, "get_params")
    }
    defaults = {name: cls().get_params(deep=False) for name, cls in estimators.items()}
    return json.loads(json.dumps(defaults))


def _fingerprint(value) -> str:
    text = json.dumps(value, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _tables(node: ast.AST) -> list:
    """The literal lists and tuples under ``node`` (recorded values), outermost only."""
    if isinstance(node, (ast.List, ast.Tuple)):
        try:
            return [ast.literal_eval(node)]
        except ValueError:
            pass
    return [table for child in ast.iter_child_nodes(node) for table in _tables(child)]


def pinned_fingerprints(source: str, filename: str) -> dict[str, str]:
    """One fingerprint per test function of ``source``: its recorded values.

    Only literal lists and tuples count (``[1.2804, 1.2789]``, ``["ab", ""]``),
    so a comment, a reformatted line or an old default spelled out in the call
    leaves the fingerprint as it was, and a value recorded anew changes it.
    """
    return {
        f"{filename}::{node.name}": _fingerprint(_tables(node))
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def current_pins() -> dict[str, str]:
    pins = pinned_fingerprints(PINNED_TESTS.read_text(), PINNED_TESTS.name)
    for path in sorted(PINNED_FILES.iterdir()):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            pins[f"{PINNED_FILES.name}/{path.name}"] = digest
    return pins


def current_snapshot() -> dict:
    return {
        "version": sklearn_seq.__version__,
        "defaults": current_defaults(),
        "pinned": current_pins(),
    }


# --- reading the changelog ----------------------------------------------------------
def version_sections(text: str) -> list[tuple[tuple[int, int, int], bool, str]]:
    """``(version, unreleased, body)`` of each ``Version X.Y.Z`` section, top first."""
    lines = text.splitlines()
    heads = [
        (i, HEADING.match(line))
        for i, line in enumerate(lines[:-1])
        if HEADING.match(line) and re.fullmatch(r"-{3,}", lines[i + 1])
    ]
    sections = []
    for k, (i, match) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        version = tuple(int(part) for part in match.groups()[:3])
        sections.append((version, bool(match[4]), "\n".join(lines[i + 2 : end])))
    return sections


def entries(section: str) -> list[str]:
    """The bullet items of a section, each with its continuation lines."""
    items, current = [], None
    for line in section.splitlines():
        if re.match(r"\s*[-*] ", line):
            current = [line]
            items.append(current)
        elif current is not None and line[:1].isspace():
            current.append(line)
        elif line.strip():  # a heading or a paragraph ends the item
            current = None
    return [" ".join(part.strip() for part in item) for item in items]


def _literals(entry: str) -> list:
    values = []
    for text in re.findall(r"``(.+?)``", entry):
        try:
            values.append(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            continue
    return values


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _show(value) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def unlisted_changes(old: dict, new: dict, section: str) -> list[str]:
    """What changed from snapshot ``old`` to ``new`` and is not in ``section``.

    A default that changed (or a parameter that came or went) needs an entry
    naming ``Estimator(param)`` with the old and the new value as literals; a
    new or removed estimator an entry naming it; a pinned value recorded anew
    an entry naming the pin. Returns one message per missing entry.
    """
    items = entries(section)
    problems = []
    old_defaults, new_defaults = old["defaults"], new["defaults"]
    for est in sorted(old_defaults.keys() | new_defaults.keys()):
        if est not in old_defaults or est not in new_defaults:
            if not re.search(rf"\b{est}\b", section):
                came = "new" if est in new_defaults else "removed"
                problems.append(f"{est}: a {came} estimator, not named in the section")
            continue
        before, after = old_defaults[est], new_defaults[est]
        for param in sorted(before.keys() | after.keys()):
            if param in before and param in after and _same(before[param], after[param]):
                continue
            values = [snap[param] for snap in (before, after) if param in snap]
            named = f"{est}({param})"
            listed = any(
                all(any(_same(v, lit) for lit in _literals(item)) for v in values)
                for item in items
                if re.search(rf"(?<!\w){re.escape(named)}", item)
            )
            if not listed:
                change = " -> ".join(
                    _show(snap[param]) if param in snap else "(absent)"
                    for snap in (before, after)
                )
                problems.append(
                    f"``{named}``: {change} has no entry naming ``{named}`` with "
                    f"{' and '.join(f'``{_show(v)}``' for v in values)}"
                )
    old_pins, new_pins = old.get("pinned"), new.get("pinned")
    for pin in sorted((old_pins or {}).keys() & (new_pins or {}).keys()):
        name = pin.rsplit("::", 1)[-1].rsplit("/", 1)[-1]
        if old_pins[pin] != new_pins[pin] and name not in section:
            problems.append(f"{pin}: pinned values recorded anew, no entry naming {name}")
    return problems


# --- the snapshots on disk ------------------------------------------------------------
def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def snapshots() -> list[dict]:
    found = [json.loads(path.read_text()) for path in RELEASES.glob("*.json")]
    return sorted(found, key=lambda snap: _version(snap["version"]))


def section_for(version: tuple[int, ...]) -> str:
    for found, _, body in version_sections(CHANGELOG.read_text()):
        if found == version:
            return body
    raise AssertionError(f"docs/changelog.rst has no section for version {version}")


def _section_above(version: tuple[int, ...]) -> tuple[tuple[int, ...], str] | None:
    """The version and body of the section above ``version``'s, if there is one."""
    sections = version_sections(CHANGELOG.read_text())
    index = [found for found, _, _ in sections].index(version)
    if index == 0:
        return None
    above, _, body = sections[index - 1]
    return above, body


# --- the tests ------------------------------------------------------------------------
def test_versions_agree():
    sections = version_sections(CHANGELOG.read_text())
    assert sections, "docs/changelog.rst has no 'Version X.Y.Z' section"
    top = ".".join(map(str, sections[0][0]))
    assert sklearn_seq.__version__ == top, (sklearn_seq.__version__, top)
    # the docs and the built package read the version from the package
    conf = ast.parse((ROOT / "docs" / "conf.py").read_text())
    assigned = {
        target.id: ast.unparse(node.value)
        for node in conf.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert assigned["release"] == assigned["version"] == "sklearn_seq.__version__"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in pyproject["project"]["dynamic"]
    dynamic = pyproject["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "sklearn_seq.__version__"}


def test_released_versions_have_their_snapshots():
    current = _version(sklearn_seq.__version__)
    recorded = set()
    for path in RELEASES.glob("*.json"):
        version = json.loads(path.read_text())["version"]
        assert path.stem == version, f"{path.name} holds version {version}"
        assert _version(version) <= current, f"{path.name} is newer than the package"
        recorded.add(version)
    sections = version_sections(CHANGELOG.read_text())
    for i, (version, unreleased, _) in enumerate(sections):
        name = ".".join(map(str, version))
        assert not unreleased or i == 0, f"only the top section may be unreleased: {name}"
        if unreleased:
            assert name not in recorded, f"{name} has a snapshot: it is released"
        else:
            assert name in recorded, (
                f"{name} is released but has no snapshot: run "
                "`python tests/test_changelog.py record` in its release commit"
            )
    assert [v for v, _, _ in sections] == sorted((v for v, _, _ in sections), reverse=True)


def test_each_release_lists_its_changes_from_the_one_before():
    found = snapshots()
    for old, new in zip(found, found[1:], strict=False):
        problems = unlisted_changes(old, new, section_for(_version(new["version"])))
        assert not problems, (
            f"Version {new['version']} in docs/changelog.rst:\n" + "\n".join(problems)
        )


def _problems_since_the_last_release(current: dict) -> list[str]:
    last = snapshots()[-1]
    above = _section_above(_version(last["version"]))
    if above is None:
        where, section = f"a 'Version X (unreleased)' section above {last['version']}", ""
    else:
        where, section = "Version " + ".".join(map(str, above[0])), above[1]
    problems = unlisted_changes(last, current, section)
    return [f"{problem} (in {where} of docs/changelog.rst)" for problem in problems]


def test_every_change_since_the_last_release_is_in_the_changelog():
    problems = _problems_since_the_last_release(current_snapshot())
    assert not problems, "\n".join(problems)


def test_an_unlisted_default_change_fails_the_check(monkeypatch):
    assert not _problems_since_the_last_release(current_snapshot())
    # a default edited in the code, with no changelog entry
    monkeypatch.setitem(
        sklearn_seq.RNNForecaster.__init__.__kwdefaults__, "hidden_size", 99
    )
    assert sklearn_seq.RNNForecaster().hidden_size == 99
    problems = _problems_since_the_last_release(current_snapshot())
    assert len(problems) == 1
    assert "``RNNForecaster(hidden_size)``: 64 -> 99" in problems[0]

    # the same check as a pure function: an entry naming the change lets it pass
    old, new = snapshots()[-1], current_snapshot()
    assert unlisted_changes(old, new, "")
    above = _section_above(_version(old["version"]))
    section = above[1] if above else ""
    entry = "\n- ``RNNForecaster(hidden_size)``: ``64`` -> ``99`` (``hidden_size=64``)"
    assert not unlisted_changes(old, new, section + entry)
    # an entry must name both values, and the estimator and the parameter together
    for wrong in (
        "\n- ``RNNForecaster(hidden_size)``: now ``99``",
        "\n- ``SequenceClassifier(hidden_size)``: ``64`` -> ``99``",
        "\n- ``RNNForecaster``: ``hidden_size`` ``64`` -> ``99``",
    ):
        problems = unlisted_changes(old, new, section + wrong)
        assert ["RNNForecaster(hidden_size)" in p for p in problems] == [True], wrong


def test_a_pinned_value_recorded_anew_needs_an_entry():
    source = PINNED_TESTS.read_text()
    old = {"defaults": {}, "pinned": pinned_fingerprints(source, "test_pinned.py")}
    # a comment or an old default spelled out in the call is no new result
    same = "# a comment\n" + source.replace(
        "hidden_size=8,", "hidden_size=8, num_layers=1,"
    )
    assert same != source
    assert pinned_fingerprints(same, "test_pinned.py") == old["pinned"]
    # a recorded value written anew is
    anew = re.sub(r"\d\.\d{6,}", lambda m: repr(float(m[0]) + 1), source, count=1)
    assert anew != source
    new = {"defaults": {}, "pinned": pinned_fingerprints(anew, "test_pinned.py")}
    (changed,) = [pin for pin in old["pinned"] if old["pinned"][pin] != new["pinned"][pin]]
    name = changed.split("::")[1]
    problems = unlisted_changes(old, new, "")
    assert len(problems) == 1 and name in problems[0]
    assert not unlisted_changes(old, new, f"- Predictions move (pinned in ``{name}``).")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- ``A(p)``: ``1e-3`` -> ``3e-3``", [["A(p)", 1e-3, 3e-3]]),
        ("* ``A(p)``:\n  ``None`` ->\n  ``0.5``\n\nText\n- b", [["A(p)", None, 0.5], []]),
    ],
)
def test_entries_and_their_literals(text, expected):
    found = [
        [*re.findall(r"``(\w+\(\w+\))``", item), *_literals(item)] for item in entries(text)
    ]
    assert found == expected


def test_record_writes_a_released_version_once(tmp_path, monkeypatch):
    module = sys.modules[__name__]
    monkeypatch.setattr(module, "RELEASES", tmp_path)
    monkeypatch.setattr(module, "CHANGELOG", tmp_path / "changelog.rst")
    heading = f"Version {sklearn_seq.__version__}"
    module.CHANGELOG.write_text(f"{heading} (unreleased)\n{'-' * 30}\n")
    with pytest.raises(SystemExit, match="still unreleased"):
        _record()
    module.CHANGELOG.write_text(f"{heading}\n{'-' * len(heading)}\n")
    _record()
    written = json.loads((tmp_path / f"{sklearn_seq.__version__}.json").read_text())
    assert written == json.loads(json.dumps(current_snapshot()))
    with pytest.raises(SystemExit, match="never rewritten"):
        _record()


def _record() -> None:
    """Write the snapshot of the version released now (its section no longer unreleased)."""
    version = sklearn_seq.__version__
    path = RELEASES / f"{version}.json"
    if path.exists():
        sys.exit(f"{path.name} exists: a released version's snapshot is never rewritten.")
    sections = version_sections(CHANGELOG.read_text())
    if not any(v == _version(version) and not unreleased for v, unreleased, _ in sections):
        sys.exit(f"docs/changelog.rst: 'Version {version}' is missing or still unreleased.")
    path.write_text(json.dumps(current_snapshot(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    if sys.argv[1:] != ["record"]:
        sys.exit("usage: python tests/test_changelog.py record")
    _record()
