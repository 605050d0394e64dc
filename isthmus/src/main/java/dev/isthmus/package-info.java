/**
 * Isthmus above the kernels: {@code tensor}, {@code nn}, {@code train}, {@code data}, {@code io}
 * and {@code explain}, each depending only on those before it (see DESIGN.md).
 */
package dev.isthmus;
