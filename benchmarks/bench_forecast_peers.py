"""Peers on the forecasting suite: neuralforecast's LSTM and NHITS at their defaults.

What it measures
----------------
The MASE of two peer models, neuralforecast 3.3.0's ``LSTM`` and ``NHITS``
(run with torch 2.13.0 and pytorch-lightning 2.6), on the series, rolling
origins and MASE of the development suite ``bench_forecast_suite.py``, which
this script imports (``load_all``, ``halves``, ``origins``, ``lookback``,
``mase_scale``, ``ets_forecast``, ``seasonal_naive``): nothing is copied.

For each selected series, origin ``j`` (training part ``values[:n - h -
j*h]``, test part the ``h`` values after it) and seed, each model is fitted
on the training part alone and forecasts ``h`` steps::

    NeuralForecast(models=[LSTM(h=h, input_size=L, **kwargs)], freq=1)
    NeuralForecast(models=[NHITS(h=h, input_size=L, **kwargs)], freq=1)

with ``L = lookback(train, m)`` (the suite's rule: ``max(24, 2 m)``, at most
a third of the training part) and an integer time index (``ds`` = 0, 1, ...,
``freq=1``). ``kwargs`` are ``random_seed=seed`` and, only to run quietly on
the CPU, ``accelerator="cpu"``, ``devices=1``, ``enable_progress_bar=False``,
``enable_model_summary=False`` and ``logger=False`` (passed through the
model to its lightning ``Trainer``). Every other argument keeps its default:
for both, 1,000 training steps (``max_steps``), learning rate 1e-3, MAE
loss, no validation set and no early stopping; LSTM with 2 encoder layers of
128 units, ``recurrent=False`` (direct multi-step output), 128 windows per
batch and the ``robust`` scaler; NHITS with 3 stacks of one block of
512-512 MLPs, ``n_freq_downsample=[4, 2, 1]``, 1024 windows per batch and
no scaler (``identity``). Each model gets its own ``NeuralForecast`` object
so that its fit is timed alone; neuralforecast seeds each model from its
``random_seed`` when it fits, so this is the same fit as both models in one
object.

Recorded per series, origin, seed and model: the MASE (the mean absolute
error over the test part divided by the suite's ``mase_scale`` of the
training part), the fit's wall seconds (``time.perf_counter``) and this
process's CPU seconds (``time.process_time``), and the warnings raised.
torch runs on one thread (``torch.set_num_threads(1)``; set
``OMP_NUM_THREADS=1 MKL_NUM_THREADS=1`` too). Beside the peers, the column
``sklearn_seq`` is ``RNNForecaster``'s defaults on the same series, origins
and seeds, fitted by the suite (``run_variants``, its cache reused).

Printed: per series, ETS's and seasonal naive's MASE at the same origins (the
suite's ``ets_forecast`` and ``seasonal_naive``), each peer's MASE (mean over
the selected origins and seeds) and mean fit seconds; then, for each peer,
the series where it beats ETS and where it beats seasonal naive, and the
geometric mean over the series of peer MASE / ETS MASE (and / seasonal
naive MASE).

Run
---
In an environment of its own (neuralforecast pins its own stack), with the
CPU build of torch installed first so that pip keeps it::

    python -m venv /tmp/nfvenv
    /tmp/nfvenv/bin/pip install torch==2.13.0
    /tmp/nfvenv/bin/pip install torch==2.13.0 neuralforecast==3.3.0 \\
        statsmodels pmdarima==2.1.1 pandas scikit-learn skorch gensim safetensors
    /tmp/nfvenv/bin/pip install --no-deps -e .   # the suite imports sklearn_seq
    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 /tmp/nfvenv/bin/python \\
        benchmarks/bench_forecast_peers.py --series nile,co2 --origins 0 --seeds 1 \\
        --out /tmp/peers_results.json

Run it from a folder without stray modules (a ``attrs.py`` in the working
folder, for example, breaks ray, which neuralforecast imports).

It is slow: 1,000 training steps per fit, two fits per series, origin and
seed (tens of seconds to minutes each on one CPU thread). ``--out`` is
rewritten after every fit; with ``--resume`` the fits already in it (same
series, origin, seed, model and training part) are reused, not refitted.
"""

