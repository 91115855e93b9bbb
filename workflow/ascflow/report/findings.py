"""What the report concludes: interval comparisons, deviations, warnings.

Pure functions of the facts the workflow recorded (metrics, data summary,
parameter counts), so each sentence the report states can be tested without
rendering anything. This is the one place that turns those facts into
sentences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ascflow.data.audio_folder import named
from ascflow.models.naming import NETWORK_FAMILIES
from ascflow.report import reference


@dataclass(frozen=True)
class Setting:
    """One training choice, as the reference made it and as this run did."""

    name: str
    reference: str
    used: str
    differs: bool | None  # None: cannot be told from the run (user data)
    why: str = ""


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def significance(comparisons: dict, runs: list[dict]) -> str:
    """Which accuracy differences McNemar's test finds significant, as one
    paragraph: the better model of each significant pair first."""
    pairs = comparisons["mcnemar"]
    if not pairs:
        return "Only one model was trained: there is nothing to compare."
    accuracy = {run["model"]: run["accuracy"] for run in runs}
    significant = sorted(
        (pair for pair in pairs if pair["significant"]),
        key=lambda pair: -max(accuracy[pair["first"]], accuracy[pair["second"]]),
    )
    described = []
    for pair in significant:
        better, worse = sorted((pair["first"], pair["second"]), key=lambda model: -accuracy[model])
        described.append(f"{better} > {worse} ({_p_text(pair['p_holm'])})")
    level = f"{comparisons['alpha'] * 100:g} %"
    basis = (
        f"McNemar's exact test on the {comparisons['n_test']:,} test clips all models share, "
        f"Holm-adjusted over the {len(pairs)} pairs"
    )
    if not significant:
        return f"No difference between the models is significant at {level} ({basis})."
    rest = len(pairs) - len(significant)
    others = f"; the other {rest} differences are not" if rest else "; so is every other difference"
    return f"Significant at {level} ({basis}): {'; '.join(described)}{others}."


def seed_significance(comparisons: dict) -> str:
    """The paired test over seeds, as a sentence; '' without seeds."""
    rows = comparisons.get("seeds") or []
    if not rows:
        return ""
    significant = [
        f"{row['first'] if row['mean_difference'] > 0 else row['second']} > "
        f"{row['second'] if row['mean_difference'] > 0 else row['first']} ({_p_text(row['p_holm'])})"
        for row in rows
        if row["significant"]
    ]
    seeds = len(rows[0]["seeds"])
    found = "; ".join(significant) if significant else "no pair differs significantly"
    return (
        f"Over the {seeds} seeds (paired t-test of the accuracies, Holm-adjusted over "
        f"{len(rows)} pairs): {found}."
    )


def _mean_sd(values: list[float]) -> tuple[float | None, float | None]:
    import statistics

    if not values:
        return None, None
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else None


def fold_summary(folds: list[dict], runs: list[dict]) -> list[dict]:
    """Per model: its fold accuracies, their mean and sample standard
    deviation, the same of its fold log losses (where the folds have them),
    and its test accuracy and log loss, in the order of the runs."""
    rows = []
    for run in runs:
        trained_as = run.get("trained_as", run["model"])  # the variant validation chose
        own = [row for row in sorted(folds, key=lambda row: row["fold"]) if row["model"] == trained_as]
        if own:
            scores = [row["accuracy"] for row in own]
            mean, sd = _mean_sd(scores)
            loss_mean, loss_sd = _mean_sd([row["log_loss"] for row in own if row.get("log_loss") is not None])
            rows.append(
                {
                    "model": run["model"],
                    "folds": scores,
                    "mean": mean,
                    "sd": sd,
                    "log_loss_mean": loss_mean,
                    "log_loss_sd": loss_sd,
                    "test": run["accuracy"],
                    "test_log_loss": run.get("log_loss"),
                    "split": own[0]["split"],
                }
            )
    return rows


def sweep_choice(selection: dict) -> str:
    """How a swept model's variant was chosen, and that the test set had no part in it."""
    variants = selection["variants"]
    kept = variants[0]
    if selection["criterion"] == "cv":
        basis = f"the mean accuracy over its {kept['n_folds']} cross-validation folds of the training set"
    else:
        basis = "its accuracy on the held-out part of the training set"
    runner_up = (
        f"; the next best, {variants[1]['run']}, scored {variants[1]['score']:.4f}"
        if len(variants) > 1
        else ""
    )
    return (
        f"{selection['model']}: {len(variants)} variants of {', '.join(selection['parameters'])}, ranked by "
        f"{basis}. Kept: {selection['selected']} ({kept['score']:.4f}){runner_up}. The test set played no "
        "part in the choice: only the kept variant was evaluated on it."
    )


