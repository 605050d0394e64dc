/**
 * Model files: {@link dev.isthmus.io.SafeTensors} reads and writes the safetensors format that
 * PyTorch, JAX and Hugging Face share, so weights move between Isthmus and those frameworks
 * under PyTorch's parameter names ({@link dev.isthmus.io.Weights}, with PyTorch's strict/lenient
 * rule for tensors a model lacks); {@link dev.isthmus.io.ModelFiles} adds the architecture;
 * {@link dev.isthmus.io.AtomicFiles} makes every save all-or-nothing. Other frameworks' formats
 * have a package each: {@code io.torch} (torch.save checkpoints, read without running pickles),
 * {@code io.keras} (Keras .keras and .h5 models in), {@code io.onnx} (ONNX models out).
 */
package dev.isthmus.io;
