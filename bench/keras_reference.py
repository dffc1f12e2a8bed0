"""Keras/TensorFlow reference timings for the W+20 VGG and EfficientNetB0, to set beside `zoobot-ts bench`.

A development-time tool (zoobot-ts never needs Python): run it on the machine that runs `zoobot-ts bench`, in
the same session, so that the ratios compare like with like. Setup (see ../shared/docs/environment.md):

    python3 -m venv /tmp/tfenv && /tmp/tfenv/bin/pip install --index-url <local index> tensorflow-cpu keras
    /tmp/tfenv/bin/python bench/keras_reference.py --arch vgg --size 128 --batch 32 --mode train

It prints one JSON line: steady-state images/s (warm-up steps excluded), the median step time, and the peak RSS
of the process.
"""
import argparse
import json
import os
import resource
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def vgg_w20(size: int) -> keras.Model:
    """conv 32-32-pool-64-64-pool-128-pool-128-pool, Dense 128 ReLU, dropout 0.5, Dense 1 sigmoid (W+20)."""
    inputs = keras.Input((size, size, 1))
    x = inputs
    for stage in ([32, 32], [64, 64], [128], [128]):
        for filters in stage:
            x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(128, activation="relu")(x)
    x = keras.layers.Dropout(0.5)(x)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))


def efficientnet_b0(size: int) -> keras.Model:
    """Keras's EfficientNetB0 without weights on a 1-channel input, average-pooled, with a Dense(34) head."""
    trunk = keras.applications.EfficientNetB0(include_top=False, weights=None, input_shape=(size, size, 1), pooling="avg")
    return keras.Model(trunk.input, keras.layers.Dense(34)(trunk.output))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=["vgg", "efficientnetb0"], required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--mode", choices=["train", "predict"], required=True)
    parser.add_argument("--steps", type=int, default=10, help="timed steps after the warm-up")
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    model = vgg_w20(args.size) if args.arch == "vgg" else efficientnet_b0(args.size)
    rng = np.random.default_rng(0)
    x = rng.random((args.batch, args.size, args.size, 1), dtype=np.float32)
    outputs = model.output.shape[-1]
    y = rng.random((args.batch, outputs), dtype=np.float32)
    if args.mode == "train":
        model.compile(optimizer="adam", loss="binary_crossentropy" if outputs == 1 else "mse")
        step = lambda: model.train_on_batch(x, y)  # noqa: E731
    else:
        predict = tf.function(lambda t: model(t, training=False))
        step = lambda: predict(x).numpy()  # noqa: E731
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(json.dumps({
        "arch": args.arch, "size": args.size, "batch": args.batch, "mode": args.mode, "backend": "keras-tensorflow",
        "tensorflow": tf.__version__, "keras": keras.__version__,
        "imagesPerSecond": args.batch * len(times) / sum(times),
        "medianStepSeconds": sorted(times)[len(times) // 2],
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