def epochs_text(epochs: int) -> str:
    return f"{epochs} epoch" + ("" if epochs == 1 else "s")


def refit_sentence(runs: list[dict]) -> str:
    """Which networks were trained once more on the whole training set; '' if none."""
    refit = [run for run in runs if run.get("refit")]
    if not refit:
        return ""
    described = ", ".join(
        f"{run['model']} ({epochs_text(run['epochs_run'])} on {run['n_train']:,} clips)" for run in refit
    )
    return (
        "Refit after choosing, as scikit-learn's GridSearchCV(refit=True): once validation had chosen the "
        "variant and the epochs, each of these networks was trained once more on the whole training set, "
        f"for those epochs, before the test set was read: {described}. Their validation figures are the "
        "validation run's; their test accuracy is the refit model's."
    )


def history_comparison(history: dict) -> tuple[str, list[dict]]:
    """The comparison with the previous run on the same data: a sentence,
    and per model this run's accuracy beside the previous one's, its change,
    whether the change exceeds this run's interval half-width, and the
    settings that changed (from the ledger's records)."""
    from ascflow.ledger import changed_settings

    previous = {row["model"]: row for row in history["previous"]}
    n_earlier = len(history["runs"]) - 1
    if not previous:
        return (
            f"There is nothing to compare with yet: {history['ledger']} records no earlier run on this data "
            "(this run is added to it now).",
            [],
        )
    rows = []
    for row in history["this_run"]:
        before = previous.get(row["model"])
        half_width = (row["ci95_high"] - row["ci95_low"]) / 2
        change = None if before is None else row["accuracy"] - before["accuracy"]
        changed = [] if before is None else changed_settings(before["settings"], json_settings(row))
        rows.append(
            {
                "model": row["model"],
                "accuracy": row["accuracy"],
                "previous": None if before is None else before["accuracy"],
                "change": change,
                "beyond_half_width": None if change is None else abs(change) > half_width,
                "half_width": half_width,
                "changed": changed,
            }
        )
    beyond = [row["model"] for row in rows if row["beyond_half_width"]]
    finished = history["previous"][0]["finished"]
    sentence = (
        f"This run beside the previous run on the same data (finished {finished}, commit "
        f"{history['previous'][0]['commit'] or 'unknown'}; {n_earlier} earlier run(s) recorded in "
        f"{history['ledger']}). "
        + (
            f"Changes larger than this run's 95 % interval half-width: {', '.join(beyond)}."
            if beyond
            else "No model's accuracy moved by more than its 95 % interval half-width."
        )
    )
    return sentence, rows


def json_settings(row: dict) -> dict:
    """A ledger row's recorded settings as a mapping (they are text in the file)."""
    import json

    return row["settings"] if isinstance(row["settings"], dict) else json.loads(row["settings"])


def settings_change_text(changed: list[tuple[str, object, object]]) -> str:
    if not changed:
        return "none"
    return "; ".join(f"{key}: {before} → {after}" for key, before, after in changed)


