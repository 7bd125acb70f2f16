"""Sentiment on real voices (issue 12): data readers, training pieces, the logits-only model, invariance."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from eval.sentiment_real import label_figures, perturbations
from nlp.errors import SentimentModelError
from nlp.sentiment.model import SentimentModel
from nlp.sentiment.training.corpus import LABELS, LabelledTexts
from nlp.sentiment.training.real_corpus import read_real_set
from nlp.sentiment.training.real_voices import class_weights, length_batches


@pytest.fixture
def data_dir(tmp_path):
    """A data directory with tiny files in the shared sets' real formats."""
    tweeteval = tmp_path / "sentiment" / "tweeteval"
    tweeteval.mkdir(parents=True)
    (tweeteval / "test_text.txt").write_text("@user loving it \nworst day ever \nthe bus is at 5 \n")
    (tweeteval / "test_labels.txt").write_text("2\n0\n1\n")
    dynasent = tmp_path / "sentiment" / "dynasent"
    dynasent.mkdir()
    rows = [{"sentence": "Great tacos.", "gold_label": "positive"},
            {"sentence": "Meh, unsure.", "gold_label": None},
            {"sentence": "The staff was rude.", "gold_label": "negative"}]
    (dynasent / "dynasent-v1.1-round02-dynabench-test.jsonl").write_text(
        "\n".join(json.dumps(row) for row in rows) + "\n")
    phrasebank = tmp_path / "sentiment" / "financial_phrasebank"
    phrasebank.mkdir()
    (phrasebank / "Sentences_AllAgree.txt").write_text(
        "Profit rose to EUR 5 mn from EUR 3 mn .@positive\nThe price is 3 @ 4 euros .@neutral\n")
    return tmp_path


def test_readers_return_texts_with_three_class_labels(data_dir):
    tweets = read_real_set(data_dir, "tweeteval-test")
    assert tweets.texts == ("@user loving it", "worst day ever", "the bus is at 5")
    assert tweets.labels == ("positive", "negative", "neutral")
    dynasent = read_real_set(data_dir, "dynasent-r2-test")
    assert dynasent.texts == ("Great tacos.", "The staff was rude.")  # rows without a gold label dropped
    phrasebank = read_real_set(data_dir, "fpb-allagree")
    assert phrasebank.texts[1] == "The price is 3 @ 4 euros ."  # split at the last @
    assert phrasebank.labels == ("positive", "neutral")
    with pytest.raises(ValueError, match="unknown real sentiment set"):
        read_real_set(data_dir, "fpb-train")


@pytest.mark.parametrize("text", ["We deserve better.", "as internal customers we should be treated better",
                                  "Helpful but understaffed!", "  n/a  "])
def test_perturbations_change_only_punctuation_case_and_whitespace(text):
    variants = perturbations(text)
    assert variants and text not in variants

    def skeleton(value: str) -> str:
        return re.sub(r"[\s.!?]", "", value).lower()

    assert all(skeleton(variant) == skeleton(text) for variant in variants)
    def ends_in_mark(value: str) -> bool:
        return value.rstrip()[-1:] in (".", "!", "?")

    assert any(ends_in_mark(variant) != ends_in_mark(text) for variant in variants)  # stop removed or added


def test_label_figures_count_shares_and_the_largest_gap():
    gold = ["negative", "negative", "neutral", "positive"]
    predicted = ["negative", "positive", "neutral", "positive"]
    figures = label_figures(gold, predicted)
    assert figures["accuracy"] == 0.75
    assert figures["macro_recall"] == pytest.approx((0.5 + 1 + 1) / 3)
    assert figures["confusion"] == [[1, 0, 1], [0, 1, 0], [0, 0, 1]]
    assert figures["gold_share"] == [0.5, 0.25, 0.25] and figures["predicted_share"] == [0.25, 0.25, 0.5]
    assert figures["max_share_gap"] == pytest.approx(0.25)


def test_class_weights_balance_the_mix_and_batches_cover_every_row_once():
    gold = np.array([0] * 10 + [1] * 30 + [2] * 60)
    weights = class_weights(gold, 1.0)
    assert np.bincount(gold) @ weights == pytest.approx(len(gold))  # each class the same total weight
    assert weights[0] * 10 == pytest.approx(weights[2] * 60)
    assert np.allclose(class_weights(gold, 0.0), 1.0)
    lengths = np.random.default_rng(0).integers(3, 60, size=1000)
    batches = length_batches(lengths, 32, np.random.default_rng(1))
    assert sorted(np.concatenate(batches).tolist()) == list(range(1000))
    assert np.mean([np.ptp(lengths[batch]) for batch in batches]) < 10  # batched by length


