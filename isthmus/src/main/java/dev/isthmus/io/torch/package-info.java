/**
 * PyTorch's own checkpoint format ({@code torch.save}): {@link dev.isthmus.io.torch.TorchCheckpoints}
 * reads the tensors of a state_dict or a training checkpoint through a pickle reader that runs no
 * code. Safetensors state_dicts need nothing from here: {@link dev.isthmus.io.SafeTensors} reads them.
 */
package dev.isthmus.io.torch;