def split_sentence(runs: list[dict], data: dict) -> str:
    """How the networks' validation part was split, and what it means."""
    splits = {run.get("split") for run in _runs_of(runs, NETWORK_FAMILIES)} - {None}
    groups = data.get("groups")
    if splits == {"grouped"}:
        return (
            f"The networks validated on a part of the training set that shares no recording with the rest "
            f"({groups['train'] if groups else '?'} recordings in the training set): their validation "
            "accuracy is an honest preview of the test accuracy."
        )
    if splits == {"clip-level"}:
        why = (
            "clips of one recording sit on both sides of it, so the validation accuracy is optimistic"
            if groups
            else "the data names no recordings (groups_train.npy), so clips of one recording may sit on both "
            "sides and the validation accuracy may be optimistic"
        )
        return f"The networks' validation split is clip-level: {why}."
    return ""


def accuracy_resolution(runs: list[dict]) -> str:
    """How fine the accuracy is at this test size, and how wide the intervals."""
    n_test = runs[0]["n_test"]
    widest = max(run["ci95_high"] - run["ci95_low"] for run in runs)
    return (
        f"With {n_test:,} test clips one clip is {1 / n_test:.4f} of accuracy, "
        f"and the widest 95 % interval spans {widest:.3f} (about ±{widest / 2:.3f})."
    )


def _runs_of(runs: list[dict], families: tuple[str, ...]) -> list[dict]:
    return [run for run in runs if run["family"] in families]


def _used(runs: list[dict], value) -> str:
    """The distinct values of ``value(run)`` over the runs, as text."""
    return ", ".join(sorted({str(value(run)) for run in runs if value(run) is not None})) or "–"


def _data_used(data: dict) -> str:
    train, test = (sum(data["class_counts"][split]) for split in ("train", "test"))
    source = (
        "built-in synthetic set" if data.get("source") == "synthetic" else f"user data ({data['data_dir']})"
    )
    if data.get("source") == "audio":
        source = f"log-mel features of the recordings in {data['audio']['audio_dir']}"
    return f"{source}, {train:,} / {test:,} clips"


def _epochs_setting(name: str, family: str, used: str) -> Setting:
    budget = str(reference.TRAINING[family]["epochs"])
    return Setting(name, budget, used, used != budget, "the default config lowers them to keep its run short")


def training_settings(runs: list[dict], data: dict) -> list[Setting]:
    """Each choice where ascflow may differ from the reference, with the
    values the runs' metrics record."""
    networks = _runs_of(runs, NETWORK_FAMILIES)
    forests = _runs_of(runs, ("rf",))
    validation = _used(networks, lambda run: run["validation"])
    fractions = sorted({run["validation_fraction"] for run in networks if run["validation"] == "holdout"})
    time_major = _used(_runs_of(runs, ("lstm",)), lambda run: run["time_major"])
    standardize = _used(runs, lambda run: run["standardize"])
    cnn_epochs = _used(_runs_of(runs, ("cnn",)), lambda run: run["settings"]["epochs"])
    lstm_epochs = _used(_runs_of(runs, ("lstm",)), lambda run: run["settings"]["epochs"])
    seeds = sorted({run["seed"] for run in runs})
    trees = ", ".join(str(trees) for trees in sorted({run["settings"]["n_estimators"] for run in forests}))
    reference_trees = ", ".join(str(trees) for trees in reference.FOREST_SIZES)
    grouped = {run.get("split") for run in networks} == {"grouped"}
    held_out = (
        f"held-out {' or '.join(f'{fraction:.0%}' for fraction in fractions)} of the training clips"
        + (", whole recordings" if grouped else ", clip by clip")
    )
    return [
        Setting(
            "data",
            f"real TUT recordings, about {reference.N_TRAIN:,} / {reference.N_TEST:,} clips",
            _data_used(data),
            True if data.get("source") == "synthetic" else None,
            "accuracies are comparable with the reference's only on the same data",
        ),
        Setting(
            "validation set of the networks",
            "the test set",
            validation.replace("holdout", held_out),
            validation != "test",
            "validating on the test set biases its accuracy upward",
        ),
        Setting(
            "LSTM input (time-major view)",
            "reshape (scrambles bands and frames)",
            time_major,
            time_major != "reshape",
            "a transpose keeps each frame's bands together",
        ),
        Setting(
            "input scaling",
            "raw log-mel values",
            standardize.replace("per_band", "per-band standardization (training statistics)"),
            standardize != reference.STANDARDIZE,
            "networks train far better on standardized inputs; forests are unaffected",
        ),
        _epochs_setting("CNN epochs (at most)", "cnn", cnn_epochs),
        _epochs_setting("LSTM epochs", "lstm", lstm_epochs),
        Setting("forest sizes (trees)", reference_trees, trees, trees != reference_trees),
        Setting(
            "seeds",
            "one run",
            ", ".join(str(seed) for seed in seeds),
            len(seeds) > 1,
            "several seeds show the spread between runs",
        ),
    ]


