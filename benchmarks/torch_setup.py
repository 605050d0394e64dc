"""How the PyTorch peers run, in one place: as PyTorch's CPU performance guides say a CNN should.

- The model and its input in channels_last (NHWC), which oneDNN's convolutions take without
  reordering them every call. The default layout (NCHW) ran ResNet's training step 1.27x slower
  here and ChestXRayNet's 2.14x (benchmarks/README.md, "PyTorch in channels_last").
- Inference traced and frozen with TorchScript (batch norm folded into the convolutions).

TORCH_LAYOUT=contiguous and TORCH_FREEZE=0 give PyTorch's defaults instead (for a footnote).
"""
import os

import torch

LAYOUTS = {"channels_last": torch.channels_last, "contiguous": torch.contiguous_format}
LAYOUT = os.environ.get("TORCH_LAYOUT", "channels_last")
if LAYOUT not in LAYOUTS:
    raise SystemExit(f"TORCH_LAYOUT must be one of {', '.join(LAYOUTS)}, got '{LAYOUT}'")
_freeze = os.environ.get("TORCH_FREEZE", "1")
if _freeze not in ("0", "1"):
    raise SystemExit(f"TORCH_FREEZE must be 0 or 1, got '{_freeze}'")
FREEZE = _freeze == "1"
MEMORY_FORMAT = LAYOUTS[LAYOUT]


def describe():
    """How the peers run, for the environment lines of a results table."""
    return (f"layout {LAYOUT} (TORCH_LAYOUT), inference "
            + ("traced and frozen (TORCH_FREEZE=1)" if FREEZE else "eager (TORCH_FREEZE=0)"))


def laid_out(*modules_or_tensors, memory_format=None):
    """Each model or 4-d tensor in the layout the peers run in (or `memory_format`), in order."""
    layout = MEMORY_FORMAT if memory_format is None else memory_format
    out = tuple(m.to(memory_format=layout) for m in modules_or_tensors)
    return out if len(out) > 1 else out[0]


def inference(model, x, freeze=None):
    """A function running `model` on `x` in eval mode without gradients: traced and frozen
    unless TORCH_FREEZE=0 (or `freeze` says otherwise)."""
    model.eval()
    if not (FREEZE if freeze is None else freeze):
        def eager():
            with torch.no_grad():
                model(x)
        return eager
    with torch.no_grad():
        frozen = torch.jit.freeze(torch.jit.trace(model, x))
        frozen(x)  # TorchScript optimises the graph on its first calls

    def run():
        with torch.no_grad():
            frozen(x)
    return run