def _logits_model(texts, rng):
    labels = [LABELS[i % 3] for i in range(len(texts))]
    logits = rng.normal(size=(len(texts), 3)).astype(np.float32)
    logits[np.arange(len(texts)), [LABELS.index(label) for label in labels]] += 3.0
    model = SentimentModel(text_features="head_logits", lexical_weight=0.0, vader_weight=0.3)
    return model.fit(model.features(texts, logits), labels), labels, logits


def test_logits_only_model_reads_three_columns_and_survives_save_and_load(tmp_path):
    from nlp.sentiment.storage import load_model, save_model

    rng = np.random.default_rng(3)
    texts = [f"Comment number {i} about the service desk." for i in range(90)]
    model, labels, logits = _logits_model(texts, rng)
    assert model.embedding_width_ == 3
    predicted = model.predict(model.features(texts, logits))
    assert np.mean(predicted == np.array(labels)) > 0.9
    save_model(model, tmp_path / "model.npz")
    loaded = load_model(tmp_path / "model.npz")
    assert list(loaded.predict(loaded.features(texts, logits))) == list(predicted)
    # the label ignores letter case: lexical features carry no weight in it
    upper = [text.upper() for text in texts]
    assert list(model.predict(model.features(upper, logits))) == list(predicted)
    with pytest.raises(SentimentModelError, match="width 3"):
        model.features(texts, np.zeros((len(texts), 384), dtype=np.float32))


@pytest.mark.parametrize(("text", "canonical"), [
    ("we should be treated better.", "we should be treated better"),
    ("  Great!!!  \n", "Great"), ("Helpful   but\tunderstaffed ?", "Helpful but understaffed"),
    ("n/a", "n/a"), ("...", "..."), ("Why? Because.", "Why? Because"),
])
def test_canonical_text_drops_only_whitespace_and_the_final_stop(text, canonical):
    from nlp.sentiment.encoder import canonical_text

    assert canonical_text(text) == canonical
    # the encoder's tokenizer is uncased, so every perturbation reaches it as the same tokens
    assert {canonical_text(variant).lower() for variant in perturbations(text)} <= {canonical.lower()}


def test_dynasent_dev_halves_are_disjoint_stratified_and_fixed(tmp_path):
    from nlp.sentiment.training.real_corpus import dev_half

    rows = LabelledTexts("dynasent-r1-dev", tuple(f"s{i}" for i in range(60)),
                         tuple(LABELS[i % 3] for i in range(60)))
    train, select = dev_half(rows, "devtrain"), dev_half(rows, "devselect")
    assert not set(train.texts) & set(select.texts)
    assert sorted(train.texts + select.texts) == sorted(rows.texts)
    assert [train.labels.count(label) for label in LABELS] == [10, 10, 10]
    assert dev_half(rows, "devtrain") == train and train.name == "dynasent-r1-devtrain"


@pytest.mark.slow
def test_warm_start_reproduces_the_saved_adapter_and_head(tmp_path):
    from nlp.sentiment.training.real_voices import Encoder

    settings = {"rank": 4, "alpha": 8.0, "dropout": 0.0, "max_tokens": 32}
    first = Encoder(settings, seed=1)
    with __import__("torch").no_grad():
        for module in first.transformer.modules():
            if hasattr(module, "lora_b"):
                module.lora_b.normal_(0, 0.02)  # a non-trivial adapter
    path = tmp_path / "adapter.npz"
    first.save(path, {"note": "test"})
    second = Encoder(settings, seed=2)
    second.warm_start(path)
    texts = ["Helpful but understaffed.", "No complaints this quarter."]
    np.testing.assert_allclose(second.predict(texts), first.predict(texts), atol=2e-2)  # float16 factors
    assert not np.allclose(Encoder(settings, seed=2).predict(texts), first.predict(texts), atol=2e-2)