import argparse
import hashlib
import json
import logging
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_forecast_suite import (  # noqa: E402
    SERIES,
    ets_forecast,
    geo_mean,
    halves,
    load_all,
    lookback,
    mase_scale,
    origins,
    run_variants,
    seasonal_naive,
)

PEERS = ("LSTM", "NHITS")
OURS = "sklearn_seq"  # RNNForecaster's defaults, through the suite (its cache)
COLUMNS = (*PEERS, OURS)
QUIET = {
    "accelerator": "cpu",
    "devices": 1,
    "enable_progress_bar": False,
    "enable_model_summary": False,
    "logger": False,
}


def peer_versions() -> dict:
    """Versions of the peer stack."""
    import neuralforecast
    import pytorch_lightning
    import torch

    return {
        "neuralforecast": neuralforecast.__version__,
        "torch": torch.__version__,
        "pytorch_lightning": pytorch_lightning.__version__,
        "numpy": np.__version__,
    }


def fit_peer(model_name: str, train: np.ndarray, h: int, m: int, seed: int) -> dict:
    """Fit one neuralforecast model at its defaults and forecast ``h`` steps.

    Parameters
    ----------
    model_name : {"LSTM", "NHITS"}
        The peer.
    train : ndarray
        Training part.
    h, m : int
        Horizon and season length.
    seed : int
        ``random_seed``.

    Returns
    -------
    dict
        ``point`` (h,) as a list (None for NaN), ``fit_s`` (wall seconds of
        ``fit``), ``cpu_s`` (this process's CPU seconds over ``fit``),
        ``predict_s``, ``input_size``, ``warnings`` (distinct messages).
    """
    import pandas as pd
    from neuralforecast import NeuralForecast
    from neuralforecast import models as nf_models

    L = lookback(train, m)
    frame = pd.DataFrame(
        {"unique_id": "s", "ds": np.arange(len(train)), "y": np.asarray(train, float)}
    )
    model_class = getattr(nf_models, model_name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = model_class(h=h, input_size=L, random_seed=seed, **QUIET)
        forecaster = NeuralForecast(models=[model], freq=1)
        wall, cpu = time.perf_counter(), time.process_time()
        forecaster.fit(df=frame)
        fit_s, cpu_s = time.perf_counter() - wall, time.process_time() - cpu
        start = time.perf_counter()
        predicted = forecaster.predict()
        predict_s = time.perf_counter() - start
    point = predicted[model_name].to_numpy(dtype=float)
    if point.shape != (h,):
        raise RuntimeError(f"{model_name} forecast shape {point.shape}, expected ({h},)")
    messages = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    return {
        "point": [None if not np.isfinite(v) else float(v) for v in point],
        "fit_s": fit_s,
        "cpu_s": cpu_s,
        "predict_s": predict_s,
        "input_size": L,
        "warnings": messages,
    }


def fit_key(name: str, origin: int, seed: int, model_name: str, train) -> str:
    """Key of one fit: series, origin, seed, model and a checksum of the training part."""
    checksum = hashlib.sha1(np.ascontiguousarray(train).tobytes()).hexdigest()[:12]
    return f"{name}|{origin}|{seed}|{model_name}|{checksum}"


def baselines(train: np.ndarray, test: np.ndarray, h: int, m: int) -> dict:
    """ETS's (with its form) and seasonal naive's MASE at one origin."""
    scale = mase_scale(train, m)
    ets = ets_forecast(train, h, m)
    return {
        "scale": scale,
        "ets": float(np.mean(np.abs(test - ets["mean"])) / scale),
        "ets_form": ets["form"],
        "ets_notes": ets["notes"],
        "snaive": float(np.mean(np.abs(test - seasonal_naive(train, h, m))) / scale),
    }


def write_json(path: Path, payload: dict) -> None:
    """Write ``payload`` to ``path`` through a temporary file (no half file)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=1))
    tmp.replace(path)


def fmt(value, width: int = 8, digits: int = 3) -> str:
    """A number right-aligned, '-' for None or NaN."""
    if value is None or not np.isfinite(value):
        return f"{'-':>{width}}"
    return f"{value:{width}.{digits}f}"


def add_default(payload: dict, data: dict, names: list, origin_list: list, seeds: int):
    """``RNNForecaster``'s defaults on the same series, origins and seeds, as a
    column ``sklearn_seq`` beside the peers (the suite's fits, from its cache)."""
    runs = run_variants({"default": {}}, data, names, seeds, 1, False)["default"]
    for name in names:
        values, m, h = data[name]
        for origin in origin_list:
            train, test = origins(values, h)[origin]
            scale = payload["baselines"][f"{name}|{origin}"]["scale"]
            for seed in range(seeds):
                record = runs[name][origin, seed]
                point = np.array(record["point"], dtype=float)
                payload["fits"][f"{name}|{origin}|{seed}|{OURS}"] = {
                    **{"series": name, "origin": origin, "seed": seed, "model": OURS},
                    "mase": float(np.mean(np.abs(test - point)) / scale),
                    **{"fit_s": record["fit_s"], "cpu_s": record["cpu_s"]},
                    "warnings": [],
                }


def report(data: dict, payload: dict, names: list, origin_list: list, seeds: int) -> None:
    """The per-series table and the counts and geometric means below it."""
    base, fits = payload["baselines"], payload["fits"]
    need = len(origin_list) * seeds
    print(
        f"\nMASE, mean over origins {origin_list} (peers also over seeds 0..{seeds - 1}); "
        "fit s = mean wall seconds per fit (CPU seconds in brackets)"
    )
    head = f"{'series':>10} {'m':>3} {'h':>3} {'L':>3} {'ets':>8} {'snaive':>8}"
    head += "".join(f"{p:>12}" for p in COLUMNS)
    head += "".join(f" {p + ' fit s':>16}" for p in COLUMNS)
    print(head)
    rows = {}
    for name in names:
        values, m, h = data[name]
        ref = [base.get(f"{name}|{o}") for o in origin_list]
        if any(r is None for r in ref):
            continue
        row = {
            "ets": np.mean([r["ets"] for r in ref]),
            "snaive": np.mean([r["snaive"] for r in ref]),
        }
        line = f"{name:>10} {m:3d} {h:3d} {lookback(origins(values, h)[0][0], m):3d}"
        line += fmt(row["ets"]) + fmt(row["snaive"])
        seconds = ""
        for peer in COLUMNS:
            records = [
                r
                for r in fits.values()
                if r["series"] == name
                and r["model"] == peer
                and r["origin"] in origin_list
                and r["seed"] < seeds
            ]
            if len(records) == need:
                row[peer] = float(np.mean([r["mase"] for r in records]))
                fit_s = np.mean([r["fit_s"] for r in records])
                cpu_s = np.mean([r["cpu_s"] for r in records])
                seconds += f" {fit_s:8.1f} ({cpu_s:5.0f})"
            else:
                row[peer] = None
                seconds += f" {f'{len(records)}/{need} fits':>16}"
            line += fmt(row[peer], 12)
        rows[name] = row
        print(line + seconds)
    print()
    for peer in COLUMNS:
        done = [s for s in rows if rows[s][peer] is not None]
        if not done:
            print(f"{peer}: no series complete")
            continue
        finite = [s for s in done if np.isfinite(rows[s][peer])]
        beats = {
            b: [s for s in finite if rows[s][peer] < rows[s][b]] for b in ("ets", "snaive")
        }
        print(
            f"{peer}: beats ETS on {len(beats['ets'])}/{len(done)} "
            f"({', '.join(beats['ets'])}); beats seasonal naive on "
            f"{len(beats['snaive'])}/{len(done)} ({', '.join(beats['snaive'])})"
        )
        for b, label in (("ets", "ETS"), ("snaive", "seasonal naive")):
            ratio = geo_mean([rows[s][peer] / rows[s][b] for s in finite])
            print(
                f"  geo-mean over {len(finite)} series of {peer} MASE / {label} "
                f"MASE: {ratio:.3f}"
            )
        if len(finite) < len(done):
            print(f"  non-finite MASE on: {', '.join(s for s in done if s not in finite)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--series",
        default=None,
        help="comma list of series (default: all of the suite's, tuning half first)",
    )
    parser.add_argument("--origins", default="0", help="comma list among 0, 1, 2")
    parser.add_argument("--seeds", type=int, default=1, help="random_seed 0 .. SEEDS-1")
    parser.add_argument("--out", required=True, help="JSON file for all results")
    parser.add_argument(
        "--resume", action="store_true", help="reuse the fits already in --out"
    )
    args = parser.parse_args()

    tuning, confirming = halves()
    names = tuning + confirming if args.series is None else args.series.split(",")
    unknown = [s for s in names if s not in SERIES]
    if unknown:
        parser.error(f"unknown series {unknown}; known: {', '.join(sorted(SERIES))}")
    origin_list = [int(o) for o in args.origins.split(",")]
    if not all(0 <= o < 3 for o in origin_list):
        parser.error("origins are 0, 1 or 2")

    import torch

    torch.set_num_threads(1)
    versions = peer_versions()  # imports lightning, which sets its loggers' levels
    for logger in ("pytorch_lightning", "lightning.pytorch", "lightning_fabric"):
        logging.getLogger(logger).setLevel(logging.ERROR)
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(
        f"series ({len(names)}): {', '.join(names)}; origins {origin_list}; "
        f"seeds {args.seeds}"
    )
    out = Path(args.out)
    payload = {"versions": versions, "model_kwargs": QUIET, "baselines": {}, "fits": {}}
    if args.resume and out.exists():
        old = json.loads(out.read_text())
        payload["baselines"].update(old.get("baselines", {}))
        payload["fits"].update(old.get("fits", {}))
        print(f"resuming: {len(payload['fits'])} fits in {out}")

    data = load_all()
    start = time.perf_counter()
    for origin in origin_list:  # every series at one origin before the next origin
        for name in names:
            values, m, h = data[name]
            train, test = origins(values, h)[origin]
            base_key = f"{name}|{origin}"
            if base_key not in payload["baselines"]:
                payload["baselines"][base_key] = baselines(train, test, h, m)
            scale = payload["baselines"][base_key]["scale"]
            for seed in range(args.seeds):
                for peer in PEERS:
                    key = fit_key(name, origin, seed, peer, train)
                    if key in payload["fits"]:
                        continue
                    try:
                        record = fit_peer(peer, train, h, m, seed)
                    except Exception as exc:  # noqa: BLE001 - record and go on
                        print(
                            f"  {peer} {name} origin {origin} seed {seed} FAILED: {exc!r}"
                        )
                        continue
                    point = np.array(record["point"], dtype=float)
                    record.update(
                        series=name,
                        origin=origin,
                        seed=seed,
                        model=peer,
                        n_train=len(train),
                        h=h,
                        m=m,
                        mase=float(np.mean(np.abs(test - point)) / scale),
                    )
                    payload["fits"][key] = record
                    write_json(out, payload)
                    n_warned = len(record["warnings"])
                    print(
                        f"  [{time.perf_counter() - start:6.0f}s] {peer:>5} {name} "
                        f"origin {origin} seed {seed}: MASE {record['mase']:.3f}, fit "
                        f"{record['fit_s']:.1f}s (CPU {record['cpu_s']:.1f}s)"
                        + (f", {n_warned} warning(s)" if n_warned else ""),
                        flush=True,
                    )
    write_json(out, payload)
    add_default(payload, data, names, origin_list, args.seeds)
    report(data, payload, names, origin_list, args.seeds)
    notes = [f"{k}: {n}" for k, b in payload["baselines"].items() for n in b["ets_notes"]]
    warned = sorted({w for r in payload["fits"].values() for w in r["warnings"]})
    print(f"\nETS notes ({len(notes)}):" + ("" if notes else " none"))
    for note in notes:
        print(f"  {note}")
    print(
        f"distinct warnings in the peer fits ({len(warned)}):" + ("" if warned else " none")
    )
    for w in warned:
        print(f"  {w[:300]}")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
