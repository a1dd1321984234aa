"""Summarises benchmarks/engine/run's JSON lines (Swift engine and Keras peer, several rounds).

Both engines are measured the same way: images/s of whole training epochs, the first epoch
left out (warm-up, tracing); a run's steady rate is the median of its remaining epochs
(its only epoch if it ran one). Across the alternating rounds the best and the median
steady rate are reported, so one noisy round cannot decide the ratio. Keras runs in several
settings; every setting's median is listed and the engine is compared with the fastest.
Usage: summarize.py RESULTS_FILE
"""
import json, statistics, sys


def steady(run):
    rates = run["epochImagesPerSecond"]
    return statistics.median(rates[1:] or rates)


def rates(rows, workload, engine, setting=None, kernels=None):
    runs = [r for r in rows if r["workload"] == workload and r.get("engine") == engine
            and (setting is None or r.get("setting", "default") == setting)
            and (kernels is None or r.get("kernels") == kernels)]
    values = [steady(r) for r in runs]
    return runs, max(values), statistics.median(values)


def fastest_keras(rows, workload):
    """The Keras setting with the highest median steady rate, its runs, best and median; and a
    line per setting."""
    settings = sorted({r.get("setting", "default") for r in rows if r["workload"] == workload and r.get("engine") == "keras"})
    measured = {s: rates(rows, workload, "keras", s) for s in settings}
    winner = max(settings, key=lambda s: measured[s][2])
    listing = "  keras settings (median images/s): " + ", ".join(f"{s} {measured[s][2]:.0f}" for s in settings)
    return (winner, *measured[winner], listing)


def line(name, best, median, rounds, extra=""):
    return f"  {name:7} best {best:8.0f}  median {median:8.0f} images/s over {rounds} rounds{extra}"


def main(path):
    rows = [json.loads(text) for text in open(path) if text.startswith("{")]
    sgemm = next(r for r in rows if r["workload"] == "sgemm")
    selected = next(r.get("kernels") for r in rows if r["workload"] == "A" and r.get("engine") == "minnow")
    runs_a, best_a, median_a = rates(rows, "A", "minnow", kernels=selected)
    portable = rates(rows, "A", "minnow", kernels="portable") if selected != "portable" and any(
        r.get("kernels") == "portable" for r in rows if r["workload"] == "A") else None
    setting_a, keras_a, best_ka, median_ka, settings_a = fastest_keras(rows, "A")
    runs_b, best_b, median_b = rates(rows, "B", "minnow")
    setting_b, keras_b, best_kb, median_kb, settings_b = fastest_keras(rows, "B")
    accuracy = statistics.median(r["testAccuracy"] for r in runs_a)
    keras_accuracy = statistics.median(r["testAccuracy"] for r in keras_a)
    first = runs_a[0]
    print()
    print(f"workload A (tiny-cnn, Fashion-MNIST, batch 64, Adam 1e-3, {first['epochs']} epochs, {first['threads']} threads; "
          f"steady = epochs after the first)")
    print(line("minnow", best_a, median_a, len(runs_a),
               f"  test accuracy {accuracy * 100:.2f}%  peak memory {max(r['peakMemoryMB'] for r in runs_a):.0f} MB"
               f"  ({selected} kernels)"))
    if portable:
        print(line("portable", portable[1], portable[2], len(portable[0]), "  (the same engine with MINNOW_TRAINING_KERNELS=portable)"))
    print(settings_a)
    print(line("keras", best_ka, median_ka, len(keras_a),
               f"  test accuracy {keras_accuracy * 100:.2f}%  peak memory {max(r['peakMemoryMB'] for r in keras_a):.0f} MB"
               f"  (fastest setting: {setting_a}; TensorFlow {keras_a[0]['tensorflow']}, Keras {keras_a[0]['keras']})"))
    print(f"  speed-up median {median_a / median_ka:.2f}x  best {best_a / best_ka:.2f}x   "
          f"accuracy difference {(accuracy - keras_accuracy) * 100:+.2f} points")
    peak = sgemm["gflopsOneThread"] * first["threads"]
    gflops = first["trainingFlopsPerImage"] * median_a / 1e9
    # Counted as a direct convolution computes it; Winograd layers reach the same result with fewer multiplications.
    print(f"  training sustains {gflops:.1f} GFLOP/s of convolution/dense arithmetic (direct-convolution count) "
          f"= {gflops / peak * 100:.0f}% of the sgemm peak "
          f"({sgemm['gflopsOneThread']:.1f} GFLOP/s per core x {first['threads']} cores, 1024^3 sgemm; "
          f"{sgemm['gflopsAllThreads']:.1f} GFLOP/s measured on all threads)")
    print(f"workload B (mobilenet-v1 alpha 0.25, 96x96 gray, batch 32, synthetic data)")
    print(line("minnow", best_b, median_b, len(runs_b),
               f"  ({runs_b[0]['parameters']} trainable parameters)  peak memory {max(r['peakMemoryMB'] for r in runs_b):.0f} MB"))
    print(settings_b)
    print(line("keras", best_kb, median_kb, len(keras_b),
               f"  ({keras_b[0]['parameters']} parameters incl. BN statistics)  peak memory {max(r['peakMemoryMB'] for r in keras_b):.0f} MB"
               f"  (fastest setting: {setting_b})"))
    print(f"  speed-up median {median_b / median_kb:.2f}x  best {best_b / best_kb:.2f}x")
    for fomo in (r for r in rows if r["workload"] == "FOMO"):
        classes = sorted(fomo["f1Float"])
        print(f"FOMO (alpha 0.25, 48x48 gray, {fomo['epochs']} epochs on {fomo['trainImages']} synthetic images, {fomo['seconds']:.1f} s; "
              f"{fomo['testImages']} held-out images, {fomo['objects']} objects)")
        print("  F1 float " + "  ".join(f"{c} {fomo['f1Float'][c]:.3f}" for c in classes)
              + "   int8 " + "  ".join(f"{c} {fomo['f1Int8'][c]:.3f}" for c in classes))


if __name__ == "__main__":
    main(sys.argv[1])