def test_calibration_weights_balance_classes_within_sources_and_sources_equally():
    from nlp.sentiment.training.calibrate import balanced_weights, dev_objective
    from nlp.sentiment.training.corpus import LabelledTexts

    tweets = ("negative",) + ("neutral",) * 3 + ("positive",) * 2
    sources = {"tweeteval-val": LabelledTexts("a", ("x",) * 6, tweets),
               "dynasent-r1-dev": LabelledTexts("b", ("y",) * 3, ("negative", "neutral", "positive"))}
    weights = balanced_weights(sources)
    assert weights.mean() == pytest.approx(1.0)
    assert weights[:6].sum() == pytest.approx(weights[6:].sum())  # each source the same total weight
    assert weights[0] == pytest.approx(weights[1:4].sum())  # one negative weighs as much as three neutrals
    predicted = np.array(["negative", "neutral", "neutral", "neutral", "neutral", "positive",
                          "negative", "negative", "positive"])
    # TweetEval: macro recall (1 + 1 + 0.5) / 3; DynaSent: accuracy 2 / 3
    assert dev_objective(sources, predicted) == pytest.approx(((2.5 / 3) + (2 / 3)) / 2)


def test_class_bias_trades_a_point_of_share_gap_for_a_point_of_accuracy():
    from nlp.sentiment.training.calibrate import choose_bias, dev_objective, mean_share_gap

    gold = ("negative",) * 4 + ("neutral",) * 4 + ("positive",) * 4
    sources = {"dynasent-r1-dev": LabelledTexts("a", ("x",) * 12, gold)}
    assert mean_share_gap(sources, np.array(gold)) == 0.0
    assert mean_share_gap(sources, np.array(["negative"] * 12)) == pytest.approx(2 / 3)
    sure = {"negative": [0.8, 0.1, 0.1], "neutral": [0.1, 0.8, 0.1], "positive": [0.1, 0.1, 0.8]}
    tie = [0.1, 0.44, 0.46]  # positive without a bias, neutral with a neutral bias of +0.1 or more
    hopeless = [0.1, 0.2, 0.7]  # positive under every bias on the grid
    proba = np.array([sure["negative"]] * 3 + [tie] + [sure["neutral"]] * 2 + [hopeless] * 2
                     + [sure["positive"]] * 3 + [tie])
    model = SentimentModel(text_features="head_logits", lexical_weight=0.0)
    model.classes_ = np.array(LABELS)
    # no bias: 9 of 12 right, shares 3/2/7 (largest gap 3 rows): 9/12 - 3/12 = 6/12; a neutral bias
    # of +0.1 turns both ties neutral: 8 right (the positive tie lost, the negative one wrong either
    # way), shares 3/4/5 (gap 1 row): 8/12 - 1/12 = 7/12, so it wins though its accuracy is lower
    objective, bias = choose_bias(model, sources, proba)
    assert bias == (0.0, 0.1, 0.0)  # the smallest of the equally good biases
    model.class_bias = bias
    assert objective == pytest.approx(dev_objective(sources, model.labels_from_proba(proba))) == 8 / 12
    assert mean_share_gap(sources, model.labels_from_proba(proba)) == pytest.approx(1 / 12)
    model.class_bias = (0.0, 0.0, 0.0)
    assert dev_objective(sources, model.labels_from_proba(proba)) == pytest.approx(9 / 12)


def test_a_source_pinned_to_a_commit_reads_the_file_as_it_was_and_checks_its_digest(tmp_path):
    """The manifest pins the domain files to the commit the shipped model trained on (they may grow)."""
    import hashlib
    import subprocess

    from nlp.sentiment.training.real_voices import (
        PINNED_DIR,
        REPO_ROOT,
        file_at_commit,
        read_manifest,
        read_source,
    )

    if subprocess.run(["git", "cat-file", "-e", "b0d7fbd"], cwd=REPO_ROOT, capture_output=True).returncode:
        pytest.skip("a shallow checkout: commit b0d7fbd (model 2.2's data) is not in this clone's history")
    pinned = {"name": "domain-train", "kind": "domain", "root": "repo", "split": "train", "commit": "b0d7fbd",
              "path": "nlp/data/sentiment/domain_labelled.csv"}
    blob = subprocess.run(["git", "show", "b0d7fbd:nlp/data/sentiment/domain_labelled.csv"], cwd=REPO_ROOT,
                          capture_output=True, check=True).stdout
    digest = hashlib.sha256(blob).hexdigest()
    rows = read_source({**pinned, "sha256": digest}, tmp_path)
    current = read_source({**pinned, "commit": None, "sha256": None}, tmp_path)
    kept = file_at_commit({**pinned, "sha256": digest})  # read from git once, kept under its digest
    assert kept.parent == PINNED_DIR and kept.read_bytes() == blob
    kept.write_bytes(b"damaged")  # a damaged copy is never used: git is read again
    assert file_at_commit({**pinned, "sha256": digest}) == kept and kept.read_bytes() == blob
    assert len(rows.texts) == 1407 and set(rows.texts) < set(current.texts)
    with pytest.raises(ValueError, match="does not match"):
        read_source({**pinned, "sha256": "0" * 64}, tmp_path)
    shipped = [source for source in read_manifest()["sources"] if source["root"] == "repo"]
    assert shipped and all(source["commit"] == "a38fcd7" for source in shipped)  # model 2.4's data
    for source in shipped:  # each pinned file matches its recorded digest
        assert read_source(source, tmp_path).texts


