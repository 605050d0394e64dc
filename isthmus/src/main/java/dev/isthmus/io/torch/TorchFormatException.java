package dev.isthmus.io.torch;

import java.io.IOException;

/** A file that is not a PyTorch checkpoint Isthmus reads: the message names the file and what is wrong. */
public final class TorchFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public TorchFormatException(String message) {
        super(message);
    }

    public TorchFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
