"""The audit CNN in PyTorch, as the reference our wasm engine is measured against (bench/pytorch.ts).

Same network as src/core/model.ts (conv3x3(16)-relu-maxpool2, conv3x3(32)-relu-maxpool2,
dense(64)-relu, dense(K)), same batch, same optimizer (Adam), same real digits: bench/pytorch.ts
writes them as raw files so both sides train on identical bytes.

    python3 bench/pytorch_reference.py <pixels.u8> <labels.i32> <size> <classes> <batch> <steps> <threads>

Prints one JSON line: training and forward-only (scoring) samples/s.
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn


def audit_cnn(size: int, classes: int) -> nn.Module:
    pooled = -(-(-(-size // 2)) // 2)  # ceil(ceil(size / 2) / 2), as tfjs' 'same' pooling
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
        nn.Flatten(), nn.Linear(32 * pooled * pooled, 64), nn.ReLU(), nn.Linear(64, classes),
    )


def main() -> None:
    pixels_file, labels_file, size, classes, batch, steps, threads = sys.argv[1:8]
    size, classes, batch, steps, threads = int(size), int(classes), int(batch), int(steps), int(threads)
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    pixels = np.fromfile(pixels_file, dtype=np.uint8).reshape(-1, 1, size, size)
    x_all = torch.from_numpy(pixels.astype(np.float32) / 255.0)
    y_all = torch.from_numpy(np.fromfile(labels_file, dtype=np.int32).astype(np.int64))
    batches = len(x_all) // batch

    model = audit_cnn(size, classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def train_step(i: int) -> None:
        b = i % batches
        x, y = x_all[b * batch:(b + 1) * batch], y_all[b * batch:(b + 1) * batch]
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()  # waits for the step, as our training loop does for its progress report

    for i in range(3):
        train_step(i)
    start = time.perf_counter()
    for i in range(steps):
        train_step(i)
    train = steps * batch / (time.perf_counter() - start)

    with torch.no_grad():
        model(x_all[:batch])
        start = time.perf_counter()
        for i in range(steps):
            b = i % batches
            model(x_all[b * batch:(b + 1) * batch]).softmax(1).numpy()
        forward = steps * batch / (time.perf_counter() - start)

    print(json.dumps({"torch": torch.__version__, "threads": threads, "train": train, "forward": forward}))


if __name__ == "__main__":
    main()
