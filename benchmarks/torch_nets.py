#!/usr/bin/env python3
"""The benchmark networks in PyTorch, as BenchmarkNets.java builds them in Isthmus, and the
workloads NetStep.java times: a training step (zero_grad, forward, loss, backward, Adam 1e-3)
and an inference pass (eval mode, no_grad) on a batch of Gaussian inputs (labels cycle through
the classes). Imported by vs_peers.py.

PyTorch runs as torch_setup.py says (channels_last; inference traced and frozen).
"""
import sys

import torch
import torch.nn as nn

import torch_setup

from torch_chestxraynet import ChestXRayNet  # the lesson's network, one definition for every script


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    """3x32x32: conv-BN-ReLU stem of 16, two basic blocks of 16, a stride-2 block to 32, GAP, Dense 10."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.stem_bn = nn.BatchNorm2d(16)
        self.layer1 = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 16, 1))
        self.layer2 = nn.Sequential(BasicBlock(16, 32, 2))
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.stem_bn(self.stem(x)))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class Vgg(nn.Module):
    """3x64x64: conv 32, 32, pool, 64, 64, pool, 128, pool (3x3 same, ReLU), Dense 256, Dropout 0.5, Dense 10."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Linear(128 * 8 * 8, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


NETS = {"chestxraynet": (ChestXRayNet, (1, 256, 256), 1), "resnet": (ResNet, (3, 32, 32), 10),
        "vgg": (Vgg, (3, 64, 64), 10)}


def workload(kind, net, batch):
    """A function running one training step ('train') or inference pass ('infer') of `net`."""
    cls, shape, classes = NETS[net]
    torch.manual_seed(0)
    model, x = torch_setup.laid_out(cls(), torch.randn(batch, *shape))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    if classes == 1:
        y = (torch.arange(batch) % 2).float().unsqueeze(1)
        loss_fn = nn.BCELoss()
    else:
        y = torch.arange(batch) % classes
        loss_fn = nn.CrossEntropyLoss()

    def train():
        model.train()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return train if kind == "train" else torch_setup.inference(model, x)


def batch_and_threads(args, script):
    """BATCH and THREADS from a script's arguments (by default 32 and 1), or an exit naming the bad value."""
    try:
        batch = int(args[0]) if len(args) > 0 else 32
        threads = int(args[1]) if len(args) > 1 else 1
    except ValueError as e:
        sys.exit(f"{script}: BATCH and THREADS must be whole numbers: {e}")
    if batch < 1 or threads < 1:
        sys.exit(f"{script}: BATCH and THREADS must be at least 1, got batch {batch}, threads {threads}")
    return batch, threads
