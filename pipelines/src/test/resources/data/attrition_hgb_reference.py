"""Reference ROC-AUC for the attrition bar: scikit-learn's HistGradientBoostingClassifier, default
settings, native categoricals, trained on every non-test row of mlproof's split and scored on its
test rows. Usage: python3 attrition_hgb_reference.py attrition.csv attrition-test-ids.txt (mlproof's test rows
under its default split, seed 42: employee_id = 1-based CSV row). Run once with Debian's
python3-sklearn 1.2.1; the figure is pinned in TrainFromTableTest."""
import csv, sys
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

rows = list(csv.DictReader(open(sys.argv[1])))
test_ids = {int(line) for line in open(sys.argv[2]) if line.strip()}
columns = [c for c in rows[0] if c != "Attrition"]
def is_number(v):
    try:
        float(v); return True
    except ValueError:
        return False
categorical = [c for c in columns if not all(is_number(r[c]) for r in rows)]
codes = {c: {v: i for i, v in enumerate(sorted({r[c] for r in rows}))} for c in categorical}
X = np.array([[codes[c][r[c]] if c in codes else float(r[c]) for c in columns] for r in rows])
y = np.array([r["Attrition"] == "Yes" for r in rows])
test = np.array([i + 1 in test_ids for i in range(len(rows))])
model = HistGradientBoostingClassifier(categorical_features=[c in codes for c in columns])
model.fit(X[~test], y[~test])
print("categorical columns:", len(categorical), categorical)
print("train rows:", (~test).sum(), "test rows:", test.sum(), "test positives:", y[test].sum())
print("HGB test ROC-AUC: %.6f" % roc_auc_score(y[test], model.predict_proba(X[test])[:, 1]))

# The same comparison by 5-fold cross-validation on the rows that are NOT test rows (fold of
# employee_id = (employee_id * 7919) % 5), the noise-robust companion of the single split above.
ids = np.arange(1, len(rows) + 1)
keep = ~test
Xk, yk, idk = X[keep], y[keep], ids[keep]
aucs = []
for k in range(5):
    held = (idk * 7919) % 5 == k
    fold_model = HistGradientBoostingClassifier(categorical_features=[c in codes for c in columns])
    fold_model.fit(Xk[~held], yk[~held])
    aucs.append(roc_auc_score(yk[held], fold_model.predict_proba(Xk[held])[:, 1]))
print("HGB 5-fold ROC-AUC on non-test rows: mean %.6f, folds %s" % (np.mean(aucs), ["%.6f" % a for a in aucs]))
