/**
 * Model files: {@link dev.isthmus.io.SafeTensors} reads and writes the safetensors format that
 * PyTorch, JAX and Hugging Face share, so weights move between Isthmus and those frameworks
 * under PyTorch's parameter names; {@link dev.isthmus.io.AtomicFiles} makes every save
 * all-or-nothing.
 */
package dev.isthmus.io;
