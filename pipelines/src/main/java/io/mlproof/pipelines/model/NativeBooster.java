package io.mlproof.pipelines.model;

import com.microsoft.ml.lightgbm.SWIGTYPE_p_double;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_int;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_long_long;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_p_void;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_void;
import com.microsoft.ml.lightgbm.lightgbmlib;
import io.github.metarank.lightgbm4j.LGBMDataset;
import io.mlproof.pipelines.core.RunFailedException;

/**
 * The training booster, on LightGBM's C API through LightGBM4J's SWIG bindings. LightGBM4J's {@code
 * LGBMBooster} keeps its handle private and has no rollback; early stopping needs {@code
 * LGBM_BoosterRollbackOneIter} to bring the booster back to its best iteration, whose validation
 * scores at that iteration then come for free ({@code LGBM_BoosterGetPredict}).
 */
final class NativeBooster implements AutoCloseable {
  private static final int IMPORTANCE_GAIN = 1;
  private static final long MODEL_BUFFER = 16L << 20;
  private final SWIGTYPE_p_void handle;
  private boolean closed;

  private NativeBooster(SWIGTYPE_p_void handle) {
    this.handle = handle;
  }

  static NativeBooster create(LGBMDataset train, String parameters) {
    SWIGTYPE_p_p_void out = lightgbmlib.new_voidpp();
    try {
      check(lightgbmlib.LGBM_BoosterCreate(train.handle, parameters, out));
      return new NativeBooster(lightgbmlib.voidpp_value(out));
    } finally {
      lightgbmlib.delete_voidpp(out);
    }
  }

  void addValidation(LGBMDataset validation) {
    check(lightgbmlib.LGBM_BoosterAddValidData(handle, validation.handle));
  }

  /** One boosting round; true when LightGBM cannot split any further. */
  boolean updateOneIteration() {
    SWIGTYPE_p_int finished = lightgbmlib.new_intp();
    try {
      check(lightgbmlib.LGBM_BoosterUpdateOneIter(handle, finished));
      return lightgbmlib.intp_value(finished) == 1;
    } finally {
      lightgbmlib.delete_intp(finished);
    }
  }

  /** The first metric on data set {@code index} (0 = training, 1 = first validation set). */
  double evaluate(int index) {
    SWIGTYPE_p_int count = lightgbmlib.new_intp();
    SWIGTYPE_p_int length = lightgbmlib.new_intp();
    SWIGTYPE_p_double results = null;
    try {
      check(lightgbmlib.LGBM_BoosterGetEvalCounts(handle, count));
      results = lightgbmlib.new_doubleArray(Math.max(1, lightgbmlib.intp_value(count)));
      check(lightgbmlib.LGBM_BoosterGetEval(handle, index, length, results));
      return lightgbmlib.doubleArray_getitem(results, 0);
    } finally {
      lightgbmlib.delete_intp(count);
      lightgbmlib.delete_intp(length);
      if (results != null) {
        lightgbmlib.delete_doubleArray(results);
      }
    }
  }

  void rollbackOneIteration() {
    check(lightgbmlib.LGBM_BoosterRollbackOneIter(handle));
  }

  int currentIteration() {
    SWIGTYPE_p_int out = lightgbmlib.new_intp();
    try {
      check(lightgbmlib.LGBM_BoosterGetCurrentIteration(handle, out));
      return lightgbmlib.intp_value(out);
    } finally {
      lightgbmlib.delete_intp(out);
    }
  }

  /** The booster's current predictions (probabilities) for data set {@code index}. */
  double[] predictions(int index) {
    SWIGTYPE_p_long_long count = lightgbmlib.new_int64_tp();
    SWIGTYPE_p_double values = null;
    try {
      check(lightgbmlib.LGBM_BoosterGetNumPredict(handle, index, count));
      int n = (int) lightgbmlib.int64_tp_value(count);
      values = lightgbmlib.new_doubleArray(n);
      check(lightgbmlib.LGBM_BoosterGetPredict(handle, index, count, values));
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = lightgbmlib.doubleArray_getitem(values, i);
      }
      return out;
    } finally {
      lightgbmlib.delete_int64_tp(count);
      if (values != null) {
        lightgbmlib.delete_doubleArray(values);
      }
    }
  }

  /** The model as LightGBM text (all current iterations), with gain importances. */
  String saveModel() {
    SWIGTYPE_p_long_long length = lightgbmlib.new_int64_tp();
    try {
      String text =
          lightgbmlib.LGBM_BoosterSaveModelToStringSWIG(
              handle, 0, -1, IMPORTANCE_GAIN, MODEL_BUFFER, length);
      if (text == null) {
        throw new RunFailedException(
            "LightGBM could not save the model: " + lightgbmlib.LGBM_GetLastError());
      }
      return text;
    } finally {
      lightgbmlib.delete_int64_tp(length);
    }
  }

  /** Total gain of each feature's splits over the current iterations. */
  double[] gainImportance(int features) {
    SWIGTYPE_p_double out = lightgbmlib.new_doubleArray(features);
    try {
      check(lightgbmlib.LGBM_BoosterFeatureImportance(handle, 0, IMPORTANCE_GAIN, out));
      double[] gains = new double[features];
      for (int i = 0; i < features; i++) {
        gains[i] = lightgbmlib.doubleArray_getitem(out, i);
      }
      return gains;
    } finally {
      lightgbmlib.delete_doubleArray(out);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      check(lightgbmlib.LGBM_BoosterFree(handle));
    }
  }

  private static void check(int rc) {
    if (rc < 0) {
      throw new RunFailedException("LightGBM failed: " + lightgbmlib.LGBM_GetLastError());
    }
  }
}
