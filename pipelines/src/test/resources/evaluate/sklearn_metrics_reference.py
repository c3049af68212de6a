"""Reference figures for MetricsAgainstScikitLearnTest, computed once with Debian's python3-sklearn
1.2.1 (numpy 1.24): `/usr/bin/python3 sklearn_metrics_reference.py`. Not run by the tests; its
output is pinned in the test. The score set is fixed (written out below, not drawn at test time):
30 rows, scores on a 0.05 grid so that some tie across classes, 13 positives."""
import numpy as np
from sklearn.metrics import (accuracy_score, average_precision_score, brier_score_loss,
                             confusion_matrix, f1_score, log_loss, precision_recall_curve,
                             precision_score, recall_score, roc_auc_score)

SCORES = [0.95, 0.90, 0.90, 0.85, 0.80, 0.80, 0.75, 0.70, 0.70, 0.65,
          0.60, 0.60, 0.55, 0.50, 0.50, 0.45, 0.40, 0.40, 0.35, 0.30,
          0.30, 0.25, 0.20, 0.20, 0.15, 0.10, 0.10, 0.05, 0.05, 0.02]
LABELS = [1, 1, 0, 1, 1, 0, 1, 0, 1, 1,
          0, 0, 1, 1, 0, 0, 1, 0, 0, 1,
          0, 0, 0, 1, 0, 0, 0, 0, 1, 0]
p = np.array(SCORES)
y = np.array(LABELS)
print("rows %d positives %d" % (len(y), y.sum()))
print("roc_auc %.17g" % roc_auc_score(y, p))
print("average_precision %.17g" % average_precision_score(y, p))
print("log_loss %.17g" % log_loss(y, p))
print("brier %.17g" % brier_score_loss(y, p))

# Best-F1 threshold among the distinct scores ("target when score >= t"), higher t on equal F1.
precision, recall, thresholds = precision_recall_curve(y, p)
with np.errstate(invalid="ignore", divide="ignore"):
    f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0)[:-1]
best = max(range(len(thresholds)), key=lambda i: (f1[i], thresholds[i]))
print("best_f1_threshold %.17g (F1 %.17g)" % (thresholds[best], f1[best]))

for t in (thresholds[best], 0.5):
    targeted = (p >= t).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, targeted).ravel()
    print("at threshold %.2f: tp %d fp %d tn %d fn %d" % (t, tp, fp, tn, fn))
    print("  precision %.17g recall %.17g f1 %.17g accuracy %.17g" % (
        precision_score(y, targeted), recall_score(y, targeted), f1_score(y, targeted),
        accuracy_score(y, targeted)))

# Lift in the top k rows = precision of targeting them / base rate; gain = their share of all
# positives. k is chosen where the cut does not split a tie group, so the top k are well defined.
order = np.argsort(-p, kind="stable")
for fraction in (0.1, 0.2, 0.5):
    k = int(round(fraction * len(p)))
    assert k == len(p) or p[order[k - 1]] != p[order[k]], "cut inside a tie group"
    targeted = np.zeros(len(p), dtype=int)
    targeted[order[:k]] = 1
    lift = precision_score(y, targeted) / y.mean()
    gain = recall_score(y, targeted)
    print("top %.1f (k=%d): lift %.17g gain %.17g" % (fraction, k, lift, gain))
