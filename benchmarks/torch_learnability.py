#!/usr/bin/env python3
"""PyTorch's side of learnability.sh: the seeds' PyTorch ChestXRayNet, from PyTorch's default
initialisation, trained as the main job trains (Adam 1e-3, BCE, batch 16, shuffled, the main job's
light augmentation), on exactly the split Isthmus used (the split-SEED.tsv LogisticBaseline.java
writes: part, label, path per image).

    torch_learnability.py SPLIT_TSV SEED [EPOCHS] [--no-augmentation] > torch-SEED.json

Images are loaded as Isthmus loads them (8-bit grey to [0, 1], standardised per image with the
population standard deviation). Augmentation draws per image a rotation in +-5 degrees, shifts of
+-0.05, zooms of 0.95 to 1.05 per axis and a horizontal flip with probability 0.5, resampled
bilinearly with edge fill (the geometry of Keras's ImageDataGenerator, as Isthmus's Augmentation;
PyTorch's own random stream, so not the same draws). Prints JSON: per-epoch val_loss and
val_accuracy, the first epoch whose val_loss is more than 1% below ln 2, and the test accuracy
of the weights with the best val_loss.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from torch_chestxraynet import ChestXRayNet


def load(rows, part):
    chosen = [r for r in rows if r[0] == part]
    x = np.stack([np.asarray(Image.open(path).convert("L"), dtype=np.float64) / 255 for _, _, path in chosen])
    x = (x - x.mean(axis=(1, 2), keepdims=True)) / x.std(axis=(1, 2), keepdims=True)
    y = np.array([float(label) for _, label, _ in chosen])
    return torch.tensor(x[:, None], dtype=torch.float32), torch.tensor(y[:, None], dtype=torch.float32)


def augment(x, generator):
    n = x.shape[0]
    u = lambda lo, hi: lo + (hi - lo) * torch.rand(n, generator=generator)
    theta = torch.deg2rad(u(-5, 5))
    tx, ty, zx, zy = u(-0.05, 0.05), u(-0.05, 0.05), u(0.95, 1.05), u(0.95, 1.05)
    flip = torch.rand(n, generator=generator) < 0.5
    cos, sin = torch.cos(theta), torch.sin(theta)
    # affine_grid maps output coordinates in [-1, 1] to input ones: rotate(zoom(p) + shift)
    a = torch.zeros(n, 2, 3)
    a[:, 0, 0], a[:, 0, 1] = cos * zx, -sin * zy
    a[:, 1, 0], a[:, 1, 1] = sin * zx, cos * zy
    a[:, 0, 2] = cos * 2 * tx - sin * 2 * ty
    a[:, 1, 2] = sin * 2 * tx + cos * 2 * ty
    out = F.grid_sample(x, F.affine_grid(a, x.shape, align_corners=False), mode="bilinear", padding_mode="border",
                        align_corners=False)
    out[flip] = out[flip].flip(-1)
    return out


def evaluate(model, x, y, loss_fn):
    model.eval()
    with torch.no_grad():
        p = torch.cat([model(x[i:i + 64]) for i in range(0, len(x), 64)])
        return loss_fn(p, y).item(), ((p > 0.5).float() == y).float().mean().item()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    augmentation = "--no-augmentation" not in sys.argv
    split, seed = args[0], int(args[1])
    epochs = int(args[2]) if len(args) > 2 else 10
    rows = [line.rstrip("\n").split("\t") for line in open(split)][1:]
    x_train, y_train = load(rows, "train")
    x_val, y_val = load(rows, "validation")
    x_test, y_test = load(rows, "test")
    torch.manual_seed(seed)
    model = ChestXRayNet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    generator = torch.Generator().manual_seed(seed)
    history, best, best_state, left = [], math.inf, None, None
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x_train), generator=generator)
        for i in range(0, len(order), 16):
            batch = order[i:i + 16]
            xb = augment(x_train[batch], generator) if augmentation else x_train[batch]
            opt.zero_grad()
            loss_fn(model(xb), y_train[batch]).backward()
            opt.step()
        val_loss, val_accuracy = evaluate(model, x_val, y_val, loss_fn)
        history.append({"epoch": epoch + 1, "val_loss": round(val_loss, 4), "val_accuracy": round(val_accuracy, 4)})
        print(f"seed {seed} epoch {epoch + 1}: val_loss {val_loss:.4f}, val_accuracy {val_accuracy:.3f}", file=sys.stderr)
        if left is None and val_loss < 0.99 * math.log(2):
            left = epoch + 1
        if val_loss < best:
            best, best_state = val_loss, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    _, test_accuracy = evaluate(model, x_test, y_test, loss_fn)
    json.dump({"framework": "pytorch " + torch.__version__, "seed": seed, "augmentation": augmentation,
               "epochs_to_leave_ln2": left, "test_accuracy": round(test_accuracy, 4), "history": history}, sys.stdout)
    print()


if __name__ == "__main__":
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    main()