def reference_faithful_warnings(runs: list[dict]) -> list[str]:
    """A warning for each of the reference's flawed choices in force, naming
    the runs it applies to (from the facts their metrics record)."""
    warnings = []
    on_test = [run["model"] for run in _runs_of(runs, NETWORK_FAMILIES) if run.get("validation") == "test"]
    if on_test:
        warnings.append(
            "Validated (and early-stopped) on the test set, the reference's choice: a network validated "
            f"on the test set has a test accuracy biased upward ({', '.join(on_test)})."
        )
    reshaped = [run["model"] for run in _runs_of(runs, ("lstm",)) if run.get("time_major") == "reshape"]
    if reshaped:
        warnings.append(
            "Time-major input built by reshape, the reference's bug: each 'frame' mixes bands from "
            f"different times ({', '.join(reshaped)})."
        )
    return warnings


#: How validation read each label form it converted (ascflow.data.validation).
LABEL_CONVERSIONS = {
    "column_vector": "a column (n, 1), flattened",
    "whole_floats": "whole-valued floats, read as integers",
    "booleans": "booleans, read as 0 and 1",
    "names": "text labels, read as class names",
}


def label_conversions(conversions: dict[str, list[str]]) -> str:
    """A sentence on the label files validation converted, or ''."""
    if not conversions:
        return ""
    described = "; ".join(
        f"{name}: {', '.join(LABEL_CONVERSIONS.get(code, code) for code in codes)}"
        for name, codes in conversions.items()
    )
    return f"Labels converted on reading ({described})."


def _times(shape) -> str:
    return " x ".join(str(size) for size in shape)


def _flatten_input(network: dict) -> list[int]:
    """The shape a counted network's flatten layer receives."""
    layers = network["layers"]
    index = next(i for i, layer in enumerate(layers) if layer["type"] == "flatten")
    return layers[index - 1]["output_shape"] if index else network["input_shape"]


def multiplication_formula(figures: dict) -> str:
    """``124 x 124 x 75 x 32``: output positions x taps per filter x filters."""
    return _times([*figures["output_positions"], figures["taps_per_filter"], figures["filters"]])


def image_cnn_notes(parameters: dict) -> list[str]:
    """What the report must say about the study's image CNN figures, with the
    numbers, from the parameter counts (params.json)."""
    networks, multiplications = parameters["networks"], parameters["image_cnn_conv1_multiplications"]
    if not {"image_cnn_same", "image_cnn_valid"} <= set(networks) or not {"same", "valid"} <= set(
        multiplications
    ):
        return []
    same, valid = networks["image_cnn_same"], networks["image_cnn_valid"]
    same_flatten, valid_flatten = _flatten_input(same), _flatten_input(valid)
    pooled_sides = [same["input_shape"][0]] + [
        layer["output_shape"][0] for layer in same["layers"] if layer["type"] == "maxpool2d"
    ]
    same_conv, valid_conv = multiplications["same"], multiplications["valid"]
    return [
        f"The study's image CNN figures mix paddings: its flatten size of {math.prod(same_flatten):,} "
        f"({_times(same_flatten)}) and total of {same['total_closed_form']:,} parameters need 'same' "
        f"padding in both convolutions ({' -> '.join(str(side) for side in pooled_sides)}), "
        f"but its {_times(valid_conv['output_positions'])} positions behind "
        f"{valid_conv['multiplications']:,} multiplications in the first convolution are 'valid' padding.",
        f"With 'same' padding the first convolution does {multiplication_formula(same_conv)} = "
        f"{same_conv['multiplications']:,} multiplications (taps on the zero padding "
        f"counted); with 'valid' padding everywhere the flatten has {_times(valid_flatten)} = "
        f"{math.prod(valid_flatten):,} values and the network {valid['total_closed_form']:,} parameters.",
        "Multiply-adds (and FLOPs, two per multiply-add) are per clip, forward pass: the products of "
        "convolutions, dense layers and LSTM gates, not biases, activations or pooling.",
    ]


