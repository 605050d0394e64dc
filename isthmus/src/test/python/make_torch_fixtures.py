"""Makes fixtures/torch-bn/: a PyTorch network with batch norm, trained three steps so its
running statistics and num_batches_tracked (int64) are not the defaults, saved three ways:

- state_dict.safetensors: the state_dict as safetensors, num_batches_tracked as I64;
- state_dict.pt: torch.save(model.state_dict()) (a zip of a pickle and raw storages);
- checkpoint.pt: torch.save({'epoch', 'model_state_dict', 'optimizer_state_dict'}), a training
  checkpoint;
- views.pt: a dict of non-contiguous tensors (a transpose, a slice with an offset) and int/bool ones;
- case.safetensors: an input batch and the network's eval-mode output.

Run from the repository root with Debian's python3 (PyTorch 1.13):
    /usr/bin/python3 isthmus/src/test/python/make_torch_fixtures.py
"""
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', 'resources', 'fixtures', 'torch-bn')


class Net(nn.Module):
    """conv1 -> bn1 -> ReLU -> max-pool -> conv2 -> bn2 -> ReLU -> max-pool -> flatten -> fc."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(6)
        self.fc = nn.Linear(6 * 2 * 2, 3)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        x = nn.functional.max_pool2d(torch.relu(self.bn2(self.conv2(x))), 2)
        return self.fc(torch.flatten(x, 1))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(7)
    net = Net()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(3):  # training mode: running statistics move, num_batches_tracked becomes 3
        x = torch.randn(5, 1, 8, 8) * 2 + 0.5
        loss = net(x).square().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    net.eval()
    state = net.state_dict()
    assert state['bn1.num_batches_tracked'].dtype == torch.int64
    safetensors_io.save(os.path.join(OUT, 'state_dict.safetensors'),
                        {k: v.numpy() for k, v in state.items()}, {'format': 'pt'})
    torch.save(state, os.path.join(OUT, 'state_dict.pt'))
    torch.save({'epoch': 3, 'model_state_dict': state, 'optimizer_state_dict': optimizer.state_dict(),
                'loss': float(loss)}, os.path.join(OUT, 'checkpoint.pt'))
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    torch.save({'transposed': base.t(), 'sliced': base[1:3, 2:5], 'counts': torch.tensor([3, -1, 7]),
                'mask': torch.tensor([True, False]), 'half': torch.tensor([1.5, -2.0], dtype=torch.float16)},
               os.path.join(OUT, 'views.pt'))
    torch.manual_seed(8)
    x = torch.randn(4, 1, 8, 8)
    with torch.no_grad():
        y = net(x)
    safetensors_io.save(os.path.join(OUT, 'case.safetensors'), {'input': x.numpy(), 'output': y.numpy()})
    print('wrote', sorted(os.listdir(OUT)))


if __name__ == '__main__':
    main()
