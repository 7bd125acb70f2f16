"""Training-only code for the shipped sentiment models; nothing at run time imports it.

Commands, in the order a retraining runs them (``eval/README.md``, "Retraining"):

``python -m nlp.sentiment.training.splits``
    Assign ``train`` / ``test`` to new rows of the labelled domain set (:mod:`.splits`).
``python -m nlp.sentiment.training.finetune``
    Train the sentiment encoder's low-rank adapter and cross-fit its logits (:mod:`.finetune`).
``python -m nlp.sentiment.training.tuning --kind semantic|lexical --write``
    Choose the model settings out of fold (:mod:`.tuning`).
``python -m nlp.sentiment.training.train``
    Fit and write ``model_semantic.npz`` and ``model_lexical.npz`` (:mod:`.train`).

:mod:`.corpus` reads the labelled domain set and the public human-rated files and caches their
embeddings; ``eval.sentiment`` reads it too.
"""