# ---- data from recordings ----------------------------------------------------


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def audio_source(audio: dict) -> str:
    """Where the data came from, when it was extracted from recordings."""
    files = audio["files"]
    return (
        f"The data is log mel-band energies that the workflow extracted with librosa from the recordings "
        f"in {audio['audio_dir']}: {files['train']:,} for training and {files['test']:,} for testing, "
        f"as {audio['meta']} and {audio['split_source']} list them; how they were extracted is under Data."
    )


def audio_extraction(audio: dict) -> str:
    """The extraction's settings and what it did to the recordings, counted."""
    settings = audio["settings"]
    total = sum(audio["files"].values())
    rates = ", ".join(f"{n:,} at {int(rate):,} Hz" for rate, n in audio["sample_rates"].items())
    changes = [
        f"{audio['mixed_down']:,} mixed down to mono",
        f"{audio['resampled']:,} resampled",
        f"{audio['padded']:,} padded with silence",
        f"{audio['cut']:,} cut",
    ]
    left_out = []
    if audio["unlisted"]:
        unlisted = _count(len(audio["unlisted"]), "file")
        left_out.append(f"{unlisted} in audio/ that {audio['meta']} does not list")
    if audio["unsplit"]:
        left_out.append(f"{_count(audio['unsplit'], 'listed recording')} in neither split")
    groups = (
        "Each clip's group is its recording identifier from " + audio["meta"] + "."
        if audio["groups_from"] == "identifier"
        else f"{audio['meta']} gives no recording identifiers, so each clip is its own group."
    )
    return (
        f"Features: log mel-band energies computed with librosa, {settings['n_mels']} mel bands from "
        f"{settings['fmin']:g} to {settings['fmax']:g} Hz, {settings['window_s'] * 1000:g} ms Hamming "
        f"windows every {settings['hop_s'] * 1000:g} ms, on clips of {settings['clip_s']:g} s at "
        f"{settings['sample_rate']:,} Hz, in {_count(audio['chunks'], 'extraction job')} of up to "
        f"{audio['chunk_files']:,} recordings. Of the {total:,} recordings ({rates}), "
        + ", ".join(changes)
        + f"; {_count(len(audio['silent']), 'clip')} wholly silent."
        + _bent_recordings(audio)
        + (f" Left out: {' and '.join(left_out)}." if left_out else "")
        + f" {groups}"
    )


# ---- the complexity budget ---------------------------------------------------


def complexity_verdict(row: dict) -> str:
    """Whether a model fits the limits, in a few words: where memory fits
    only once the parameters are stored as int8, that is said."""
    memory = row["fits_memory_float32"] or row["fits_memory_int8"]
    if memory and row["fits_macs"]:
        return "yes" if row["fits_memory_float32"] else "at int8 only"
    misses = [what for what, fits in (("memory", memory), ("MACs", row["fits_macs"])) if not fits]
    return "no: " + " and ".join(misses)