def test_calibration_refits_the_head_on_the_dev_rows_the_manifest_pins_not_on_rows_added_since():
    """`make sentiment-model` must reproduce the shipped head after new dev rows land (model 2.5's
    rows did: 74 more domain dev rows than model 2.4's head was fitted on)."""
    import json
    import subprocess

    from nlp.sentiment.training.calibrate import HARD_FILE, as_pinned
    from nlp.sentiment.training.corpus import DOMAIN_SET, read_domain_set
    from nlp.sentiment.training.real_voices import REPO_ROOT, read_manifest

    if subprocess.run(["git", "cat-file", "-e", "a38fcd7"], cwd=REPO_ROOT, capture_output=True).returncode:
        pytest.skip("a shallow checkout: commit a38fcd7 (model 2.4's data) is not in this clone's history")
    manifest = read_manifest()
    pinned_dev = read_domain_set("dev", as_pinned(DOMAIN_SET, manifest))
    current_dev = read_domain_set("dev", DOMAIN_SET)
    assert set(pinned_dev.texts) < set(current_dev.texts)  # rows were added since, none removed
    with np.load(REPO_ROOT / "nlp" / "data" / "sentiment" / "model_semantic.npz") as shipped:
        fitted_on = json.loads(str(shipped["metadata"]))["rows"]
    assert len(pinned_dev.texts) == fitted_on["domain-dev"]
    assert len(read_domain_set("dev", as_pinned(HARD_FILE, manifest)).texts) == fitted_on["hard-dev"]
    unpinned = {**manifest, "sources": [{**source, "commit": None} for source in manifest["sources"]]}
    assert as_pinned(DOMAIN_SET, unpinned) == DOMAIN_SET
    shared_data = REPO_ROOT.parent / "shared" / "data"
    if (shared_data / "sentiment").is_dir():  # the rows calibrate fits on, as `make sentiment-model` runs it
        from nlp.sentiment.training.calibrate import calibration_rows

        rows = calibration_rows(shared_data, HARD_FILE, max_rows=5)
        assert rows["domain-dev"].texts == pinned_dev.texts
        assert len(rows["hard-dev"].texts) == fitted_on["hard-dev"]


def test_a_public_source_trains_on_the_training_half_of_a_rated_file_only(tmp_path):
    """VADER's human-rated files may be training rows (kind ``public``): only their training half,
    ratings banded to classes; the held-out half, which eval.sentiment reports r on, never is."""
    import hashlib

    from nlp.sentiment.training.corpus import public_split_mask
    from nlp.sentiment.training.real_voices import read_source

    ratings = [-2.5, -0.2, 0.3, 1.8, -1.1, 0.0, 2.2, -0.7, 0.9, 0.4]
    lines = [f"1_{i}\t{rating}\tsnippet number {i} of the file" for i, rating in enumerate(ratings)]
    path = tmp_path / "sentiment" / "amazonReviewSnippets_GroundTruth.txt"
    path.parent.mkdir()
    path.write_bytes("\r\n".join(lines).encode())
    source = {"name": "vader-amazon-train", "kind": "public", "root": "data", "file": "amazon",
              "path": "sentiment/amazonReviewSnippets_GroundTruth.txt",
              "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    rows = read_source(source, tmp_path)
    train = public_split_mask(len(ratings))
    assert 0 < len(rows.texts) < len(ratings)
    assert rows.texts == tuple(f"snippet number {i} of the file" for i in range(len(ratings)) if train[i])
    expected = {-2.5: "negative", -0.2: "neutral", 0.3: "neutral", 1.8: "positive", -1.1: "negative",
                0.0: "neutral", 2.2: "positive", -0.7: "negative", 0.9: "positive", 0.4: "neutral"}
    assert rows.labels == tuple(expected[ratings[i]] for i in range(len(ratings)) if train[i])
    with pytest.raises(ValueError, match="does not match"):
        read_source({**source, "sha256": "0" * 64}, tmp_path)
