package dev.isthmus.kernels;

/**
 * Which kernel implementation this JVM runs, and why.
 *
 * @param implementation {@code "panama"} or {@code "scalar"}
 * @param vectorBitSize  vector width the kernels use (0 for scalar)
 * @param reason         one sentence saying why this implementation was chosen
 */
public record KernelSelection(String implementation, int vectorBitSize, String reason) {

    @Override
    public String toString() {
        return vectorBitSize == 0
                ? implementation + " (" + reason + ")"
                : implementation + ", " + vectorBitSize + "-bit vectors (" + reason + ")";
    }
}