def complexity_basis(budget: dict) -> str:
    """The limits and the clip length behind the per-second figures."""
    limits = budget["limits"]
    seconds = budget["clip_seconds"]
    clip = (
        f"a clip is {seconds:g} s of audio (the clip length the recordings were cut to)"
        if budget["clip_seconds_from"] == "audio"
        else f"a clip is taken as {seconds:g} s of audio (its frames at a 20 ms hop, as arrays record none)"
    )
    return (
        f"Limits (config complexity_limits): {limits['parameter_memory_kb']:g} KB of parameter memory and "
        f"{limits['macs_per_second']:,.0f} multiply-accumulates (MACs) per second of audio, the defaults "
        "being those of DCASE 2022-2024 Task 1 (low-complexity acoustic scene classification); "
        f"{clip}. KB are 1,024 bytes: 4 per parameter at float32, 1 at int8. A network's figures are its "
        "closed-form counts (the parameters equal Keras's count of the trained model; MACs are those of "
        "the convolutions, dense layers and LSTM gates). A forest's parameters are its tree nodes, one "
        "stored value each (a split's threshold or a leaf's class), and it multiplies nothing: a "
        "prediction makes one comparison per level of each tree."
    )


# ---- new recordings ------------------------------------------------------------


def new_recordings_source(facts: dict) -> str:
    """What the models classified, how it was read, and whether it is scored."""
    what = _count(facts["n_files"], "recording" if facts["inputs"] == "recordings" else "clip")
    labelled = (
        f"its {facts['meta']} gives their scene labels, so the predictions are scored as the test set is"
        if facts["labelled"]
        else "without scene labels (no meta.csv, or one without a scene_label column), so the predictions "
        "are counted, not scored"
    )
    sentence = f"Every model classified the {what} in {facts['source']}: {labelled}."
    extraction = facts.get("extraction")
    if extraction:
        rates = ", ".join(f"{n:,} at {int(rate):,} Hz" for rate, n in extraction["sample_rates"].items())
        sentence += (
            f" The recordings ({rates}) were prepared with each model's bundle, as training prepared its "
            f"recordings: {extraction['mixed_down']:,} mixed down to mono, {extraction['resampled']:,} "
            f"resampled, {extraction['padded']:,} padded with silence, {extraction['cut']:,} cut."
        )
    return sentence + " Each model's table is results/predict/<model>.tsv."


def _intervals_overlap(first: dict, second: dict) -> bool:
    return first["ci95_low"] <= second["ci95_high"] and second["ci95_low"] <= first["ci95_high"]


def new_recordings_verdict(predictions: list[dict], runs: list[dict]) -> str:
    """How the best model on the test set does on the new recordings."""
    best = max(runs, key=lambda run: run["accuracy"])
    new = next((facts for facts in predictions if facts["model"] == best["model"]), None)
    if new is None or not new["labelled"]:
        return ""
    overlap = (
        "the two 95 % intervals overlap: it labels them about as well as the test set"
        if _intervals_overlap(best, new)
        else "the two 95 % intervals do not overlap: "
        + (
            "it labels them better than the test set"
            if new["accuracy"] > best["accuracy"]
            else "it labels them worse than the test set"
        )
    )
    return (
        f"The best model on the test set, {best['model']}, labels the new recordings with accuracy "
        f"{new['accuracy']:.4f} ({new['ci95_low']:.3f}–{new['ci95_high']:.3f}) against "
        f"{best['accuracy']:.4f} ({best['ci95_low']:.3f}–{best['ci95_high']:.3f}) on the test set; {overlap}."
    )


def _bent_recordings(audio: dict) -> str:
    """The padding that bent the data more than rounding: recordings shorter
    than their header promises, and clips much shorter than the clip length,
    counted and named."""
    parts = []
    if audio.get("truncated"):
        parts.append(
            f"{_count(len(audio['truncated']), 'recording')} truncated, holding fewer samples than "
            f"{'its header promises' if len(audio['truncated']) == 1 else 'their headers promise'} "
            f"({named(audio['truncated'])})"
        )
    if audio.get("short"):
        parts.append(
            f"{_count(len(audio['short']), 'clip')} shorter than {audio['short_below_s']:g} s, "
            f"{audio['short_below_s'] / audio['settings']['clip_s']:.0%} of a clip ({named(audio['short'])})"
        )
    if not parts:
        return ""
    return f" Padded with more silence than rounding explains: {' and '.join(parts)}."
