package dev.isthmus.io.keras;

import java.io.IOException;

/**
 * A Keras file Isthmus cannot load: the message is one line naming the file and the layer or
 * dataset at fault.
 */
public final class KerasFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public KerasFormatException(String message) {
        super(message);
    }

    public KerasFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
