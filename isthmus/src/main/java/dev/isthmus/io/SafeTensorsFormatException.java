package dev.isthmus.io;

import java.io.IOException;

/**
 * A file that is not valid safetensors: the message names the file and, where one is at fault,
 * the tensor.
 */
public final class SafeTensorsFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public SafeTensorsFormatException(String message) {
        super(message);
    }

    public SafeTensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
